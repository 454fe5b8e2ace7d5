// SPDX-License-Identifier: GPL-2.0-only
// Processes: fork (copy vs CLONE_FILES), threads, exec from a thread, exit
// with implicit closes, cwd inheritance, the process cap.
#include <gtest/gtest.h>
#include <sched.h>

#include "resolver_test_events.h"

namespace duraudit {
namespace {

using namespace resolver_test;

constexpr int32_t P = 100;
constexpr int32_t C = 200;
const FileId kA{0x800001, 11};
const FileId kB{0x800001, 12};

TEST(ResolverProcess, ForkCopiesTheFdTable) {
  Resolver r(ResolverOptions{.default_cwd = "/home"});
  one(r, openat(P, "/a", O_WRONLY, 3, AT_FDCWD, kA));
  one(r, fork_ev(P, C));
  EXPECT_EQ(r.stats().processes, 2u);
  EXPECT_EQ(r.stats().fds, 2u);
  // Same open file in both; each table counts its own last close.
  EXPECT_EQ(one(r, fd_call(Syscall::Write, C, 3, 1)).file.path, "/a");
  EXPECT_TRUE(one(r, fd_call(Syscall::Close, C, 3)).last_close);
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 3, 1)).file.id, kA);
  one(r, openat(C, "/b", O_WRONLY, 4, AT_FDCWD, kB));
  EXPECT_FALSE(one(r, fd_call(Syscall::Write, P, 4, 1)).file.known());
  // cwd copied, then independent.
  EXPECT_EQ(one(r, openat(C, "x", O_RDONLY, 5)).abs_path, "/home/x");
  one(r, path_call(Syscall::Chdir, C, "/child"));
  EXPECT_EQ(one(r, openat(P, "y", O_RDONLY, 6)).abs_path, "/home/y");
  EXPECT_EQ(one(r, openat(C, "y", O_RDONLY, 7)).abs_path, "/child/y");
}

TEST(ResolverProcess, CloneFilesSharesTheFdTable) {
  Resolver r;
  one(r, openat(P, "/a", O_WRONLY, 3, AT_FDCWD, kA));
  one(r, fork_ev(P, C, false, /*shares_files=*/true));
  EXPECT_EQ(r.stats().fds, 1u);
  one(r, openat(C, "/b", O_WRONLY, 4, AT_FDCWD, kB));
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 4, 1)).file.path, "/b");
  // The child exits: the table lives on in the parent, nothing is closed.
  auto out = run(r, exit_ev(C, true));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].syscall, Syscall::Exit);
  EXPECT_EQ(r.stats().fds, 2u);
  auto pout = run(r, exit_ev(P, true));
  ASSERT_EQ(pout.size(), 3u);
  EXPECT_EQ(pout[0].closed_fd, 3);
  EXPECT_EQ(pout[1].closed_fd, 4);
  EXPECT_EQ(r.stats().processes, 0u);
  EXPECT_EQ(r.stats().fds, 0u);
}

TEST(ResolverProcess, ExecUnsharesASharedTable) {
  Resolver r;
  one(r, openat(P, "/a", O_WRONLY | O_CLOEXEC, 3, AT_FDCWD, kA));
  one(r, fork_ev(P, C, false, true));
  auto out = run(r, raw(Syscall::Exec, C));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].pid, C);
  EXPECT_TRUE(out[0].last_close);
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 3, 1)).file.path, "/a");
}

TEST(ResolverProcess, ThreadsShareFdsAndCwd) {
  Resolver r(ResolverOptions{.default_cwd = "/"});
  one(r, fork_ev(P, 101, /*thread=*/true));
  Event o = openat(P, "/t", O_WRONLY, 3, AT_FDCWD, kA);
  o.tid = 101;
  one(r, o);
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 3, 1, /*tid=*/P)).file.path, "/t");
  Event cd = path_call(Syscall::Chdir, P, "/work");
  cd.tid = 101;
  one(r, cd);
  EXPECT_EQ(one(r, openat(P, "f", O_RDONLY, 4)).abs_path, "/work/f");
  // A thread never announced by a Fork is a thread of its pid.
  Event w = fd_call(Syscall::Write, P, 3, 1, /*tid=*/177);
  EXPECT_EQ(one(r, w).file.path, "/t");
  EXPECT_EQ(r.stats().processes, 1u);
  // A thread's exit closes nothing.
  EXPECT_EQ(run(r, exit_ev(P, false, 101)).size(), 1u);
  EXPECT_EQ(r.stats().fds, 2u);
}

TEST(ResolverProcess, ExitWithoutCloseEmitsImplicitClosesInOrder) {
  Resolver r;
  one(r, openat(P, "/a", O_WRONLY, 3, AT_FDCWD, kA));
  one(r, openat(P, "/b", O_WRONLY, 5, AT_FDCWD, kB));
  one(r, fd_call(Syscall::Dup, P, 3, 4));
  Event ex = exit_ev(P, true);
  ex.comm = "worker";
  auto out = run(r, ex);
  ASSERT_EQ(out.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(out[i].syscall, Syscall::ImplicitClose);
    EXPECT_EQ(out[i].close_reason, CloseReason::Exit);
    EXPECT_EQ(out[i].closed_fd, 3 + i);
    EXPECT_EQ(out[i].fd, 3 + i);
    EXPECT_EQ(out[i].comm, "worker");
    EXPECT_EQ(out[i].ts_ns, out[3].ts_ns);
    EXPECT_EQ(out[i].seq, out[3].seq);
  }
  EXPECT_EQ(out[0].file.path, "/a");
  EXPECT_FALSE(out[0].last_close);  // fd 4 still refers to /a
  EXPECT_TRUE(out[1].last_close);
  EXPECT_EQ(out[2].file.id, kB);
  EXPECT_TRUE(out[2].last_close);
  EXPECT_EQ(out[3].syscall, Syscall::Exit);
  EXPECT_EQ(r.stats().processes, 0u);
  EXPECT_EQ(r.stats().fds, 0u);
  // An exit of a process we never saw is passed through without state.
  EXPECT_EQ(run(r, exit_ev(999, true)).size(), 1u);
  EXPECT_EQ(r.stats().processes, 0u);
}

TEST(ResolverProcess, ExecFromANonLeaderThreadKeepsTheProcess) {
  Resolver r;
  one(r, fork_ev(P, 101, true));
  one(r, fork_ev(P, 102, true));
  one(r, openat(P, "/keep", O_WRONLY, 3, AT_FDCWD, kA));
  Event ex = raw(Syscall::Exec, P, 0, 102);
  EXPECT_EQ(run(r, ex).size(), 1u);
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 3, 1)).file.path, "/keep");
  auto out = run(r, exit_ev(P, true));
  EXPECT_EQ(out.size(), 2u);
}

TEST(ResolverProcess, AddProcessSetsCwdAndUnknownPidsGetTheDefault) {
  Resolver r(ResolverOptions{.default_cwd = "/replay/root/"});
  r.add_process(P, "/run//here/.");
  EXPECT_EQ(one(r, openat(P, "f", O_RDONLY, 3)).abs_path, "/run/here/f");
  EXPECT_EQ(one(r, openat(C, "f", O_RDONLY, 3)).abs_path, "/replay/root/f");
}

TEST(ResolverProcess, CapEvictsTheLeastRecentlyActive) {
  Resolver r(ResolverOptions{.max_processes = 2});
  one(r, openat(1, "/one", O_RDONLY, 3, AT_FDCWD, kA));
  one(r, openat(2, "/two", O_RDONLY, 3, AT_FDCWD, kB));
  one(r, fd_call(Syscall::Write, 1, 3, 1));  // 1 is now more recent than 2
  one(r, openat(3, "/three", O_RDONLY, 3, AT_FDCWD, kB));
  EXPECT_EQ(r.stats().processes, 2u);
  EXPECT_EQ(r.stats().evictions, 1u);
  EXPECT_EQ(one(r, fd_call(Syscall::Write, 1, 3, 1)).file.path, "/one");
  EXPECT_FALSE(one(r, fd_call(Syscall::Write, 2, 3, 1)).file.known());  // 2 was evicted
  // A fork at the cap never evicts its parent.
  Resolver tiny(ResolverOptions{.max_processes = 1});
  one(tiny, openat(P, "/p", O_RDONLY, 3, AT_FDCWD, kA));
  one(tiny, fork_ev(P, C));
  EXPECT_EQ(one(tiny, fd_call(Syscall::Write, C, 3, 1)).file.path, "/p");
}

}  // namespace
}  // namespace duraudit

namespace duraudit {
namespace {

using namespace resolver_test;

TEST(ResolverProcessMore, CloneFsSharesTheCwd) {
  Resolver r(ResolverOptions{.default_cwd = "/start"});
  Event f = fork_ev(100, 200);
  f.flags = CLONE_FS;
  one(r, f);
  one(r, path_call(Syscall::Chdir, 200, "/moved"));
  EXPECT_EQ(one(r, openat(100, "x", O_RDONLY, 3)).abs_path, "/moved/x");
  // The parent's exit does not disturb the child's cwd.
  run(r, exit_ev(100, true));
  EXPECT_EQ(one(r, openat(200, "y", O_RDONLY, 4)).abs_path, "/moved/y");
}

TEST(ResolverProcessMore, ForkReplacesAProcessSeenBeforeItsFork) {
  Resolver r(ResolverOptions{.default_cwd = "/"});
  one(r, fd_call(Syscall::Write, 200, 3, 1));  // the child's event overtook the fork
  one(r, openat(100, "/p", O_WRONLY, 3, AT_FDCWD, FileId{1, 9}));
  one(r, fork_ev(100, 200));
  EXPECT_EQ(one(r, fd_call(Syscall::Write, 200, 3, 1)).file.path, "/p");
  EXPECT_EQ(r.stats().processes, 2u);
}

}  // namespace
}  // namespace duraudit
