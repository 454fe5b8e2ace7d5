// SPDX-License-Identifier: GPL-2.0-only
#include "capture/suspended_child.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace duraudit {

SuspendedChild::~SuspendedChild() {
  if (pid_ > 0 && !released_) {
    kill(pid_, SIGKILL);
    wait();
  }
  if (go_fd_ >= 0) close(go_fd_);
  if (status_fd_ >= 0) close(status_fd_);
}

bool SuspendedChild::spawn(const std::vector<std::string>& argv, std::string* error_out, const std::string& cwd,
                           bool only_stdio, const RunAs* as) {
  int go[2], status[2];
  if (argv.empty()) {
    if (error_out) *error_out = "no command to run";
    return false;
  }
  // Both pipes are close-on-exec: the traced program never sees them.
  if (pipe2(go, O_CLOEXEC) != 0) {
    if (error_out) *error_out = fmt::format("cannot create a pipe: {}", strerror(errno));
    return false;
  }
  if (pipe2(status, O_CLOEXEC) != 0) {
    if (error_out) *error_out = fmt::format("cannot create a pipe: {}", strerror(errno));
    close(go[0]);
    close(go[1]);
    return false;
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  if (as) {
    for (const auto& e : as->env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }

  pid_t pid = fork();
  if (pid < 0) {
    if (error_out) *error_out = fmt::format("cannot fork: {}", strerror(errno));
    for (int fd : {go[0], go[1], status[0], status[1]}) close(fd);
    return false;
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    if (only_stdio) syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
    char c;
    ssize_t n;
    do n = read(go[0], &c, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1) _exit(127);  // parent gave up
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) {
      int e = errno;
      (void)!write(status[1], &e, sizeof e);
      _exit(127);
    }
    if (as) {
      if (setgroups(as->groups.size(), as->groups.data()) != 0 || setgid(as->gid) != 0 || setuid(as->uid) != 0) {
        int e = errno == EPERM ? EPERM : errno;
        (void)!write(status[1], &e, sizeof e);
        _exit(126);
      }
      execvpe(args[0], args.data(), envp.data());
    } else {
      execvp(args[0], args.data());
    }
    int e = errno;
    (void)!write(status[1], &e, sizeof e);
    // The shell's codes: 127 not found, 126 found but cannot be run
    // (not executable, a directory, not a valid executable...).
    _exit(e == ENOENT ? 127 : 126);
  }
  close(go[0]);
  close(status[1]);
  pid_ = pid;
  go_fd_ = go[1];
  status_fd_ = status[0];
  return true;
}

int SuspendedChild::release() {
  if (released_ || go_fd_ < 0) return exec_errno_;
  released_ = true;
  char c = 1;
  (void)!write(go_fd_, &c, 1);
  close(go_fd_);
  go_fd_ = -1;
  int e = 0;
  ssize_t n;
  do n = read(status_fd_, &e, sizeof e);
  while (n < 0 && errno == EINTR);
  exec_errno_ = n == static_cast<ssize_t>(sizeof e) ? e : 0;
  close(status_fd_);
  status_fd_ = -1;
  return exec_errno_;
}

int SuspendedChild::wait() {
  if (pid_ <= 0 || reaped_) return -1;
  int st = 0;
  pid_t r;
  do r = waitpid(pid_, &st, 0);
  while (r < 0 && errno == EINTR);
  reaped_ = true;
  return r == pid_ ? st : -1;
}

}  // namespace duraudit
