// SPDX-License-Identifier: GPL-2.0-only
// The pipeline stage that gives events their stacks: it follows the code
// mappings of every traced process through the event stream (exec, PROT_EXEC
// mmaps, fork, exit; stack/process_image.h) and unwinds each event's raw
// stack against them at once, while they are known: the process may be gone
// by the time a verdict quotes the event.
//
//   Resolver -> StackTracker::observe(ev) -> Engine
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "event/event.h"
#include "stack/process_image.h"

namespace duraudit {

struct StackTrackerStats {
  uint64_t unwound = 0;       // raw stacks turned into frames
  uint64_t frames = 0;        // frames they gave, in all
  uint64_t without_image = 0; // stacks of a process whose mappings were unknown (one frame, no module)
};

class StackTracker {
 public:
  // `seed_missing_from_proc`: a stack from a process whose mappings the
  // stream never showed (attached while running) makes the tracker read
  // /proc/PID/maps once. Live sources only: a replay's pids are not this
  // machine's processes.
  explicit StackTracker(bool seed_missing_from_proc = true) : seed_missing_(seed_missing_from_proc) {}

  // How many processes keep a libdwfl session at once; the least recently
  // used beyond it is released (and made again when needed).
  static constexpr size_t kMaxSessions = 32;

  // Follows `ev`'s effect on the mappings, and unwinds ev.raw_stack into
  // ev.stack (dropping the raw copy).
  void observe(Event& ev);
  // A process that was running before the capture: its mappings from
  // /proc/PID/maps. False when they cannot be read.
  bool seed_from_proc(int32_t pid);
  // The same from a maps text (the format of /proc/PID/maps).
  void seed_from_maps(int32_t pid, const std::string& maps_text);

  const StackTrackerStats& stats() const { return stats_; }
  const ProcessImage* image(int32_t pid) const;

 private:
  void on_exec(const Event& ev);
  void on_code_mmap(const Event& ev);
  void unwind(Event& ev);
  void bound_sessions();
  // JIT code: the name /tmp/perf-PID.map gives `addr` ("" if none).
  std::string jit_symbol(int32_t pid, uint64_t addr);

  struct PerfMap {
    struct Entry {
      uint64_t start, size;
      std::string name;
    };
    std::vector<Entry> entries;  // sorted by start
    int64_t mtime_ns = -1;       // of the file when read
  };
  std::unordered_map<int32_t, PerfMap> perf_maps_;

  std::unordered_map<int32_t, std::unique_ptr<ProcessImage>> images_;
  std::unordered_map<int32_t, bool> proc_tried_;  // pids looked up in /proc after a stack without an image
  StackTrackerStats stats_;
  bool seed_missing_;
};

}  // namespace duraudit
