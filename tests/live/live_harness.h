// SPDX-License-Identifier: GPL-2.0-only
// Shared by the live capture tests: load the BPF programs, run a test program
// (tests/programs) as a traced target, collect its events, and print them in
// a compact, stable form the tests compare against.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "capture/bpf_capture.h"
#include "event/event.h"

namespace duraudit::live {

// A fresh directory on a real (durable) filesystem for one test, removed
// afterwards. Not /tmp: it may be tmpfs, whose writes are ignored.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Path of a test program built from tests/programs/NAME.c.
std::string program(const std::string& name);

// Opens a capture. If that fails: FAIL when env CI=true, otherwise
// GTEST_SKIP with the reason (e.g. not root). Use as
//   LIVE_CAPTURE_OR_RETURN(cap);  or  LIVE_CAPTURE_WITH_OR_RETURN(cap, options);
std::unique_ptr<BpfCapture> open_capture(const CaptureOptions& opts, std::string* why_not);
bool ci_requires_live();
#define LIVE_CAPTURE_WITH_OR_RETURN(var, options)                                           \
  std::string var##_why;                                                                     \
  auto var = ::duraudit::live::open_capture(options, &var##_why);                            \
  if (!var) {                                                                                \
    if (::duraudit::live::ci_requires_live())                                                \
      FAIL() << "cannot load the BPF programs (CI=true: failing, not skipping): " << var##_why; \
    GTEST_SKIP() << "cannot load the BPF programs: " << var##_why;                          \
  }
#define LIVE_CAPTURE_OR_RETURN(var) LIVE_CAPTURE_WITH_OR_RETURN(var, ::duraudit::CaptureOptions{})

struct Run {
  int pid = 0;
  int wait_status = -1;
  std::vector<Event> events;  // every event of the traced tree, in ring order
  bool saw_group_exit = false;
};

// Spawns argv suspended, adds it as a target, releases it and polls until its
// Exit(group_dead) arrived and it has been reaped (or timeout_s passed).
// With poll_while_running=false nothing is read until the program has exited
// (to provoke ring-buffer loss); the ring is drained afterwards.
Run run_traced(BpfCapture& cap, const std::vector<std::string>& argv, int timeout_s = 120,
               bool poll_while_running = true);

// Like run_traced, but the process is NOT made a target: whether it is
// traced is up to the capture's own filters (comms, cgroup_path, trace_all).
// `before_release(pid)` runs while the child is still suspended (e.g. to move
// it into a cgroup). Polls until the child is reaped and, when
// `expect_traced`, its Exit(group_dead) arrived; `events` holds everything the
// capture delivered meanwhile (other processes' events too: filter by pid).
Run run_untargeted(BpfCapture& cap, const std::vector<std::string>& argv, bool expect_traced,
                   const std::function<void(int pid)>& before_release = {}, int timeout_s = 60);

// The program's own events: for each process, what happens between its exec
// and its BEGIN() marker (dynamic loader, libc start-up) is dropped, as is the
// marker, and what the launcher did before the first exec. Fork, Exec and
// Exit events are kept.
std::vector<Event> after_markers(const std::vector<Event>& events);

// Only the events of one process.
std::vector<Event> of_pid(const std::vector<Event>& events, int pid);

// "openat(AT_FDCWD, \"$D/a.txt\", O_WRONLY|O_CREAT) = 3 created": the
// syscall, its raw arguments and result, with `dir` replaced by $D.
std::string describe(const Event& e, const std::string& dir);
std::vector<std::string> describe_all(const std::vector<Event>& events, const std::string& dir);

}  // namespace duraudit::live
