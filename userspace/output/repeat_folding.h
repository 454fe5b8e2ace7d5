// SPDX-License-Identifier: GPL-2.0-only
// For long-running sessions (attach): a bug in a loop would otherwise print
// the same finding every few seconds for weeks. Each fingerprint is shown
// once per window; repeats inside the window are counted, and the next
// time it is shown, Finding::repeats says how many were folded.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "output/finding_sink.h"

namespace duraudit {

class RepeatFoldingSink : public FindingSink {
 public:
  // `window_ns` 0 disables folding. `next` must outlive this sink.
  RepeatFoldingSink(FindingSink& next, uint64_t window_ns) : next_(next), window_ns_(window_ns) {}
  void on_finding(const Finding& f) override;
  void on_summary(const Summary& s) override { next_.on_summary(s); }
  uint64_t folded() const { return folded_; }

 private:
  struct Seen {
    uint64_t shown_at_ns = 0;
    uint64_t pending = 0;  // folded since it was last shown
  };
  FindingSink& next_;
  uint64_t window_ns_;
  uint64_t folded_ = 0;
  std::unordered_map<std::string, Seen> seen_;  // by fingerprint
};

}  // namespace duraudit
