// SPDX-License-Identifier: GPL-2.0-only
#include "output/finding_filter.h"

#include "engine/finding_severity.h"
#include "output/fingerprint.h"
#include "util/glob.h"

namespace duraudit {

bool suppression_matches(const Suppression& s, const Finding& f) {
  if (!s.rule.empty() && s.rule != "*" && s.rule != f.rule) return false;
  if (!s.comm.empty() && s.comm != f.comm) return false;
  // Either name of the file (the path as seen, the host's): config.h.
  if (!s.path_glob.empty() && !glob_match(s.path_glob, f.path) &&
      (f.host_path.empty() || !glob_match(s.path_glob, f.host_path)))
    return false;
  return true;
}

FindingFilter::Verdict FindingFilter::apply(Finding& f) {
  last_suppression_ = nullptr;
  if (f.fingerprint.empty()) f.fingerprint = fingerprint(f);
  if (!cfg_.rule_enabled(f.rule)) return Verdict::DisabledRule;
  f.severity = severity_for(cfg_, f);
  if (!cfg_.path_included(f.path, f.host_path)) {
    ++by_rules_;
    return Verdict::SuppressedByRules;
  }
  for (const auto& s : cfg_.suppressions) {
    if (suppression_matches(s, f)) {
      last_suppression_ = &s;
      ++by_rules_;
      return Verdict::SuppressedByRules;
    }
  }
  if (baseline_ && baseline_->contains(f.fingerprint)) {
    ++by_baseline_;
    return Verdict::SuppressedByBaseline;
  }
  return Verdict::Report;
}

}  // namespace duraudit
