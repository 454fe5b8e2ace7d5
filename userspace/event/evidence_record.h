// SPDX-License-Identifier: GPL-2.0-only
// A syscall kept as possible proof for a verdict that may never come.
//
// The model and the rules keep the events a later finding would quote (the
// writable open, the first write, the latest change of a directory entry),
// for every file, while only a few ever end up in a finding. Formatting each
// one eagerly into an EvidenceEvent (two strings) cost ~20% of the engine's
// time and ~700 bytes per tracked file, the same open stored three times.
// An EvidenceRecord keeps the raw fields, is immutable and shared
// (EvidenceRef): one record serves the process's pending open, its writer
// entry and the directory entry it created. It is formatted only when a
// finding quotes it, by the same code as live evidence (make_evidence).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/finding.h"
#include "event/event.h"

namespace duraudit {

struct EvidenceRecord {
  uint64_t seq = 0;
  uint64_t ts_ns = 0;
  int64_t ret = 0;
  uint64_t flags = 0;
  uint64_t arg = 0;
  uint64_t extra = 0;  // bytes (write family), arg2 (fcntl, mmap, munmap, msync: a length), child id (fork), exit code (exit)
  int32_t pid = 0;
  int32_t tid = 0;
  int32_t fd = -1;     // for an implicit close: the fd that went away
  int32_t fd2 = -1;
  Syscall syscall = Syscall::Unknown;
  CloseReason close_reason = CloseReason::Close;
  bool sync_write = false;
  bool is_thread = false;
  bool file_known = false;
  bool stores_unseen = false;  // mmap: counted as written (stores not seen)
  std::string path;       // the first path as shown (resolved when known); symlink: its target
  std::string path2;      // the second path as shown
  std::string file_path;  // the fd's file, for fd-based calls
  std::shared_ptr<const UnwoundStack> stack;  // symbolized only when formatted
};

using EvidenceRef = std::shared_ptr<const EvidenceRecord>;

EvidenceRef keep_evidence(const Event& ev);
EvidenceEvent format_evidence(const EvidenceRecord& rec);

}  // namespace duraudit
