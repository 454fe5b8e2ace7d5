// SPDX-License-Identifier: GPL-2.0-only
// Who a process runs as and what it sees: its mount namespace and root
// directory (which decide what its paths name), uid, cgroup and, parsed from
// the cgroup, its container and pod. Live capture learns it at every exec
// (bpf/events.h, "Process identity") and from /proc for processes already
// running; recordings keep it. Findings report it (docs/output.md), and the
// Resolver keys paths by the view (namespace, root) so two containers'
// /data/f are two files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace duraudit {

// What a path names depends on these two: the mount namespace and the root
// directory. Two processes with the same view share one path space.
struct PathViewKey {
  uint64_t mnt_ns = 0;    // inode number of the mount namespace (/proc/PID/ns/mnt); 0 unknown
  uint64_t root_dev = 0;  // the root directory: kernel-encoded s_dev
  uint64_t root_ino = 0;  //   and inode number
  bool known() const { return mnt_ns != 0 || root_ino != 0; }
  bool operator==(const PathViewKey&) const = default;
};

struct ProcessIdentity {
  PathViewKey view;
  std::optional<uint32_t> uid;  // real uid
  uint64_t cgroup_id = 0;       // cgroup v2 id (the directory's inode); 0 unknown
  std::string cgroup;           // cgroup v2 path ("/kubepods.slice/..."); "" unknown
  std::string container_id;     // parsed from `cgroup` (util/container_origin.h); "" none
  std::string pod_uid;
  std::string exe;              // the executable, as the process named it at exec; "" unknown
};

}  // namespace duraudit
