// SPDX-License-Identifier: GPL-2.0-only
// Wire records (bpf/events.h) -> duraudit::Event. Pure functions, no kernel:
// unit-tested in tests/unit/capture_decoder_test.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "event/event.h"
#include "event/event_source.h"
#include "stack/raw_stack.h"

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

// Whether the record says a stack was sent for it (DA_F_STACK): its
// struct da_stack is in the ring `stacks`, matched by tid and ts_ns.
bool wire_event_has_stack(const void* data, size_t size);

// One record of the ring `stacks` (struct da_stack + the stack bytes).
struct WireStack {
  int32_t pid = 0, tid = 0;
  uint64_t ts_ns = 0;
  RawStack stack;
};
DecodeStatus decode_wire_stack(const void* data, size_t size, WireStack* out);

// The names of the stack counters (enum da_stack_count): "sent",
// "over_budget", "ringbuf_full", "unreadable", "consumer_behind".
std::string_view stack_count_name(uint32_t what);
uint32_t stack_count_count();

// The user-facing name of a loss reason (enum da_loss_reason), used as the
// key in LossCounters and the `reason` label of duraudit_events_lost_total.
std::string_view loss_reason_name(uint32_t reason);
uint32_t loss_reason_count();

}  // namespace duraudit::capture
