// SPDX-License-Identifier: GPL-2.0-only
#include "event/evidence_record.h"

#include "event/event_format.h"

namespace duraudit {

namespace {

// The write family's byte count rides in `extra` (the table's kScBytes).
bool uses_extra_as_bytes(Syscall s) { return syscall_has(s, kScBytes); }

}  // namespace

EvidenceRef keep_evidence(const Event& ev) {
  auto r = std::make_shared<EvidenceRecord>();
  r->seq = ev.seq;
  r->ts_ns = ev.ts_ns;
  r->ret = ev.ret;
  r->flags = ev.flags;
  r->arg = ev.arg;
  switch (ev.syscall) {
    case Syscall::Fcntl:
    case Syscall::Mmap:
    case Syscall::Munmap:
    case Syscall::Msync: r->extra = ev.arg2; break;
    case Syscall::Fork: r->extra = static_cast<uint32_t>(ev.is_thread ? ev.child_tid : ev.child_pid); break;
    case Syscall::Exit: r->extra = static_cast<uint32_t>(ev.exit_code); break;
    default:
      if (uses_extra_as_bytes(ev.syscall)) r->extra = ev.bytes;
  }
  r->pid = ev.pid;
  r->tid = ev.tid;
  r->fd = ev.syscall == Syscall::ImplicitClose && ev.closed_fd >= 0 ? ev.closed_fd : ev.fd;
  r->fd2 = ev.fd2;
  r->syscall = ev.syscall;
  r->close_reason = ev.close_reason;
  r->sync_write = ev.sync_write;
  r->is_thread = ev.is_thread;
  r->file_known = ev.file.known();
  r->stores_unseen = ev.stores_unseen;
  bool symlink = syscall_op(ev.syscall) == SyscallOp::Symlink;
  r->path = symlink || ev.abs_path.empty() ? ev.path : ev.abs_path;
  r->path2 = ev.abs_path2.empty() ? ev.path2 : ev.abs_path2;
  r->file_path = ev.file.path;
  r->stack = ev.stack;
  return r;
}

EvidenceEvent format_evidence(const EvidenceRecord& r) {
  // Rebuild the event the formatter reads (the same code formats live
  // evidence, so a kept record reads exactly like an immediate one).
  Event ev;
  ev.seq = r.seq;
  ev.ts_ns = r.ts_ns;
  ev.ret = r.ret;
  ev.flags = r.flags;
  ev.arg = r.arg;
  ev.pid = r.pid;
  ev.tid = r.tid;
  ev.fd = r.fd;
  ev.fd2 = r.fd2;
  ev.syscall = r.syscall;
  ev.close_reason = r.close_reason;
  ev.sync_write = r.sync_write;
  ev.is_thread = r.is_thread;
  ev.stores_unseen = r.stores_unseen;
  switch (r.syscall) {
    case Syscall::Fcntl:
    case Syscall::Mmap:
    case Syscall::Munmap:
    case Syscall::Msync: ev.arg2 = r.extra; break;
    case Syscall::Fork: ev.child_pid = ev.child_tid = static_cast<int32_t>(r.extra); break;
    case Syscall::Exit: ev.exit_code = static_cast<int32_t>(r.extra); break;
    default:
      if (uses_extra_as_bytes(r.syscall)) ev.bytes = r.extra;
  }
  ev.path = r.path;
  if (syscall_op(r.syscall) != SyscallOp::Symlink) ev.abs_path = r.path;
  ev.abs_path2 = r.path2;
  ev.file.path = r.file_path;
  if (r.file_known) ev.file.id.ino = 1;
  ev.stack = r.stack;
  return make_evidence(ev);
}

}  // namespace duraudit
