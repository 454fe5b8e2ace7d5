// SPDX-License-Identifier: GPL-2.0-only
#include "config/filesystem_names.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace duraudit {

namespace {
// Canonical name first for each magic. Values from <linux/magic.h> and the
// filesystems' own sources (not all are in every kernel's header).
constexpr std::array kNames = {
    // volatile: nothing survives a reboot
    FilesystemName{"tmpfs", 0x01021994, true}, FilesystemName{"devtmpfs", 0x01021994, true},
    FilesystemName{"shmem", 0x01021994, true}, FilesystemName{"ramfs", 0x858458f6, true},
    FilesystemName{"proc", 0x9fa0, true}, FilesystemName{"sysfs", 0x62656572, true},
    FilesystemName{"cgroup", 0x27e0eb, true}, FilesystemName{"cgroup2", 0x63677270, true},
    FilesystemName{"pipefs", 0x50495045, true}, FilesystemName{"sockfs", 0x534F434B, true},
    FilesystemName{"debugfs", 0x64626720, true}, FilesystemName{"tracefs", 0x74726163, true},
    FilesystemName{"securityfs", 0x73636673, true}, FilesystemName{"bpf", 0xcafe4a11, true},
    FilesystemName{"bpffs", 0xcafe4a11, true}, FilesystemName{"devpts", 0x1cd1, true},
    FilesystemName{"mqueue", 0x19800202, true}, FilesystemName{"hugetlbfs", 0x958458f6, true},
    FilesystemName{"nsfs", 0x6e736673, true}, FilesystemName{"anon_inodefs", 0x09041934, true},
    FilesystemName{"configfs", 0x62656570, true}, FilesystemName{"fusectl", 0x65735543, true},
    FilesystemName{"pstore", 0x6165676C, true}, FilesystemName{"efivarfs", 0xde5e81e4, true},
    FilesystemName{"binfmt_misc", 0x42494e4d, true}, FilesystemName{"autofs", 0x0187, true},
    FilesystemName{"selinuxfs", 0xf97cff8c, true},
    // persistent
    FilesystemName{"ext4", 0xEF53}, FilesystemName{"ext3", 0xEF53}, FilesystemName{"ext2", 0xEF53},
    FilesystemName{"xfs", 0x58465342}, FilesystemName{"btrfs", 0x9123683E},
    FilesystemName{"f2fs", 0xF2F52010}, FilesystemName{"zfs", 0x2fc12fc1},
    FilesystemName{"overlay", 0x794c7630}, FilesystemName{"overlayfs", 0x794c7630},
    FilesystemName{"nfs", 0x6969}, FilesystemName{"fuse", 0x65735546},
    FilesystemName{"vfat", 0x4d44}, FilesystemName{"msdos", 0x4d44},
    FilesystemName{"exfat", 0x2011BAB0}, FilesystemName{"ntfs", 0x5346544e},
    FilesystemName{"ntfs3", 0x5346544e}, FilesystemName{"squashfs", 0x73717368},
    FilesystemName{"iso9660", 0x9660}, FilesystemName{"erofs", 0xE0F5E1E2},
    FilesystemName{"cifs", 0xFF534D42}, FilesystemName{"smb2", 0xFE534D42},
    FilesystemName{"ceph", 0x00c36400}, FilesystemName{"9p", 0x01021997},
    FilesystemName{"nilfs2", 0x3434}, FilesystemName{"jfs", 0x3153464a},
    FilesystemName{"reiserfs", 0x52654973}, FilesystemName{"ocfs2", 0x7461636f},
    FilesystemName{"gfs2", 0x01161970}, FilesystemName{"bcachefs", 0xca451a4e},
};
}  // namespace

std::span<const FilesystemName> filesystem_names() { return kNames; }

std::vector<uint64_t> volatile_fs_magics() {
  std::vector<uint64_t> out;
  for (const auto& n : kNames)
    if (n.keeps_nothing && std::find(out.begin(), out.end(), n.magic) == out.end()) out.push_back(n.magic);
  return out;
}

std::optional<uint64_t> fs_magic_from_name(std::string_view name) {
  for (const auto& n : kNames)
    if (n.name == name) return n.magic;
  int base = 10;
  std::string_view digits = name;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  if (digits.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
  return v;
}

std::string_view fs_name_from_magic(uint64_t magic) {
  for (const auto& n : kNames)
    if (n.magic == magic) return n.name;
  return {};
}

}  // namespace duraudit
