// SPDX-License-Identifier: GPL-2.0-only
// Values and inputs duraudit refuses, cleanly and at once: nonsense flag
// values exit 2 naming the flag and what it accepts; rules files and
// baselines that are devices, directories or too large are refused, at
// start-up (exit 2) and on a SIGHUP reload (the old rules stay).
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "e2e/attach_session.h"
#include "e2e/background_process.h"
#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;

TEST(BadValues, AttachFlagsOutOfRangeExit2NamingTheFlagAndRange) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  BackgroundProcess target({"/bin/sleep", "30"}, dir / "t.out", dir / "t.err");
  const std::string pid = std::to_string(target.pid());
  struct Case {
    std::vector<std::string> flags;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--duration", "0"}, "--duration must be longer than 0"},
      {{"--duration", "0s"}, "--duration must be longer than 0"},
      {{"--max-files", "0"}, "--max-files must be a whole number from 1 to 100000000 (got '0')"},
      {{"--max-files", "-1"}, "--max-files must be a whole number from 1 to 100000000 (got '-1')"},
      {{"--max-processes", "-5"}, "--max-processes must be a whole number from 1"},
      {{"--max-dir-entries", "1.5"}, "--max-dir-entries must be a whole number from 1"},
      {{"--metrics-comm-cap", "0"}, "--metrics-comm-cap must be a whole number from 1 to 10000"},
      {{"--ringbuf-mib", "4096"}, "--ringbuf-mib must be a whole number from 1 to 1024 (got '4096')"},
      {{"--ringbuf-mib", "3"}, "--ringbuf-mib must be a power of two from 1 to 1024 (got '3')"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> argv = {duraudit_bin(), "attach", "--pid", pid};
    argv.insert(argv.end(), c.flags.begin(), c.flags.end());
    BoundedRun r = run_bounded(argv, dir, 20s);
    ASSERT_TRUE(r.status) << c.flags[0] << " " << c.flags[1] << ": still running";
    EXPECT_EQ(*r.status, 2) << c.flags[0] << " " << c.flags[1] << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.says)) << c.flags[0] << " " << c.flags[1];
  }
}

TEST(BadValues, MetricsListenOnPortZeroPrintsThePortItBound) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  BackgroundProcess target({"/bin/sleep", "30"}, dir / "t.out", dir / "t.err");
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--metrics-listen", "127.0.0.1:0"});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  std::smatch m;
  std::string err = attach.err();
  ASSERT_TRUE(std::regex_search(err, m, std::regex("metrics on http://127\\.0\\.0\\.1:([0-9]+)/metrics"))) << err;
  int port = std::stoi(m[1]);
  ASSERT_GT(port, 0);
  EXPECT_EQ(http_get(port, "/metrics", 5s).status, 200);
}

TEST(BoundedInput, RulesAndBaselinesMustBeSmallRegularFiles) {
  ScratchDir dir;
  const std::string big = dir / "big.yaml";
  {
    std::ofstream out(big);
    out << "version: 1\n";
    for (int i = 0; i < 40000; ++i) out << "# padding padding padding padding\n";  // > 1 MiB
  }
  struct Case {
    std::vector<std::string> argv;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"rules", "check", "/dev/zero"}, "/dev/zero: cannot read rules file: it is a character device"},
      {{"rules", "check", dir.path()}, "cannot read rules file: it is a directory"},
      {{"rules", "check", big}, "rules file is larger than the limit of 1 MiB"},
      {{"replay", "--strace", "--rules", "/dev/zero", source_dir() + "/tests/data/strace/hand_syscalls.log"},
       "/dev/zero: cannot read rules file: it is a character device"},
      {{"replay", "--strace", "--baseline", "/dev/zero", source_dir() + "/tests/data/strace/hand_syscalls.log"},
       "/dev/zero: cannot read baseline: it is a character device"},
      {{"replay", "--strace", "--baseline", dir.path(), source_dir() + "/tests/data/strace/hand_syscalls.log"},
       "cannot read baseline: it is a directory"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> argv = {duraudit_bin()};
    argv.insert(argv.end(), c.argv.begin(), c.argv.end());
    BoundedRun r = run_bounded(argv, dir, 20s);
    ASSERT_TRUE(r.status) << c.argv[0] << " " << c.argv[2] << ": still running";
    EXPECT_EQ(*r.status, 2) << c.argv[0] << " " << c.argv[2] << ": " << r.err;
    EXPECT_THAT(r.err + r.out, HasSubstr(c.says)) << c.argv[0] << " " << c.argv[2];
  }
}

TEST(BoundedInput, SighupKeepsTheOldRulesWhenTheFileBecomesDevZero) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string rules = dir / "rules.yaml";
  std::ofstream(rules) << "version: 1\ngrace: 1s\n";
  BackgroundProcess target({"/bin/sleep", "30"}, dir / "t.out", dir / "t.err");
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--rules", rules});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  std::filesystem::remove(rules);
  std::filesystem::create_symlink("/dev/zero", rules);
  ASSERT_TRUE(attach.signal(SIGHUP));
  ASSERT_TRUE(attach.wait_for_err("keeping the previous rules", 10s)) << attach.describe();
  EXPECT_THAT(attach.err(), HasSubstr("character device"));
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(attach.running()) << attach.describe();
  EXPECT_EQ(attach.stop(), 0) << attach.describe();
}

// strace never prints a line anywhere near 1 MiB (-s N bounds each string):
// a longer one, or an input without newlines, is refused at once with the
// line number, in bounded memory (the address space is capped at 1 GiB:
// reading /dev/zero whole exceeds it within a second).
TEST(BoundedInput, AnStraceLineLongerThanOneMebibyteIsRefused) {
  ScratchDir dir;
  const std::string log = dir / "long.log";
  {
    std::ofstream out(log);
    out << "1234  close(3) = 0\n";
    out << "1234  write(1, \"" << std::string(2 << 20, 'a') << "\", 2097152) = 2097152\n";
  }
  for (const std::string& input : {std::string("/dev/zero"), log}) {
    BoundedRun r = run_bounded({"/bin/sh", "-c", "ulimit -v 1048576; exec " + duraudit_bin() + " replay --strace " +
                                                     input},
                               dir, 20s);
    ASSERT_TRUE(r.status) << input << ": still running";
    EXPECT_EQ(*r.status, 1) << input << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("cannot replay strace log " + input + ": line " +
                                 (input == log ? "2" : "1") + " is longer than 1 MiB, the limit"))
        << input;
  }
}

}  // namespace
}  // namespace duraudit::e2e
