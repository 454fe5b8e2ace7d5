// SPDX-License-Identifier: GPL-2.0-only
#include "util/duration.h"

#include <cctype>
#include <cmath>
#include <limits>

namespace duraudit {

namespace {

struct Unit {
  std::string_view suffix;
  uint64_t ns;
};

// Longest suffixes first so "ms" is not read as "m" + junk.
constexpr Unit kUnits[] = {
    {"ns", 1ull},
    {"us", 1'000ull},
    {"µs", 1'000ull},
    {"ms", 1'000'000ull},
    {"s", 1'000'000'000ull},
    {"m", 60ull * 1'000'000'000ull},
    {"h", 3600ull * 1'000'000'000ull},
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

void set_error(std::string* error, std::string_view text, std::string_view why) {
  if (!error) return;
  *error = "invalid duration \"" + std::string(text) + "\": " + std::string(why) +
           " (use a number with a unit: 250us, 500ms, 5s, 2m, 1h; a plain number means seconds)";
}

}  // namespace

std::optional<uint64_t> parse_duration_ns(std::string_view text, std::string* error) {
  std::string_view s = trim(text);
  if (s.empty()) {
    set_error(error, text, "it is empty");
    return std::nullopt;
  }
  // Number part: digits with at most one decimal point.
  size_t i = 0;
  bool dot = false, digits = false;
  uint64_t whole = 0;
  std::string frac;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits = true;
      if (dot) {
        frac.push_back(c);
      } else {
        if (whole > (std::numeric_limits<uint64_t>::max() - 9) / 10) {
          set_error(error, text, "it is too large");
          return std::nullopt;
        }
        whole = whole * 10 + static_cast<uint64_t>(c - '0');
      }
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits) {
    set_error(error, text, s[0] == '-' ? "it is negative" : "it does not start with a number");
    return std::nullopt;
  }
  std::string_view suffix = trim(s.substr(i));
  uint64_t unit_ns = 0;
  if (suffix.empty()) {
    unit_ns = 1'000'000'000ull;  // plain seconds
  } else {
    for (const auto& u : kUnits)
      if (suffix == u.suffix) unit_ns = u.ns;
    if (unit_ns == 0) {
      set_error(error, text, "unknown unit \"" + std::string(suffix) + "\"");
      return std::nullopt;
    }
  }
  if (whole > std::numeric_limits<uint64_t>::max() / unit_ns) {
    set_error(error, text, "it is too large");
    return std::nullopt;
  }
  uint64_t ns = whole * unit_ns;
  // Fraction: exact decimal arithmetic, truncated below 1 ns.
  uint64_t scale = unit_ns;
  for (char c : frac) {
    scale /= 10;
    if (scale == 0) break;
    ns += static_cast<uint64_t>(c - '0') * scale;
  }
  return ns;
}

std::string format_duration_ns(uint64_t ns) {
  if (ns == 0) return "0s";
  constexpr Unit kFormat[] = {
      {"h", 3600ull * 1'000'000'000ull}, {"m", 60ull * 1'000'000'000ull}, {"s", 1'000'000'000ull},
      {"ms", 1'000'000ull},              {"us", 1'000ull},                 {"ns", 1ull},
  };
  for (const auto& u : kFormat)
    if (ns % u.ns == 0) return std::to_string(ns / u.ns) + std::string(u.suffix);
  return std::to_string(ns) + "ns";
}

}  // namespace duraudit
