// SPDX-License-Identifier: GPL-2.0-only
// The rule catalogue: ids, default severities, one-line descriptions and fix
// lines. Ids are user-facing and stable (docs/rules.md).
#pragma once

#include <span>
#include <string_view>

#include "engine/severity.h"

namespace duraudit {

struct RuleInfo {
  std::string_view id;
  Severity default_severity;
  std::string_view summary;  // fires when...
  std::string_view fix;      // remediation line
};

std::span<const RuleInfo> rule_catalogue();
const RuleInfo* find_rule(std::string_view id);  // nullptr if unknown

namespace rule_id {
inline constexpr std::string_view kCloseWithoutFsync = "close-without-fsync";
inline constexpr std::string_view kRenameWithoutFsync = "rename-without-fsync";
inline constexpr std::string_view kUnlinkBeforeDurable = "unlink-before-durable";
inline constexpr std::string_view kMissingDirFsync = "missing-dir-fsync";
inline constexpr std::string_view kTruncateInPlace = "truncate-in-place";
inline constexpr std::string_view kFsyncErrorIgnored = "fsync-error-ignored";
inline constexpr std::string_view kStateDeleted = "state-deleted";
inline constexpr std::string_view kSyncFileRangeOnly = "sync-file-range-only";
}  // namespace rule_id

}  // namespace duraudit
