// SPDX-License-Identifier: GPL-2.0-only
#include "capture/cgroup_names.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "resolve/path_views.h"
#include "resolve/proc_links.h"
#include "resolve/proc_seed.h"

namespace duraudit {

namespace {

constexpr size_t kCacheCap = 4096;
// <linux/exportfs.h>: kernfs (cgroupfs) file handles are the node's 64-bit id.
constexpr int kFileidKernfs = 0xfe;

}  // namespace

std::string find_cgroup2_mount() {
  std::ifstream in("/proc/self/mountinfo");
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  for (const MountEntry& m : parse_mountinfo(text))
    if (m.fstype == "cgroup2" && m.root == "/") return m.mount_point;
  return {};
}

CgroupNames::CgroupNames(std::string mount) : mount_(mount.empty() ? find_cgroup2_mount() : std::move(mount)) {
  if (!mount_.empty()) mount_fd_ = ::open(mount_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

CgroupNames::~CgroupNames() {
  if (mount_fd_ >= 0) ::close(mount_fd_);
}

const std::string& CgroupNames::path_of(uint64_t id, int32_t pid) {
  if (auto it = cache_.find(id); it != cache_.end()) return it->second;
  std::string path = lookup(id, pid);
  if (cache_.size() >= kCacheCap) cache_.clear();
  // A failed lookup is not cached: the fallback may work for the next process.
  if (path.empty()) {
    static const std::string kNone;
    return kNone;
  }
  return cache_.emplace(id, std::move(path)).first->second;
}

std::string CgroupNames::lookup(uint64_t id, int32_t pid) const {
  if (mount_fd_ >= 0 && id != 0) {
    alignas(file_handle) unsigned char buf[sizeof(file_handle) + sizeof(uint64_t)];
    auto* fh = reinterpret_cast<file_handle*>(buf);
    fh->handle_bytes = sizeof(uint64_t);
    fh->handle_type = kFileidKernfs;
    std::memcpy(fh->f_handle, &id, sizeof id);
    int fd = ::open_by_handle_at(mount_fd_, fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      std::string full;
      read_link("/proc/self/fd/" + std::to_string(fd), full);
      ::close(fd);
      if (full == mount_) return "/";
      if (full.size() > mount_.size() && full.compare(0, mount_.size(), mount_) == 0 && full[mount_.size()] == '/')
        return full.substr(mount_.size());
    }
  }
  return pid > 0 ? proc_cgroup_path(pid) : std::string();
}

}  // namespace duraudit
