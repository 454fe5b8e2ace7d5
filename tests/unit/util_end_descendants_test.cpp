// SPDX-License-Identifier: GPL-2.0-only
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "util/end_descendants.h"
#include "util/proc_tree.h"

namespace duraudit {
namespace {

using namespace std::chrono_literals;

// A process that ignores SIGTERM, with a child and a grandchild that ignore
// it too, all below a forked "duraudit" (a subreaper, as run is).
TEST(EndDescendants, TermThenKillEndsATreeThatIgnoresSigterm) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t self = fork();
  ASSERT_GE(self, 0);
  if (self == 0) {
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    close(ready[0]);
    pid_t cmd = fork();
    if (cmd == 0) {
      execl("/bin/sh", "sh", "-c", "trap '' TERM; sleep 30 & sleep 30 & wait", static_cast<char*>(nullptr));
      _exit(127);
    }
    // Wait until the two sleeps exist.
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (descendants_of(getpid()).size() < 3 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
    (void)!write(ready[1], "x", 1);
    int cmd_status = -1;
    auto start = std::chrono::steady_clock::now();
    DescendantsEnded r = end_descendants(getpid(), 300ms, [&](pid_t p, int st) {
      if (p == cmd) cmd_status = st;
    });
    auto took = std::chrono::steady_clock::now() - start;
    bool ok = r.all_gone && r.terminated == 3 && r.killed == 3 && descendants_of(getpid()).empty() &&
              WIFSIGNALED(cmd_status) && WTERMSIG(cmd_status) == SIGKILL && took >= 300ms && took < 5s;
    _exit(ok ? 0 : 1);
  }
  close(ready[1]);
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  int st = 0;
  ASSERT_EQ(waitpid(self, &st, 0), self);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(EndDescendants, ATreeThatHonoursSigtermIsNotKilled) {
  pid_t self = fork();
  ASSERT_GE(self, 0);
  if (self == 0) {
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    pid_t cmd = fork();
    if (cmd == 0) {
      execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
      _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (descendants_of(getpid()).empty() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
    auto start = std::chrono::steady_clock::now();
    DescendantsEnded r = end_descendants(getpid(), 5s);
    bool ok = r.all_gone && r.terminated == 1 && r.killed == 0 && std::chrono::steady_clock::now() - start < 3s;
    _exit(ok ? 0 : 1);
  }
  int st = 0;
  ASSERT_EQ(waitpid(self, &st, 0), self);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0);
}

}  // namespace
}  // namespace duraudit
