// Filesystem names <-> superblock magics, for rules files
// (`filesystems: { ignore: [tmpfs], track: [tmpfs] }`) and for showing the
// filesystem of an event. Several names can share one magic (devtmpfs and
// shmem are tmpfs; ext2/ext3/ext4 are one magic).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace duraudit {

struct FilesystemName {
  std::string_view name;
  uint64_t magic;
};

std::span<const FilesystemName> filesystem_names();

// "tmpfs" -> 0x01021994; also accepts a number ("0x01021994", "16914836").
std::optional<uint64_t> fs_magic_from_name(std::string_view name);

// The canonical (first listed) name of a magic, or "" if unknown.
std::string_view fs_name_from_magic(uint64_t magic);

}  // namespace duraudit
