// SPDX-License-Identifier: GPL-2.0-only
// The exit status of `duraudit run`, as a CI script reads it (README
// "Exit status"): the command's own status passes through; 3 (or
// --findings-exit-code N) when the command succeeded and a finding reaches
// --fail-on; 125 for every failure of duraudit itself, as timeout(1) and
// env(1); 126 for a command that cannot be run, 127 for one not found.
// The other commands keep 2 for usage and 1 for runtime errors.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;

// One close-without-fsync (warning) and one rename-without-fsync (error),
// then the shell's status `status`.
std::vector<std::string> buggy_writer(const ScratchDir& dir, int status = 0) {
  return {"/bin/sh", "-c",
          "echo data > " + (dir / "a.tmp") + " && mv " + (dir / "a.tmp") + " " + (dir / "a") + "; exit " +
              std::to_string(status)};
}

std::vector<std::string> run_argv(std::vector<std::string> opts, const std::vector<std::string>& command) {
  std::vector<std::string> argv{duraudit_bin(), "run"};
  argv.insert(argv.end(), opts.begin(), opts.end());
  argv.push_back("--");
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

TEST(ExitStatus, TheCommandsStatusPassesThrough) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  EXPECT_EQ(run_command(run_argv({}, {"/bin/sh", "-c", "exit 0"})).status, 0);
  EXPECT_EQ(run_command(run_argv({}, {"/bin/sh", "-c", "exit 1"})).status, 1);
  EXPECT_EQ(run_command(run_argv({}, {"/bin/sh", "-c", "exit 2"})).status, 2);
  EXPECT_EQ(run_command(run_argv({}, {"/bin/sh", "-c", "exit 254"})).status, 254);
  // A failing command with findings at --fail-on: the command's status wins.
  auto r = run_command(run_argv({"--fail-on", "notice"}, buggy_writer(dir, 7)));
  EXPECT_EQ(r.status, 7) << r.err;
  EXPECT_THAT(r.err, HasSubstr("rename-without-fsync"));
  // Killed by a signal: 128+N, as a shell reports it.
  EXPECT_EQ(run_command(run_argv({}, {"/bin/sh", "-c", "kill -KILL $$"})).status, 128 + 9);
}

TEST(ExitStatus, FindingsAtFailOnGive3OrTheChosenCode) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  EXPECT_EQ(run_command(run_argv({}, buggy_writer(dir))).status, 0);  // --fail-on none
  EXPECT_EQ(run_command(run_argv({"--fail-on", "error"}, buggy_writer(dir))).status, 3);
  EXPECT_EQ(run_command(run_argv({"--fail-on", "error", "--findings-exit-code", "42"}, buggy_writer(dir))).status, 42);
  EXPECT_EQ(run_command(run_argv({"--fail-on", "warning", "--findings-exit-code=1"}, buggy_writer(dir))).status, 1);
  EXPECT_EQ(run_command(run_argv({"--fail-on", "error", "--findings-exit-code", "255"}, buggy_writer(dir))).status,
            255);
  // Nothing at or above --fail-on: 0, whatever the code.
  EXPECT_EQ(run_command(run_argv({"--fail-on", "error", "--findings-exit-code", "42"},
                                 {"/bin/sh", "-c", "echo a > " + (dir / "b") + "; sync"}))
                .status,
            0);
}

TEST(ExitStatus, ABadFindingsExitCodeIs125BeforeAnythingRuns) {
  ScratchDir dir;
  for (const std::string bad : {"0", "256", "-1", "3.5", "three", ""}) {
    auto r = run_command(run_argv({"--findings-exit-code", bad}, {"touch", dir / "ran"}));
    EXPECT_EQ(r.status, 125) << "'" << bad << "': " << r.err;
    EXPECT_THAT(r.err, HasSubstr("--findings-exit-code must be a whole number from 1 to 255 (got '" + bad + "')"));
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "ran"));
}

// Every way duraudit itself can fail under run is 125, and the command
// does not run.
TEST(ExitStatus, EveryFailureOfDuraauditItselfIs125) {
  ScratchDir dir;
  const std::string bad_rules = dir / "bad.yaml";
  std::ofstream(bad_rules) << "version: 1\nrules:\n  close-without-fsync:\n    severity: catastrophic\n";
  const std::string marker = dir / "ran";
  struct Case {
    std::vector<std::string> argv;  // after the binary
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"run", "--bogus", "--", "touch", marker}, "bogus"},
      {{"--bogus", "run", "--", "touch", marker}, "unknown option '--bogus' before the command"},
      {{"--log-level", "loud", "run", "--", "touch", marker}, "--log-level must be one of"},
      {{"run", "--log-level=loud", "--", "touch", marker}, "--log-level must be one of"},
      {{"run"}, "run needs a command"},
      {{"run", "--format", "yaml", "--", "touch", marker}, "--format must be"},
      {{"run", "--fail-on", "sometimes", "--", "touch", marker}, "--fail-on must be one of"},
      {{"run", "--grace", "soon", "--", "touch", marker}, "--grace"},
      {{"run", "--color", "purple", "--", "touch", marker}, "--color must be"},
      {{"run", "--rules", bad_rules, "--", "touch", marker}, bad_rules + ":4"},
      {{"run", "--rules", "/no/such/rules.yaml", "--", "touch", marker}, "/no/such/rules.yaml"},
      {{"run", "--baseline", "/no/such/baseline", "--", "touch", marker}, "/no/such/baseline"},
      {{"run", "-u", "no-such-user-here", "--", "touch", marker}, "no such user"},
      {{"run", "-o", "/no/such/dir/findings.txt", "--", "touch", marker}, "/no/such/dir/findings.txt"},
      {{"run", "--write-baseline", "/no/such/dir/b.jsonl", "--", "touch", marker}, "/no/such/dir/b.jsonl"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> argv{duraudit_bin()};
    argv.insert(argv.end(), c.argv.begin(), c.argv.end());
    auto r = run_command(argv);
    EXPECT_EQ(r.status, 125) << testing::PrintToString(c.argv) << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.says)) << testing::PrintToString(c.argv);
    EXPECT_FALSE(std::filesystem::exists(marker)) << testing::PrintToString(c.argv) << " ran the command";
  }
}

TEST(ExitStatus, AnOutputThatCannotBeWrittenIs125EvenWhenTheCommandFailed) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  for (int status : {0, 7}) {
    auto r = run_command(run_argv({"--format", "json", "-o", "/dev/full"}, buggy_writer(dir, status)));
    EXPECT_EQ(r.status, 125) << status << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("cannot write /dev/full"));
  }
}

// Without privilege the BPF programs cannot be loaded: run as nobody
// (setpriv drops root and every capability with it).
TEST(ExitStatus, NoPrivilegeIs125AndTheCommandDoesNotRun) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  ::chmod(dir.path().c_str(), 0777);
  const std::string marker = dir / "ran";
  auto r = run_command({find_tool("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups", duraudit_bin(), "run",
                        "--", "touch", marker});
  EXPECT_EQ(r.status, 125) << r.err;
  EXPECT_THAT(r.err, HasSubstr("duraudit: "));
  EXPECT_FALSE(std::filesystem::exists(marker)) << r.err;
}

TEST(ExitStatus, ACommandThatCannotBeRunIs126AndOneNotFoundIs127) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string not_executable = dir / "script.sh";
  std::ofstream(not_executable) << "#!/bin/sh\necho hi\n";
  ::chmod(not_executable.c_str(), 0644);
  auto r = run_command(run_argv({}, {not_executable}));
  EXPECT_EQ(r.status, 126) << r.err;
  EXPECT_THAT(r.err, HasSubstr(not_executable + ": Permission denied"));
  auto d = run_command(run_argv({}, {dir.path()}));
  EXPECT_EQ(d.status, 126) << d.err;
  auto n = run_command(run_argv({"--fail-on", "notice"}, {"/no/such/program"}));
  EXPECT_EQ(n.status, 127) << n.err;
  EXPECT_THAT(n.err, HasSubstr("/no/such/program: command not found"));
  auto p = run_command(run_argv({}, {"no-such-program-in-path"}));
  EXPECT_EQ(p.status, 127) << p.err;
}

// replay, attach and rules are not wrappers: they keep 2 for usage and
// configuration errors and 1 for runtime errors.
TEST(ExitStatus, OtherCommandsKeep2And1) {
  ScratchDir dir;
  const std::string bad_rules = dir / "bad.yaml";
  std::ofstream(bad_rules) << "version: 1\nbogus_key: 3\n";
  const std::string log = source_dir() + "/tests/data/strace/hand_syscalls.log";
  EXPECT_EQ(run_command({duraudit_bin(), "replay", "--bogus", log}).status, 2);
  EXPECT_EQ(run_command({duraudit_bin(), "replay", "--strace", log, "--rules", bad_rules}).status, 2);
  EXPECT_EQ(run_command({duraudit_bin(), "--log-level", "loud", "replay", "--strace", log}).status, 2);
  EXPECT_EQ(run_command({duraudit_bin(), "replay", "--strace", "/no/such/log"}).status, 1);
  EXPECT_EQ(run_command({duraudit_bin(), "replay", "--strace", log, "-o", "/dev/full"}).status, 1);
  EXPECT_EQ(run_command({duraudit_bin(), "rules", "check", bad_rules}).status, 2);
  EXPECT_EQ(run_command({duraudit_bin(), "rules", "--bogus"}).status, 2);
  EXPECT_EQ(run_command({duraudit_bin(), "attach", "--bogus"}).status, 2);
  // A pid past the kernel's limit is a bad value (2); a valid one that is
  // not running is a failure to attach (1).
  EXPECT_EQ(run_command({duraudit_bin(), "attach", "--pid", "999999999"}).status, 2);
  if (geteuid() == 0) EXPECT_EQ(run_command({duraudit_bin(), "attach", "--pid", "4194303"}).status, 1);
}

}  // namespace
}  // namespace duraudit::e2e
