// SPDX-License-Identifier: GPL-2.0-only
// An unprivileged process that floods the kernel side with cheap calls
// must not blind `attach --all` to everyone else (docs/production.md, "Event
// budgets"): failed calls that change nothing never leave the kernel, and a
// process over its per-process budget loses its own events, is named in the
// summary, and only its own findings are marked incomplete.
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "e2e/attach_session.h"
#include "e2e/background_process.h"
#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using namespace std::chrono_literals;

constexpr int kVictimFiles = 5;

// Distinct fingerprints: digits in names fold together (run_specific.h),
// and --fold-window would show one finding for all of them.
std::string victim(const ScratchDir& dir, int i) { return dir / ("victim-" + std::string(1, char('a' + i))); }

// Losses that would blind everyone: the ring buffer overflowing.
uint64_t ring_buffer_losses(const nlohmann::json& summary) {
  uint64_t n = 0;
  for (const auto& [reason, count] : summary["events_lost_by_reason"].items())
    if (reason.rfind("ringbuf_full", 0) == 0) n += count.get<uint64_t>();
  return n;
}

// The flooder runs as nobody (uid 65534), as a hostile local user would.
std::vector<std::string> as_nobody(const std::string& mode, const std::string& seconds) {
  return {find_tool("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups", "--",
          test_program("event_flood"), mode, seconds};
}

// While `mode` floods, a second process writes kVictimFiles files and
// closes them without fsync; returns the attach session's report.
JsonReport flood_and_write(const ScratchDir& dir, const std::string& mode,
                           std::unique_ptr<BackgroundProcess>& flooder, std::string* why) {
  AttachSession attach(dir, {"--all", "--grace", "1s"});
  if (!attach.ready()) {
    *why = "attach did not start\n" + attach.describe();
    return {};
  }
  flooder = std::make_unique<BackgroundProcess>(as_nobody(mode, "6"), dir / "flood.out", dir / "flood.err");
  if (!flooder->wait_for_out("flooding", 10s)) {
    *why = "the flooder did not start: " + flooder->err();
    return {};
  }
  std::this_thread::sleep_for(1s);  // well into the flood
  std::string script;
  for (int i = 0; i < kVictimFiles; ++i) script += "echo data > " + victim(dir, i) + "; ";
  CommandResult writer = run_command({"sh", "-c", script});
  if (writer.status != 0) {
    *why = "the writer failed: " + writer.err;
    return {};
  }
  for (int i = 0; i < kVictimFiles; ++i)
    attach.wait_for_finding("close-without-fsync", victim(dir, i), 60s);
  flooder->wait(30s);
  attach.stop();
  return attach.report();
}

void expect_every_victim_reported_whole(const JsonReport& report, const ScratchDir& dir) {
  for (int i = 0; i < kVictimFiles; ++i) {
    std::string path = victim(dir, i);
    auto about = report.about(path);
    ASSERT_FALSE(about.empty()) << "no finding for " << path << "\n" << report.describe();
    EXPECT_EQ(about[0]["rule"], "close-without-fsync") << report.describe();
    EXPECT_FALSE(about[0].value("incomplete", false)) << about[0].dump();
  }
}

TEST(Flood, FailingCallsNeverLeaveTheKernel) {
  DURAUDIT_REQUIRE_ROOT();
  ASSERT_FALSE(find_tool("setpriv").empty()) << "setpriv (util-linux) is needed";
  ScratchDir dir;
  std::unique_ptr<BackgroundProcess> flooder;
  std::string why;
  JsonReport report = flood_and_write(dir, "fail", flooder, &why);
  ASSERT_TRUE(why.empty()) << why;
  expect_every_victim_reported_whole(report, dir);
  // Millions of close(-1) calls, and not one of them reached userspace.
  EXPECT_THAT(flooder->out(), testing::HasSubstr(" calls"));
  // (--all sees the rest of the host too: only the flood's kind of loss is
  // asserted.)
  EXPECT_EQ(ring_buffer_losses(report.summary), 0u) << report.summary.dump();
  EXPECT_EQ(report.summary["events_lost_by_reason"]["process_budget"], 0) << report.summary.dump();
  EXPECT_FALSE(report.summary.contains("over_budget")) << report.summary.dump();
}

TEST(Flood, AProcessOverItsBudgetIsNamedAndOnlyItLosesEvents) {
  DURAUDIT_REQUIRE_ROOT();
  ASSERT_FALSE(find_tool("setpriv").empty()) << "setpriv (util-linux) is needed";
  ScratchDir dir;
  std::unique_ptr<BackgroundProcess> flooder;
  std::string why;
  JsonReport report = flood_and_write(dir, "succeed", flooder, &why);
  ASSERT_TRUE(why.empty()) << why;
  expect_every_victim_reported_whole(report, dir);
  const auto& s = report.summary;
  ASSERT_TRUE(s.contains("over_budget")) << s.dump();
  bool named = false;
  for (const auto& p : s["over_budget"])
    if (p["pid"] == flooder->pid()) {
      named = true;
      EXPECT_EQ(p["comm"], "event_flood");
      EXPECT_GT(p["events_dropped"].get<uint64_t>(), 100000u) << s.dump();
    }
  EXPECT_TRUE(named) << "the flooder (pid " << flooder->pid() << ") is not named: " << s.dump();
  EXPECT_GT(s["events_lost_by_reason"]["process_budget"].get<uint64_t>(), 100000u) << s.dump();
  EXPECT_EQ(ring_buffer_losses(s), 0u) << s.dump();
  EXPECT_TRUE(s["incomplete"]) << s.dump();
  EXPECT_THAT(s["incomplete_reason"].get<std::string>(), testing::HasSubstr("event budget")) << s.dump();
}

}  // namespace
}  // namespace duraudit::e2e
