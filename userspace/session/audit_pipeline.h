// The audit pipeline every mode shares:
//   raw Event -> Resolver -> Engine -> FindingFilter -> sinks
// `run`, `attach` and `replay` differ only in where events come from and
// when the session ends.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_set>
#include <vector>

#include "config/config.h"
#include "engine/engine.h"
#include "event/event_source.h"
#include "output/baseline.h"
#include "output/finding_filter.h"
#include "output/finding_sink.h"
#include "resolve/resolver.h"

namespace duraudit {

class AuditPipeline {
 public:
  // `baseline_out` (may be null) records every finding that is reported or
  // suppressed only by the baseline, for --write-baseline.
  AuditPipeline(const Config& config, ResolverOptions resolver_options, FindingFilter& filter,
                std::vector<FindingSink*> sinks, Baseline* baseline_out = nullptr);

  Resolver& resolver() { return resolver_; }

  // One raw event from a source.
  void feed(Event&& raw);
  // Periodic: settles grace-period verdicts (attach, or run with --grace).
  void advance_time(uint64_t now_ns) { engine_.advance_time(now_ns); }
  // The source reported more lost events than before.
  void update_losses(const LossCounters& losses);
  // End of the session: settles everything, writes the summary to the sinks.
  Summary finish(const LossCounters& losses);

  uint64_t events() const { return events_; }
  // Processes currently alive in the traced tree (as the event stream tells).
  size_t live_processes() const { return live_.size(); }
  bool saw_exit_of(int32_t pid) const { return exited_.count(pid) != 0; }
  Severity worst_severity() const;

 private:
  void emit(Finding&& f);

  FindingFilter& filter_;
  std::vector<FindingSink*> sinks_;
  Resolver resolver_;
  Engine engine_;
  std::vector<Event> resolved_;  // scratch, reused
  uint64_t events_ = 0;
  uint64_t lost_seen_ = 0;
  std::unordered_set<int32_t> live_;
  std::unordered_set<int32_t> exited_;
  std::unordered_set<int32_t> seen_;
  Summary summary_;  // finding counts so far
  Baseline* baseline_out_;
};

}  // namespace duraudit
