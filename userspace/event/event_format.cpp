// SPDX-License-Identifier: GPL-2.0-only
#include "event/event_format.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <linux/fs.h>
#include <sys/stat.h>

#include <cstdio>

#include "resolve/path_view.h"
#include "stack/symbolizer.h"

namespace duraudit {

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Paths as the process saw them: a container's are kept qualified by view
// inside duraudit (resolve/path_view.h), never shown so.
std::string path1(const Event& ev) { return quoted(!ev.abs_path.empty() ? seen_path(ev.abs_path) : ev.path); }
std::string path2(const Event& ev) { return quoted(!ev.abs_path2.empty() ? seen_path(ev.abs_path2) : ev.path2); }

// fd -1 with a known file: an io_uring request on a registered (fixed)
// file, or a store into a mapping: the file, not a descriptor.
std::string fd_ref(int32_t fd, const FileInfo& f) {
  if (fd < 0 && (f.known() || !f.path.empty())) return f.path.empty() ? std::string("<?>") : "<" + seen_path(f.path) + ">";
  std::string out = std::to_string(fd);
  if (!f.path.empty()) out += "<" + seen_path(f.path) + ">";
  return out;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string hex(int64_t v) { return hex(static_cast<uint64_t>(v)); }

std::string msync_flags(uint64_t f) {
  std::string out;
  auto add = [&](const char* n) { out += out.empty() ? n : std::string("|") + n; };
  if (f & MS_ASYNC) add("MS_ASYNC");
  if (f & MS_SYNC) add("MS_SYNC");
  if (f & MS_INVALIDATE) add("MS_INVALIDATE");
  return out.empty() ? "0" : out;
}

std::string mode_octal(uint64_t mode) {
  char buf[16];
  snprintf(buf, sizeof buf, "0%03llo", static_cast<unsigned long long>(mode & 07777));
  return buf;
}

// mknod's S_IFMT, as strace prints it: "S_IFIFO|".
std::string node_type(uint64_t mode) {
  switch (mode & S_IFMT) {
    case S_IFIFO: return "S_IFIFO|";
    case S_IFSOCK: return "S_IFSOCK|";
    case S_IFCHR: return "S_IFCHR|";
    case S_IFBLK: return "S_IFBLK|";
    case S_IFREG: return "S_IFREG|";
    default: return "";
  }
}

std::string rename_flags(uint64_t flags) {
  std::string out;
  auto add = [&](const char* n) { out += out.empty() ? n : std::string("|") + n; };
  if (flags & RENAME_NOREPLACE) add("RENAME_NOREPLACE");
  if (flags & RENAME_EXCHANGE) add("RENAME_EXCHANGE");
  if (flags & RENAME_WHITEOUT) add("RENAME_WHITEOUT");
  return out;
}

const char* close_reason_name(CloseReason r) {
  switch (r) {
    case CloseReason::Close: return "close";
    case CloseReason::CloseRange: return "close_range";
    case CloseReason::Exec: return "exec (O_CLOEXEC)";
    case CloseReason::Exit: return "exit";
    case CloseReason::DupOver: return "dup over";
    case CloseReason::Unmap: return "munmap";
    case CloseReason::ExecUnmap: return "exec (mapping)";
    case CloseReason::ExitUnmap: return "exit (mapping)";
  }
  return "close";
}

}  // namespace

std::string format_event_args(const Event& ev) {
  const SyscallInfo& sc = syscall_info(ev.syscall);
  switch (sc.op) {
    case SyscallOp::Open: {
      if (ev.syscall == Syscall::Creat) return path1(ev) + ", " + mode_octal(ev.arg);  // flags implied
      std::string out = path1(ev) + ", " + open_flags_string(ev.flags);
      if (ev.flags & (O_CREAT | __O_TMPFILE)) out += ", " + mode_octal(ev.arg);
      return out;
    }
    case SyscallOp::Close:
      if (sc.has(kScSynthetic))
        return fd_ref(ev.closed_fd >= 0 ? ev.closed_fd : ev.fd, ev.file) + " (" + close_reason_name(ev.close_reason) + ")";
      return fd_ref(ev.fd, ev.file);
    case SyscallOp::CloseRange: return std::to_string(ev.fd) + ", " + std::to_string(static_cast<uint32_t>(ev.fd2));
    case SyscallOp::Dup:
      if (sc.args.fd2 < 0) return std::to_string(ev.fd);
      return std::to_string(ev.fd) + ", " + std::to_string(ev.fd2);
    case SyscallOp::Fcntl: {
      // Only the fd-table commands reach us (the kernel side drops the rest).
      std::string base = fd_ref(ev.fd, ev.file) + ", ";
      switch (ev.arg) {
        case F_DUPFD: return base + "F_DUPFD, " + std::to_string(ev.arg2);
        case F_DUPFD_CLOEXEC: return base + "F_DUPFD_CLOEXEC, " + std::to_string(ev.arg2);
        case F_SETFD: return base + "F_SETFD, " + ((ev.arg2 & FD_CLOEXEC) ? "FD_CLOEXEC" : "0");
        default: return base + "cmd " + std::to_string(ev.arg);
      }
    }
    case SyscallOp::Write:
      if (ev.syscall == Syscall::MmapStore) return fd_ref(ev.fd, ev.file) + ", at " + hex(ev.arg);
      return fd_ref(ev.fd, ev.file) + ", " + std::to_string(ev.bytes) + " bytes" + (ev.sync_write ? " (O_SYNC)" : "");
    case SyscallOp::Copy:
      return fd_ref(ev.fd, ev.file) + " <- " + std::to_string(ev.fd2) + ", " + std::to_string(ev.bytes) + " bytes";
    case SyscallOp::Truncate:
      return (sc.args.path >= 0 ? path1(ev) : fd_ref(ev.fd, ev.file)) + ", " + std::to_string(ev.arg);
    case SyscallOp::Fallocate: return fd_ref(ev.fd, ev.file) + ", len " + std::to_string(ev.arg);
    case SyscallOp::Fsync:
      if (ev.syscall == Syscall::IouFsync && (ev.flags & 1)) return fd_ref(ev.fd, ev.file) + ", IORING_FSYNC_DATASYNC";
      return fd_ref(ev.fd, ev.file);
    case SyscallOp::Msync:
      return hex(ev.arg) + ", " + std::to_string(ev.arg2) + ", " + msync_flags(ev.flags) +
             (ev.file.path.empty() ? "" : " <" + seen_path(ev.file.path) + ">");
    case SyscallOp::Syncfs:
    case SyscallOp::Fchdir: return fd_ref(ev.fd, ev.file);
    case SyscallOp::SyncFileRange: return fd_ref(ev.fd, ev.file) + ", flags " + std::to_string(ev.flags);
    case SyscallOp::Sync: return "";
    case SyscallOp::Rename: {
      std::string out = path1(ev) + " -> " + path2(ev);
      if (auto f = rename_flags(ev.flags); !f.empty()) out += ", " + f;
      return out;
    }
    case SyscallOp::Link:
      if (ev.abs_path.empty() && ev.path.empty() && ev.file.known()) return fd_ref(ev.fd, ev.file) + " -> " + path2(ev);
      return path1(ev) + " -> " + path2(ev);
    case SyscallOp::Symlink: return path2(ev) + " -> " + quoted(ev.path);
    case SyscallOp::Unlink:
      return path1(ev) + ((syscall_has_flags(ev.syscall) && (ev.flags & AT_REMOVEDIR)) ? ", AT_REMOVEDIR" : "");
    case SyscallOp::Mkdir: return path1(ev) + ", " + mode_octal(ev.arg);
    case SyscallOp::Rmdir:
    case SyscallOp::Chdir: return path1(ev);
    case SyscallOp::Fork:
      return std::string(ev.is_thread ? "thread " : "child ") + std::to_string(ev.is_thread ? ev.child_tid : ev.child_pid);
    case SyscallOp::Exec: return path1(ev);
    case SyscallOp::Exit: return "status " + std::to_string(ev.exit_code);
    case SyscallOp::Bind: return fd_ref(ev.fd, ev.file) + ", " + path1(ev);
    case SyscallOp::Mknod: return path1(ev) + ", " + node_type(ev.arg) + mode_octal(ev.arg);
    case SyscallOp::AsyncSetup:
    case SyscallOp::AsyncIo: return ev.fd >= 0 ? std::to_string(ev.fd) : std::to_string(ev.arg);
    case SyscallOp::Mmap:
      // the address it returned in hex (the return value prints in decimal)
      return fd_ref(ev.fd, ev.file) + ", " + std::to_string(ev.arg2) + " bytes, " +
             ((ev.arg & PROT_WRITE) ? "PROT_WRITE, " : "") + ((ev.flags & MAP_SHARED) ? "MAP_SHARED" : "MAP_PRIVATE") +
             (ev.failed() ? std::string() : " at " + hex(ev.ret)) +
             // Evidence must say when the data was assumed written, not seen written.
             (ev.stores_unseen ? " (stores into it not observable here: counted as written from this mmap)" : "");
    case SyscallOp::OverBudget: return std::to_string(ev.arg) + " events dropped";
    case SyscallOp::Munmap: return hex(ev.arg) + ", " + std::to_string(ev.arg2);
    case SyscallOp::Mremap: return hex(ev.arg) + ", " + std::to_string(ev.arg2) + " -> " + std::to_string(ev.bytes);
    case SyscallOp::None: break;
  }
  return ev.path.empty() ? "" : path1(ev);
}

EvidenceEvent make_evidence(const Event& ev) {
  EvidenceEvent e;
  e.seq = ev.seq;
  e.ts_ns = ev.ts_ns;
  e.pid = ev.pid;
  e.tid = ev.tid;
  e.syscall = std::string(syscall_name(ev.syscall));
  e.args = format_event_args(ev);
  e.ret = ev.ret;
  e.op = std::string(syscall_op_name(syscall_op(ev.syscall)));
  e.file = !ev.file.path.empty() ? ev.file.path : !ev.abs_path.empty() ? ev.abs_path : ev.path;
  if (syscall_info(ev.syscall).args.path2 >= 0 || !ev.abs_path2.empty())
    e.file2 = !ev.abs_path2.empty() ? ev.abs_path2 : ev.path2;
  if (ev.stack) e.stack = symbolize_stack(*ev.stack);
  return e;
}

}  // namespace duraudit
