// `duraudit trace`: the normalized, resolved event stream itself, as text
// (a durability-focused strace) or JSON Lines (docs/output.md).
#pragma once

#include <cstdint>
#include <ostream>

#include <nlohmann/json.hpp>

#include "event/event.h"

namespace duraudit {

nlohmann::ordered_json event_to_json(const Event& ev);

class TracePrinter {
 public:
  enum class Format { Text, Json };
  TracePrinter(std::ostream& out, Format format) : out_(out), format_(format) {}
  void print(const Event& resolved);

 private:
  std::ostream& out_;
  Format format_;
  uint64_t first_ts_ = 0;
};

}  // namespace duraudit
