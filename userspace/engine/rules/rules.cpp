// SPDX-License-Identifier: GPL-2.0-only
#include "engine/rule_catalogue.h"
#include "engine/rules/rule.h"

namespace duraudit {

std::unique_ptr<Rule> make_rule(std::string_view id) {
  if (id == rule_id::kCloseWithoutFsync) return make_close_without_fsync_rule();
  if (id == rule_id::kRenameWithoutFsync) return make_rename_without_fsync_rule();
  if (id == rule_id::kUnlinkBeforeDurable) return make_unlink_before_durable_rule();
  if (id == rule_id::kMissingDirFsync) return make_missing_dir_fsync_rule();
  if (id == rule_id::kTruncateInPlace) return make_truncate_in_place_rule();
  if (id == rule_id::kFsyncErrorIgnored) return make_fsync_error_ignored_rule();
  if (id == rule_id::kStateDeleted) return make_state_deleted_rule();
  if (id == rule_id::kSyncFileRangeOnly) return make_sync_file_range_only_rule();
  return nullptr;
}

std::vector<std::unique_ptr<Rule>> make_enabled_rules(const Config& cfg) {
  std::vector<std::unique_ptr<Rule>> enabled;
  for (const RuleInfo& info : rule_catalogue())
    if (cfg.rule_enabled(info.id))
      if (auto r = make_rule(info.id)) enabled.push_back(std::move(r));
  return enabled;
}

}  // namespace duraudit
