// SPDX-License-Identifier: GPL-2.0-only
// io_uring requests and AIO iocbs in the Resolver: a request the kernel names
// by file identity (no fd) is named from the process's fds; opens and closes
// of registered-file slots leave the fd table alone; requests that take
// flags (io_uring:renameat, io_uring:unlinkat) honour them like the syscalls.
#include <gtest/gtest.h>
#include <linux/fs.h>

#include "resolver_test_events.h"

namespace duraudit {
namespace {

using namespace resolver_test;

constexpr int32_t P = 100;
const FileId kA{0x800001, 11};
const FileId kB{0x800001, 12};

Event by_identity(Syscall s, int32_t pid, FileId id, int64_t ret = 0) {
  Event ev = raw(s, pid, ret);
  ev.fd = -1;
  ev.by_identity = true;
  ev.file.id = id;
  ev.file.mode = S_IFREG;
  return ev;
}

TEST(ResolverAsync, ARequestNamedByIdentityIsNamedFromTheProcessFds) {
  Resolver r(ResolverOptions{.default_cwd = "/srv"});
  one(r, openat(P, "/srv/a", O_WRONLY | O_CREAT, 5, AT_FDCWD, kA));
  Event w = one(r, by_identity(Syscall::IouWrite, P, kA, 4096));
  EXPECT_EQ(w.file.path, "/srv/a");
  Event s = one(r, by_identity(Syscall::IouFsync, P, kA));
  EXPECT_EQ(s.file.path, "/srv/a");
  // a file no fd of ours names (registered, then its fd closed): identity only
  Event u = one(r, by_identity(Syscall::IouWrite, P, kB, 10));
  EXPECT_EQ(u.file.id, kB);
  EXPECT_EQ(u.file.path, "");
  EXPECT_EQ(r.stats().unknown_fds, 0u);  // not an fd we failed to know
}

TEST(ResolverAsync, FixedSlotOpenAndCloseLeaveTheFdTableAlone) {
  Resolver r(ResolverOptions{.default_cwd = "/srv"});
  one(r, openat(P, "/srv/a", O_WRONLY | O_CREAT, 0, AT_FDCWD, kA));  // fd 0
  Event o = raw(Syscall::IouOpenat, P, 0);  // a direct open into slot 0 returns 0
  o.path = "/srv/b";
  o.flags = O_WRONLY | O_CREAT;
  o.by_identity = true;
  o.fd2 = 0;
  Event ro = one(r, o);
  EXPECT_EQ(ro.abs_path, "/srv/b");
  // fd 0 still names /srv/a
  Event w = one(r, fd_call(Syscall::Write, P, 0, 5));
  EXPECT_EQ(w.file.path, "/srv/a");
  Event c = raw(Syscall::IouClose, P, 0);
  c.by_identity = true;
  c.arg = 0;
  Event rc = one(r, c);
  EXPECT_FALSE(rc.last_close);
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 0, 5)).file.path, "/srv/a");
}

TEST(ResolverAsync, RequestsWithFlagsAreTreatedLikeTheirSyscalls) {
  Resolver r(ResolverOptions{.default_cwd = "/srv"});
  one(r, openat(P, "/srv/x", O_WRONLY | O_CREAT, 3, AT_FDCWD, kA));
  one(r, openat(P, "/srv/y", O_WRONLY | O_CREAT, 4, AT_FDCWD, kB));
  Event ex = rename_ev(P, "/srv/x", "/srv/y", 0, Syscall::IouRenameat);
  ex.flags = RENAME_EXCHANGE;
  one(r, ex);
  // exchanged: fd 3 now names /srv/y, fd 4 /srv/x
  EXPECT_EQ(one(r, fd_call(Syscall::Fsync, P, 3)).file.path, "/srv/y");
  EXPECT_EQ(one(r, fd_call(Syscall::Fsync, P, 4)).file.path, "/srv/x");
  Event rm = path_call(Syscall::IouUnlinkat, P, "/srv/d");
  rm.flags = AT_REMOVEDIR;
  Event rrm = one(r, rm);
  EXPECT_EQ(rrm.abs_path, "/srv/d");
}

}  // namespace
}  // namespace duraudit
