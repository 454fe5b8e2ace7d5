// SPDX-License-Identifier: GPL-2.0-only
// Event sources behind one interface: the live ring buffer, a recording, an
// strace log, or a test's vector are interchangeable to everything downstream.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "event/event.h"
#include "event/wall_clock.h"

namespace duraudit {

// Lost events by named reason ("ringbuf_full", "path_truncated", ...). Drops
// are data: each reason is reported in the summary and in metrics.
using LossCounters = std::map<std::string, uint64_t>;

inline uint64_t total_lost(const LossCounters& c) {
  uint64_t n = 0;
  for (const auto& [_, v] : c) n += v;
  return n;
}

// Events a process lost to its own event budget (--process-budget): they
// make that process's findings incomplete (Syscall::OverBudget names it),
// not everyone's.
inline constexpr std::string_view kProcessBudgetLoss = "process_budget";

// Whether losses for `reason` make the whole session's verdicts
// incomplete: all but a process's own budget. The one test for it
// (session_lost, describe_losses).
inline bool loss_blinds_session(std::string_view reason) { return reason != kProcessBudgetLoss; }

// Losses that make the whole session's verdicts incomplete.
inline uint64_t session_lost(const LossCounters& c) {
  uint64_t n = 0;
  for (const auto& [reason, v] : c)
    if (loss_blinds_session(reason)) n += v;
  return n;
}

// What kind of trace a source reads. Live capture sees io_uring requests
// and Linux AIO iocbs (the io_uring:* and aio:* rows), and a recording keeps
// what it saw; an strace log shows only the syscalls that set them up and
// submit them, never the operations (docs/async-io.md).
enum class SourceKind : uint8_t { Live, Recording, StraceLog };

constexpr bool source_sees_async_io(SourceKind k) { return k != SourceKind::StraceLog; }

class EventSource {
 public:
  using Sink = std::function<void(Event&&)>;
  virtual ~EventSource() = default;

  // Delivers the raw events available now (waiting at most timeout_ms for the
  // first) to `sink`, in stream order, with seq assigned from 1. Returns false
  // once the source is exhausted (end of file; never for a live source).
  virtual bool poll(const Sink& sink, int timeout_ms) = 0;

  // Loss so far, by reason.
  virtual LossCounters losses() const = 0;

  virtual SourceKind kind() const = 0;

  // How ts_ns maps to UTC (event/wall_clock.h); unknown by default.
  virtual WallClock wall_clock() const { return WallClock::unknown(); }
};

}  // namespace duraudit
