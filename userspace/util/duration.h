// SPDX-License-Identifier: GPL-2.0-only
// Durations as users write them on the command line (--grace) and in rules
// files (grace:, state_min_age:): "5s", "500ms", "2m", "1h", "250us", "10ns",
// "1.5s", or plain seconds "5".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace duraudit {

// Parses `text` into nanoseconds. On failure returns nullopt and, when
// `error` is given, sets it to a sentence naming the bad input and the
// accepted forms.
std::optional<uint64_t> parse_duration_ns(std::string_view text, std::string* error = nullptr);

// The shortest exact spelling parse_duration_ns reads back: 5000000000 -> "5s",
// 1500000 -> "1500us", 0 -> "0s".
std::string format_duration_ns(uint64_t ns);

}  // namespace duraudit
