// SPDX-License-Identifier: GPL-2.0-only
#include "util/run_specific.h"

#include <cctype>

namespace duraudit {

namespace {

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_upper(char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; }
bool is_lower(char c) { return std::islower(static_cast<unsigned char>(c)) != 0; }
bool is_sep(char c) { return c == '.' || c == '-' || c == '_' || c == '~' || c == '#'; }

// 8-4-4-4-12 hex digits starting at s[i].
bool uuid_at(std::string_view s, size_t i) {
  static constexpr int kGroups[] = {8, 4, 4, 4, 12};
  for (int g = 0; g < 5; ++g) {
    for (int k = 0; k < kGroups[g]; ++k, ++i)
      if (i >= s.size() || !is_hex(s[i])) return false;
    if (g < 4) {
      if (i >= s.size() || s[i] != '-') return false;
      ++i;
    }
  }
  return i == s.size() || !is_alnum(s[i]);
}

// How many of {upper, lower, digit} occur.
int char_classes(std::string_view s) {
  bool u = false, l = false, d = false;
  for (char c : s) {
    u |= is_upper(c);
    l |= is_lower(c);
    d |= is_digit(c);
  }
  return int(u) + int(l) + int(d);
}

// Class changes between neighbours: "XyZ12a" has 4, "Config" 1, "abc123" 1.
int class_changes(std::string_view s) {
  auto cls = [](char c) { return is_upper(c) ? 0 : is_lower(c) ? 1 : 2; };
  int n = 0;
  for (size_t i = 1; i < s.size(); ++i) n += cls(s[i]) != cls(s[i - 1]);
  return n;
}

bool ieq_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

// Pass 1: UUIDs and temp-file markers, which need to see separators.
std::string fold_markers(std::string_view c) {
  std::string out;
  size_t i = 0;
  while (i < c.size()) {
    bool boundary = i == 0 || !is_alnum(c[i - 1]);
    if (boundary && uuid_at(c, i)) {
      out += "<uuid>";
      i += 36;
      continue;
    }
    // "tmp"/"temp" at a word start, then the random part: after a separator
    // any run of >= 4 ([._-]tmp[._-]XyZ12a, tmp.k3j2), without one Python's
    // 8 chars of [a-z0-9_] or a mixed-class run of >= 6 (tmpab12cd).
    if (boundary && (ieq_prefix(c.substr(i), "tmp") || ieq_prefix(c.substr(i), "temp"))) {
      size_t m = i + (ieq_prefix(c.substr(i), "temp") ? 4 : 3);
      bool sep = m < c.size() && (c[m] == '.' || c[m] == '-' || c[m] == '_');
      size_t r = m + (sep ? 1 : 0);
      size_t e = r;
      while (e < c.size() && (is_alnum(c[e]) || (!sep && c[e] == '_'))) ++e;
      std::string_view run = c.substr(r, e - r);
      bool random = false;
      if (sep) {
        random = run.size() >= 4 && (char_classes(run) >= 2 || run.size() >= 6);
      } else {
        bool python = run.size() == 8;
        for (char ch : run) python &= is_lower(ch) || is_digit(ch) || ch == '_';
        random = python || (run.size() >= 6 && char_classes(run) >= 2);
      }
      if (random) {
        out.append(c.substr(i, r - i));
        out += "<rand>";
        i = e;
        continue;
      }
    }
    out.push_back(c[i]);
    ++i;
  }
  return out;
}

// Pass 2: alphanumeric runs (hex, digits, mkstemp tails).
std::string fold_runs(std::string_view c) {
  std::string out;
  size_t i = 0;
  while (i < c.size()) {
    if (!is_alnum(c[i]) || (c[i] == '<')) {
      // Placeholders from pass 1 are copied verbatim.
      if (c[i] == '<') {
        size_t close = c.find('>', i);
        if (close != std::string_view::npos) {
          out.append(c.substr(i, close - i + 1));
          i = close + 1;
          continue;
        }
      }
      out.push_back(c[i++]);
      continue;
    }
    size_t e = i;
    while (e < c.size() && is_alnum(c[e])) ++e;
    std::string_view run = c.substr(i, e - i);
    bool after_sep = i > 0 && is_sep(c[i - 1]);
    bool at_end = e == c.size() || is_sep(c[e]);
    bool all_hex = true, any_digit = false, any_alpha = false;
    for (char ch : run) {
      all_hex &= is_hex(ch);
      any_digit |= is_digit(ch);
      any_alpha |= !is_digit(ch);
    }
    if (all_hex && any_digit && any_alpha && run.size() >= 6) {
      out += "<hex>";
    } else if (run.size() == 6 && after_sep && at_end && char_classes(run) >= 2 && any_alpha) {
      out += "<rand>";  // mkstemp "XXXXXX" after a separator: foo.a1B2c3
    } else if (run.size() > 6 && e == c.size() && class_changes(run.substr(run.size() - 6)) >= 3 &&
               char_classes(run.substr(run.size() - 6)) == 3) {
      // mkstemp tail glued to a prefix at the end of a name: fooXq7Rz2
      std::string_view head = run.substr(0, run.size() - 6);
      for (size_t k = 0; k < head.size();) {
        if (is_digit(head[k])) {
          while (k < head.size() && is_digit(head[k])) ++k;
          out += "<n>";
        } else {
          out.push_back(head[k++]);
        }
      }
      out += "<rand>";
    } else {
      for (size_t k = 0; k < run.size();) {
        if (is_digit(run[k])) {
          while (k < run.size() && is_digit(run[k])) ++k;
          out += "<n>";
        } else {
          out.push_back(run[k++]);
        }
      }
    }
    i = e;
  }
  return out;
}

}  // namespace

std::string fold_run_specific(std::string_view text) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    std::string_view comp =
        text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    out += fold_runs(fold_markers(comp));
    if (slash == std::string_view::npos) break;
    out.push_back('/');
    start = slash + 1;
  }
  return out;
}

}  // namespace duraudit
