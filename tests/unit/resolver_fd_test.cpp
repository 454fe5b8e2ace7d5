// SPDX-License-Identifier: GPL-2.0-only
// fd tables: paths of opens (cwd, dirfd, `..`), file identity on fd-based
// calls, dup/fcntl/CLOEXEC, close bookkeeping and implicit closes.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "resolver_test_events.h"

namespace duraudit {
namespace {

using namespace resolver_test;

constexpr int32_t P = 100;
const FileId kA{0x800001, 11};
const FileId kB{0x800001, 12};
const FileId kDir{0x800001, 2};

TEST(ResolverFd, RelativePathsAgainstCwdDirfdAndAfterChdir) {
  Resolver r(ResolverOptions{.default_cwd = "/srv/app"});
  EXPECT_EQ(one(r, openat(P, "data/./x.log", O_WRONLY, 3)).abs_path, "/srv/app/data/x.log");
  EXPECT_EQ(one(r, openat(P, "../other//y", O_RDONLY, 4)).abs_path, "/srv/other/y");

  Event d = one(r, openat(P, "/var/lib/db", O_RDONLY | O_DIRECTORY, 5, AT_FDCWD, kDir));
  EXPECT_EQ(d.file.path, "/var/lib/db");
  Event rel = one(r, openat(P, "wal/../000.log", O_WRONLY | O_CREAT, 6, 5, kA));
  EXPECT_EQ(rel.abs_path, "/var/lib/db/000.log");
  EXPECT_EQ(rel.file.path, "/var/lib/db/000.log");
  EXPECT_EQ(rel.file.id, kA);

  EXPECT_EQ(one(r, path_call(Syscall::Chdir, P, "/tmp/../home/u/")).abs_path, "/home/u");
  EXPECT_EQ(one(r, openat(P, "f", O_RDONLY, 7)).abs_path, "/home/u/f");
  // A failed chdir is resolved but changes nothing.
  EXPECT_EQ(one(r, path_call(Syscall::Chdir, P, "nope", -ENOENT)).abs_path, "/home/u/nope");
  EXPECT_EQ(one(r, openat(P, "g", O_RDONLY, 8)).abs_path, "/home/u/g");

  Event fc = one(r, fd_call(Syscall::Fchdir, P, 5));
  EXPECT_EQ(fc.file.path, "/var/lib/db");
  EXPECT_EQ(one(r, path_call(Syscall::Unlink, P, "../db/./old")).abs_path, "/var/lib/db/old");
  // Relative to an fd we never saw: unresolvable, left empty.
  EXPECT_EQ(one(r, openat(P, "z", O_RDONLY, 9, 42)).abs_path, "");
  EXPECT_EQ(one(r, openat(P, "/abs/z", O_RDONLY, 10, 42)).abs_path, "/abs/z");
}

TEST(ResolverFd, RenameAndLinkPathsUseTheirOwnDirfd) {
  Resolver r(ResolverOptions{.default_cwd = "/w"});
  one(r, openat(P, "/a", O_RDONLY | O_DIRECTORY, 3, AT_FDCWD, kDir));
  one(r, openat(P, "/b", O_RDONLY | O_DIRECTORY, 4, AT_FDCWD, kA));
  Event rn = one(r, rename_ev(P, "x.tmp", "x", 0, Syscall::Renameat, 3, 4));
  EXPECT_EQ(rn.abs_path, "/a/x.tmp");
  EXPECT_EQ(rn.abs_path2, "/b/x");
  Event ln = rename_ev(P, "f", "../g", 0, Syscall::Linkat, AT_FDCWD, 3);
  ln = one(r, ln);
  EXPECT_EQ(ln.abs_path, "/w/f");
  EXPECT_EQ(ln.abs_path2, "/g");
  Event sl = raw(Syscall::Symlinkat, P);
  sl.path = "../target";
  sl.path2 = "link";
  sl.dirfd2 = 4;
  sl = one(r, sl);
  EXPECT_EQ(sl.path, "../target");
  EXPECT_EQ(sl.abs_path, "");
  EXPECT_EQ(sl.abs_path2, "/b/link");
}

TEST(ResolverFd, FdCallsGetTheFileFromTheTable) {
  Resolver r;
  Event o = openat(P, "/data/f", O_WRONLY | O_CREAT, 3, AT_FDCWD, kA);
  o.file.mode = S_IFREG;
  o.file.fs_magic = 0xEF53;
  one(r, o);
  for (Syscall s : {Syscall::Write, Syscall::Pwritev2, Syscall::Fsync, Syscall::Fdatasync, Syscall::Ftruncate,
                    Syscall::SyncFileRange, Syscall::Syncfs}) {
    Event w = one(r, fd_call(s, P, 3, 10));
    EXPECT_EQ(w.file.id, kA) << syscall_name(s);
    EXPECT_EQ(w.file.mode, static_cast<uint32_t>(S_IFREG));
    EXPECT_EQ(w.file.fs_magic, 0xEF53u);
    EXPECT_EQ(w.file.path, "/data/f");
  }
  // A source-provided identity is kept; the path is always ours.
  Event w = fd_call(Syscall::Write, P, 3, 1);
  w.file.id = kA;
  w.file.fs_magic = 0x1234;
  w = one(r, w);
  EXPECT_EQ(w.file.fs_magic, 0x1234u);
  EXPECT_EQ(w.file.path, "/data/f");
  EXPECT_EQ(r.stats().fds, 1u);
  EXPECT_EQ(r.stats().unknown_fds, 0u);
}

TEST(ResolverFd, UnknownFdIsCountedAndLearntFromKernelIdentity) {
  Resolver r;
  Event w = one(r, fd_call(Syscall::Write, P, 9, 5));
  EXPECT_FALSE(w.file.known());
  EXPECT_EQ(r.stats().unknown_fds, 1u);
  EXPECT_EQ(r.stats().fds, 0u);

  Event live = fd_call(Syscall::Fsync, P, 10);
  live.file.id = kB;
  one(r, live);
  EXPECT_EQ(r.stats().unknown_fds, 2u);
  EXPECT_EQ(r.stats().fds, 1u);  // learnt
  Event c = one(r, fd_call(Syscall::Close, P, 10));
  EXPECT_EQ(c.file.id, kB);
  EXPECT_TRUE(c.last_close);
  EXPECT_EQ(r.stats().fds, 0u);

  Event cu = one(r, fd_call(Syscall::Close, P, 11, -EBADF));
  EXPECT_FALSE(cu.file.known());
  EXPECT_EQ(r.stats().unknown_fds, 3u);
}

TEST(ResolverFd, KernelIdentityWinsOverAStaleEntry) {
  Resolver r;
  one(r, openat(P, "/x", O_WRONLY, 3, AT_FDCWD, kA));
  Event w = fd_call(Syscall::Write, P, 3, 1);
  w.file.id = kB;  // we missed a close+open of fd 3
  w = one(r, w);
  EXPECT_EQ(w.file.id, kB);
  EXPECT_EQ(w.file.path, "");
  EXPECT_EQ(one(r, fd_call(Syscall::Close, P, 3)).file.id, kB);
}

TEST(ResolverFd, Dup2OverOpenFdThenCloseOfOriginal) {
  Resolver r;
  one(r, openat(P, "/a", O_WRONLY, 3, AT_FDCWD, kA));
  one(r, openat(P, "/b", O_WRONLY, 4, AT_FDCWD, kB));
  auto out = run(r, dup2(P, 3, 4));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].syscall, Syscall::ImplicitClose);
  EXPECT_EQ(out[0].close_reason, CloseReason::DupOver);
  EXPECT_EQ(out[0].closed_fd, 4);
  EXPECT_EQ(out[0].file.id, kB);
  EXPECT_EQ(out[0].file.path, "/b");
  EXPECT_TRUE(out[0].last_close);
  EXPECT_EQ(out[0].seq, out[1].seq);
  EXPECT_EQ(out[1].syscall, Syscall::Dup2);
  EXPECT_EQ(out[1].file.id, kA);

  Event c3 = one(r, fd_call(Syscall::Close, P, 3));
  EXPECT_EQ(c3.file.id, kA);
  EXPECT_EQ(c3.closed_fd, 3);
  EXPECT_FALSE(c3.last_close);  // fd 4 still refers to /a
  Event w = one(r, fd_call(Syscall::Write, P, 4, 1));
  EXPECT_EQ(w.file.path, "/a");
  Event c4 = one(r, fd_call(Syscall::Close, P, 4));
  EXPECT_TRUE(c4.last_close);
  EXPECT_EQ(r.stats().fds, 0u);
}

TEST(ResolverFd, DupOntoItselfAndFailedDupChangeNothing) {
  Resolver r;
  one(r, openat(P, "/a", O_WRONLY, 3, AT_FDCWD, kA));
  EXPECT_EQ(run(r, dup2(P, 3, 3)).size(), 1u);
  Event bad = dup2(P, 3, 5);
  bad.ret = -EBADF;
  EXPECT_EQ(run(r, bad).size(), 1u);
  EXPECT_EQ(r.stats().fds, 1u);
}

TEST(ResolverFd, SameInodeThroughTwoOpensIsOneFileForLastClose) {
  Resolver r;
  one(r, openat(P, "/a", O_WRONLY, 3, AT_FDCWD, kA));
  one(r, openat(P, "/a", O_RDONLY, 4, AT_FDCWD, kA));
  EXPECT_FALSE(one(r, fd_call(Syscall::Close, P, 3)).last_close);
  EXPECT_TRUE(one(r, fd_call(Syscall::Close, P, 4)).last_close);
}

TEST(ResolverFd, ExecClosesOnlyCloexecFds) {
  Resolver r;
  one(r, openat(P, "/f3", O_WRONLY | O_CLOEXEC, 3, AT_FDCWD, FileId{1, 3}));
  one(r, openat(P, "/f4", O_WRONLY, 4, AT_FDCWD, FileId{1, 4}));
  one(r, openat(P, "/f5", O_WRONLY, 5, AT_FDCWD, FileId{1, 5}));
  one(r, fcntl_ev(P, 4, F_SETFD, FD_CLOEXEC, 0));     // 4: cloexec
  one(r, dup2(P, 5, 6, Syscall::Dup3, O_CLOEXEC));     // 6: cloexec
  one(r, fcntl_ev(P, 5, F_DUPFD_CLOEXEC, 10, 10));      // 10: cloexec
  one(r, fcntl_ev(P, 5, F_DUPFD, 11, 11));              // 11: kept
  Event d = fd_call(Syscall::Dup, P, 3, 12);            // 12: dup never copies CLOEXEC
  one(r, d);
  one(r, dup2(P, 5, 13));                               // 13: dup2 clears it too
  one(r, fcntl_ev(P, 3, F_SETFD, 0, 0));                // 3: cleared again
  ASSERT_EQ(r.stats().fds, 8u);

  Event ex = raw(Syscall::Exec, P);
  ex.path = "/bin/true";
  auto out = run(r, ex);
  ASSERT_EQ(out.size(), 4u);
  std::vector<int32_t> closed;
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    EXPECT_EQ(out[i].syscall, Syscall::ImplicitClose);
    EXPECT_EQ(out[i].close_reason, CloseReason::Exec);
    closed.push_back(out[i].closed_fd);
  }
  EXPECT_EQ(closed, (std::vector<int32_t>{4, 6, 10}));
  EXPECT_EQ(out[0].file.path, "/f4");
  EXPECT_TRUE(out[0].last_close);
  EXPECT_FALSE(out[1].last_close);  // /f5 still open as 5, 11, 13
  EXPECT_EQ(out.back().syscall, Syscall::Exec);
  EXPECT_EQ(out.back().abs_path, "/bin/true");
  EXPECT_EQ(r.stats().fds, 5u);
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 3, 1)).file.path, "/f3");
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 12, 1)).file.path, "/f3");
}

TEST(ResolverFd, FailedExecClosesNothing) {
  Resolver r;
  one(r, openat(P, "/f3", O_WRONLY | O_CLOEXEC, 3, AT_FDCWD, kA));
  Event ex = raw(Syscall::Exec, P, -ENOENT);
  ex.path = "/nope";
  EXPECT_EQ(run(r, ex).size(), 1u);
  EXPECT_EQ(r.stats().fds, 1u);
}

TEST(ResolverFd, CloseRangeClosesEachOpenFdInOrder) {
  Resolver r;
  for (int fd = 3; fd <= 6; ++fd) one(r, openat(P, "/f" + std::to_string(fd), O_RDONLY, fd, AT_FDCWD, FileId{1, uint64_t(fd)}));
  one(r, openat(P, "/big", O_RDONLY, 5000, AT_FDCWD, FileId{1, 5000}));
  Event cr = raw(Syscall::CloseRange, P);
  cr.fd = 4;
  cr.fd2 = -1;  // ~0U
  auto out = run(r, cr);
  ASSERT_EQ(out.size(), 5u);
  std::vector<int32_t> closed;
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(out[i].syscall, Syscall::ImplicitClose);
    EXPECT_EQ(out[i].close_reason, CloseReason::CloseRange);
    EXPECT_TRUE(out[i].last_close);
    closed.push_back(out[i].closed_fd);
  }
  EXPECT_EQ(closed, (std::vector<int32_t>{4, 5, 6, 5000}));
  EXPECT_EQ(out[2].file.path, "/f6");
  EXPECT_EQ(out[4].syscall, Syscall::CloseRange);
  EXPECT_EQ(r.stats().fds, 1u);
}

TEST(ResolverFd, CloseRangeCloexecMarksInsteadOfClosing) {
  Resolver r;
  for (int fd = 3; fd <= 5; ++fd) one(r, openat(P, "/f" + std::to_string(fd), O_RDONLY, fd, AT_FDCWD, FileId{1, uint64_t(fd)}));
  Event cr = raw(Syscall::CloseRange, P);
  cr.fd = 3;
  cr.fd2 = 4;
  cr.flags = 1u << 2;  // CLOSE_RANGE_CLOEXEC
  EXPECT_EQ(run(r, cr).size(), 1u);
  EXPECT_EQ(r.stats().fds, 3u);
  auto out = run(r, raw(Syscall::Exec, P));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].closed_fd, 3);
  EXPECT_EQ(out[1].closed_fd, 4);
  EXPECT_EQ(r.stats().fds, 1u);
}

TEST(ResolverFd, CloseRangeUnshareLeavesTheSharingProcessAlone) {
  Resolver r;
  one(r, openat(P, "/f", O_RDONLY, 3, AT_FDCWD, kA));
  one(r, fork_ev(P, 200, false, /*shares_files=*/true));
  Event cr = raw(Syscall::CloseRange, 200);
  cr.fd = 0;
  cr.fd2 = -1;
  cr.flags = 1u << 1;  // CLOSE_RANGE_UNSHARE
  auto out = run(r, cr);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].pid, 200);
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 3, 1)).file.path, "/f");
}

TEST(ResolverFd, CloseAlwaysReleasesTheFd) {
  Resolver r;
  one(r, openat(P, "/f", O_RDONLY, 3, AT_FDCWD, kA));
  Event c = one(r, fd_call(Syscall::Close, P, 3, -EINTR));  // Linux frees the fd anyway
  EXPECT_EQ(c.file.path, "/f");
  EXPECT_EQ(r.stats().fds, 0u);
}

TEST(ResolverFd, TmpfileIsUnnamedUntilLinkatEmptyPath) {
  Resolver r(ResolverOptions{.default_cwd = "/data"});
  Event o = one(r, openat(P, "dir", O_TMPFILE | O_WRONLY, 3, AT_FDCWD, kA));
  EXPECT_EQ(o.abs_path, "/data/dir");
  EXPECT_EQ(o.file.path, "/data/dir");
  EXPECT_TRUE(o.file.unnamed);
  Event w = one(r, fd_call(Syscall::Write, P, 3, 4));
  EXPECT_TRUE(w.file.unnamed);
  EXPECT_EQ(w.file.path, "/data/dir");

  Event ln = raw(Syscall::Linkat, P);
  ln.dirfd = 3;
  ln.path = "";
  ln.path2 = "dir/final";
  ln.flags = AT_EMPTY_PATH;
  ln = one(r, ln);
  EXPECT_EQ(ln.file.id, kA);
  EXPECT_EQ(ln.abs_path2, "/data/dir/final");
  EXPECT_EQ(ln.file.path, "/data/dir/final");
  EXPECT_FALSE(ln.file.unnamed);
  Event c = one(r, fd_call(Syscall::Close, P, 3));
  EXPECT_EQ(c.file.path, "/data/dir/final");
  EXPECT_FALSE(c.file.unnamed);
}

TEST(ResolverFd, TmpfileLinkedThroughProcSelfFd) {
  Resolver r;
  one(r, openat(P, "/d", O_TMPFILE | O_RDWR, 7, AT_FDCWD, kB));
  Event ln = raw(Syscall::Linkat, P);
  ln.path = "/proc/self/fd/7";
  ln.path2 = "/d/name";
  ln.flags = AT_SYMLINK_FOLLOW;
  ln = one(r, ln);
  EXPECT_EQ(ln.file.id, kB);
  EXPECT_EQ(ln.file.path, "/d/name");

  one(r, openat(P, "/d", O_TMPFILE | O_RDWR, 8, AT_FDCWD, kA));
  Event ln2 = raw(Syscall::Linkat, P);
  ln2.path = "/proc/" + std::to_string(P) + "/fd/8";
  ln2.path2 = "/d/other";
  ln2.flags = AT_SYMLINK_FOLLOW;
  ln2.ret = -EEXIST;  // failed: resolved, still unnamed
  ln2 = one(r, ln2);
  EXPECT_EQ(ln2.file.id, kA);
  EXPECT_TRUE(ln2.file.unnamed);
  EXPECT_EQ(ln2.file.path, "/d");
}

TEST(ResolverFd, RenamedFilesAndDirectoriesKeepFdPathsCurrent) {
  Resolver r(ResolverOptions{.default_cwd = "/"});
  one(r, openat(P, "/d/x/f", O_WRONLY, 3, AT_FDCWD, kA));
  one(r, openat(P, "/d/x", O_RDONLY | O_DIRECTORY, 4, AT_FDCWD, kDir));
  one(r, openat(P, "/d.txt", O_WRONLY, 5, AT_FDCWD, kB));
  one(r, path_call(Syscall::Chdir, P, "/d/x"));
  one(r, rename_ev(P, "/d", "/e"));
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 3, 1)).file.path, "/e/x/f");
  EXPECT_EQ(one(r, fd_call(Syscall::Fsync, P, 4)).file.path, "/e/x");
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 5, 1)).file.path, "/d.txt");
  EXPECT_EQ(one(r, openat(P, "g", O_RDONLY, 6)).abs_path, "/e/x/g");  // cwd followed too
  one(r, rename_ev(P, "f", "f2"));
  EXPECT_EQ(one(r, fd_call(Syscall::Close, P, 3)).file.path, "/e/x/f2");
  // Unlinked: the fd keeps its last name, and a new file there is separate.
  one(r, path_call(Syscall::Unlink, P, "/d.txt"));
  one(r, openat(P, "/d.txt", O_WRONLY | O_CREAT, 7, AT_FDCWD, kA));
  one(r, rename_ev(P, "/d.txt", "/moved"));
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 5, 1)).file.path, "/d.txt");
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 7, 1)).file.path, "/moved");
}

}  // namespace
}  // namespace duraudit

namespace duraudit {
namespace {

using namespace resolver_test;

TEST(ResolverFdMore, ResolveBackInsertsImpliedEventsBeforeTheCause) {
  Resolver r;
  std::vector<Event> out;
  out.push_back(openat(100, "/a", O_WRONLY | O_CLOEXEC, 3, AT_FDCWD, FileId{1, 1}));
  r.resolve_back(out);
  out.push_back(openat(100, "/b", O_WRONLY, 4, AT_FDCWD, FileId{1, 2}));
  r.resolve_back(out);
  out.push_back(dup2(100, 3, 4));
  r.resolve_back(out);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].file.path, "/a");
  EXPECT_EQ(out[2].syscall, Syscall::ImplicitClose);
  EXPECT_EQ(out[2].file.path, "/b");
  EXPECT_EQ(out[3].syscall, Syscall::Dup2);
  EXPECT_EQ(out[3].file.path, "/a");
  out.push_back(raw(Syscall::Exec, 100));
  r.resolve_back(out);
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[4].closed_fd, 3);
  EXPECT_EQ(out[4].close_reason, CloseReason::Exec);
  EXPECT_EQ(out[5].syscall, Syscall::Exec);
}

TEST(ResolverFdMore, Dup2FromAnUnknownFdStillClosesTheTarget) {
  Resolver r;
  one(r, openat(100, "/b", O_WRONLY, 4, AT_FDCWD, FileId{1, 2}));
  auto out = run(r, dup2(100, 9, 4));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].file.path, "/b");
  EXPECT_FALSE(out[1].file.known());
  EXPECT_EQ(r.stats().fds, 0u);
  EXPECT_EQ(r.stats().unknown_fds, 1u);
}

TEST(ResolverFdMore, DirectoryFdPathsAndFchdirAfterRename) {
  Resolver r;
  one(r, openat(100, "/srv/db", O_RDONLY | O_DIRECTORY, 3, AT_FDCWD, FileId{1, 3}));
  one(r, rename_ev(100, "/srv", "/srv.old"));
  one(r, fd_call(Syscall::Fchdir, 100, 3));
  EXPECT_EQ(one(r, openat(100, "../x", O_RDONLY, 4)).abs_path, "/srv.old/x");
  EXPECT_EQ(one(r, openat(100, "wal", O_RDONLY, 5, 3)).abs_path, "/srv.old/db/wal");
}

}  // namespace
}  // namespace duraudit
