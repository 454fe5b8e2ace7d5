// SPDX-License-Identifier: GPL-2.0-only
#include "cli/stack_options.h"

#include "cli/errors.h"
#include "events.h"

namespace duraudit {

void add_stack_options(po::options_description& desc, StackCliOptions& o, bool on_by_default) {
  desc.add_options()
      ("stacks", po::value(&o.stacks)->implicit_value("on")->value_name("on|off"),
       on_by_default ? "user stacks at the calls findings quote (default on; --stacks=off disables)"
                     : "user stacks at the calls findings quote (default off; costs a stack copy per call)")
      ("stack-size", po::value(&o.stack_size)->value_name("BYTES"),
       "bytes of user stack copied per stack, for unwinding (default 16384, at most 24576)")
      ("stack-rate", po::value(&o.stack_rate)->value_name("N"),
       "stacks per second each process may send after a burst of 256 (default 100; 0: no limit)");
}

bool apply_stack_options(const StackCliOptions& o, bool on_by_default, CaptureOptions& capture) {
  bool on = on_by_default;
  if (o.stacks == "on")
    on = true;
  else if (o.stacks == "off")
    on = false;
  else if (!o.stacks.empty())
    throw UsageError("--stacks must be on or off (got '" + o.stacks + "')");
  capture.stacks = on;
  capture.stack_bytes = parse_count("--stack-size", o.stack_size, 256, DA_STACK_BYTES_MAX);
  capture.stack_rate = static_cast<uint32_t>(parse_count("--stack-rate", o.stack_rate, 0, 1'000'000));
  return on;
}

}  // namespace duraudit
