// SPDX-License-Identifier: GPL-2.0-only
// Which failed calls the kernel side sends (bpf/events.h, enum
// da_failure_policy): a failed call changes no state, so only the failures
// a rule judges, or that change the fd table anyway, are worth a record.
// Everything else (close(-1), opening a missing file, renaming over a
// missing directory...) is dropped in the kernel, so a process looping on a
// cheap failing call cannot fill the ring buffer (docs/production.md,
// "Event budgets"). `trace` shows every call: it keeps all failures.
#pragma once

#include <cerrno>
#include <cstdint>

#include "event/syscall_table.h"
#include "events.h"

namespace duraudit {

constexpr uint8_t failure_policy(Syscall s) {
  switch (syscall_op(s)) {
    // close(2) releases the fd even when it fails (EIO, EINTR), except on a
    // descriptor that was not open.
    case SyscallOp::Close: return DA_FAIL_KEEP_UNLESS_EBADF;
    // fsync-error-ignored: a writeback error (EIO, ENOSPC, EDQUOT) means the
    // kernel may have dropped the dirty pages.
    case SyscallOp::Fsync:
    case SyscallOp::Syncfs:
    case SyscallOp::SyncFileRange:
    case SyscallOp::Msync: return DA_FAIL_KEEP_DATA_LOSS;
    // rename-without-fsync: renameat2(RENAME_NOREPLACE) failing with EEXIST
    // proves the target exists (mv tries it first).
    case SyscallOp::Rename: return DA_FAIL_KEEP_EEXIST;
    default: return DA_FAIL_DROP;
  }
}

// Whether a call of `s` that failed with `ret` (-errno) is sent: the same
// decision as failure_reported() in bpf/duraudit.bpf.c, for tests and tools
// that compare the capture with another trace (strace).
constexpr bool failure_sent(Syscall s, int64_t ret) {
  switch (failure_policy(s)) {
    case DA_FAIL_KEEP_ALL: return true;
    case DA_FAIL_KEEP_UNLESS_EBADF: return ret != -EBADF;
    case DA_FAIL_KEEP_DATA_LOSS: return ret == -EIO || ret == -ENOSPC || ret == -EDQUOT;
    case DA_FAIL_KEEP_EEXIST: return ret == -EEXIST;
    default: return false;
  }
}

}  // namespace duraudit
