// SPDX-License-Identifier: GPL-2.0-only
// Where findings go: text for people, JSON Lines for machines, a baseline
// writer, metrics. The CLI fans each filtered finding out to its sinks and
// ends the session with one Summary.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/finding.h"
#include "event/event_source.h"

namespace duraudit {

// A process that went over its event budget (engine/blind_process.h).
struct OverBudgetProcess {
  int32_t pid = 0;
  std::string comm;
  uint64_t events_dropped = 0;
};

struct Summary {
  // Findings reported (after suppression), by severity and by rule id.
  uint64_t errors = 0;
  uint64_t warnings = 0;
  uint64_t notices = 0;
  std::map<std::string, uint64_t> by_rule;

  uint64_t events = 0;
  LossCounters events_lost_by_reason;  // event/event_source.h
  uint64_t processes = 0;
  uint64_t suppressed_by_baseline = 0;
  uint64_t suppressed_by_rules = 0;  // suppressions and path include/exclude of rules files
  uint64_t evictions = 0;            // model state evicted by memory caps
  // Processes whose own events were dropped over their budget: their
  // findings, and those about files they touched, are marked incomplete.
  std::vector<OverBudgetProcess> over_budget;
  // With stacks on: what became of the stacks (docs/stacks.md), e.g.
  // {"sent": 12, "over_budget": 0, "unwound": 12, ...}; empty when off.
  std::map<std::string, uint64_t> stacks;
  // The session's verdicts rest on incomplete data (lost events, evictions,
  // the trace ended early...).
  bool incomplete = false;
  std::string incomplete_reason;

  // Counts one reported finding (by severity and rule).
  void count(const Finding& f);
  uint64_t findings() const { return errors + warnings + notices; }
  uint64_t events_lost() const { return total_lost(events_lost_by_reason); }
  // Lost for everyone (not to a process's own budget).
  uint64_t session_events_lost() const { return session_lost(events_lost_by_reason); }
};

class FindingSink {
 public:
  virtual ~FindingSink() = default;
  virtual void on_finding(const Finding& f) = 0;
  virtual void on_summary(const Summary& s) = 0;
};

}  // namespace duraudit
