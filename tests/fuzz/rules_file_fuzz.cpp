// SPDX-License-Identifier: GPL-2.0-only
// Fuzzes the rules-file loader (config/rules_file.cpp: yaml-cpp, then the
// schema checks) with arbitrary bytes as a file's text, the way --rules,
// `rules check` and a SIGHUP reload read it. A file either loads or gives
// diagnostics and leaves the configuration as it was; a loaded one is used
// as the engine and `rules list` use it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/rules_file.h"
#include "engine/rule_catalogue.h"
#include "output/rules_listing.h"
#include "util/glob.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // What load_rules_file() reads at most; larger files are refused unread.
  if (size > duraudit::kMaxRulesFileBytes) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const duraudit::Config defaults = duraudit::Config::defaults();
  duraudit::Config cfg = defaults;
  std::vector<duraudit::Diagnostic> errors;
  bool ok = duraudit::load_rules_text(text, "fuzz.yaml", cfg, errors);
  // Valid exactly when there is nothing to say; invalid leaves cfg alone.
  if (ok != errors.empty()) std::abort();
  for (const auto& d : errors) {
    if (d.line < 0 || d.message.empty()) std::abort();
    (void)d.to_string();
  }
  if (!ok) {
    if (cfg.rules.size() != defaults.rules.size() || cfg.suppressions.size() != defaults.suppressions.size() ||
        cfg.include_paths != defaults.include_paths || cfg.ignored_fs_magic != defaults.ignored_fs_magic)
      std::abort();
    return 0;
  }
  for (const auto& r : duraudit::rule_catalogue()) {
    (void)cfg.rule_enabled(r.id);
    (void)cfg.severity_of(r.id);
  }
  for (std::string_view path : {"/", "/data/x", "/var/log/app/a.log", "/a/b/c/d/e/f"}) {
    (void)cfg.path_included(path);
    for (const auto& s : cfg.suppressions)
      if (!s.path_glob.empty()) (void)duraudit::glob_match(s.path_glob, path);
  }
  std::ostringstream listing;
  duraudit::print_rule_catalogue(listing, cfg);
  duraudit::print_rule_catalogue_json(listing, cfg);
  return 0;
}
