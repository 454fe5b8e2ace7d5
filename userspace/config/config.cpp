// SPDX-License-Identifier: GPL-2.0-only
#include "config/config.h"

#include "config/filesystem_names.h"
#include "engine/rule_catalogue.h"
#include "util/glob.h"

namespace duraudit {

Config Config::defaults() {
  Config c;
  for (uint64_t magic : volatile_fs_magics()) c.ignored_fs_magic.insert(magic);
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

bool Config::path_included(std::string_view abs_path, std::string_view host_path) const {
  auto matches = [&](const std::string& g) {
    return glob_match(g, abs_path) || (!host_path.empty() && glob_match(g, host_path));
  };
  for (const auto& g : exclude_paths)
    if (matches(g)) return false;
  if (include_paths.empty()) return true;
  for (const auto& g : include_paths)
    if (matches(g)) return true;
  return false;
}

}  // namespace duraudit
