// SPDX-License-Identifier: GPL-2.0-only
#include "resolve/path_registry.h"

#include <vector>

#include "resolve/path_normalize.h"
#include "resolve/path_tree.h"

namespace duraudit {

TrackedPath::~TrackedPath() {
  if (linked_ && reg_) reg_->detach(*this);
}

void PathRegistry::assign(TrackedPath& tp, std::string_view path) {
  if (tp.linked_) {
    if (tp.path_ == path) return;
    detach(tp);
  }
  tp.path_.assign(path);
  if (!is_absolute_path(path)) return;
  tp.it_ = index_.emplace(tp.path_, &tp);
  tp.linked_ = true;
}

void PathRegistry::detach(TrackedPath& tp) {
  if (!tp.linked_) return;
  index_.erase(tp.it_);
  tp.linked_ = false;
}

void PathRegistry::detach_nodes(std::string_view path, bool subtree) {
  if (subtree) {
    for (auto& nh : extract_subtree(index_, path)) nh.mapped()->linked_ = false;
    return;
  }
  auto [lo, hi] = index_.equal_range(path);
  for (auto it = lo; it != hi; ++it) it->second->linked_ = false;
  index_.erase(lo, hi);
}

void PathRegistry::rename(std::string_view from, std::string_view to) {
  if (index_.empty() || from == to) return;
  auto moving = extract_subtree(index_, from);
  if (moving.empty()) {
    detach_nodes(to, true);
    return;
  }
  detach_nodes(to, true);
  insert_rebased(index_, moving, from, to, [](TrackedPath::Index::iterator it) {
    it->second->path_ = it->first;
    it->second->it_ = it;
  });
}

void PathRegistry::exchange(std::string_view a, std::string_view b) {
  if (index_.empty() || a == b) return;
  auto from_a = extract_subtree(index_, a);
  auto from_b = extract_subtree(index_, b);
  auto refresh = [](TrackedPath::Index::iterator it) {
    it->second->path_ = it->first;
    it->second->it_ = it;
  };
  insert_rebased(index_, from_a, a, b, refresh);
  insert_rebased(index_, from_b, b, a, refresh);
}

void PathRegistry::forget(std::string_view path, bool subtree) {
  if (!index_.empty()) detach_nodes(path, subtree);
}

}  // namespace duraudit
