// SPDX-License-Identifier: GPL-2.0-only
// Glue the CLI uses between the engine and the sinks: each engine finding is
// filtered (finding_filter.h), recorded for --write-baseline, counted in the
// Summary and fanned out to every sink; finish() completes the summary and
// hands it to the sinks.
//
//   FindingReporter rep(cfg, baseline_or_null, {&text_sink}, record_or_null);
//   Engine engine(cfg, [&](Finding&& f) { rep.report(std::move(f)); });
//   ... run ...
//   rep.summary().events = ...; rep.summary().events_lost_by_reason = src.losses(); ...
//   rep.finish();
//   if (rep.fails(fail_on)) return 3;
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "event/wall_clock.h"
#include "output/baseline.h"
#include "output/finding_filter.h"
#include "output/finding_sink.h"

namespace duraudit {

// Where a session's events come from, stamped on every finding it reports:
// the host ("" when unknown: an strace log) and the source's clock.
struct FindingOrigin {
  std::string host;
  WallClock clock;
};

// This machine's host name (uname's nodename); "" if it has none.
std::string this_host_name();

class FindingReporter {
 public:
  // `baseline` (--baseline) and `record` (--write-baseline) may be null. The
  // sinks, config and baselines must outlive the reporter.
  FindingReporter(const Config& cfg, const Baseline* baseline, std::vector<FindingSink*> sinks,
                  Baseline* record = nullptr);

  // Set once the source is known (before events flow).
  void set_origin(FindingOrigin origin) { origin_ = std::move(origin); }

  // Returns true when the finding was reported to the sinks.
  bool report(Finding f);

  // The summary being built: the caller fills events, losses, processes,
  // evictions and incomplete; finish() fills the suppression counts.
  Summary& summary() { return summary_; }

  // Completes the summary and sends it to every sink. Call once.
  void finish();

  // The highest severity reported so far (None when nothing was).
  Severity max_severity() const { return max_; }

  // --fail-on: true when a reported finding is at or above `threshold`;
  // never for threshold None ("--fail-on none").
  bool fails(Severity threshold) const { return threshold != Severity::None && max_ >= threshold; }

 private:
  FindingFilter filter_;
  std::vector<FindingSink*> sinks_;
  Baseline* record_;
  Summary summary_;
  FindingOrigin origin_;
  Severity max_ = Severity::None;
};

}  // namespace duraudit
