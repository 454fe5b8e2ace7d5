// SPDX-License-Identifier: GPL-2.0-only
// `run`, `trace -- CMD` and `record -- CMD` never orphan the command: signals
// are passed on to it, and when duraudit must stop early (a second SIGINT)
// it says so and ends the command -- SIGTERM, then SIGKILL after a grace --
// instead of leaving it running untraced. `--pid` modes never signal their
// target.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <random>

#include "e2e/background_process.h"
#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;

// The pids of the processes whose command line is exactly `argv`.
std::vector<pid_t> processes_with_argv(const std::vector<std::string>& argv) {
  std::string want;
  for (const auto& a : argv) want += a + '\0';
  std::vector<pid_t> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (read_text(e.path() / "cmdline") == want) {
      // A zombie is gone for our purpose.
      std::string stat = read_text(e.path() / "stat");
      size_t close = stat.rfind(')');
      if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z') continue;
      out.push_back(std::stoi(name));
    }
  }
  return out;
}

// A sleep whose argv no other process has: "sleep 30.<random digits>".
std::vector<std::string> unique_sleep() {
  std::random_device rd;
  return {"sleep", "30." + std::to_string(rd() % 1000000000u)};
}

struct Mode {
  const char* name;
  std::vector<std::string> args;  // between the binary and `--`
};

std::vector<Mode> modes(const ScratchDir& dir) {
  return {{"run", {"run"}}, {"trace", {"trace", "-o", dir / "trace.txt"}}, {"record", {"record", "-o", dir / "r.rec"}}};
}

// The reproduction: a command that ignores SIGINT and SIGTERM, and a
// second SIGINT to duraudit. Before: duraudit exited 130 and the sleep ran
// on, untraced. Now the sleep is ended too, and stderr says so.
TEST(CommandSignals, ASecondSigintEndsTheCommandAndSaysSo) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  for (const Mode& m : modes(dir)) {
    const auto sleep = unique_sleep();
    std::vector<std::string> argv{duraudit_bin()};
    argv.insert(argv.end(), m.args.begin(), m.args.end());
    argv.insert(argv.end(), {"--", "/bin/sh", "-c", "trap '' INT TERM; " + sleep[0] + " " + sleep[1] + "; echo done"});
    BackgroundProcess d(argv, dir / "d.out", dir / "d.err");
    ASSERT_TRUE(wait_until([&] { return processes_with_argv(sleep).size() == 1; }, 30s)) << m.name << d.err();
    const pid_t sleeper = processes_with_argv(sleep).front();

    ASSERT_TRUE(d.signal(SIGINT));
    std::this_thread::sleep_for(500ms);
    EXPECT_FALSE(d.wait(0ms)) << m.name << ": a first SIGINT ended duraudit while the command ignores it\n"
                              << d.err();
    EXPECT_EQ(::kill(sleeper, 0), 0) << m.name;

    const auto second = std::chrono::steady_clock::now();
    ASSERT_TRUE(d.signal(SIGINT));
    auto status = d.wait(15s);
    ASSERT_TRUE(status) << m.name << ": still running\n" << d.err();
    EXPECT_EQ(*status, 130) << m.name << d.err();
    // Ended within the grace (3 s) and a margin, long before its 30 s.
    EXPECT_LT(std::chrono::steady_clock::now() - second, 10s) << m.name;
    EXPECT_TRUE(processes_with_argv(sleep).empty()) << m.name << ": the command was orphaned\n" << d.err();
    EXPECT_NE(::kill(sleeper, 0), 0) << m.name;
    EXPECT_THAT(d.err(), HasSubstr("stopping early (a second SIGINT): ending the command")) << m.name;
    EXPECT_THAT(d.err(), HasSubstr("the command was ended")) << m.name;
    // sh and sleep ignore SIGTERM: SIGKILL after the grace ended them.
    EXPECT_THAT(d.err(), ::testing::ContainsRegex(", [1-9][0-9]* killed\\)")) << m.name;
    EXPECT_EQ(d.out().find("done"), std::string::npos) << m.name;
  }
  // The recording of the ended command is complete and replays.
  auto rep = run_command({duraudit_bin(), "replay", dir / "r.rec"});
  EXPECT_EQ(rep.status, 0) << rep.err;
}

// A command that handles the signal ends by itself: the first SIGINT (and
// SIGHUP) reach it through duraudit, and its own status is the result.
TEST(CommandSignals, SignalsArePassedOnToTheCommand) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  for (const Mode& m : modes(dir)) {
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) {
      const std::string name = sig == SIGINT ? "INT" : sig == SIGTERM ? "TERM" : sig == SIGHUP ? "HUP" : "USR1";
      std::vector<std::string> argv{duraudit_bin()};
      argv.insert(argv.end(), m.args.begin(), m.args.end());
      argv.insert(argv.end(), {"--", "/bin/sh", "-c",
                               "trap 'echo got " + name + "; exit 5' " + name + "; touch " + (dir / "ready") +
                                   "; while :; do sleep 0.1; done"});
      std::filesystem::remove(dir / "ready");
      BackgroundProcess d(argv, dir / "d.out", dir / "d.err");
      ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(dir / "ready"); }, 30s)) << m.name << d.err();
      ASSERT_TRUE(d.signal(sig));
      auto status = d.wait(15s);
      ASSERT_TRUE(status) << m.name << " " << name << ": still running\n" << d.err();
      EXPECT_EQ(*status, 5) << m.name << " " << name << d.err();
      EXPECT_THAT(d.out(), HasSubstr("got " + name)) << m.name;
      EXPECT_THAT(d.err(), ::testing::Not(HasSubstr("stopping early"))) << m.name;
    }
  }
}

// --pid modes audit a process they did not start: stopping them never
// signals it.
TEST(CommandSignals, PidModesNeverSignalTheirTarget) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  BackgroundProcess target({"/bin/sh", "-c", "trap 'echo got a signal' INT TERM HUP; while :; do sleep 0.1; done"},
                           dir / "t.out", dir / "t.err");
  const std::string pid = std::to_string(target.pid());
  for (std::vector<std::string> args : {std::vector<std::string>{"trace", "-o", dir / "trace.txt", "--pid", pid},
                                        std::vector<std::string>{"record", "-o", dir / "r.rec", "--pid", pid}}) {
    std::filesystem::remove(dir / "r.rec");
    args.insert(args.begin(), duraudit_bin());
    args.insert(args.begin() + 1, {"--log-level", "info"});
    BackgroundProcess d(args, dir / "d.out", dir / "d.err");
    ASSERT_TRUE(d.wait_for_err("following", 30s)) << args[3] << d.err();
    ASSERT_TRUE(d.signal(SIGINT));
    ASSERT_TRUE(d.signal(SIGINT));
    auto status = d.wait(15s);
    ASSERT_TRUE(status) << args[3] << d.err();
    EXPECT_EQ(*status, 0) << args[3] << d.err();
    EXPECT_FALSE(target.wait(0ms)) << args[3] << ": the target ended";
  }
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(target.out().find("got a signal"), std::string::npos) << target.out();
}

}  // namespace
}  // namespace duraudit::e2e
