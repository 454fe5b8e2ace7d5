// SPDX-License-Identifier: GPL-2.0-only
#pragma once

#include <optional>
#include <string_view>

namespace duraudit {

// Ordered: a finding "at or above" --fail-on compares with <=.
enum class Severity : int { None = 0, Notice = 1, Warning = 2, Error = 3 };

std::string_view severity_name(Severity s);                    // "notice", ...
std::optional<Severity> severity_from_name(std::string_view);  // nullopt if unknown

}  // namespace duraudit
