// Wire records (bpf/events.h) -> duraudit::Event. Pure functions, no kernel:
// unit-tested in tests/unit/capture_decoder_test.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "event/event.h"
#include "event/event_source.h"

namespace duraudit::capture {

enum class DecodeStatus {
  Ok,
  TooShort,     // fewer bytes than the fixed part, or than head.size says
  BadType,      // head.type is not a known da_event_type
  BadSyscall,   // head.syscall out of range for its type
  BadStrings,   // path lengths do not add up to head.size / missing NUL
};

std::string_view decode_status_name(DecodeStatus s);

// Decodes one ring-buffer record of `size` bytes into `out` (seq is left to
// the caller, which numbers events in ring order).
DecodeStatus decode_wire_event(const void* data, size_t size, Event* out);

// The user-facing name of a loss reason (enum da_loss_reason), used as the
// key in LossCounters and the `reason` label of duraudit_events_lost_total.
std::string_view loss_reason_name(uint32_t reason);
uint32_t loss_reason_count();

}  // namespace duraudit::capture
