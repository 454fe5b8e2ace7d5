// SPDX-License-Identifier: GPL-2.0-only
#include "e2e/background_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace duraudit::e2e {

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (cond()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t count_of(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + needle.size())) ++n;
  return n;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
                                     const std::string& stderr_path)
    : stdout_path_(stdout_path), stderr_path_(stderr_path) {
  int in[2];
  if (pipe2(in, O_CLOEXEC) != 0) return;
  int out = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    // Dies with the test process, even if the test crashes before reaping it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    dup2(in[0], 0);
    if (out >= 0) dup2(out, 1);
    if (err >= 0) dup2(err, 2);
    execvp(args[0], args.data());
    _exit(127);
  }
  ::close(in[0]);
  if (out >= 0) ::close(out);
  if (err >= 0) ::close(err);
  stdin_fd_ = in[1];
  if (pid_ < 0) close_stdin();
}

BackgroundProcess::~BackgroundProcess() {
  close_stdin();
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
}

bool BackgroundProcess::send_line(const std::string& line) {
  if (stdin_fd_ < 0) return false;
  std::string l = line + "\n";
  // A child that died closes the pipe: EPIPE, not a SIGPIPE that kills the test.
  struct sigaction ign {}, old {};
  ign.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ign, &old);
  ssize_t n = ::write(stdin_fd_, l.data(), l.size());
  sigaction(SIGPIPE, &old, nullptr);
  return n == static_cast<ssize_t>(l.size());
}

void BackgroundProcess::close_stdin() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
}

bool BackgroundProcess::signal(int sig) {
  if (pid_ <= 0 || status_) return false;
  return ::kill(pid_, sig) == 0;
}

bool BackgroundProcess::reap(bool block) {
  if (pid_ <= 0) return false;
  if (status_) return true;
  int st = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &st, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r != pid_) return false;
  status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return true;
}

std::optional<int> BackgroundProcess::wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  wait_until([&] { return reap(false); }, timeout, 20ms);
  return status_;
}

int BackgroundProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  if (status_) return *status_;
  ::kill(pid_, SIGTERM);
  if (auto st = wait(grace)) return *st;
  ::kill(pid_, SIGKILL);
  reap(true);
  return *status_;
}

bool BackgroundProcess::wait_for_err(const std::string& needle, std::chrono::milliseconds timeout) {
  return wait_until([&] { return err().find(needle) != std::string::npos || reap(false); }, timeout) &&
         err().find(needle) != std::string::npos;
}

bool BackgroundProcess::wait_for_out(const std::string& needle, std::chrono::milliseconds timeout) {
  return wait_until([&] { return out().find(needle) != std::string::npos || reap(false); }, timeout) &&
         out().find(needle) != std::string::npos;
}

int free_loopback_port() {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = -1;
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(s);
  return port;
}

HttpResponse http_get(int port, const std::string& target, std::chrono::milliseconds timeout) {
  HttpResponse r;
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return r;
  timeval tv{};
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(s);
    return r;
  }
  // HTTP/1.0: the server closes the connection after the body, no chunking.
  std::string req = "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n";
  if (::send(s, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    ::close(s);
    return r;
  }
  std::string raw;
  char buf[65536];
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    ssize_t n = ::recv(s, buf, sizeof buf, 0);
    if (n > 0) raw.append(buf, n);
    else if (n == 0 || errno != EINTR) break;
  }
  ::close(s);
  size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos || raw.size() < 12) return r;
  r.status = std::atoi(raw.c_str() + 9);
  r.body = raw.substr(head_end + 4);
  return r;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace duraudit::e2e
