// SPDX-License-Identifier: GPL-2.0-only
#include "output/repeat_folding.h"

namespace duraudit {

void RepeatFoldingSink::on_finding(const Finding& f) {
  if (window_ns_ == 0 || f.fingerprint.empty()) {
    next_.on_finding(f);
    return;
  }
  auto [it, fresh] = seen_.try_emplace(f.fingerprint);
  Seen& s = it->second;
  if (!fresh && f.ts_ns < s.shown_at_ns + window_ns_) {
    ++s.pending;
    ++folded_;
    return;
  }
  Finding shown = f;
  shown.repeats = s.pending;
  s.pending = 0;
  s.shown_at_ns = f.ts_ns;
  next_.on_finding(shown);
}

}  // namespace duraudit
