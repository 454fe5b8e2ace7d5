// Starting the traced command: duraudit forks, the child waits on a pipe
// until the parent has registered it as a BPF target, and only then execs.
// That way not one syscall of CMD happens before tracing starts.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace duraudit {

class SuspendedChild {
 public:
  // Forks a child that will exec argv[0] (PATH lookup) once released.
  // Returns false with a message if fork fails.
  bool spawn(const std::vector<std::string>& argv, std::string* error);

  pid_t pid() const { return pid_; }

  // Lets the child exec. Returns false with a sentence when exec failed
  // (command not found -> exit_status() 127, not executable -> 126).
  bool release(std::string* error);

  // Kills and reaps a child that was never released.
  void abandon();

  // Exit status in shell convention once reaped: the code, or 128+signal.
  static int shell_status(int wait_status);

 private:
  pid_t pid_ = -1;
  int go_fd_ = -1;    // parent writes one byte: "exec now"
  int err_fd_ = -1;   // CLOEXEC pipe: the child writes errno if exec fails
};

}  // namespace duraudit
