// SPDX-License-Identifier: GPL-2.0-only
// Keeps the paths the Resolver hands out (open fds, cwds) current when the
// namespace changes under them. The kernel follows inodes, so an fd opened as
// /d/tmp still refers to its file after `rename /d /e`; evidence should then
// say /e/tmp. Every live path is indexed by its string; a rename moves the
// entries at and under the old name (O(log n + moved)), an unlink or rmdir
// detaches the entries at that name (the fd keeps its last name, frozen, so a
// new file created at the same name later is not confused with it).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace duraudit {

class PathRegistry;

// A path owned by an open file or a cwd, kept current by a PathRegistry.
class TrackedPath {
 public:
  explicit TrackedPath(PathRegistry* reg) : reg_(reg) {}
  ~TrackedPath();
  TrackedPath(const TrackedPath&) = delete;
  TrackedPath& operator=(const TrackedPath&) = delete;

  const std::string& str() const { return path_; }
  bool tracked() const { return linked_; }

 private:
  friend class PathRegistry;
  using Index = std::multimap<std::string, TrackedPath*, std::less<>>;
  PathRegistry* reg_;
  std::string path_;
  Index::iterator it_{};
  bool linked_ = false;
};

class PathRegistry {
 public:
  PathRegistry() = default;
  PathRegistry(const PathRegistry&) = delete;
  PathRegistry& operator=(const PathRegistry&) = delete;

  // Sets the path and follows it from now on (only absolute paths are
  // followed: "socket:[12]" or "" are stored but not indexed).
  void assign(TrackedPath& tp, std::string_view path);
  // Stops following; the path keeps its last value.
  void detach(TrackedPath& tp);

  // `from` (and everything below it) is now called `to`. Entries already at
  // or below `to` are detached first: they named the file that was replaced.
  void rename(std::string_view from, std::string_view to);
  // renameat2(RENAME_EXCHANGE): the two names swap.
  void exchange(std::string_view a, std::string_view b);
  // The name `path` is gone (unlink); with `subtree`, everything below too (rmdir).
  void forget(std::string_view path, bool subtree);

  size_t size() const { return index_.size(); }

 private:
  void detach_nodes(std::string_view path, bool subtree);
  TrackedPath::Index index_;
};

}  // namespace duraudit
