// SPDX-License-Identifier: GPL-2.0-only
// Human-readable argument summaries of resolved events, shared by evidence
// timelines (engine findings) and the `trace` command.
#pragma once

#include <string>

#include "engine/finding.h"
#include "event/event.h"

namespace duraudit {

// `"/d/f.tmp", O_WRONLY|O_CREAT|O_TRUNC, 0644` for opens, `3</d/f.tmp>` for
// fd-based calls, `"/d/a" -> "/d/b"` for renames and links. Paths are the
// resolved absolute ones when known, else as passed.
std::string format_event_args(const Event& ev);

// The event as one line of a finding's evidence.
EvidenceEvent make_evidence(const Event& ev);

}  // namespace duraudit
