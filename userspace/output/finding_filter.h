// SPDX-License-Identifier: GPL-2.0-only
// The last step between the engine and the sinks: fills each finding's
// fingerprint and effective severity, then drops what the user asked not to
// see — paths outside the include/exclude globs, suppressions of rules files
// (rule or "*", path glob, comm), and baseline entries — counting each kind
// for the summary.
#pragma once

#include <cstdint>
#include <string>

#include "config/config.h"
#include "engine/finding.h"
#include "output/baseline.h"

namespace duraudit {

class FindingFilter {
 public:
  enum class Verdict {
    Report,                // pass it to the sinks
    DisabledRule,          // the rule is off in the config (not counted)
    SuppressedByRules,     // path excluded or a suppression matched
    SuppressedByBaseline,  // its fingerprint is in the baseline
  };

  // `baseline` may be null; both must outlive the filter.
  FindingFilter(const Config& cfg, const Baseline* baseline) : cfg_(cfg), baseline_(baseline) {}

  // Fills f.fingerprint and f.severity (the config's effective severity),
  // then decides. `--write-baseline` should record Report and
  // SuppressedByBaseline findings, so re-recording keeps accepted entries.
  Verdict apply(Finding& f);

  // The suppression that matched the last SuppressedByRules verdict, or null
  // for a path exclusion (for --log-level debug).
  const Suppression* last_suppression() const { return last_suppression_; }

  uint64_t suppressed_by_rules() const { return by_rules_; }
  uint64_t suppressed_by_baseline() const { return by_baseline_; }

 private:
  const Config& cfg_;
  const Baseline* baseline_;
  const Suppression* last_suppression_ = nullptr;
  uint64_t by_rules_ = 0;
  uint64_t by_baseline_ = 0;
};

// Whether one suppression covers a finding (rule or "*", path glob, comm).
bool suppression_matches(const Suppression& s, const Finding& f);

}  // namespace duraudit
