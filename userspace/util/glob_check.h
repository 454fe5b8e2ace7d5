// SPDX-License-Identifier: GPL-2.0-only
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace duraudit {

// Validates a path glob of util/glob.h before it is used: returns a sentence
// saying what is wrong, or nullopt when the pattern is usable. Rejects empty
// patterns, unterminated `[...]` classes, a trailing lone backslash, `***`,
// and relative patterns containing '/' (they could never match an absolute
// path).
std::optional<std::string> glob_error(std::string_view pattern);

}  // namespace duraudit
