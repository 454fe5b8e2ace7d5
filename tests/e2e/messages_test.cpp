// SPDX-License-Identifier: GPL-2.0-only
// What duraudit says when something is wrong (issue 12, item 14): the
// message names what was wrong in duraudit's own words (not a library's,
// not a guess at a cause it did not see), bad values exit 2 naming the flag
// and what it accepts, and a write error in the middle of a recording is one
// clean line, not an abort.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "e2e/attach_session.h"
#include "e2e/background_process.h"
#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

size_t lines_with(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) n += line.find(needle) != std::string::npos;
  return n;
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(Messages, AnUnresolvableMetricsHostIsABadValueInDuraauditsOwnWords) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  BackgroundProcess target({"/bin/sleep", "60"}, dir / "t.out", dir / "t.err");
  const std::string pid = std::to_string(target.pid());
  struct Case {
    std::string addr, says;
  };
  for (const Case& c : std::vector<Case>{
           {"nosuchhost.invalid:10464",
            "--metrics-listen: invalid metrics listen address 'nosuchhost.invalid:10464': cannot resolve the host name "
            "'nosuchhost.invalid' to an IPv4 address"},
           {"nonsense", "--metrics-listen: invalid metrics listen address 'nonsense': expected HOST:PORT"},
           {"127.0.0.1:99999", "--metrics-listen: invalid metrics listen address '127.0.0.1:99999'"},
       }) {
    // A name lookup may wait for DNS: bounded generously.
    BoundedRun r = run_bounded({duraudit_bin(), "attach", "--pid", pid, "--metrics-listen", c.addr}, dir, 60s);
    ASSERT_TRUE(r.status) << c.addr << ": still running";
    EXPECT_EQ(*r.status, 2) << c.addr << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.says)) << c.addr;
    EXPECT_THAT(r.err, Not(HasSubstr("port spec"))) << "civetweb's syntax leaked: " << r.err;
    EXPECT_EQ(lines_with(r.err, "duraudit:"), 1u) << r.err;
  }
}

TEST(Messages, AMetricsHostNameThatResolvesIsServed) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  BackgroundProcess target({"/bin/sleep", "60"}, dir / "t.out", dir / "t.err");
  BackgroundProcess attach({duraudit_bin(), "attach", "--pid", std::to_string(target.pid()), "--metrics-listen",
                            "localhost:0"},
                           dir / "a.out", dir / "a.err");
  std::smatch m;
  std::string err;
  for (int i = 0; i < 300 && !std::regex_search(err, m, std::regex("metrics on http://localhost:([0-9]+)/metrics"));
       ++i) {
    std::this_thread::sleep_for(100ms);
    std::ifstream in(dir / "a.err");
    err.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_FALSE(m.empty()) << err;
  EXPECT_EQ(http_get(std::stoi(m[1]), "/metrics", 5s).status, 200);
}

TEST(Messages, ReplayOfADirectorySaysItIsADirectory) {
  ScratchDir dir;
  CommandResult r = run_command({duraudit_bin(), "replay", dir.path()});
  EXPECT_EQ(r.status, 1) << r.err;  // an unreadable trace (README: exit status)
  EXPECT_THAT(r.err, HasSubstr(dir.path() + " is a directory, not a recording")) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("not a duraudit recording"))) << r.err;
  r = run_command({duraudit_bin(), "replay", "--strace", dir.path()});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr(dir.path() + " is a directory, not an strace log")) << r.err;
  // A file that is no recording still says so, and points at --strace.
  write_file(dir / "notes.txt", "hello\n");
  r = run_command({duraudit_bin(), "replay", dir / "notes.txt"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("is not a duraudit recording (for strace output use: duraudit replay --strace FILE)"));
}

TEST(Messages, AnUnreadableRulesFileGivesTheOsReasonNotALineNumber) {
  ScratchDir dir;
  const std::string missing = dir / "missing.yaml";
  struct Case {
    std::vector<std::string> argv;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {{"rules", "check", missing}, missing + ": cannot read rules file: No such file or directory"},
           {{"rules", "list", "--rules", missing}, missing + ": cannot read rules file: No such file or directory"},
           {{"replay", "--strace", "--rules", missing, "-"}, missing + ": cannot read rules file: No such file"},
       }) {
    CommandResult r = run_command([&] {
      std::vector<std::string> a{duraudit_bin()};
      a.insert(a.end(), c.argv.begin(), c.argv.end());
      return a;
    }(), "");
    EXPECT_EQ(r.status, 2) << c.argv[0] << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.says)) << c.argv[0];
    EXPECT_THAT(r.err, Not(HasSubstr(":0:"))) << r.err;
    EXPECT_THAT(r.err, Not(HasSubstr("line 0"))) << r.err;
  }
  // Permission denied, as a user who may not read it (root reads anything).
  const std::string setpriv = find_tool("setpriv");
  ASSERT_FALSE(setpriv.empty()) << "setpriv (util-linux) is needed to drop root";
  if (geteuid() != 0) return;
  const std::string secret = dir / "secret.yaml";
  write_file(secret, "version: 1\n");
  ASSERT_EQ(chmod(secret.c_str(), 0600), 0);
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);
  CommandResult r = run_command(
      {setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", duraudit_bin(), "rules", "check", secret});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr(secret + ": cannot read rules file: Permission denied")) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr(":0:"))) << r.err;
}

TEST(Messages, AnUnparsedStraceLineIsNamedAndNotBlamedOnTheRingBuffer) {
  ScratchDir dir;
  const std::string log = dir / "app.strace";
  write_file(log,
             "123 openat(AT_FDCWD, \"/data/x\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3\n"
             "123 this is not an strace line\n"
             "123 write(3, \"abc\", 3) = 3\n"
             "123 close(3) = 0\n");
  CommandResult text = run_command({duraudit_bin(), "replay", "--strace", log});
  EXPECT_EQ(text.status, 0) << text.err;
  EXPECT_THAT(text.err, HasSubstr(log + ":2: unparsed line")) << text.err;
  EXPECT_THAT(text.out, HasSubstr("WARNING: results are incomplete (findings may be missing or wrong): 1 line of the "
                                  "strace log could not be parsed (line 2 of " + log + ")"))
      << text.out;
  EXPECT_THAT(text.out, HasSubstr("incomplete: 1 line of the strace log could not be parsed (line 2 of " + log +
                                  ") before this verdict"))
      << text.out;
  for (const std::string& s : {text.out, text.err}) {
    EXPECT_THAT(s, Not(HasSubstr("ring buffer"))) << s;
    EXPECT_THAT(s, Not(HasSubstr("events were lost"))) << s;
  }
  EXPECT_EQ(lines_with(text.out, "WARNING"), 1u) << text.out;

  CommandResult json = run_command({duraudit_bin(), "replay", "--strace", log, "--format", "json"});
  JsonReport rep = parse_report(json.out);
  EXPECT_EQ(rep.summary.value("incomplete_reason", ""),
            "1 line of the strace log could not be parsed (line 2 of " + log + ")")
      << rep.describe();
  ASSERT_FALSE(rep.findings.empty()) << rep.describe();
  EXPECT_EQ(rep.findings[0].value("incomplete_reason", ""),
            "1 line of the strace log could not be parsed (line 2 of " + log + ") before this verdict");
}

TEST(BadValues, PidValuesOutOfRangeExit2NamingTheFlagForEveryCommand) {
  ScratchDir dir;
  for (const std::string& cmd : {"attach", "trace", "record"}) {
    for (const std::string& pid : {"0", "-1", "5000000"}) {
      std::vector<std::string> argv{duraudit_bin(), cmd, "--pid=" + pid};
      if (cmd == "record") argv.insert(argv.end(), {"-o", dir / "r.rec"});
      CommandResult r = run_command(argv);
      EXPECT_EQ(r.status, 2) << cmd << " --pid " << pid << ": " << r.err;
      EXPECT_THAT(r.err, HasSubstr("--pid must be a process id from 1 to 4194304 (got '" + pid + "')"))
          << cmd << " --pid " << pid;
    }
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "r.rec"));
}

TEST(BadValues, AttachTargetsThatCanNeverMatchExit2NamingTheFlag) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  struct Case {
    std::vector<std::string> flags;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {{"--comm", "a-name-longer-than-fifteen"}, "--comm a-name-longer-than-fifteen: the kernel keeps only the first 15"},
           {{"--comm", "bin/sh"}, "--comm bin/sh: a process name has no '/'"},
           {{"--cgroup", dir.path()}, "--cgroup " + dir.path() + ": not a cgroup v2 directory"},
           {{"--cgroup", dir / "t.out"}, "--cgroup " + dir / "t.out" + ": not a directory"},
       }) {
    write_file(dir / "t.out", "");
    std::vector<std::string> argv{duraudit_bin(), "attach"};
    argv.insert(argv.end(), c.flags.begin(), c.flags.end());
    BoundedRun r = run_bounded(argv, dir, 30s);
    ASSERT_TRUE(r.status) << c.flags[1] << ": still running";
    EXPECT_EQ(*r.status, 2) << c.flags[1] << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.says)) << r.err;
  }
}

TEST(BadValues, ReplayCwdMustBeAbsoluteAndRulesWithoutAVerbIsAUsageErrorOnStderr) {
  ScratchDir dir;
  write_file(dir / "app.strace", "123 close(3) = 0\n");
  CommandResult r = run_command({duraudit_bin(), "replay", "--strace", "--cwd", "data", dir / "app.strace"});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--cwd must be an absolute directory")) << r.err;
  r = run_command({duraudit_bin(), "rules"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("usage: duraudit rules list"));
  r = run_command({duraudit_bin(), "rules", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("usage: duraudit rules list"));
}

TEST(BadValues, AnOutputPathThatCannotBeOpenedStopsRunTraceAndRecordBeforeTheCommand) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string bad = dir / "no-such-dir/out";
  for (const std::string& cmd : {"run", "trace", "record"}) {
    CommandResult r = run_command({duraudit_bin(), cmd, "-o", bad, "--", "/bin/true"});
    // run's own statuses are the command's: its failures are 125.
    EXPECT_EQ(r.status, cmd == "run" ? 125 : 2) << cmd << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("No such file or directory")) << cmd << ": " << r.err;
    EXPECT_EQ(lines_with(r.err, "duraudit:"), 1u) << cmd << ": " << r.err;
  }
}

// A recording whose output fails midway (here a pipe whose reader left):
// one line saying so, exit 1, no abort; the command is not left running
// untraced but runs to its end under the capture (docs/output.md "Write
// errors").
TEST(WriteErrors, RecordThatCannotWriteMidwayExits1CleanlyAndTheCommandRunsToItsEnd) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string script =
      "sleep 0.5; i=0; while [ $i -lt 300 ]; do echo x > " + dir.path() + "/f$i; i=$((i+1)); done; sleep 0.3; "
      "echo done > " + dir.path() + "/marker";
  // The reader takes the header and goes: every later write is EPIPE.
  const std::string shell = "{ '" + duraudit_bin() + "' record -o /dev/stdout -- /bin/sh -c '" + script +
                            "' 2> '" + dir.path() + "/err'; echo $? > '" + dir.path() + "/status'; } | head -c 8 "
                            ">/dev/null";
  BoundedRun r = run_bounded({"/bin/sh", "-c", shell}, dir, 60s);
  ASSERT_TRUE(r.status) << "record did not end";
  std::ifstream st(dir / "status"), er(dir / "err"), mk(dir / "marker");
  std::string status((std::istreambuf_iterator<char>(st)), {}), err((std::istreambuf_iterator<char>(er)), {});
  EXPECT_EQ(status, "1\n") << err;
  EXPECT_EQ(lines_with(err, "cannot write recording /dev/stdout: Broken pipe"), 1u) << err;
  EXPECT_EQ(lines_with(err, "duraudit:"), 1u) << err;
  EXPECT_THAT(err, Not(HasSubstr("terminate"))) << err;
  EXPECT_THAT(err, Not(HasSubstr("internal error"))) << err;
  // The command finished before record returned: nothing left running.
  EXPECT_TRUE(mk.good()) << "the traced command did not run to its end before record exited";
}

}  // namespace
}  // namespace duraudit::e2e
