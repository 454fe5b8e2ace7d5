// SPDX-License-Identifier: GPL-2.0-only
// `duraudit attach` as an SRE runs it: against processes that were already
// running, for as long as it is told to, reacting to signals. The target is
// tests/programs/attach_target.c, driven line by line over stdin, so each
// test decides what the process does before and after duraudit attaches.
// Findings are read from the -o FILE while attach runs.
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <fstream>
#include <thread>

#include "e2e/attach_session.h"
#include "e2e/background_process.h"
#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// ------------------------------------------------------------ /proc seeding

TEST(Attach, WriteOnAnFdOpenedBeforeAttachThenCloseWithoutFsyncIsFlaggedAfterTheGracePeriod) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  // held.txt was opened by the target before duraudit existed: only the fd
  // table seeded from /proc tells attach which file fd 3 is.
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--grace", "1s"});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  ASSERT_TRUE(target.run("write"));
  ASSERT_TRUE(target.run("close"));
  // The target is still running: the verdict comes from the grace period,
  // not from the end of the session.
  auto f = attach.wait_for_finding("close-without-fsync", dir / "held.txt", 20s);
  ASSERT_TRUE(f) << attach.describe();
  EXPECT_EQ((*f)["pid"], target.pid());
  EXPECT_EQ((*f)["comm"], "attach_target");
  EXPECT_THAT((*f)["message"].get<std::string>(), HasSubstr("1 s later"));
  EXPECT_TRUE(target.running());

  ASSERT_TRUE(target.run("exit", /*wait_ok=*/false));
  // A --pid target that exits ends attach, with a summary.
  auto st = attach.wait_exit(20s);
  ASSERT_TRUE(st) << "attach kept running after its only target exited\n" << attach.describe();
  EXPECT_EQ(*st, 0) << attach.describe();
  EXPECT_THAT(attach.err(), HasSubstr("every target process has exited"));
  JsonReport rep = attach.report();
  ASSERT_TRUE(rep.summary.is_object()) << attach.describe();
  EXPECT_EQ(rep.summary.value("events_lost", -1), 0);
  EXPECT_EQ(rep.about(dir / "held.txt").size(), 1u) << rep.describe();
}

TEST(Attach, WriteFsyncCloseOnAnFdOpenedBeforeAttachIsNotFlagged) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--grace", "1s"});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  ASSERT_TRUE(target.run("write"));
  ASSERT_TRUE(target.run("fsync"));
  ASSERT_TRUE(target.run("close"));
  ASSERT_TRUE(target.run("sleep 2500"));  // past the grace period
  ASSERT_TRUE(target.run("exit", false));
  ASSERT_TRUE(attach.wait_exit(20s)) << attach.describe();
  JsonReport rep = attach.report();
  ASSERT_TRUE(rep.summary.is_object()) << attach.describe();
  // (The target's stdout, a file in the same directory it also wrote without
  // fsync, is flagged at its exit: only held.txt matters here.)
  EXPECT_TRUE(rep.about(dir / "held.txt").empty()) << rep.describe();
  EXPECT_GT(rep.summary.value("events", 0), 0) << "attach saw nothing at all: the test proves nothing";
}

// ------------------------------------------------------------ following

TEST(Attach, ChildForkedByTheTargetAfterAttachIsFollowed) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--grace", "1s"});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  ASSERT_TRUE(target.run("fork kid.txt"));
  auto f = attach.wait_for_finding("close-without-fsync", dir / "kid.txt", 20s);
  ASSERT_TRUE(f) << attach.describe();
  EXPECT_NE((*f)["pid"], target.pid()) << "the child wrote kid.txt, not the target";
  EXPECT_GT((*f)["pid"].get<int>(), 0);
}

TEST(Attach, AllSeesAProcessStartedAfterAttach) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  AttachSession attach(dir, {"--all", "--grace", "1s"});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  // fork_child: a forked child writes child.txt and exits without closing
  // it; the parent then writes parent.txt and closes it, neither fsynced.
  CommandResult r = run_command({test_program("fork_child"), dir.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  // --all analyses everything else the host does too (other test suites in
  // parallel): allow a backlog.
  EXPECT_TRUE(attach.wait_for_finding("close-without-fsync", dir / "parent.txt", 90s)) << attach.describe();
  EXPECT_TRUE(attach.wait_for_finding("close-without-fsync", dir / "child.txt", 30s)) << attach.describe();
  auto st = attach.stop();
  EXPECT_EQ(st, 0) << attach.describe();
  EXPECT_TRUE(attach.report().summary.is_object()) << attach.describe();
}

// --all knows no targets at start: a process it has not heard from yet is
// seeded from /proc at its first event, so a file it opened before attach
// is audited too.
TEST(Attach, AllAuditsAFileOpenedBeforeAttach) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  AttachSession attach(dir, {"--all", "--grace", "1s"});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  ASSERT_TRUE(target.run("write"));
  ASSERT_TRUE(target.run("close"));
  auto f = attach.wait_for_finding("close-without-fsync", dir / "held.txt", 90s);
  if (!f) {
    // Stop it for the summary (events seen, losses): what the failure needs.
    attach.stop();
    FAIL() << "no finding for held.txt\n" << attach.describe() << "summary: " << attach.report().summary.dump();
  }
  EXPECT_EQ((*f)["pid"], target.pid());
  ASSERT_TRUE(target.run("exit", /*wait_ok=*/false));
  EXPECT_EQ(attach.stop(), 0) << attach.describe();
}

// ------------------------------------------------------------ ending

TEST(Attach, SigtermEndsGracefullyFlushingPendingVerdictsAndASummary) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  // A grace period far longer than the test: the verdict is still pending
  // when SIGTERM arrives, so only the graceful shutdown can settle it.
  // --host names where the findings come from (the DaemonSet passes the node's name).
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--grace", "10m", "--host", "node-e2e"});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  ASSERT_TRUE(target.run("write"));
  ASSERT_TRUE(target.run("close"));
  std::this_thread::sleep_for(1500ms);  // attach polls every 100 ms: let it read the close
  EXPECT_TRUE(attach.report().findings.empty()) << "settled before the grace period:\n" << attach.report().describe();
  ASSERT_TRUE(attach.signal(SIGTERM));
  auto st = attach.wait_exit(20s);
  ASSERT_TRUE(st) << "attach ignored SIGTERM\n" << attach.describe();
  EXPECT_EQ(*st, 0) << attach.describe();
  EXPECT_TRUE(target.running()) << "attach must never affect the watched process";
  JsonReport rep = attach.report();
  ASSERT_TRUE(rep.summary.is_object()) << attach.describe();
  auto held = rep.about(dir / "held.txt");
  ASSERT_EQ(held.size(), 1u) << rep.describe();
  EXPECT_EQ(held[0]["rule"], "close-without-fsync");
  EXPECT_THAT(held[0]["message"].get<std::string>(), HasSubstr("when the session ended"));
  EXPECT_EQ(held[0]["host"], "node-e2e");
  EXPECT_TRUE(held[0].contains("time")) << held[0].dump();  // a live clock has a date
  EXPECT_EQ(rep.summary["findings_by_rule"].value("close-without-fsync", 0), 1);
}

TEST(Attach, DurationEndsAttachWithASummary) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  auto t0 = std::chrono::steady_clock::now();
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--duration", "2s"});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  auto st = attach.wait_exit(30s);
  ASSERT_TRUE(st) << "--duration 2s did not end attach\n" << attach.describe();
  EXPECT_EQ(*st, 0) << attach.describe();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_TRUE(target.running());
  EXPECT_TRUE(attach.report().summary.is_object()) << attach.describe();
}

// ------------------------------------------------------------ start-up errors

TEST(Attach, MissingPidIsARuntimeErrorWithAClearMessage) {
  DURAUDIT_REQUIRE_ROOT();
  // A pid that existed a moment ago and has been reaped.
  pid_t gone = fork();
  if (gone == 0) _exit(0);
  ASSERT_GT(gone, 0);
  waitpid(gone, nullptr, 0);
  ScratchDir dir;
  BoundedRun r = run_bounded({duraudit_bin(), "attach", "--pid", std::to_string(gone)}, dir, 30s);
  ASSERT_TRUE(r.status) << "attach --pid of a missing process did not exit";
  EXPECT_EQ(*r.status, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no running process with pid " + std::to_string(gone)));
}

TEST(Attach, UnparsableMetricsListenFailsAtStartup) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  BoundedRun r = run_bounded({duraudit_bin(), "attach", "--pid", std::to_string(target.pid()), "--metrics-listen",
                              "no-port-here"},
                             dir, 30s);
  ASSERT_TRUE(r.status) << "attach with a bad --metrics-listen kept running";
  EXPECT_EQ(*r.status, 2) << r.err;  // a bad value (docs/production.md "Metrics")
  EXPECT_THAT(r.err, HasSubstr("no-port-here"));
  EXPECT_TRUE(target.running());
}

TEST(Attach, MetricsPortInUseFailsAtStartupWithAClearMessage) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  int port = free_loopback_port();
  ASSERT_GT(port, 0);
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << strerror(errno);
  ASSERT_EQ(listen(s, 4), 0);
  std::string addr = "127.0.0.1:" + std::to_string(port);
  BoundedRun r =
      run_bounded({duraudit_bin(), "attach", "--pid", std::to_string(target.pid()), "--metrics-listen", addr}, dir, 30s);
  close(s);
  ASSERT_TRUE(r.status) << "attach on a port in use kept running";
  EXPECT_EQ(*r.status, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("cannot listen on " + addr));
  EXPECT_THAT(r.err, HasSubstr("in use"));
}

// ------------------------------------------------------------ SIGHUP

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string suppress_kids(const ScratchDir& dir) {
  return "version: 1\nsuppressions:\n  - { rule: close-without-fsync, path: \"" + dir.path() +
         "/kid*\", reason: test }\n";
}

// Old rules suppress kid* findings; an invalid file on SIGHUP must leave them
// in force (not fall back to the defaults) and attach running.
TEST(Attach, SighupWithAnInvalidRulesFileKeepsTheOldRules) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string rules = dir / "rules.yaml";
  write_file(rules, suppress_kids(dir));
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--grace", "1s", "--rules", rules});
  ASSERT_TRUE(attach.ready()) << attach.describe();

  write_file(rules, "version: 1\nrules:\n  close-without-fsink: off\n");  // unknown rule id
  ASSERT_TRUE(attach.signal(SIGHUP));
  ASSERT_TRUE(attach.wait_for_err("keeping the previous rules", 10s)) << attach.describe();
  EXPECT_THAT(attach.err(), HasSubstr("close-without-fsink"));
  EXPECT_TRUE(attach.running());

  ASSERT_TRUE(target.run("fork kid-1.txt"));
  ASSERT_TRUE(target.run("fork other.txt"));
  // other.txt proves verdicts were settled; kid-1.txt stayed suppressed.
  ASSERT_TRUE(attach.wait_for_finding("close-without-fsync", dir / "other.txt", 20s)) << attach.describe();
  ASSERT_TRUE(target.run("exit", false));
  ASSERT_TRUE(attach.wait_exit(20s)) << attach.describe();
  JsonReport rep = attach.report();
  EXPECT_TRUE(rep.about(dir / "kid-1.txt").empty()) << rep.describe();
  ASSERT_TRUE(rep.summary.is_object()) << attach.describe();
  EXPECT_EQ(rep.summary["suppressed"].value("rules", 0), 1) << rep.summary.dump();
}

TEST(Attach, SighupWithAValidRulesFileAppliesANewSuppression) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string rules = dir / "rules.yaml";
  write_file(rules, "version: 1\n");
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--grace", "1s", "--rules", rules});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  ASSERT_TRUE(target.run("fork kid-1.txt"));
  ASSERT_TRUE(attach.wait_for_finding("close-without-fsync", dir / "kid-1.txt", 20s)) << attach.describe();

  write_file(rules, suppress_kids(dir));
  ASSERT_TRUE(attach.signal(SIGHUP));
  ASSERT_TRUE(attach.wait_for_err("rules reloaded", 10s)) << attach.describe();
  ASSERT_TRUE(target.run("fork kid-2.txt"));
  ASSERT_TRUE(target.run("fork other.txt"));
  ASSERT_TRUE(attach.wait_for_finding("close-without-fsync", dir / "other.txt", 20s)) << attach.describe();
  ASSERT_TRUE(target.run("exit", false));
  ASSERT_TRUE(attach.wait_exit(20s)) << attach.describe();
  JsonReport rep = attach.report();
  EXPECT_TRUE(rep.about(dir / "kid-2.txt").empty()) << rep.describe();
  EXPECT_EQ(rep.about(dir / "kid-1.txt").size(), 1u) << rep.describe();
  ASSERT_TRUE(rep.summary.is_object()) << attach.describe();
  EXPECT_EQ(rep.summary["suppressed"].value("rules", 0), 1) << rep.summary.dump();
}

TEST(Attach, SighupReopensTheOutputFileForLogRotation) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--grace", "1s"});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  ASSERT_TRUE(target.run("fork before.txt"));
  ASSERT_TRUE(attach.wait_for_finding("close-without-fsync", dir / "before.txt", 20s)) << attach.describe();

  // What logrotate does: rename, then tell the writer.
  std::string rotated = attach.output_path() + ".1";
  ASSERT_EQ(rename(attach.output_path().c_str(), rotated.c_str()), 0);
  ASSERT_TRUE(attach.signal(SIGHUP));
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(attach.output_path()); }, 10s))
      << "attach did not reopen -o FILE on SIGHUP\n" << attach.describe();
  ASSERT_TRUE(target.run("fork after.txt"));
  ASSERT_TRUE(attach.wait_for_finding("close-without-fsync", dir / "after.txt", 20s)) << attach.describe();
  ASSERT_TRUE(target.run("exit", false));
  ASSERT_TRUE(attach.wait_exit(20s)) << attach.describe();

  JsonReport old_log = parse_report(read_text(rotated));
  JsonReport new_log = attach.report();
  EXPECT_EQ(old_log.about(dir / "before.txt").size(), 1u) << old_log.describe();
  EXPECT_TRUE(old_log.about(dir / "after.txt").empty()) << old_log.describe();
  EXPECT_FALSE(old_log.summary.is_object()) << "the summary belongs in the new file";
  EXPECT_EQ(new_log.about(dir / "after.txt").size(), 1u) << new_log.describe();
  EXPECT_TRUE(new_log.about(dir / "before.txt").empty()) << new_log.describe();
  EXPECT_TRUE(new_log.summary.is_object());
}

// ------------------------------------------------------------ repeat folding

TEST(Attach, RepeatsOfOneMistakeWithinTheFoldWindowAreShownOnceThenCounted) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  AttachSession attach(
      dir, {"--pid", std::to_string(target.pid()), "--grace", "500ms", "--fold-window", "4s"});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  // seg-1 .. seg-5: five findings, one fingerprint (digits are folded).
  auto segs = [&] {
    std::vector<nlohmann::json> v;
    for (const auto& f : attach.report().of_rule("close-without-fsync"))
      if (f.value("path", "").rfind(dir / "seg-", 0) == 0) v.push_back(f);
    return v;
  };
  ASSERT_TRUE(target.run("churn seg 5"));
  // Verdicts settle in no particular order: any of the five may be the one shown.
  ASSERT_TRUE(wait_until([&] { return !segs().empty(); }, 20s)) << attach.describe();
  std::this_thread::sleep_for(1500ms);  // the other four settle meanwhile
  ASSERT_EQ(segs().size(), 1u) << attach.report().describe();
  EXPECT_FALSE(segs()[0].contains("repeats")) << segs()[0].dump();

  std::this_thread::sleep_for(3500ms);  // past the 4 s window
  ASSERT_TRUE(target.run("churn seg 1"));  // seg-6
  ASSERT_TRUE(attach.wait_for_finding("close-without-fsync", dir / "seg-6", 20s)) << attach.describe();
  auto shown = segs();
  ASSERT_EQ(shown.size(), 2u) << attach.report().describe();
  EXPECT_EQ(shown[1].value("repeats", 0), 4) << shown[1].dump();
  EXPECT_EQ(shown[0]["fingerprint"], shown[1]["fingerprint"]);
}

}  // namespace
}  // namespace duraudit::e2e
