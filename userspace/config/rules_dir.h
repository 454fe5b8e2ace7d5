// SPDX-License-Identifier: GPL-2.0-only
// The operators' rules directory (attach: /etc/duraudit/rules.d by default,
// --rules-dir DIR): every *.yaml file in it, in name order, loaded after the
// built-in defaults and before --rules FILE... (docs/rules-files.md
// "Rules directory"). Drop-in files let a package, a configuration manager
// and a Kubernetes ConfigMap each own one file without editing a unit.
#pragma once

#include <string>
#include <vector>

namespace duraudit {

inline constexpr const char* kDefaultRulesDir = "/etc/duraudit/rules.d";

// The *.yaml files of `dir` (regular files or links to them; names starting
// with '.' skipped: editors' and ConfigMaps' temporaries), sorted by name
// in byte order, as full paths. A directory that does not exist is no
// error (no files). Anything else that keeps it from being listed (not a
// directory, no permission) returns false with a sentence in *error naming
// the directory; so does an entry that is not a regular file.
bool list_rules_dir(const std::string& dir, std::vector<std::string>* files, std::string* error);

}  // namespace duraudit
