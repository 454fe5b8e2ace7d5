// SPDX-License-Identifier: GPL-2.0-only
// The severity a finding is reported at: its rule's (the rules file's
// override or the catalogue default), except that an ordering finding whose
// window the program closed itself (Finding::closed_by) is at most a
// warning: the data was exposed for window_ns, not lost for good. The one
// place that decides it; the engine and the finding filter both ask.
#pragma once

#include <algorithm>

#include "config/config.h"
#include "engine/finding.h"

namespace duraudit {

inline Severity severity_for(const Config& cfg, const Finding& f) {
  Severity s = cfg.severity_of(f.rule);
  if (f.closed_by && s > Severity::Warning) s = Severity::Warning;
  return s;
}

}  // namespace duraudit
