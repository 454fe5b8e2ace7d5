#include "engine/rule_catalogue.h"
#include "engine/rules/rule.h"

namespace duraudit {

std::vector<std::unique_ptr<Rule>> make_enabled_rules(const Config& cfg) {
  std::vector<std::unique_ptr<Rule>> all;
  all.push_back(make_close_without_fsync_rule());
  all.push_back(make_rename_without_fsync_rule());
  all.push_back(make_unlink_before_durable_rule());
  all.push_back(make_missing_dir_fsync_rule());
  all.push_back(make_truncate_in_place_rule());
  all.push_back(make_fsync_error_ignored_rule());
  all.push_back(make_state_deleted_rule());
  all.push_back(make_sync_file_range_only_rule());
  std::vector<std::unique_ptr<Rule>> enabled;
  for (auto& r : all)
    if (cfg.rule_enabled(r->id())) enabled.push_back(std::move(r));
  return enabled;
}

}  // namespace duraudit
