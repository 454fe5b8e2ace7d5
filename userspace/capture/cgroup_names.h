// SPDX-License-Identifier: GPL-2.0-only
// cgroup v2 id -> path, for findings' `cgroup` (and the container and pod
// parsed from it). The id the BPF side reads (bpf_get_current_cgroup_id) is
// the cgroup directory's inode number on the cgroup2 mount, which is also
// its kernfs file handle: open_by_handle_at() opens the directory and
// /proc/self/fd names it, with no walk of the hierarchy. A cgroup removed
// since (a short-lived container) cannot be opened; then the process's
// /proc/PID/cgroup is asked, if it is still running. Cached by id, bounded.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace duraudit {

class CgroupNames {
 public:
  // `mount` is the cgroup2 mount point ("" finds it in /proc/self/mountinfo).
  explicit CgroupNames(std::string mount = {});
  ~CgroupNames();
  CgroupNames(const CgroupNames&) = delete;
  CgroupNames& operator=(const CgroupNames&) = delete;

  // The cgroup's path below the cgroup2 root ("/system.slice/x.service"),
  // or "" when it cannot be told. `pid` is the fallback's process (0: none).
  const std::string& path_of(uint64_t id, int32_t pid);

  const std::string& mount() const { return mount_; }

 private:
  std::string lookup(uint64_t id, int32_t pid) const;
  std::string mount_;
  int mount_fd_ = -1;
  std::unordered_map<uint64_t, std::string> cache_;
};

// The cgroup2 mount point in /proc/self/mountinfo ("" if none).
std::string find_cgroup2_mount();

}  // namespace duraudit
