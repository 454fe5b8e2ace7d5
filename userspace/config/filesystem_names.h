// SPDX-License-Identifier: GPL-2.0-only
// Filesystem names <-> superblock magics, for rules files
// (`filesystems: { ignore: [tmpfs], track: [tmpfs] }`) and for showing the
// filesystem of an event. Several names can share one magic (devtmpfs and
// shmem are tmpfs; ext2/ext3/ext4 are one magic).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace duraudit {

struct FilesystemName {
  std::string_view name;
  uint64_t magic;
  bool keeps_nothing = false;  // volatile: nothing on it survives a reboot
};

std::span<const FilesystemName> filesystem_names();

// The magics of the filesystems that keep nothing across a reboot: what
// Config::defaults() ignores.
std::vector<uint64_t> volatile_fs_magics();

// "tmpfs" -> 0x01021994; also accepts a number ("0x01021994", "16914836").
std::optional<uint64_t> fs_magic_from_name(std::string_view name);

// The canonical (first listed) name of a magic, or "" if unknown.
std::string_view fs_name_from_magic(uint64_t magic);

}  // namespace duraudit
