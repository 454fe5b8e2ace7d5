// SPDX-License-Identifier: GPL-2.0-only
#include "util/glob_check.h"

namespace duraudit {

std::optional<std::string> glob_error(std::string_view p) {
  if (p.empty()) return "the pattern is empty";
  if (p.find('/') != std::string_view::npos && p[0] != '/' && p.substr(0, 2) != "**")
    return "a pattern with '/' must be absolute (start with '/' or '**'): paths in findings are absolute";
  if (p.find("***") != std::string_view::npos) return "'***' is not a pattern; use '**' to cross directories";
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      if (i + 1 == p.size()) return "the pattern ends with a lone backslash";
      ++i;
      continue;
    }
    if (p[i] == '[') {
      size_t j = i + 1;
      if (j < p.size() && (p[j] == '!' || p[j] == '^')) ++j;
      if (j < p.size() && p[j] == ']') ++j;  // a leading ']' is literal
      while (j < p.size() && p[j] != ']') {
        if (p[j] == '/') return "a character class '[...]' cannot contain '/'";
        ++j;
      }
      if (j >= p.size()) return "unterminated character class '[' (escape a literal bracket as '\\[')";
      i = j;
    }
  }
  return std::nullopt;
}

}  // namespace duraudit
