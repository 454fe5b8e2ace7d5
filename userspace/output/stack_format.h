// SPDX-License-Identifier: GPL-2.0-only
// How stacks read in findings (docs/stacks.md): the text line under the
// deciding call, and the finding's source location.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "engine/finding.h"

namespace duraudit {

// The C library and the dynamic loader: the innermost frames of every stack
// (the syscall wrapper), never the program's own decision.
bool is_runtime_module(const std::string& module_path);

// The evidence call the finding turns on, as far as stacks go: the last
// evidence entry that has a stack (the close, the rename, the unlink come
// last); null when none has one.
const EvidenceEvent* deciding_evidence(const Finding& f);

// Where in the program a call was made: the innermost frame of its stack
// outside the C runtime with a file:line; else the innermost there with a
// function; else none.
std::optional<StackFrame> call_source(const std::vector<StackFrame>& stack);

// The innermost frame of the deciding call's stack outside the C runtime
// with a file:line; else the innermost there with a function; else none
// (libc's own frames, which have a file:line with libc6-dbg, are never it).
std::optional<StackFrame> finding_source(const Finding& f);

// `save_state (state.c:57) ← main (state.c:91)`: up to max_frames frames from
// the first one outside the C runtime. Not escaped.
std::string format_stack_line(const std::vector<StackFrame>& stack, size_t max_frames = 3);
std::string format_frame(const StackFrame& f);

}  // namespace duraudit
