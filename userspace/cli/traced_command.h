// SPDX-License-Identifier: GPL-2.0-only
// Runs a command under live capture until it and every descendant have
// exited: the shared core of `run`, `trace` and `record -- CMD`.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "capture/bpf_capture.h"
#include "config/config.h"
#include "util/run_as.h"

namespace duraudit {

struct TracedCommandHooks {
  // Called once the child exists but before it execs (seed /proc state).
  std::function<void(int32_t pid)> on_spawn;
  // Each raw event, in order.
  std::function<void(Event&&)> on_event;
  // About every 100 ms with the monotonic time, and after the last event.
  std::function<void(uint64_t now_ns, const LossCounters&)> on_tick;
};

struct TracedCommandResult {
  int status = 0;            // the command's exit status (128+N for a signal)
  bool interrupted = false;  // SIGINT/SIGTERM asked us to stop
};

// Opens the BPF capture (throws RuntimeError with an actionable sentence if
// it cannot), starts `argv` suspended, makes it a target, lets it exec, and
// delivers events until the whole process tree has exited. A command that
// cannot be executed yields status 127/126 and a message on stderr.
// With `run_as`, the command runs as that user (`-u USER`); duraudit keeps
// its privileges for the capture.
TracedCommandResult run_traced_command(const std::vector<std::string>& argv, const CaptureOptions& capture_options,
                                       const TracedCommandHooks& hooks, std::unique_ptr<BpfCapture>* keep = nullptr,
                                       const RunAs* run_as = nullptr);

// The same for processes already running (`trace --pid`, `record --pid`):
// each pid is checked (RuntimeError "no process with pid N"); it and its
// existing descendants are made targets and passed to hooks.on_spawn (seed
// them from /proc); events are delivered
// until every pid has ended (a zombie counts as ended) or SIGINT/SIGTERM.
void follow_running_pids(const std::vector<int32_t>& pids, const CaptureOptions& capture_options,
                         const TracedCommandHooks& hooks, std::unique_ptr<BpfCapture>* keep = nullptr);

// Delivers what is left in the ring buffer until it is empty; with
// `producers_alive` (traced processes may still be writing) for at most
// about a second. Then the drops over event budgets not reported yet
// (BpfCapture::report_over_budget).
void drain_capture(BpfCapture& capture, const std::function<void(Event&&)>& on_event, bool producers_alive);

CaptureOptions capture_options_for(const Config& config);

uint64_t monotonic_now_ns();

// A waitpid status in shell convention: the exit code, or 128+signal.
int shell_status(int wait_status);

}  // namespace duraudit
