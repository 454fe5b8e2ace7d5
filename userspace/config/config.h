// SPDX-License-Identifier: GPL-2.0-only
// Effective configuration: built-in defaults, then each --rules FILE merged in
// order, then command-line overrides (--grace). The engine and the capture
// layer only read it. Loading and validation live in config/rules_file.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/severity.h"

namespace duraudit {

struct RuleSettings {
  bool enabled = true;
  std::optional<Severity> severity;  // unset: the catalogue default
};

struct Suppression {
  std::string rule;       // rule id, or "*"
  std::string path_glob;  // fnmatch-style glob on the finding's path ("**" crosses '/'); empty = any
  std::string comm;       // exact comm, or empty = any
  std::string reason;     // required: why this is accepted
  std::string origin;     // "file:line" it came from, for messages
};

// Where unlink-before-durable and state-deleted look for replacements of a
// deleted file.
enum class ReplacementScope {
  Directory,  // the deleted file's own directory
  Siblings,   // its directory and sibling directories (subtree of the grandparent) -- default
  Filesystem, // anything written on the same filesystem
};

struct Config {
  std::map<std::string, RuleSettings, std::less<>> rules;  // by rule id; absent = defaults
  std::vector<std::string> include_paths;  // globs; empty = everything
  std::vector<std::string> exclude_paths;  // globs
  // Filesystems without durability, by superblock magic. Default: tmpfs,
  // ramfs, proc, sysfs, devtmpfs(=tmpfs magic), cgroup, cgroup2, pipefs,
  // sockfs, debugfs, tracefs, securityfs, bpffs, devpts, mqueue, hugetlbfs,
  // nsfs, anon_inodefs, configfs, fusectl, pstore, efivarfs, binfmt_misc,
  // autofs, selinuxfs.
  std::set<uint64_t> ignored_fs_magic;
  uint64_t grace_ns = 5'000'000'000ull;
  uint64_t state_min_age_ns = 5'000'000'000ull;
  ReplacementScope scope = ReplacementScope::Siblings;
  std::vector<Suppression> suppressions;

  static Config defaults();
  bool rule_enabled(std::string_view id) const;
  Severity severity_of(std::string_view id) const;  // override or catalogue default
  // include/exclude globs. A file of a container or chroot has two names,
  // the path its process saw and the host's (empty when it has none): a
  // glob matching either one matches the file (docs/rules.md).
  bool path_included(std::string_view abs_path, std::string_view host_path = {}) const;
  bool fs_ignored(uint64_t magic) const { return ignored_fs_magic.count(magic) != 0; }
};

}  // namespace duraudit
