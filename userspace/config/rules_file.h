// SPDX-License-Identifier: GPL-2.0-only
// Rules files: YAML that tunes the rule catalogue and what duraudit watches.
// `--rules FILE` may be given several times; files merge in order into the
// defaults, later files overriding earlier ones. The schema (also in
// docs/rules-files.md and rules/default.yaml):
//
//   version: 1                  # optional; must be 1 when present
//   grace: 5s                   # wait this long for a later fsync (attach mode)
//   state_min_age: 5s           # a deleted file younger than this is not "state"
//   scope: siblings             # where replacements of a deleted file count:
//                               #   directory | siblings | filesystem
//   rules:                      # per rule id: a map, or a single word
//     close-without-fsync: { enabled: true, severity: warning }
//     sync-file-range-only: off #   off|false|no: disable  on|true|yes: enable
//     truncate-in-place: error  #   notice|warning|error: enable with that severity
//   paths:                      # globs (util/glob.h): `*` within a component,
//     include: ["/data/**"]     #   `**` across '/'; no '/' = basename only.
//     exclude: ["/var/log/**"]  #   Empty include = everything. Exclude wins.
//   filesystems:                # by name (tmpfs, ext4, ...) or magic ("0x01021994")
//     ignore: [tmpfs, ramfs]    # add to the ignored (non-durable) filesystems
//     track: [tmpfs]            # remove from it (applied after ignore)
//   suppressions:               # accepted findings; every one needs a reason
//     - { rule: close-without-fsync, path: "/var/cache/**", comm: apt, reason: "cache is rebuilt" }
//       # rule: an id or "*"; path: glob (optional); comm: exact (optional)
//
// Merging: scalars (grace, state_min_age, scope) and per-rule fields are
// overridden by later files; path globs, suppressions and filesystem
// ignore/track edits accumulate in order.
//
// Every problem is reported as FILE:LINE: message — unknown keys and rule ids
// (with the nearest valid spelling), bad severities, durations, globs,
// scopes and filesystem names, suppressions without a reason, YAML syntax
// errors and unreadable files. A file with any error changes nothing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace duraudit {

struct Diagnostic {
  std::string file;
  int line = 0;  // 1-based; 0 when the problem is the file itself
  std::string message;
  // "FILE:LINE: message" (or "FILE: message" without a line).
  std::string to_string() const;
};

// A rules file is a regular file of at most this many bytes (1 MiB): a
// device, FIFO, directory or larger file is refused with a diagnostic.
inline constexpr size_t kMaxRulesFileBytes = 1 << 20;

// Loads one rules file and merges it into `into`. Returns true when the file
// is valid; otherwise appends every problem found to `errors` and leaves
// `into` unchanged.
bool load_rules_file(const std::string& path, Config& into, std::vector<Diagnostic>& errors);

// Same, from text already in memory; `name` is used in diagnostics.
bool load_rules_text(std::string_view text, const std::string& name, Config& into,
                     std::vector<Diagnostic>& errors);

// Loads several files in order (stops merging at the first invalid file but
// still checks the rest, so one run reports everything).
bool load_rules_files(const std::vector<std::string>& paths, Config& into, std::vector<Diagnostic>& errors);

// The catalogue id nearest to `word` by edit distance, or "" if none is close.
std::string nearest_rule_id(std::string_view word);

}  // namespace duraudit
