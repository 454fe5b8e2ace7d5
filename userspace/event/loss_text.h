// SPDX-License-Identifier: GPL-2.0-only
// Losses in words, for the summary and for incomplete verdicts. The
// LossCounters keys (event_source.h) are metric labels; people need to know
// what was lost and what to do about it, and the advice differs: a full
// ring buffer wants fewer processes or a bigger buffer, an unparsed strace
// line wants a look at that line.
#pragma once

#include <map>
#include <string>

#include "event/event_source.h"

namespace duraudit {

// Where losses of a reason happened, shown after its count:
// {"strace_unparsed_lines": "line 2 of app.strace"}.
using LossDetails = std::map<std::string, std::string>;

// "3 events were lost (ring buffer full: 2, path_truncated: 1); 1 line of
// the strace log could not be parsed (line 2 of app.strace)". Empty when
// nothing was lost. Losses to a process's own event budget are left out:
// they are named with that process, and mark only its findings.
std::string describe_losses(const LossCounters& losses, const LossDetails& details = {});

// Some loss was the ring buffer's (ringbuf_full_*): tracing fewer
// processes or a larger buffer helps.
bool ring_buffer_losses(const LossCounters& losses);

}  // namespace duraudit
