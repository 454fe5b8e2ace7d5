// SPDX-License-Identifier: GPL-2.0-only
// Starting a traced command without a race: the child is forked, waits on a
// pipe until the parent has registered it as a target (BpfCapture::add_target),
// and only then execs. From the exec on, every syscall it makes is seen.
//
//   SuspendedChild child;
//   if (!child.spawn({"make", "-j2"}, &err)) ...;
//   cap->add_target(child.pid());
//   child.release();                 // the child execs now
//   ... poll until Exit(group_dead) of child.pid() ...
//   int status = child.wait();       // waitpid status
//
// If exec fails, exec_errno() says why; the child exits 127 for ENOENT (not
// found) and 126 for any other reason (found but cannot be run), as a shell.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/run_as.h"

namespace duraudit {

class SuspendedChild {
 public:
  SuspendedChild() = default;
  ~SuspendedChild();  // kills and reaps a child never released
  SuspendedChild(const SuspendedChild&) = delete;
  SuspendedChild& operator=(const SuspendedChild&) = delete;

  // Forks; the child blocks until release(), then execvp(argv[0], argv)
  // (with `cwd` as its working directory if not empty). With
  // `only_stdio`, every fd above 2 is marked close-on-exec first (before the
  // child can be traced), so the program starts with just stdin/out/err.
  // With `as`, the child takes that user's groups, gid and uid (in that
  // order: giving up root last) and its environment just before the exec;
  // a failure to switch is reported like a failed exec (exit 126).
  // False + sentence on fork/pipe failure.
  bool spawn(const std::vector<std::string>& argv, std::string* error_out, const std::string& cwd = {},
             bool only_stdio = false, const RunAs* as = nullptr);
  pid_t pid() const { return pid_; }

  // Lets the child exec. Returns the exec's errno (0 = exec succeeded): the
  // child reports a failed exec through a close-on-exec pipe, so this blocks
  // only until the exec happened or failed.
  int release();
  int exec_errno() const { return exec_errno_; }

  // waitpid() on the child; returns its raw wait status (-1 on error).
  int wait();

 private:
  pid_t pid_ = -1;
  int go_fd_ = -1;      // parent's write end: one byte releases the child
  int status_fd_ = -1;  // parent's read end: errno of a failed exec, or EOF on success
  int exec_errno_ = 0;
  bool released_ = false;
  bool reaped_ = false;
};

}  // namespace duraudit
