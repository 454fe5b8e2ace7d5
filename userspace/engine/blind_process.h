// SPDX-License-Identifier: GPL-2.0-only
// A process some of whose operations the engine did not see, so verdicts
// about the files it touched (and its own) are incomplete:
//   - io_uring or Linux AIO in an strace log: strace shows io_uring_setup,
//     io_uring_enter, io_setup and io_submit, never the requests and iocbs
//     themselves (docs/async-io.md, "Offline (strace) logs");
//   - over its event budget: the kernel side dropped some of its events
//     (--process-budget; docs/production.md, "Event budgets").
#pragma once

#include <cstdint>
#include <string>

namespace duraudit {

struct BlindProcess {
  int32_t pid = 0;
  std::string comm;
  bool io_uring = false;     // io_uring_setup / io_uring_enter / io_uring_register
  bool aio = false;          // io_setup / io_submit / io_getevents / io_pgetevents
  bool over_budget = false;  // the kernel dropped events of it (Syscall::OverBudget)
  uint64_t events_dropped = 0;  // over_budget: how many, as last reported
  uint64_t since_ns = 0;     // its first such call or drop (or the fork that shared its fds)

  bool async_blind() const { return io_uring || aio; }
};

// "io_uring", "Linux AIO" or "io_uring and Linux AIO".
inline std::string async_blind_uses(const BlindProcess& p) {
  if (p.io_uring && p.aio) return "io_uring and Linux AIO";
  return p.io_uring ? "io_uring" : "Linux AIO";
}

// Why verdicts about what `p` touched are incomplete, one clause per cause,
// with `comm` as the caller prints it (escaped or not).
inline std::string blind_reason(const BlindProcess& p, const std::string& comm) {
  std::string who = "pid " + std::to_string(p.pid) + " (" + comm + ")";
  std::string why;
  if (p.async_blind())
    why = who + " used " + async_blind_uses(p) + ", whose operations strace cannot show: its writes and syncs through " +
          (p.io_uring && p.aio ? "them" : "it") + " were not seen";
  if (p.over_budget) {
    if (!why.empty()) why += "; ";
    why += who + " went over its event budget: " + std::to_string(p.events_dropped) +
           " of its events were dropped in the kernel";
  }
  return why;
}

}  // namespace duraudit
