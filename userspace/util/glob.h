// SPDX-License-Identifier: GPL-2.0-only
#pragma once

#include <string_view>

namespace duraudit {

// Path glob as used in rules files: `*` and `?` match within one path
// component, `**` matches across `/` (any depth, including none), `[...]`
// is a character class. A pattern without `/` matches the basename only.
bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace duraudit
