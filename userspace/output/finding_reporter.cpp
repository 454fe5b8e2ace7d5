// SPDX-License-Identifier: GPL-2.0-only
#include "output/finding_reporter.h"

#include <sys/utsname.h>

#include "output/stack_format.h"

namespace duraudit {

std::string this_host_name() {
  utsname u{};
  return uname(&u) == 0 ? std::string(u.nodename) : std::string();
}

FindingReporter::FindingReporter(const Config& cfg, const Baseline* baseline, std::vector<FindingSink*> sinks,
                                 Baseline* record)
    : filter_(cfg, baseline), sinks_(std::move(sinks)), record_(record) {}

bool FindingReporter::report(Finding f) {
  auto verdict = filter_.apply(f);
  // Re-recording a baseline keeps the entries it already accepted.
  if (record_ && (verdict == FindingFilter::Verdict::Report ||
                  verdict == FindingFilter::Verdict::SuppressedByBaseline))
    record_->add(f);
  if (verdict != FindingFilter::Verdict::Report) return false;
  if (f.severity == Severity::None) return false;
  if (!f.source) f.source = finding_source(f);
  if (f.host.empty()) f.host = origin_.host;
  if (!f.wall_offset_ns) f.wall_offset_ns = origin_.clock.offset_ns();
  summary_.count(f);
  if (f.severity > max_) max_ = f.severity;
  for (auto* s : sinks_) s->on_finding(f);
  return true;
}

void FindingReporter::finish() {
  summary_.suppressed_by_baseline = filter_.suppressed_by_baseline();
  summary_.suppressed_by_rules = filter_.suppressed_by_rules();
  for (auto* s : sinks_) s->on_summary(summary_);
}

}  // namespace duraudit
