// SPDX-License-Identifier: GPL-2.0-only
#include "session/state_caps.h"

#include "session/audit_pipeline.h"

namespace duraudit {

const std::array<StateCapInfo, kStateKinds>& state_caps() {
  static const std::array<StateCapInfo, kStateKinds> caps = {{
      {StateKind::Processes, "processes", "--max-processes", "processes whose fds and cwd are tracked"},
      {StateKind::Files, "files", "--max-files", "files (inodes) whose durability is tracked"},
      // Directory records share the inode cap (engine/durability_model.h):
      // a record is evicted only when it holds no pending entry.
      {StateKind::Directories, "directories", "--max-files", "directories the model keeps a record of"},
      {StateKind::DirEntries, "dir_entries", "--max-dir-entries",
       "directory entries created, renamed or removed and not yet made durable"},
  }};
  return caps;
}

std::array<StateUsage, kStateKinds> state_usage(const AuditPipeline& pipeline, const StateCapacities& c) {
  const EngineStats e = pipeline.engine().stats();
  const ResolverStats r = pipeline.resolver().stats();
  std::array<StateUsage, kStateKinds> out{};
  for (std::size_t i = 0; i < kStateKinds; ++i) {
    const StateCapInfo& cap = state_caps()[i];
    StateUsage u{&cap, 0, 0, 0};
    switch (cap.kind) {
      case StateKind::Processes: u = {&cap, r.processes, c.max_processes, r.evictions}; break;
      case StateKind::Files: u = {&cap, e.tracked_files, c.max_files, e.evicted_inodes}; break;
      case StateKind::Directories: u = {&cap, e.dir_records, c.max_files, e.evicted_dir_records}; break;
      case StateKind::DirEntries: u = {&cap, e.pending_entries, c.max_dir_entries, e.evicted_dir_entries}; break;
    }
    out[i] = u;
  }
  return out;
}

}  // namespace duraudit
