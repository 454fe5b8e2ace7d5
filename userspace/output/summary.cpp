// SPDX-License-Identifier: GPL-2.0-only
#include "output/finding_sink.h"

namespace duraudit {

void Summary::count(const Finding& f) {
  switch (f.severity) {
    case Severity::Error: ++errors; break;
    case Severity::Warning: ++warnings; break;
    case Severity::Notice: ++notices; break;
    case Severity::None: return;  // not a reportable finding
  }
  ++by_rule[f.rule];
}

}  // namespace duraudit
