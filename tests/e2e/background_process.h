// SPDX-License-Identifier: GPL-2.0-only
// Long-running processes for the attach and Prometheus tests: started in the
// background, talked to while they run, and always reaped. Every wait here
// has a timeout so a hung process fails a test instead of hanging ctest.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace duraudit::e2e {

using namespace std::chrono_literals;

// Polls `cond` every `step` until it holds or `timeout` passes.
bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = 50ms);

// The whole file, or "" when it cannot be read.
std::string read_text(const std::string& path);

// Counts non-overlapping occurrences of `needle` in `hay`.
size_t count_of(const std::string& hay, const std::string& needle);

// A child process whose stdin is a pipe the test writes to and whose stdout
// and stderr go to files the test reads while it runs (files, not pipes: a
// chatty child can never block on a full pipe nobody drains).
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
                    const std::string& stderr_path);
  ~BackgroundProcess();  // SIGKILL and reap, if still running
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }
  bool send_line(const std::string& line);  // writes line + '\n' to stdin
  void close_stdin();
  bool signal(int sig);
  // Exit status (128+N when killed by signal N), or nullopt if it is still
  // running after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL if it has not exited after `grace`; returns the status.
  int stop(std::chrono::milliseconds grace = 5s);
  std::optional<int> status() const { return status_; }

  std::string out() const { return read_text(stdout_path_); }
  std::string err() const { return read_text(stderr_path_); }
  // Waits until stderr (or stdout) holds `needle`, or the process exits, or timeout.
  bool wait_for_err(const std::string& needle, std::chrono::milliseconds timeout);
  bool wait_for_out(const std::string& needle, std::chrono::milliseconds timeout);

 private:
  bool reap(bool block);
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::optional<int> status_;
  std::string stdout_path_, stderr_path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0 and
// released): good enough for a test that binds it right away.
int free_loopback_port();

// HTTP/1.0 GET of http://127.0.0.1:PORT/TARGET (TARGET already URL-encoded).
struct HttpResponse {
  int status = 0;  // 0: no connection or no valid response
  std::string body;
};
HttpResponse http_get(int port, const std::string& target, std::chrono::milliseconds timeout = 10s);
std::string url_encode(const std::string& s);

}  // namespace duraudit::e2e
