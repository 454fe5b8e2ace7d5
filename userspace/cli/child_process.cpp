#include "cli/child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace duraudit {

bool SuspendedChild::spawn(const std::vector<std::string>& argv, std::string* error) {
  int go[2], err[2];
  if (pipe2(go, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    *error = std::string("cannot create pipes: ") + strerror(errno);
    return false;
  }
  // argv is built before fork: the child only calls async-signal-safe code.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("cannot fork: ") + strerror(errno);
    return false;
  }
  if (pid == 0) {
    close(go[1]);
    close(err[0]);
    // Die with duraudit rather than run on untraced.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    char byte;
    ssize_t n;
    do n = read(go[0], &byte, 1); while (n < 0 && errno == EINTR);
    if (n != 1) _exit(127);
    close(go[0]);
    // Restore the signal dispositions duraudit changed for itself.
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    execvp(args[0], args.data());
    int e = errno;
    ssize_t w = write(err[1], &e, sizeof e);
    (void)w;
    _exit(e == ENOENT ? 127 : 126);
  }
  close(go[0]);
  close(err[1]);
  pid_ = pid;
  go_fd_ = go[1];
  err_fd_ = err[0];
  return true;
}

bool SuspendedChild::release(std::string* error) {
  char byte = 1;
  if (write(go_fd_, &byte, 1) != 1) {
    *error = std::string("cannot start the command: ") + strerror(errno);
    return false;
  }
  close(go_fd_);
  go_fd_ = -1;
  int e = 0;
  ssize_t n;
  do n = read(err_fd_, &e, sizeof e); while (n < 0 && errno == EINTR);
  close(err_fd_);
  err_fd_ = -1;
  if (n == sizeof e) {
    *error = std::string(e == ENOENT ? "command not found" : strerror(e));
    return false;
  }
  return true;
}

void SuspendedChild::abandon() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int st;
    waitpid(pid_, &st, 0);
  }
  if (go_fd_ >= 0) close(go_fd_);
  if (err_fd_ >= 0) close(err_fd_);
  pid_ = go_fd_ = err_fd_ = -1;
}

int SuspendedChild::shell_status(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 1;
}

}  // namespace duraudit
