// SPDX-License-Identifier: GPL-2.0-only
// The interface every rule implements. Rules read the durability model and
// never change it; the Engine calls them around DurabilityModel::apply():
//
//   before(ev)  the model still shows the world the event is about to change
//               (what a rename replaces, whether an unlinked file was durable)
//   after(ev)   the model includes the event (a close of a still-dirty file)
//   failed(ev)  a call that failed (it changed nothing; only rules that ask
//               for failed calls see them)
//   settle()    "later" verdicts whose grace period has passed, or all of
//               them at session end
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "engine/durability_model.h"
#include "engine/finding.h"
#include "event/event.h"

namespace duraudit {

struct RuleContext {
  const DurabilityModel& model;
  const Config& cfg;
  // Fills severity, fix, incomplete flags and counts; set by the Engine.
  std::function<void(Finding&&)> emit;
  uint64_t now_ns = 0;  // the event's time, or the settle time
};

class Rule {
 public:
  virtual ~Rule() = default;
  virtual std::string_view id() const = 0;
  // The syscalls this rule wants to see (the Engine dispatches by kind).
  virtual std::vector<Syscall> interests() const = 0;
  virtual bool wants_failed_calls() const { return false; }
  virtual void before(const Event&, RuleContext&) {}
  virtual void after(const Event&, RuleContext&) {}
  virtual void failed(const Event&, RuleContext&) {}
  // Settle pending verdicts due by `now_ns`; `final`: the session ended,
  // settle everything.
  virtual void settle(uint64_t /*now_ns*/, bool /*final*/, RuleContext&) {}
};

std::unique_ptr<Rule> make_close_without_fsync_rule();
std::unique_ptr<Rule> make_rename_without_fsync_rule();
std::unique_ptr<Rule> make_unlink_before_durable_rule();
std::unique_ptr<Rule> make_missing_dir_fsync_rule();
std::unique_ptr<Rule> make_truncate_in_place_rule();
std::unique_ptr<Rule> make_fsync_error_ignored_rule();
std::unique_ptr<Rule> make_state_deleted_rule();
std::unique_ptr<Rule> make_sync_file_range_only_rule();

// Every rule of the catalogue that `cfg` enables.
std::vector<std::unique_ptr<Rule>> make_enabled_rules(const Config& cfg);
// One rule by catalogue id (nullptr for an unknown id), fresh state.
std::unique_ptr<Rule> make_rule(std::string_view id);

}  // namespace duraudit
