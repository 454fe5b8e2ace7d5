// SPDX-License-Identifier: GPL-2.0-only
// The durability engine: a model of inodes and directory entries (changed in
// one place, engine/durability_model.*) and the rules that read it. It takes
// resolved events (see resolve/resolver.h) and emits Findings.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "engine/blind_process.h"
#include "engine/finding.h"
#include "engine/fs_classifier.h"
#include "event/event.h"
#include "event/event_source.h"

namespace duraudit {

struct EngineStats {
  uint64_t events = 0;
  uint64_t tracked_files = 0;      // inodes in the model now
  uint64_t tracked_dirs = 0;       // directories with pending entries now
  uint64_t dir_records = 0;        // directory records now (bounded by max_inodes)
  uint64_t pending_entries = 0;    // pending directory entries now (max_pending_dir_entries)
  uint64_t evictions = 0;          // state evicted by the caps, total
  uint64_t evicted_inodes = 0;     // ... of which inodes
  uint64_t evicted_dir_records = 0;
  uint64_t evicted_dir_entries = 0;
  uint64_t findings = 0;
};

struct EngineLimits {
  size_t max_inodes = 1'000'000;
  size_t max_pending_dir_entries = 1'000'000;
};

// Everything about an Engine that is not user configuration.
struct EngineOptions {
  EngineLimits limits;
  // Filesystem of a directory, for namespace events that carry no fs magic
  // (rename, unlink, mkdir...). Unset: statfs() of the deepest existing
  // ancestor, cached (make_statfs_classifier). Unit tests inject a fake.
  FsClassifier classify;
  // Called whenever dirty data becomes durable, with how long it sat dirty
  // (duraudit_dirty_to_durable_seconds). Optional.
  std::function<void(uint64_t dirty_ns)> on_durable;
  // Inode identity of a directory (see fs_classifier.h). Unset: stat(2).
  DirIdentity dir_identity;
  // Where the events come from. A source that cannot see io_uring / Linux
  // AIO operations (an strace log) makes the processes that use them
  // async-blind (engine/blind_process.h): findings about the files they
  // touched are marked incomplete. (Processes over their event budget are
  // blind on any source.)
  SourceKind source = SourceKind::Live;
};

class Engine {
 public:
  using Emit = std::function<void(Finding&&)>;
  Engine(const Config& cfg, Emit emit, EngineLimits limits = {});
  Engine(const Config& cfg, Emit emit, EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Feed one resolved event. Ordering verdicts (rename-without-fsync,
  // unlink-before-durable) are decided here and reported when due
  // (advance_time past the grace period, or finish), with their window.
  void on_event(const Event& ev);

  // Settle "later" verdicts whose grace period has passed by `now_ns`
  // (attach mode calls this periodically with the current monotonic time).
  void advance_time(uint64_t now_ns);

  // Session end (`run`: the traced tree exited; attach: shutdown). Settles
  // every pending verdict.
  void finish();

  // Events were lost at this point of the stream: verdicts that depend on
  // what happened since are marked incomplete. `what` describes every loss
  // so far (event/loss_text.h), for the verdicts' reason; empty says "N
  // events were lost".
  void note_loss(uint64_t count, std::string what = {});

  // A new configuration (attach: SIGHUP). Rules that stay enabled keep
  // their state; newly enabled ones start fresh.
  void reconfigure(const Config& cfg);

  EngineStats stats() const;

  // Blind processes (engine/blind_process.h): those whose io_uring / AIO
  // operations the source could not show (only when EngineOptions::source
  // cannot see them) and those over their event budget, in the order they
  // became so.
  const std::vector<BlindProcess>& blind_processes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace duraudit
