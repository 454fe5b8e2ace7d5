// SPDX-License-Identifier: GPL-2.0-only
#include "event/loss_text.h"

#include <string_view>

namespace duraudit {

namespace {

constexpr std::string_view kRingBufferPrefix = "ringbuf_full";

bool is_ring_buffer(std::string_view reason) { return reason.substr(0, kRingBufferPrefix.size()) == kRingBufferPrefix; }

std::string counted(uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// The reasons of an strace log (strace/strace_source.h), each its own
// sentence; everything else is an event the capture could not deliver.
struct StraceReason {
  std::string_view key, one, many;
};
constexpr StraceReason kStraceReasons[] = {
    {"strace_unparsed_lines", "line of the strace log could not be parsed",
     "lines of the strace log could not be parsed"},
    {"strace_unreturned_calls", "call in the strace log has no result (\"= ?\" or never resumed)",
     "calls in the strace log have no result (\"= ?\" or never resumed)"},
};

const StraceReason* strace_reason(std::string_view key) {
  for (const auto& r : kStraceReasons)
    if (r.key == key) return &r;
  return nullptr;
}

}  // namespace

bool ring_buffer_losses(const LossCounters& losses) {
  for (const auto& [reason, n] : losses)
    if (n && is_ring_buffer(reason)) return true;
  return false;
}

std::string describe_losses(const LossCounters& losses, const LossDetails& details) {
  auto detail = [&](const std::string& reason) {
    auto it = details.find(reason);
    return it == details.end() || it->second.empty() ? std::string() : " (" + it->second + ")";
  };
  // Events the capture lost: one count, then by reason (the ring buffer's
  // per-kind reasons as one).
  uint64_t events = 0, ring = 0;
  std::string by_reason;
  for (const auto& [reason, n] : losses) {
    // A process over its own budget is named where its findings are
    // (OverBudget events, the summary's over-budget rows), not here.
    if (!n || strace_reason(reason) || !loss_blinds_session(reason)) continue;
    events += n;
    if (is_ring_buffer(reason)) {
      ring += n;
      continue;
    }
    by_reason += ", " + reason + ": " + std::to_string(n) + detail(reason);
  }
  std::string out;
  if (events) {
    std::string why = ring ? "ring buffer full: " + std::to_string(ring) + by_reason : by_reason.substr(2);
    out = counted(events, "event was lost", "events were lost") + " (" + why + ")";
  }
  for (const auto& r : kStraceReasons) {
    auto it = losses.find(std::string(r.key));
    if (it == losses.end() || !it->second) continue;
    if (!out.empty()) out += "; ";
    out += counted(it->second, r.one, r.many) + detail(it->first);
  }
  return out;
}

}  // namespace duraudit
