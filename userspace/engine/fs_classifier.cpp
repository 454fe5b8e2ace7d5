// SPDX-License-Identifier: GPL-2.0-only
#include "engine/fs_classifier.h"

#include <sys/stat.h>
#include <sys/vfs.h>

#include <memory>
#include <unordered_map>

#include "engine/path_util.h"

namespace duraudit {

namespace {
constexpr size_t kCacheCap = 4096;

uint64_t statfs_magic(const std::string& path) {
  struct statfs st {};
  if (statfs(path.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.f_type) & 0xffffffffull;
}
}  // namespace

FsClassifier make_statfs_classifier() {
  auto cache = std::make_shared<std::unordered_map<std::string, uint64_t>>();
  return [cache](const std::string& dir) -> uint64_t {
    if (auto it = cache->find(dir); it != cache->end()) return it->second;
    std::string p = dir.empty() ? std::string("/") : dir;
    uint64_t magic = 0;
    for (;;) {
      magic = statfs_magic(p);
      if (magic != 0 || p == "/") break;
      p = parent_path(p);
    }
    // A plain clear keeps the cache bounded; misses only cost a statfs.
    if (cache->size() >= kCacheCap) cache->clear();
    (*cache)[dir] = magic;
    return magic;
  };
}

DirIdentity make_stat_dir_identity() {
  return [](const std::string& dir) -> FileId {
    struct stat st {};
    if (dir.empty() || stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return FileId{};
    return FileId{kernel_dev_from_user(st.st_dev), st.st_ino};
  };
}

}  // namespace duraudit
