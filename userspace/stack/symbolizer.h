// SPDX-License-Identifier: GPL-2.0-only
// Frames to names: function (demangled), module, and file:line when the
// binary has debug info (in itself, next to it through .gnu_debuglink, or
// under /usr/lib/debug/.build-id/); otherwise the function from the symbol
// tables, otherwise module+offset. Results are cached by (module, address):
// the same call site in many findings, or in many processes running the same
// binary, is looked up once.
#pragma once

#include <vector>

#include "engine/finding.h"
#include "stack/unwound_stack.h"

namespace duraudit {

StackFrame symbolize_frame(const UnwoundFrame& frame);
std::vector<StackFrame> symbolize_stack(const UnwoundStack& stack);

}  // namespace duraudit
