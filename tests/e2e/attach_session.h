// SPDX-License-Identifier: GPL-2.0-only
// The two sides of an attach test: a running target process driven over
// stdin (tests/programs/attach_target.c) and a `duraudit attach` session
// writing JSON Lines to a file in the test's scratch directory.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "e2e/background_process.h"
#include "e2e/e2e_util.h"

namespace duraudit::e2e {

// attach_target DIR: holds DIR/held.txt open for writing from before any
// attach, and runs one command per line ("write", "fsync", "close",
// "fork NAME", "churn PREFIX N", "replace NAME", "sleep MS", "exit").
class Target {
 public:
  explicit Target(const ScratchDir& dir);
  bool ready();  // it printed "ready": held.txt is open
  pid_t pid() const { return proc_.pid(); }
  // Sends a command; unless `wait_ok` is false, waits (bounded) for its "ok".
  bool run(const std::string& command, bool wait_ok = true);
  bool running() { return !proc_.wait(0ms); }
  std::string describe() const;

 private:
  BackgroundProcess proc_;
};

// `duraudit --log-level info attach --format json -o DIR/findings.jsonl ARGS`.
class AttachSession {
 public:
  AttachSession(const ScratchDir& dir, const std::vector<std::string>& args);
  ~AttachSession();  // SIGTERM, then SIGKILL: never leaves an agent behind
  // Waits until the BPF programs are loaded and targets added ("attached to").
  bool ready();
  const std::string& output_path() const { return output_; }
  // Complete lines of the findings file so far.
  JsonReport report() const;
  // The first finding of `rule` about `path`, waiting for it up to `timeout`.
  std::optional<nlohmann::json> wait_for_finding(const std::string& rule, const std::string& path,
                                                 std::chrono::milliseconds timeout);
  bool wait_for_err(const std::string& needle, std::chrono::milliseconds timeout) {
    return proc_.wait_for_err(needle, timeout);
  }
  bool signal(int sig) { return proc_.signal(sig); }
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) { return proc_.wait(timeout); }
  int stop() { return proc_.stop(10s); }
  bool running() { return !proc_.wait(0ms); }
  pid_t pid() const { return proc_.pid(); }
  std::string err() const { return proc_.err(); }
  std::string describe() const;  // stderr and findings, for failure messages

 private:
  std::string output_;
  BackgroundProcess proc_;
};

// A command run to completion with a deadline (SIGKILL after it): start-up
// errors are expected to end the process quickly, and a bug that keeps it
// running must fail the test, not hang it.
struct BoundedRun {
  std::optional<int> status;  // nullopt: still running at the deadline (then killed)
  std::string out, err;
};
BoundedRun run_bounded(const std::vector<std::string>& argv, const ScratchDir& dir,
                       std::chrono::milliseconds timeout);

}  // namespace duraudit::e2e
