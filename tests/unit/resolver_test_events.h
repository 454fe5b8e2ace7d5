// SPDX-License-Identifier: GPL-2.0-only
// Builders for raw events fed to the Resolver in unit tests: each sets the
// fields a source would fill for that syscall, nothing more.
#pragma once

#include <fcntl.h>

#include <string>
#include <vector>

#include "event/event.h"
#include "resolve/resolver.h"

namespace duraudit::resolver_test {

inline Event raw(Syscall s, int32_t pid, int64_t ret = 0, int32_t tid = 0) {
  static uint64_t seq = 0;
  Event ev;
  ev.seq = ++seq;
  ev.ts_ns = ev.seq * 1000;
  ev.pid = pid;
  ev.tid = tid ? tid : pid;
  ev.comm = "test";
  ev.syscall = s;
  ev.ret = ret;
  return ev;
}

inline Event openat(int32_t pid, std::string path, uint64_t flags, int64_t ret, int32_t dirfd = AT_FDCWD,
                    FileId id = {}) {
  Event ev = raw(Syscall::Openat, pid, ret);
  ev.path = std::move(path);
  ev.flags = flags;
  ev.dirfd = dirfd;
  if (ret >= 0) ev.file.id = id;
  return ev;
}

inline Event fd_call(Syscall s, int32_t pid, int32_t fd, int64_t ret = 0, int32_t tid = 0) {
  Event ev = raw(s, pid, ret, tid);
  ev.fd = fd;
  return ev;
}

inline Event dup2(int32_t pid, int32_t oldfd, int32_t newfd, Syscall s = Syscall::Dup2, uint64_t flags = 0) {
  Event ev = raw(s, pid, newfd);
  ev.fd = oldfd;
  ev.fd2 = newfd;
  ev.flags = flags;
  return ev;
}

inline Event fcntl_ev(int32_t pid, int32_t fd, uint64_t cmd, uint64_t arg, int64_t ret) {
  Event ev = raw(Syscall::Fcntl, pid, ret);
  ev.fd = fd;
  ev.arg = cmd;
  ev.arg2 = arg;
  return ev;
}

inline Event path_call(Syscall s, int32_t pid, std::string path, int64_t ret = 0, int32_t dirfd = AT_FDCWD) {
  Event ev = raw(s, pid, ret);
  ev.path = std::move(path);
  ev.dirfd = dirfd;
  return ev;
}

inline Event rename_ev(int32_t pid, std::string from, std::string to, int64_t ret = 0,
                       Syscall s = Syscall::Rename, int32_t dirfd = AT_FDCWD, int32_t dirfd2 = AT_FDCWD) {
  Event ev = raw(s, pid, ret);
  ev.path = std::move(from);
  ev.path2 = std::move(to);
  ev.dirfd = dirfd;
  ev.dirfd2 = dirfd2;
  return ev;
}

inline Event fork_ev(int32_t pid, int32_t child, bool thread = false, bool shares_files = false, int32_t tid = 0) {
  Event ev = raw(Syscall::Fork, pid, child, tid);
  ev.child_pid = thread ? pid : child;
  ev.child_tid = child;
  ev.is_thread = thread;
  ev.shares_files = shares_files;
  return ev;
}

inline Event exit_ev(int32_t pid, bool group_dead, int32_t tid = 0) {
  Event ev = raw(Syscall::Exit, pid, 0, tid);
  ev.group_dead = group_dead;
  return ev;
}

// Resolves one event and returns everything it produced.
inline std::vector<Event> run(Resolver& r, Event ev) {
  std::vector<Event> out;
  r.resolve(std::move(ev), out);
  return out;
}

// Resolves one event that must produce exactly itself.
inline Event one(Resolver& r, Event ev) {
  auto out = run(r, std::move(ev));
  return out.size() == 1 ? out.front() : Event{};
}

}  // namespace duraudit::resolver_test
