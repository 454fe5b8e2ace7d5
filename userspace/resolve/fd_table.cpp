// SPDX-License-Identifier: GPL-2.0-only
#include "resolve/fd_table.h"

#include <algorithm>

namespace duraudit {

namespace {
// Descriptions without an inode identity are counted by address instead.
constexpr DevT kByAddressDev = ~DevT{0} - 1;
}  // namespace

FdTable::FdTable(const FdTable& other)
    : dense_(other.dense_), sparse_(other.sparse_), refs_(other.refs_), count_(other.count_),
      open_fds_(other.open_fds_) {
  *open_fds_ += count_;
}

FdTable::~FdTable() { *open_fds_ -= count_; }

FileId FdTable::ref_key(const OpenFile& f) {
  if (f.id.valid()) return f.id;
  return FileId{kByAddressDev, reinterpret_cast<uintptr_t>(&f)};
}

void FdTable::add_ref(const OpenFile& f) { ++refs_[ref_key(f)]; }

bool FdTable::drop_ref(const OpenFile& f) {
  auto it = refs_.find(ref_key(f));
  if (it == refs_.end()) return true;
  if (--it->second > 0) return false;
  refs_.erase(it);
  return true;
}

FdEntry* FdTable::find(int32_t fd) {
  if (fd >= 0 && fd < kDenseFds) {
    if (static_cast<size_t>(fd) < dense_.size() && dense_[fd]) return &dense_[fd];
    return nullptr;
  }
  if (fd < 0 || sparse_.empty()) return nullptr;
  auto it = sparse_.find(fd);
  return it == sparse_.end() ? nullptr : &it->second;
}

FdEntry* FdTable::find_by_id(const FileId& id) {
  if (!id.valid() || !refers_to(id)) return nullptr;
  for (auto& e : dense_)
    if (e && e.file->id == id) return &e;
  FdEntry* best = nullptr;
  int32_t best_fd = 0;
  for (auto& [fd, e] : sparse_)
    if (e && e.file->id == id && (!best || fd < best_fd)) {
      best = &e;
      best_fd = fd;
    }
  return best;
}

void FdTable::install(int32_t fd, OpenFileRef file, bool cloexec) {
  if (fd < 0 || !file) return;
  bool ignored;
  remove(fd, &ignored);
  add_ref(*file);
  FdEntry e{std::move(file), cloexec};
  if (fd < kDenseFds) {
    if (static_cast<size_t>(fd) >= dense_.size()) dense_.resize(std::max<size_t>(fd + 1, 16));
    dense_[fd] = std::move(e);
  } else {
    sparse_[fd] = std::move(e);
  }
  ++count_;
  ++*open_fds_;
}

FdEntry FdTable::remove(int32_t fd, bool* last) {
  FdEntry out;
  if (fd >= 0 && fd < kDenseFds) {
    if (static_cast<size_t>(fd) < dense_.size()) out = std::move(dense_[fd]);
  } else if (fd >= 0) {
    if (auto it = sparse_.find(fd); it != sparse_.end()) {
      out = std::move(it->second);
      sparse_.erase(it);
    }
  }
  if (!out) {
    *last = false;
    return out;
  }
  *last = drop_ref(*out.file);
  --count_;
  --*open_fds_;
  return out;
}

void FdTable::fds_in_range(uint32_t first, uint32_t last, std::vector<int32_t>& out) const {
  out.clear();
  if (first > last) return;
  const uint32_t dense_end = std::min<uint64_t>(dense_.size(), uint64_t{last} + 1);
  for (uint32_t fd = first; fd < dense_end; ++fd)
    if (dense_[fd]) out.push_back(static_cast<int32_t>(fd));
  const size_t before = out.size();
  for (const auto& [fd, e] : sparse_)
    if (static_cast<uint32_t>(fd) >= first && static_cast<uint32_t>(fd) <= last) out.push_back(fd);
  std::sort(out.begin() + before, out.end());
}

}  // namespace duraudit

