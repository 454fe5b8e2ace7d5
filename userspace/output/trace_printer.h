// SPDX-License-Identifier: GPL-2.0-only
// `duraudit trace`: the normalized, resolved event stream itself, as text
// (a durability-focused strace) or JSON Lines (docs/output.md).
#pragma once

#include <cstdint>
#include <ostream>

#include <nlohmann/json.hpp>

#include "event/event.h"
#include "event/wall_clock.h"

namespace duraudit {

// `time` (UTC) is added when wall_offset_ns is known (event/wall_clock.h).
nlohmann::ordered_json event_to_json(const Event& ev, std::optional<int64_t> wall_offset_ns = std::nullopt);

class TracePrinter {
 public:
  enum class Format { Text, Json };
  TracePrinter(std::ostream& out, Format format, WallClock clock = WallClock::unknown())
      : out_(out), format_(format), clock_(clock) {}
  void print(const Event& resolved);

 private:
  std::ostream& out_;
  Format format_;
  WallClock clock_;
  uint64_t first_ts_ = 0;
};

}  // namespace duraudit
