// SPDX-License-Identifier: GPL-2.0-only
// Which failed calls leave the kernel (capture/failure_policy.h): exactly
// those a rule judges or that change the fd table anyway.
#include <gtest/gtest.h>

#include <cerrno>

#include "capture/failure_policy.h"
#include "event/event.h"

namespace duraudit {
namespace {

TEST(FailurePolicy, FailuresThatChangeNothingAreDropped) {
  EXPECT_FALSE(failure_sent(Syscall::Close, -EBADF));  // close(-1)
  EXPECT_FALSE(failure_sent(Syscall::Openat, -ENOENT));
  EXPECT_FALSE(failure_sent(Syscall::Openat, -EEXIST));
  EXPECT_FALSE(failure_sent(Syscall::Unlink, -ENOENT));
  EXPECT_FALSE(failure_sent(Syscall::Write, -EBADF));
  EXPECT_FALSE(failure_sent(Syscall::Fsync, -EBADF));
  EXPECT_FALSE(failure_sent(Syscall::Fsync, -EINVAL));  // a file that takes no syncs
  EXPECT_FALSE(failure_sent(Syscall::Rename, -ENOENT));
  EXPECT_FALSE(failure_sent(Syscall::Fchdir, -EBADF));
}

TEST(FailurePolicy, FailuresThatMeanSomethingAreSent) {
  // close releases the fd even when it fails
  EXPECT_TRUE(failure_sent(Syscall::Close, -EIO));
  EXPECT_TRUE(failure_sent(Syscall::Close, -EINTR));
  EXPECT_TRUE(failure_sent(Syscall::IouClose, -EIO));
  // fsync-error-ignored: writeback errors, through every sync path
  for (Syscall s : {Syscall::Fsync, Syscall::Fdatasync, Syscall::SyncFileRange, Syscall::Syncfs, Syscall::Msync,
                    Syscall::IouFsync, Syscall::AioFsync, Syscall::AioFdsync})
    for (int err : {EIO, ENOSPC, EDQUOT}) EXPECT_TRUE(failure_sent(s, -err)) << syscall_name(s) << " " << err;
  // rename-without-fsync: RENAME_NOREPLACE proves the target exists
  EXPECT_TRUE(failure_sent(Syscall::Renameat2, -EEXIST));
  EXPECT_TRUE(failure_sent(Syscall::IouRenameat, -EEXIST));
}

}  // namespace
}  // namespace duraudit
