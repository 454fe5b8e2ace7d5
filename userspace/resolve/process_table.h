// SPDX-License-Identifier: GPL-2.0-only
// Tracked processes: tgid -> fd table, cwd, known threads. Bounded by a cap
// with least-recently-active eviction (an `attach --all` on a busy host sees
// processes come and go without ever seeing their exit).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "resolve/fd_table.h"
#include "resolve/mapping_table.h"
#include "resolve/path_registry.h"
#include "resolve/path_view.h"

namespace duraudit {
struct ProcessIdentity;
}

namespace duraudit {

struct Process {
  int32_t pid = 0;
  std::shared_ptr<FdTable> fds;     // shared with CLONE_FILES relatives
  std::shared_ptr<TrackedPath> cwd; // shared with CLONE_FS relatives (threads share the Process)
  MappingTable maps;                // shared writable file mappings (threads share the Process)
  std::unordered_set<int32_t> tids; // threads seen, leader included
  // What its paths name (resolve/path_view.h) and who it runs as: set at
  // exec and from /proc, inherited at fork.
  ViewId view = kAgentView;
  std::shared_ptr<const ProcessIdentity> identity;

  void add_tid(int32_t tid);
  void remove_tid(int32_t tid);

 private:
  friend class ProcessTable;
  std::list<Process*>::iterator lru_it_;
};

class ProcessTable {
 public:
  explicit ProcessTable(size_t max_processes) : max_(max_processes ? max_processes : 1) {}

  Process* find(int32_t pid);
  // Marks `p` most recently active.
  void touch(Process* p);
  // A fresh process (no fd table, no cwd: the caller sets them), replacing
  // any process with that pid. May evict the least recently active process,
  // never `keep`.
  Process& create(int32_t pid, const Process* keep = nullptr);
  void erase(int32_t pid);

  size_t size() const { return by_pid_.size(); }
  uint64_t evictions() const { return evictions_; }

 private:
  std::unordered_map<int32_t, std::unique_ptr<Process>> by_pid_;
  std::list<Process*> lru_;  // front: most recently active
  size_t max_;
  uint64_t evictions_ = 0;
};

}  // namespace duraudit
