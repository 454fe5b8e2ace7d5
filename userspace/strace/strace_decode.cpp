#include "strace/strace_decode.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>

#include <optional>

#include "strace/strace_args.h"

namespace duraudit {

namespace {

struct Args {
  const StraceCall& call;
  std::string* error;
  bool ok = true;

  size_t size() const { return call.args.size(); }

  bool need(size_t n) {
    if (call.args.size() < n) {
      if (ok && error) *error = "expected at least " + std::to_string(n) + " arguments";
      ok = false;
    }
    return ok;
  }
  int64_t num(size_t i) {
    if (i >= call.args.size()) return 0;
    auto v = strace_int(call.args[i]);
    if (!v) {
      if (ok && error) *error = "argument " + std::to_string(i + 1) + " is not a number: " + call.args[i];
      ok = false;
      return 0;
    }
    return *v;
  }
  int32_t fd(size_t i) { return static_cast<int32_t>(num(i)); }
  uint64_t flags(size_t i) { return i < call.args.size() ? strace_flags(call.args[i]) : 0; }
  // A path argument: a string, or a raw pointer strace could not read
  // (0x7ffd...: path unknown, left empty).
  std::string path(size_t i) {
    if (i >= call.args.size()) return {};
    if (auto s = strace_string(call.args[i])) return *s;
    if (!strace_int(call.args[i])) {
      if (ok && error) *error = "argument " + std::to_string(i + 1) + " is not a path: " + call.args[i];
      ok = false;
    }
    return {};
  }
};

void set_write_bytes(Event* ev) { ev->bytes = ev->ret > 0 ? static_cast<uint64_t>(ev->ret) : 0; }

StraceDecode decode_call(std::string_view name, const StraceCall& call, Event* ev, std::string* error);

}  // namespace

bool is_write_family(Syscall s) {
  switch (s) {
    case Syscall::Write: case Syscall::Pwrite64: case Syscall::Writev: case Syscall::Pwritev:
    case Syscall::Pwritev2: case Syscall::Ftruncate: case Syscall::Truncate: case Syscall::Fallocate:
    case Syscall::CopyFileRange: case Syscall::Sendfile:
      return true;
    default:
      return false;
  }
}

StraceDecode decode_strace_call(std::string_view name, const StraceCall& call, Event* ev, std::string* error,
                                std::string* cwd) {
  if (cwd) cwd->clear();
  StraceDecode d = decode_call(name, call, ev, error);
  if (d != StraceDecode::Event) return d;
  // Which argument is the dirfd of path / path2.
  int dirfd_arg = -1, dirfd2_arg = -1;
  switch (ev->syscall) {
    case Syscall::Openat: case Syscall::Openat2: case Syscall::Unlinkat: case Syscall::Mkdirat:
      dirfd_arg = 0;
      break;
    case Syscall::Renameat: case Syscall::Renameat2: case Syscall::Linkat:
      dirfd_arg = 0;
      dirfd2_arg = 2;
      break;
    case Syscall::Symlinkat:
      dirfd2_arg = 1;
      break;
    case Syscall::Exec:
      if (name == "execveat") dirfd_arg = 0;
      break;
    default:
      break;
  }
  auto anchor = [&](int arg, int32_t dirfd, std::string& path) {
    if (arg < 0 || static_cast<size_t>(arg) >= call.args.size()) return;
    auto base = strace_decoration_path(call.args[static_cast<size_t>(arg)]);
    if (!base) return;
    if (dirfd == AT_FDCWD && cwd && cwd->empty()) *cwd = *base;
    if (path.empty() || path.front() == '/') return;
    path = *base + (base->back() == '/' ? "" : "/") + path;
  };
  anchor(dirfd_arg, ev->dirfd, ev->path);
  anchor(dirfd2_arg, ev->dirfd2, ev->path2);
  return d;
}

namespace {

StraceDecode decode_call(std::string_view name, const StraceCall& call, Event* ev, std::string* error) {
  *ev = Event{};
  ev->ret = call.ret;
  Args a{call, error};

  // ---- process lifecycle: names strace uses that are not Syscall names ----
  if (name == "exit" || name == "exit_group") return StraceDecode::NoEvent;
  if (name == "execve" || name == "execveat") {
    if (call.ret != 0) return StraceDecode::NoEvent;  // failed exec changes nothing
    ev->syscall = Syscall::Exec;
    if (name == "execveat") {
      a.need(2);
      ev->dirfd = a.fd(0);
      ev->path = a.path(1);
    } else {
      a.need(1);
      ev->path = a.path(0);
    }
    return a.ok ? StraceDecode::Event : StraceDecode::Malformed;
  }
  if (name == "clone" || name == "clone3" || name == "fork" || name == "vfork") {
    if (call.ret <= 0) return StraceDecode::NoEvent;  // failed, or the child's view
    ev->syscall = Syscall::Fork;
    if (name == "clone") {
      // clone(child_stack=NULL, flags=CLONE_...|SIGCHLD, ...); very old
      // strace printed positional args: flags first.
      if (auto f = strace_named_arg(call.args, "flags")) ev->flags = strace_flags(*f);
      else if (!call.args.empty()) ev->flags = strace_flags(call.args[0]);
    } else if (name == "clone3") {
      if (call.args.empty()) return StraceDecode::Malformed;
      if (auto f = strace_field(call.args[0], "flags")) ev->flags = strace_flags(*f);
    } else if (name == "vfork") {
      ev->flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
    } else {
      ev->flags = SIGCHLD;
    }
    ev->child_tid = static_cast<int32_t>(call.ret);
    ev->is_thread = (ev->flags & CLONE_THREAD) != 0;
    ev->shares_files = (ev->flags & CLONE_FILES) != 0;
    return StraceDecode::Event;
  }

  // strace aliases on some architectures
  Syscall s;
  if (name == "fcntl64") s = Syscall::Fcntl;
  else if (name == "ftruncate64") s = Syscall::Ftruncate;
  else if (name == "truncate64") s = Syscall::Truncate;
  else if (name == "sync_file_range2" || name == "arm_sync_file_range") s = Syscall::SyncFileRange;
  else s = syscall_from_name(name);
  if (s == Syscall::Unknown || s == Syscall::Fork || s == Syscall::Exec || s == Syscall::Exit ||
      s == Syscall::ImplicitClose)
    return StraceDecode::Unknown;
  ev->syscall = s;

  switch (s) {
    case Syscall::Open:  // open(path, flags[, mode])
      a.need(2);
      ev->path = a.path(0);
      ev->flags = a.flags(1);
      if (a.size() > 2) ev->arg = a.flags(2);  // mode: 0644 or S_I* names
      break;
    case Syscall::Openat:  // openat(dirfd, path, flags[, mode])
      a.need(3);
      ev->dirfd = a.fd(0);
      ev->path = a.path(1);
      ev->flags = a.flags(2);
      if (a.size() > 3) ev->arg = a.flags(3);
      break;
    case Syscall::Openat2: {  // openat2(dirfd, path, {flags=..., mode=..., resolve=...}, size)
      a.need(3);
      ev->dirfd = a.fd(0);
      ev->path = a.path(1);
      if (a.ok) {
        if (auto f = strace_field(call.args[2], "flags")) ev->flags = strace_flags(*f);
        if (auto m = strace_field(call.args[2], "mode")) ev->arg = strace_flags(*m);
      }
      break;
    }
    case Syscall::Creat:  // creat(path, mode) == open(path, O_CREAT|O_WRONLY|O_TRUNC, mode)
      a.need(2);
      ev->path = a.path(0);
      ev->flags = O_CREAT | O_WRONLY | O_TRUNC;
      ev->arg = a.flags(1);
      break;
    case Syscall::Close:
    case Syscall::Fsync:
    case Syscall::Fdatasync:
    case Syscall::Syncfs:
    case Syscall::Fchdir:
    case Syscall::Dup:
      a.need(1);
      ev->fd = a.fd(0);
      break;
    case Syscall::CloseRange:  // close_range(first, last, flags)
      a.need(2);
      ev->fd = a.fd(0);
      ev->fd2 = a.fd(1);
      ev->flags = a.flags(2);
      break;
    case Syscall::Dup2:  // dup2(old, new)
      a.need(2);
      ev->fd = a.fd(0);
      ev->fd2 = a.fd(1);
      break;
    case Syscall::Dup3:  // dup3(old, new, flags)
      a.need(2);
      ev->fd = a.fd(0);
      ev->fd2 = a.fd(1);
      ev->flags = a.flags(2);
      break;
    case Syscall::Fcntl:  // fcntl(fd, cmd[, arg]); arg may be a struct (locks): 0
      a.need(2);
      ev->fd = a.fd(0);
      ev->arg = static_cast<uint64_t>(a.num(1));
      if (a.size() > 2) {
        if (auto v = strace_int(call.args[2])) ev->arg2 = static_cast<uint64_t>(*v);
      }
      break;
    case Syscall::Write:     // write(fd, buf, count)
    case Syscall::Pwrite64:  // pwrite64(fd, buf, count, offset)
    case Syscall::Writev:    // writev(fd, iov, iovcnt)
    case Syscall::Pwritev:   // pwritev(fd, iov, iovcnt, offset)
      a.need(1);
      ev->fd = a.fd(0);
      set_write_bytes(ev);
      break;
    case Syscall::Pwritev2:  // pwritev2(fd, iov, iovcnt, offset, flags): flags are RWF_*
      a.need(1);
      ev->fd = a.fd(0);
      ev->flags = a.flags(4);
      set_write_bytes(ev);
      break;
    case Syscall::Ftruncate:  // ftruncate(fd, length)
      a.need(2);
      ev->fd = a.fd(0);
      ev->arg = static_cast<uint64_t>(a.num(1));
      set_write_bytes(ev);
      break;
    case Syscall::Truncate:  // truncate(path, length)
      a.need(2);
      ev->path = a.path(0);
      ev->arg = static_cast<uint64_t>(a.num(1));
      set_write_bytes(ev);
      break;
    case Syscall::Fallocate:  // fallocate(fd, mode, offset, len): mode (FALLOC_FL_*) in flags
      a.need(4);
      ev->fd = a.fd(0);
      ev->flags = a.flags(1);
      ev->arg = static_cast<uint64_t>(a.num(3));
      set_write_bytes(ev);
      break;
    case Syscall::CopyFileRange:  // copy_file_range(fd_in, off_in, fd_out, off_out, len, flags)
      a.need(3);
      ev->fd2 = a.fd(0);
      ev->fd = a.fd(2);
      set_write_bytes(ev);
      break;
    case Syscall::Sendfile:  // sendfile(out_fd, in_fd, offset, count)
      a.need(2);
      ev->fd = a.fd(0);
      ev->fd2 = a.fd(1);
      set_write_bytes(ev);
      break;
    case Syscall::Sync:
      break;
    case Syscall::SyncFileRange:
      a.need(4);
      ev->fd = a.fd(0);
      // sync_file_range(fd, offset, nbytes, flags); sync_file_range2(fd, flags, offset, nbytes)
      ev->flags = a.flags(name == "sync_file_range" ? 3 : 1);
      break;
    case Syscall::Msync:  // msync(addr, length, flags)
      a.need(3);
      ev->flags = a.flags(2);
      break;
    case Syscall::Rename:  // rename(old, new)
    case Syscall::Link:
      a.need(2);
      ev->path = a.path(0);
      ev->path2 = a.path(1);
      break;
    case Syscall::Renameat:   // renameat(olddirfd, old, newdirfd, new)
    case Syscall::Renameat2:  // ... , flags
    case Syscall::Linkat:     // linkat(olddirfd, old, newdirfd, new, flags)
      a.need(4);
      ev->dirfd = a.fd(0);
      ev->path = a.path(1);
      ev->dirfd2 = a.fd(2);
      ev->path2 = a.path(3);
      if (s != Syscall::Renameat) ev->flags = a.flags(4);
      break;
    case Syscall::Symlink:  // symlink(target, linkpath): target in path, linkpath in path2
      a.need(2);
      ev->path = a.path(0);
      ev->path2 = a.path(1);
      break;
    case Syscall::Symlinkat:  // symlinkat(target, newdirfd, linkpath)
      a.need(3);
      ev->path = a.path(0);
      ev->dirfd2 = a.fd(1);
      ev->path2 = a.path(2);
      break;
    case Syscall::Unlink:
    case Syscall::Rmdir:
    case Syscall::Chdir:
      a.need(1);
      ev->path = a.path(0);
      break;
    case Syscall::Unlinkat:  // unlinkat(dirfd, path, flags)
      a.need(3);
      ev->dirfd = a.fd(0);
      ev->path = a.path(1);
      ev->flags = a.flags(2);
      break;
    case Syscall::Mkdir:  // mkdir(path, mode)
      a.need(1);
      ev->path = a.path(0);
      if (a.size() > 1) ev->arg = a.flags(1);
      break;
    case Syscall::Mkdirat:  // mkdirat(dirfd, path, mode)
      a.need(2);
      ev->dirfd = a.fd(0);
      ev->path = a.path(1);
      if (a.size() > 2) ev->arg = a.flags(2);
      break;
    default:
      return StraceDecode::Unknown;
  }
  return a.ok ? StraceDecode::Event : StraceDecode::Malformed;
}

}  // namespace

}  // namespace duraudit
