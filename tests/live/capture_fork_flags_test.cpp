// SPDX-License-Identifier: GPL-2.0-only
// Live: Fork events carry the clone flags the parent passed (clone, clone3
// read from user memory, fork, vfork, pthread_create).
#include <gtest/gtest.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/wait.h>

#include "live/live_harness.h"

namespace duraudit::live {
namespace {

TEST(LiveForkFlags, ForkEventsCarryTheCloneFlags) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("fork_flags"), d.path()});
  ASSERT_TRUE(WIFEXITED(run.wait_status) && WEXITSTATUS(run.wait_status) == 0);
  std::vector<Event> forks;
  for (const auto& e : of_pid(after_markers(run.events), run.pid))
    if (e.syscall == Syscall::Fork) forks.push_back(e);
  ASSERT_EQ(forks.size(), 5u);
  constexpr uint64_t kSig = CSIGNAL;

  // 1. glibc fork(): clone(CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD). The
  // CHILD_* bits cannot be derived from the child task: they prove the flags
  // came from the call's arguments.
  EXPECT_EQ(forks[0].flags & kSig, uint64_t{SIGCHLD});
  EXPECT_TRUE(forks[0].flags & CLONE_CHILD_SETTID) << std::hex << forks[0].flags;
  EXPECT_FALSE(forks[0].flags & (CLONE_VM | CLONE_FILES | CLONE_THREAD | CLONE_FS));
  EXPECT_FALSE(forks[0].is_thread);
  EXPECT_FALSE(forks[0].shares_files);

  // 2. vfork()
  EXPECT_EQ(forks[1].flags, uint64_t{CLONE_VM | CLONE_VFORK | SIGCHLD}) << std::hex << forks[1].flags;

  // 3. clone(CLONE_FILES|CLONE_FS|SIGCHLD)
  EXPECT_EQ(forks[2].flags, uint64_t{CLONE_FILES | CLONE_FS | SIGCHLD}) << std::hex << forks[2].flags;
  EXPECT_TRUE(forks[2].shares_files);
  EXPECT_FALSE(forks[2].is_thread);

  // 4. clone3({.flags = CLONE_FILES, .exit_signal = SIGCHLD}): exit signal in the CSIGNAL byte
  EXPECT_EQ(forks[3].flags, uint64_t{CLONE_FILES | SIGCHLD}) << std::hex << forks[3].flags;
  EXPECT_TRUE(forks[3].shares_files);

  // 5. pthread_create: clone3 with a thread's flags
  const uint64_t thread_bits = CLONE_THREAD | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_SETTLS;
  EXPECT_EQ(forks[4].flags & thread_bits, thread_bits) << std::hex << forks[4].flags;
  EXPECT_TRUE(forks[4].is_thread);
  EXPECT_EQ(forks[4].child_pid, run.pid);
}

}  // namespace
}  // namespace duraudit::live
