// SPDX-License-Identifier: GPL-2.0-only
// A finding's crash window, as the HTML report draws it: for each file
// involved (the finding's own, then its related files), when its data (or,
// for a directory, its entries) stopped being durable, and when, if ever,
// it became durable again; the deciding call; the time axis. Built from
// the finding alone (the evidence's `op`, `file`, `file2` and times, the
// related files' states, closed_by, settled_ns), so a saved JSON run draws
// the same as a live one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/finding.h"

namespace duraudit {

struct TimelineLane {
  std::string path;
  std::string role;   // "file" for the finding's own path, else the related file's role
  std::string state;  // the related file's state ("" for the finding's own file)
  // The window in which a crash loses this file's data or entry: from
  // `dirty_ns` to `durable_ns`, or to the end when it never became durable.
  bool has_window = false;
  uint64_t dirty_ns = 0;
  std::optional<uint64_t> durable_ns;  // nullopt: never durable in what was seen
  std::vector<size_t> events;          // indices into the finding's evidence
};

struct Timeline {
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;  // the verdict (settled_ns) or the last event, whichever is later
  std::vector<TimelineLane> lanes;
  std::optional<size_t> decided;  // the deciding call, an index into the evidence
};

// At most this many lanes: a finding about a hundred successors shows the
// first ones and says how many more there are.
inline constexpr size_t kMaxTimelineLanes = 12;

Timeline build_timeline(const Finding& f);

}  // namespace duraudit
