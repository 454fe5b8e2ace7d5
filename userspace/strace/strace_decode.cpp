// SPDX-License-Identifier: GPL-2.0-only
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
  // Never malformed: an argument that is not what the table expects is
  // left 0 (io_uring and AIO calls, which matter only for having been made).
  bool lenient = false;

  size_t size() const { return call.args.size(); }

  bool need(size_t n) {
    if (lenient) return ok;
    if (call.args.size() < n) {
      if (ok && error) *error = "expected at least " + std::to_string(n) + " arguments";
      ok = false;
    }
    return ok;
  }
  int64_t num(size_t i) {
    if (i >= call.args.size()) return 0;
    auto v = strace_int(call.args[i]);
    if (!v && lenient) return 0;
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

bool is_write_family(Syscall s) { return is_write_syscall(s); }

StraceDecode decode_strace_call(std::string_view name, const StraceCall& call, Event* ev, std::string* error,
                                std::string* cwd) {
  if (cwd) cwd->clear();
  StraceDecode d = decode_call(name, call, ev, error);
  if (d != StraceDecode::Event) return d;
  // Which argument is the dirfd of path / path2 (the table's roles).
  const SyscallArgs& roles = syscall_info(ev->syscall).args;
  int dirfd_arg = roles.dirfd, dirfd2_arg = roles.dirfd2;
  if (ev->syscall == Syscall::Exec && name == "execveat") dirfd_arg = 0;
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

  // Names and strace's aliases are the syscall table's.
  Syscall s = syscall_from_name(name);
  if (s == Syscall::Unknown || is_lifecycle_syscall(s) || syscall_has(s, kScSynthetic)) return StraceDecode::Unknown;
  ev->syscall = s;

  // io_uring_setup/enter/register, io_setup/submit/getevents/pgetevents:
  // what matters is that the process made the call (the operations they
  // carry are not in the log); strace prints their structs and opcodes in
  // many shapes (IORING_REGISTER_PROBE, {flags=IORING_SETUP_...}, iocb
  // arrays), none of which may make the line unparsed.
  a.lenient = is_async_io_syscall(s);

  // The arguments the table gives a role, in argument order (so the first
  // malformed one is the one reported).
  const SyscallArgs& r = syscall_info(s).args;
  a.need(static_cast<size_t>(r.need));
  for (int8_t i = 0; i < 8; ++i) {
    auto at = static_cast<size_t>(i);
    if (r.fd == i) ev->fd = a.fd(at);
    if (r.fd2 == i) ev->fd2 = a.fd(at);
    if (r.dirfd == i) ev->dirfd = a.fd(at);
    if (r.path == i) ev->path = a.path(at);
    if (r.dirfd2 == i) ev->dirfd2 = a.fd(at);
    if (r.path2 == i) ev->path2 = a.path(at);
    if (r.flags == i) ev->flags = a.flags(at);
    if (r.mode == i) ev->arg = a.flags(at);  // 0644 or S_I* names
    if (r.arg == i) ev->arg = static_cast<uint64_t>(a.num(at));
    if (r.arg2 == i) ev->arg2 = static_cast<uint64_t>(a.num(at));
  }
  if (is_write_syscall(s)) set_write_bytes(ev);

  // What is not a plain argument.
  switch (s) {
    case Syscall::Openat2:  // openat2(dirfd, path, {flags=..., mode=..., resolve=...}, size)
      if (a.ok) {
        if (auto f = strace_field(call.args[2], "flags")) ev->flags = strace_flags(*f);
        if (auto m = strace_field(call.args[2], "mode")) ev->arg = strace_flags(*m);
      }
      break;
    case Syscall::Creat:  // creat(path, mode) == open(path, O_CREAT|O_WRONLY|O_TRUNC, mode)
      ev->flags = O_CREAT | O_WRONLY | O_TRUNC;
      break;
    case Syscall::Fcntl:  // fcntl(fd, cmd[, arg]); arg may be a struct (locks): 0
      if (a.size() > 2) {
        if (auto v = strace_int(call.args[2])) ev->arg2 = static_cast<uint64_t>(*v);
      }
      break;
    case Syscall::Bind: {  // bind(3, {sa_family=AF_UNIX, sun_path="/x/.s.PGSQL.5432"}, 110) = 0
      // Only a successful bind of a unix socket at a path names anything
      // (abstract names print as sun_path=@"...").
      if (call.ret != 0 || !a.ok) return StraceDecode::NoEvent;
      auto family = strace_field(call.args[1], "sa_family");
      auto sun_path = strace_field(call.args[1], "sun_path");
      if (!family || *family != "AF_UNIX" || !sun_path) return StraceDecode::NoEvent;
      auto p = strace_string(*sun_path);
      if (!p || p->empty()) return StraceDecode::NoEvent;
      ev->path = *p;
      break;
    }
    case Syscall::Mremap:  // mremap(old, old_len, new_len, flags[, new_address]) = new address
      ev->bytes = static_cast<uint64_t>(a.num(2));
      break;
    case Syscall::SyncFileRange:
      // sync_file_range(fd, offset, nbytes, flags); sync_file_range2(fd, flags, offset, nbytes)
      if (name != "sync_file_range") ev->flags = a.flags(1);
      break;
    default:
      break;
  }
  return a.ok ? StraceDecode::Event : StraceDecode::Malformed;
}

}  // namespace

}  // namespace duraudit
