// SPDX-License-Identifier: GPL-2.0-only
#include "resolve/mapping_table.h"

#include <algorithm>

namespace duraudit {

void MappingTable::insert(uint64_t start, uint64_t end, OpenFileRef file) {
  if (start >= end || !file) return;
  ++refs_[file->id];
  by_start_[start] = Mapping{start, end, std::move(file)};
}

void MappingTable::cut(uint64_t start, uint64_t end, std::vector<OpenFileRef>& gone) {
  if (start >= end) return;
  // The first range that can overlap: the one starting at or before `start`.
  auto it = by_start_.upper_bound(start);
  if (it != by_start_.begin()) --it;
  while (it != by_start_.end() && it->second.start < end) {
    Mapping m = it->second;
    if (m.end <= start) {
      ++it;
      continue;
    }
    it = by_start_.erase(it);
    // What survives on either side keeps the file.
    if (m.start < start) {
      by_start_[m.start] = Mapping{m.start, start, m.file};
      ++refs_[m.file->id];
    }
    if (m.end > end) {
      it = by_start_.emplace(end, Mapping{end, m.end, m.file}).first;
      ++refs_[m.file->id];
      ++it;
    }
    auto r = refs_.find(m.file->id);
    if (r != refs_.end() && --r->second == 0) {
      refs_.erase(r);
      gone.push_back(m.file);
    }
  }
}

void MappingTable::map(uint64_t start, uint64_t len, OpenFileRef file, std::vector<OpenFileRef>& gone) {
  if (!file || len == 0) return;
  uint64_t end = start + round_up(len);
  cut(start, end, gone);
  insert(start, end, std::move(file));
  // A file replaced by itself (the same file mapped again over its own
  // range) did not go away.
  std::erase_if(gone, [&](const OpenFileRef& f) { return refers_to(f->id); });
}

void MappingTable::unmap(uint64_t start, uint64_t len, std::vector<OpenFileRef>& gone) {
  cut(start, start + round_up(len), gone);
}

void MappingTable::remap(uint64_t old_start, uint64_t old_len, uint64_t new_start, uint64_t new_len, bool keep_old,
                         std::vector<OpenFileRef>& gone) {
  const Mapping* m = at(old_start);
  if (!m || new_len == 0) return;
  OpenFileRef file = m->file;
  std::vector<OpenFileRef> maybe;
  if (!keep_old) cut(old_start, old_start + round_up(old_len), maybe);
  uint64_t new_end = new_start + round_up(new_len);
  cut(new_start, new_end, maybe);
  insert(new_start, new_end, file);
  for (auto& f : maybe)
    if (!refers_to(f->id)) gone.push_back(std::move(f));
}

void MappingTable::clear(std::vector<OpenFileRef>& gone) {
  std::vector<FileId> seen;
  for (auto& [_, m] : by_start_) {
    if (std::find(seen.begin(), seen.end(), m.file->id) != seen.end()) continue;
    seen.push_back(m.file->id);
    gone.push_back(m.file);
  }
  by_start_.clear();
  refs_.clear();
}

const Mapping* MappingTable::at(uint64_t addr) const {
  auto it = by_start_.upper_bound(addr);
  if (it == by_start_.begin()) return nullptr;
  --it;
  return addr < it->second.end ? &it->second : nullptr;
}

const OpenFileRef* MappingTable::find_file(const FileId& id) const {
  if (!refers_to(id)) return nullptr;
  for (const auto& [_, m] : by_start_)
    if (m.file->id == id) return &m.file;
  return nullptr;
}

}  // namespace duraudit
