// SPDX-License-Identifier: GPL-2.0-only
#include "resolve/process_table.h"

#include <algorithm>

namespace duraudit {

void Process::add_tid(int32_t tid) { tids.insert(tid); }

void Process::remove_tid(int32_t tid) { tids.erase(tid); }

Process* ProcessTable::find(int32_t pid) {
  auto it = by_pid_.find(pid);
  return it == by_pid_.end() ? nullptr : it->second.get();
}

void ProcessTable::touch(Process* p) {
  if (lru_.begin() != p->lru_it_) lru_.splice(lru_.begin(), lru_, p->lru_it_);
}

Process& ProcessTable::create(int32_t pid, const Process* keep) {
  erase(pid);
  while (by_pid_.size() >= max_) {
    auto victim = lru_.end();
    for (auto it = lru_.rbegin(); it != lru_.rend(); ++it) {
      if (*it != keep) {
        victim = std::prev(it.base());
        break;
      }
    }
    if (victim == lru_.end()) break;
    erase((*victim)->pid);
    ++evictions_;
  }
  auto p = std::make_unique<Process>();
  p->pid = pid;
  lru_.push_front(p.get());
  p->lru_it_ = lru_.begin();
  Process& ref = *p;
  by_pid_.emplace(pid, std::move(p));
  return ref;
}

void ProcessTable::erase(int32_t pid) {
  auto it = by_pid_.find(pid);
  if (it == by_pid_.end()) return;
  lru_.erase(it->second->lru_it_);
  by_pid_.erase(it);
}

}  // namespace duraudit
