// SPDX-License-Identifier: GPL-2.0-only
// A process's fd table: fd -> (open file description, CLOEXEC). Shared by
// the threads of a process and by CLONE_FILES children; copied by fork.
//
// Lookups are on the hot path (every write, fsync and close), so small fds
// (the overwhelmingly common case) live in a flat vector indexed by fd and
// only large ones in a hash map. The table also counts, per inode, how many
// of its fds refer to it, so a close can say whether it was the last one
// (Event::last_close) without scanning.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "resolve/open_file.h"

namespace duraudit {

struct FdEntry {
  OpenFileRef file;
  bool cloexec = false;
  explicit operator bool() const { return file != nullptr; }
};

class FdTable {
 public:
  // `open_fds` is the Resolver-wide count of tracked fds (stats).
  explicit FdTable(uint64_t* open_fds) : open_fds_(open_fds) {}
  FdTable(const FdTable& other);  // fork: same descriptions, same CLOEXEC bits
  FdTable& operator=(const FdTable&) = delete;
  ~FdTable();

  FdEntry* find(int32_t fd);
  // Installs `file` at `fd`; an entry already there is dropped silently (its
  // close was not seen).
  void install(int32_t fd, OpenFileRef file, bool cloexec);
  // Removes `fd`; returns its entry (empty if there was none) and sets
  // `last` when no other fd of this table refers to the same inode.
  FdEntry remove(int32_t fd, bool* last);
  // Does any fd of this table refer to `id`?
  bool refers_to(const FileId& id) const { return refs_.count(id) != 0; }
  // The lowest fd referring to `id`, or nullptr. A scan, for the rare events
  // that name a file only by identity (io_uring completions, AIO, stores
  // into mappings); refs_ makes the common miss O(1).
  FdEntry* find_by_id(const FileId& id);

  // Open fds in [first, last], ascending, appended to `out` (cleared first).
  void fds_in_range(uint32_t first, uint32_t last, std::vector<int32_t>& out) const;
  size_t size() const { return count_; }

 private:
  static constexpr int32_t kDenseFds = 1024;
  static FileId ref_key(const OpenFile& f);
  void add_ref(const OpenFile& f);
  bool drop_ref(const OpenFile& f);

  std::vector<FdEntry> dense_;                     // fd < kDenseFds
  std::unordered_map<int32_t, FdEntry> sparse_;    // fd >= kDenseFds
  std::unordered_map<FileId, uint32_t, FileIdHash> refs_;
  size_t count_ = 0;
  uint64_t* open_fds_;
};

}  // namespace duraudit
