#include "event/event_format.h"

#include <fcntl.h>
#include <linux/fs.h>

#include <cstdio>

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

std::string path1(const Event& ev) { return quoted(!ev.abs_path.empty() ? ev.abs_path : ev.path); }
std::string path2(const Event& ev) { return quoted(!ev.abs_path2.empty() ? ev.abs_path2 : ev.path2); }

std::string fd_ref(int32_t fd, const FileInfo& f) {
  std::string out = std::to_string(fd);
  if (!f.path.empty()) out += "<" + f.path + ">";
  return out;
}

std::string mode_octal(uint64_t mode) {
  char buf[16];
  snprintf(buf, sizeof buf, "0%03llo", static_cast<unsigned long long>(mode & 07777));
  return buf;
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
  }
  return "close";
}

}  // namespace

std::string format_event_args(const Event& ev) {
  switch (ev.syscall) {
    case Syscall::Open:
    case Syscall::Openat:
    case Syscall::Openat2: {
      std::string out = path1(ev) + ", " + open_flags_string(ev.flags);
      if (ev.flags & (O_CREAT | __O_TMPFILE)) out += ", " + mode_octal(ev.arg);
      return out;
    }
    case Syscall::Creat: return path1(ev) + ", " + mode_octal(ev.arg);
    case Syscall::Close: return fd_ref(ev.fd, ev.file);
    case Syscall::ImplicitClose:
      return fd_ref(ev.closed_fd >= 0 ? ev.closed_fd : ev.fd, ev.file) + " (" + close_reason_name(ev.close_reason) + ")";
    case Syscall::CloseRange: return std::to_string(ev.fd) + ", " + std::to_string(static_cast<uint32_t>(ev.fd2));
    case Syscall::Dup: return std::to_string(ev.fd);
    case Syscall::Dup2:
    case Syscall::Dup3: return std::to_string(ev.fd) + ", " + std::to_string(ev.fd2);
    case Syscall::Fcntl: {
      // Only the fd-table commands reach us (the kernel side drops the rest).
      std::string base = fd_ref(ev.fd, ev.file) + ", ";
      switch (ev.arg) {
        case F_DUPFD: return base + "F_DUPFD, " + std::to_string(ev.arg2);
        case F_DUPFD_CLOEXEC: return base + "F_DUPFD_CLOEXEC, " + std::to_string(ev.arg2);
        case F_SETFD: return base + "F_SETFD, " + ((ev.arg2 & FD_CLOEXEC) ? "FD_CLOEXEC" : "0");
        default: return base + "cmd " + std::to_string(ev.arg);
      }
    }
    case Syscall::Write:
    case Syscall::Pwrite64:
    case Syscall::Writev:
    case Syscall::Pwritev:
    case Syscall::Pwritev2: return fd_ref(ev.fd, ev.file) + ", " + std::to_string(ev.bytes) + " bytes" +
                                   (ev.sync_write ? " (O_SYNC)" : "");
    case Syscall::CopyFileRange:
    case Syscall::Sendfile:
      return fd_ref(ev.fd, ev.file) + " <- " + std::to_string(ev.fd2) + ", " + std::to_string(ev.bytes) + " bytes";
    case Syscall::Ftruncate: return fd_ref(ev.fd, ev.file) + ", " + std::to_string(ev.arg);
    case Syscall::Truncate: return path1(ev) + ", " + std::to_string(ev.arg);
    case Syscall::Fallocate: return fd_ref(ev.fd, ev.file) + ", len " + std::to_string(ev.arg);
    case Syscall::Fsync:
    case Syscall::Fdatasync:
    case Syscall::Syncfs:
    case Syscall::Msync:
    case Syscall::Fchdir: return fd_ref(ev.fd, ev.file);
    case Syscall::SyncFileRange: return fd_ref(ev.fd, ev.file) + ", flags " + std::to_string(ev.flags);
    case Syscall::Sync: return "";
    case Syscall::Rename:
    case Syscall::Renameat:
    case Syscall::Renameat2: {
      std::string out = path1(ev) + " -> " + path2(ev);
      if (auto f = rename_flags(ev.flags); !f.empty()) out += ", " + f;
      return out;
    }
    case Syscall::Link:
    case Syscall::Linkat:
      if (ev.abs_path.empty() && ev.path.empty() && ev.file.known()) return fd_ref(ev.fd, ev.file) + " -> " + path2(ev);
      return path1(ev) + " -> " + path2(ev);
    case Syscall::Symlink:
    case Syscall::Symlinkat: return path2(ev) + " -> " + quoted(ev.path);
    case Syscall::Unlink: return path1(ev);
    case Syscall::Unlinkat: return path1(ev) + ((ev.flags & AT_REMOVEDIR) ? ", AT_REMOVEDIR" : "");
    case Syscall::Mkdir:
    case Syscall::Mkdirat: return path1(ev) + ", " + mode_octal(ev.arg);
    case Syscall::Rmdir:
    case Syscall::Chdir: return path1(ev);
    case Syscall::Fork:
      return std::string(ev.is_thread ? "thread " : "child ") + std::to_string(ev.is_thread ? ev.child_tid : ev.child_pid);
    case Syscall::Exec: return path1(ev);
    case Syscall::Exit: return "status " + std::to_string(ev.exit_code);
    case Syscall::Unknown:
    case Syscall::Count_: break;
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
  return e;
}

}  // namespace duraudit
