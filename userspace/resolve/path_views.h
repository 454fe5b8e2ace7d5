// SPDX-License-Identifier: GPL-2.0-only
// The views (mount namespace, root directory) the Resolver has met, numbered
// for qualified paths (resolve/path_view.h), and where a path of a view is
// for the host, for findings' host_path.
//
// A view is met at an exec (the kernel says which view the new image has)
// or when a running process is seeded from /proc. For a live process two
// handles are taken then, because the process may be gone when a finding
// about its files is settled:
//   * O_PATH /proc/PID/root. Same mount namespace as the agent (a chroot):
//     the host path is readlink(/proc/self/fd/ROOT) + the path as seen.
//   * /proc/PID/mountinfo, which keeps the namespace's mount table readable
//     after the process exits. Another mount namespace: the longest mount
//     point that holds the path gives its filesystem (major:minor) and the
//     directory of that filesystem mounted there; a mount of the same
//     filesystem in the host's table (PID 1's: the node's even when the
//     agent runs in a container with hostPID) whose root holds that
//     directory gives the host path. Both tables are read when a finding asks (at most once
//     a second each: a container making directories by the thousand asks
//     for every one), so a bind mount made after exec is seen. A file on a
//     filesystem the host has not
//     mounted (a tmpfs of the container's own) has no host path.
// Replay has no handles: its findings carry no host_path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "event/process_identity.h"
#include "resolve/path_view.h"

namespace duraudit {

// One line of a mountinfo table (proc(5)), octal escapes decoded.
struct MountEntry {
  uint64_t dev = 0;         // kernel encoding (MAJOR << 20 | MINOR)
  std::string root;         // the directory of the filesystem mounted here
  std::string mount_point;  // as the table's reader (its process) sees it
  std::string fstype;       // after the " - " separator ("ext4", "cgroup2")
};

class PathViews {
 public:
  // How long a mount table read is used before it is read again.
  static constexpr uint64_t kMountTableTtlNs = 1'000'000'000;

  // `agent`: the view of the agent (a recording: of the recorder); unknown
  // means every process is taken to share it (no views are told apart).
  // `proc_root` "/proc" except in tests; `live`: take handles in /proc.
  PathViews(std::optional<PathViewKey> agent, bool live, std::string proc_root = "/proc");
  ~PathViews();
  PathViews(const PathViews&) = delete;
  PathViews& operator=(const PathViews&) = delete;

  // The view of a process whose identity says `key`; `pid` is the live
  // process to take the handles from (0: none).
  ViewId view_for(const PathViewKey& key, int32_t pid);

  // Where the path `seen` of view `view` is for the host, if that can be
  // told (view 0: the path itself).
  std::optional<std::string> host_path(ViewId view, std::string_view seen) const;
  // `seen` opened O_PATH as the view's processes see it (through the view's
  // root handle, symlinks and `..` kept inside it: openat2 RESOLVE_IN_ROOT),
  // for the engine's stat and statfs of a view's directories; -1 when it
  // cannot be (no handle, gone). The caller closes it.
  int open_in_view(ViewId view, std::string_view seen) const;
  // A /proc readlink (cwd, fd) of a process of `view`, as the process sees it:
  // the kernel writes those relative to the reader's root, so a chroot's
  // paths come with the chroot's host directory in front.
  std::string seen_from_proc_link(ViewId view, std::string_view link) const;

  // Views met (the agent's not counted).
  size_t size() const { return views_.size(); }
  // Handles are taken for at most this many views; older views keep their
  // number but lose their host paths.
  static constexpr size_t kMaxViewHandles = 256;

 private:
  struct MountTable {
    std::vector<MountEntry> mounts;
    uint64_t read_ns = 0;  // CLOCK_MONOTONIC of the last read; 0 never
    bool ok = false;
  };
  struct View {
    PathViewKey key;
    bool same_mnt_ns = false;
    int root_fd = -1;       // O_PATH /proc/PID/root
    int mountinfo_fd = -1;  // /proc/PID/mountinfo
    mutable MountTable mounts;
  };
  // `table` as of at most kMountTableTtlNs ago, read from `fd` (or `path`).
  static const MountTable& fresh(MountTable& table, int fd, const std::string& path);
  std::string chroot_dir(const View& v) const;
  // Takes `v`'s handles from live process `pid`; false if that shows the
  // view is the agent's after all.
  bool take_handles(View& v, int32_t pid);
  void close_handles(View& v);

  std::optional<PathViewKey> agent_;
  bool live_;
  std::string proc_root_;
  std::vector<View> views_;  // views_[id - 1]
  struct KeyHash {
    size_t operator()(const PathViewKey& k) const noexcept {
      return std::hash<uint64_t>{}(k.mnt_ns * 0x9E3779B97F4A7C15ull ^ k.root_ino * 31 ^ k.root_dev);
    }
  };
  std::unordered_map<PathViewKey, ViewId, KeyHash> ids_;  // every key in views_
  std::vector<PathViewKey> agent_aliases_;  // keys found to be the agent's view after all
  mutable MountTable host_mounts_;          // PID 1's table (the host's)
  mutable MountTable own_mounts_;           // the agent's, when PID 1's cannot be read
  size_t handles_ = 0;
};

std::vector<MountEntry> parse_mountinfo(std::string_view text);
// `seen` (in a view whose table is `view_mounts`) for the host whose table
// is `host_mounts`; nullopt when no host mount shows that file.
std::optional<std::string> translate_mount_path(const std::vector<MountEntry>& view_mounts,
                                                const std::vector<MountEntry>& host_mounts, std::string_view seen);

// The agent's own view: /proc/self/ns/mnt and the root directory.
std::optional<PathViewKey> own_path_view();

}  // namespace duraudit
