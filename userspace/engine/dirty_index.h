// SPDX-License-Identifier: GPL-2.0-only
// Dirty inodes by the directories that name them: the index behind "what in
// this scope still has data that is not durable?" (unlink-before-durable
// asks it on every unlink and replacing rename).
//
// A flat ordered set of dirty names made that question cost every dirty file
// in scope, per unlink: a workload that leaves thousands of files unsynced
// under one tree slowed the engine to a few thousand events per second. Here
// it costs the directories in scope, and "the newest dirty file in scope" is
// one lookup per directory, because each directory keeps its dirty inodes
// ordered by InodeState::serial (serials only grow, so newest = highest).
//
// The model keeps it in step: an inode is indexed under each of its names
// exactly while it is dirty and not ignored.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "engine/path_util.h"
#include "event/event.h"

namespace duraudit {

struct InodeState;

class DirtyIndex {
 public:
  struct Entry {
    FileId id;
    uint32_t names_here = 0;  // names of this inode in this directory
  };
  // One directory's dirty inodes, by serial (oldest first).
  using DirEntries = std::map<uint64_t, Entry>;

  void add(const std::string& path, const InodeState& in);
  void remove(const std::string& path, const InodeState& in);

  // fn(dir, entries) for every directory at or below `root` holding a dirty
  // inode's name.
  template <typename Fn>
  void for_each_dir_under(const std::string& root, Fn&& fn) const {
    if (root != "/")
      if (auto it = dirs_.find(root); it != dirs_.end()) fn(it->first, it->second);
    const std::string hi = subtree_end(root);
    for (auto it = dirs_.lower_bound(subtree_begin(root)); it != dirs_.end() && it->first < hi; ++it)
      fn(it->first, it->second);
  }

  // Dirty inodes named by a path that folds (fold_run_specific) to
  // `folded`, by serial; nullptr if none. Only names with run-specific
  // parts are indexed: a name without them has no other generation.
  const DirEntries* with_pattern(const std::string& folded) const {
    auto it = patterns_.find(folded);
    return it == patterns_.end() ? nullptr : &it->second;
  }

  size_t dir_count() const { return dirs_.size(); }

 private:
  static void add_to(DirEntries& d, const InodeState& in);
  static bool remove_from(DirEntries& d, const InodeState& in);  // true when d is now empty

  std::map<std::string, DirEntries, std::less<>> dirs_;  // transparent: looked up by string_view
  std::unordered_map<std::string, DirEntries> patterns_;
};

}  // namespace duraudit
