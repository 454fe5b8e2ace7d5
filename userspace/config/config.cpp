#include "config/config.h"

#include <linux/magic.h>

#include "engine/rule_catalogue.h"
#include "util/glob.h"

namespace duraudit {

namespace {
// Filesystems that keep nothing across a reboot, by superblock magic. Some
// magics are missing from older <linux/magic.h>; spelled out here.
constexpr uint64_t kVolatileFsMagic[] = {
    TMPFS_MAGIC,        // tmpfs, devtmpfs, shmem
    RAMFS_MAGIC,        //
    PROC_SUPER_MAGIC,   //
    SYSFS_MAGIC,        //
    CGROUP_SUPER_MAGIC, //
    CGROUP2_SUPER_MAGIC,//
    PIPEFS_MAGIC,       //
    SOCKFS_MAGIC,       //
    DEBUGFS_MAGIC,      //
    TRACEFS_MAGIC,      //
    SECURITYFS_MAGIC,   //
    BPF_FS_MAGIC,       //
    DEVPTS_SUPER_MAGIC, //
    0x19800202,         // mqueue
    HUGETLBFS_MAGIC,    //
    NSFS_MAGIC,         //
    ANON_INODE_FS_MAGIC,//
    0x62656570,         // configfs
    0x65735543,         // fusectl
    0x6165676C,         // pstore
    0xde5e81e4,         // efivarfs
    0x42494e4d,         // binfmt_misc
    0x0187,             // autofs
    0xf97cff8c,         // selinuxfs
};
}  // namespace

Config Config::defaults() {
  Config c;
  c.ignored_fs_magic.insert(std::begin(kVolatileFsMagic), std::end(kVolatileFsMagic));
  return c;
}

bool Config::rule_enabled(std::string_view id) const {
  auto it = rules.find(id);
  return it == rules.end() || it->second.enabled;
}

Severity Config::severity_of(std::string_view id) const {
  auto it = rules.find(id);
  if (it != rules.end() && it->second.severity) return *it->second.severity;
  const RuleInfo* r = find_rule(id);
  return r ? r->default_severity : Severity::Warning;
}

bool Config::path_included(std::string_view abs_path) const {
  for (const auto& g : exclude_paths)
    if (glob_match(g, abs_path)) return false;
  if (include_paths.empty()) return true;
  for (const auto& g : include_paths)
    if (glob_match(g, abs_path)) return true;
  return false;
}

}  // namespace duraudit
