// SPDX-License-Identifier: GPL-2.0-only
// `duraudit --version`: what a bug report needs to say which duraudit ran
// where. Works without root and without loading BPF (everything it reads is
// world-readable), so it can be the first thing asked for.
#pragma once

#include <string>

namespace duraudit {

// duraudit's version and git revision on the first line (the line scripts
// read), then the libbpf it runs with and the kernel features it detected.
std::string version_text();

}  // namespace duraudit
