// SPDX-License-Identifier: GPL-2.0-only
// --stacks, --stack-size, --stack-rate: user stacks at the evidence calls
// (docs/stacks.md). On by default for `run` and `record`, opt-in for
// `attach` (a system-wide agent pays for every stack of every process).
#pragma once

#include <string>

#include "capture/bpf_capture.h"
#include "cli/option_parsing.h"

namespace duraudit {

struct StackCliOptions {
  std::string stacks;                // "on" | "off"; "" = the command's default
  std::string stack_size = "16384";  // bytes of user stack copied per stack
  std::string stack_rate = "100";    // stacks per second per process after a burst; 0 = no limit
};

void add_stack_options(po::options_description& desc, StackCliOptions& o, bool on_by_default);

// Applies them to the capture (UsageError for a bad value); returns whether
// stacks are on.
bool apply_stack_options(const StackCliOptions& o, bool on_by_default, CaptureOptions& capture);

}  // namespace duraudit
