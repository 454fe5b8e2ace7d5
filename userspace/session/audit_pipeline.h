// SPDX-License-Identifier: GPL-2.0-only
// The audit pipeline every mode shares:
//   raw Event -> Resolver -> StackTracker -> Engine -> FindingReporter (filter, baseline,
//   counts) -> sinks
// `run`, `attach` and `replay` differ only in where events come from and
// when the session ends.
#pragma once

#include <cstdint>
#include <unordered_set>
#include <vector>

#include "config/config.h"
#include "engine/engine.h"
#include "event/event_source.h"
#include "event/loss_text.h"
#include "output/finding_reporter.h"
#include "resolve/resolver.h"
#include "stack/stack_tracker.h"

namespace duraudit {

class AuditPipeline {
 public:
  // The reporter must outlive the pipeline.
  AuditPipeline(const Config& config, ResolverOptions resolver_options, FindingReporter& reporter,
                EngineOptions engine_options = {});

  Resolver& resolver() { return resolver_; }
  const Resolver& resolver() const { return resolver_; }
  // Unwinds the events' stacks while their processes' mappings are known.
  StackTracker& stacks() { return stacks_; }
  const Engine& engine() const { return engine_; }

  // One raw event from a source.
  void feed(Event&& raw);
  // New rules (attach: SIGHUP).
  void reconfigure(const Config& config) { engine_.reconfigure(config); }
  // Periodic: settles grace-period verdicts (attach, or run with --grace).
  void advance_time(uint64_t now_ns) { engine_.advance_time(now_ns); }
  // The source's loss counters now; new losses mark later verdicts incomplete.
  void update_losses(const LossCounters& losses);
  // Where the source's losses happened (an strace log's unparsed line
  // numbers), for the verdicts' and the summary's reason.
  void set_loss_details(LossDetails details) { loss_details_ = std::move(details); }
  // End of the session: settles everything, completes the summary and hands
  // it to the sinks.
  const Summary& finish(const LossCounters& losses);

  uint64_t events() const { return events_; }
  // Processes alive in the traced tree, as the event stream tells.
  size_t live_processes() const { return live_.size(); }

 private:
  FindingReporter& reporter_;
  Resolver resolver_;
  StackTracker stacks_;
  Engine engine_;
  std::vector<Event> resolved_;  // scratch, reused for every event
  uint64_t events_ = 0;
  uint64_t lost_seen_ = 0;
  LossDetails loss_details_;
  std::unordered_set<int32_t> live_;
  std::unordered_set<int32_t> seen_;
};

}  // namespace duraudit
