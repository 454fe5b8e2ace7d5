// SPDX-License-Identifier: GPL-2.0-only
#include "engine/dirty_index.h"

#include "engine/durability_model.h"
#include "util/run_specific.h"

namespace duraudit {

namespace {
// The folded form of a path, or empty when folding changes nothing. Every
// run-specific part folding replaces (numbers, hex, UUIDs, random tails)
// holds a digit: a path without one is not folded at all (most are not).
std::string pattern_of(const std::string& path) {
  if (path.find_first_of("0123456789") == std::string::npos) return {};
  std::string folded = fold_run_specific(path);
  if (folded == path) folded.clear();
  return folded;
}
}  // namespace

void DirtyIndex::add_to(DirEntries& d, const InodeState& in) {
  Entry& e = d[in.serial];
  e.id = in.id;
  ++e.names_here;
}

bool DirtyIndex::remove_from(DirEntries& d, const InodeState& in) {
  auto e = d.find(in.serial);
  if (e != d.end() && --e->second.names_here == 0) d.erase(e);
  return d.empty();
}

void DirtyIndex::add(const std::string& path, const InodeState& in) {
  // Called on every dirty transition and rename: no string is built unless
  // the directory is new to the index.
  std::string_view dir = parent_view(path);
  auto d = dirs_.find(dir);
  if (d == dirs_.end()) d = dirs_.emplace(std::string(dir), DirEntries{}).first;
  add_to(d->second, in);
  if (std::string p = pattern_of(path); !p.empty()) add_to(patterns_[p], in);
}

void DirtyIndex::remove(const std::string& path, const InodeState& in) {
  if (auto d = dirs_.find(parent_view(path)); d != dirs_.end() && remove_from(d->second, in)) dirs_.erase(d);
  if (std::string p = pattern_of(path); !p.empty())
    if (auto d = patterns_.find(p); d != patterns_.end() && remove_from(d->second, in)) patterns_.erase(d);
}

}  // namespace duraudit
