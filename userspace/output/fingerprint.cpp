// SPDX-License-Identifier: GPL-2.0-only
#include "output/fingerprint.h"

#include <cstdio>

namespace duraudit {

uint64_t fnv1a64(std::string_view data, uint64_t seed) {
  uint64_t h = seed;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string fingerprint(std::string_view rule, std::string_view comm, std::string_view path) {
  // Fields are separated by NUL so ("a", "bc") and ("ab", "c") differ.
  std::string key;
  key.append(rule);
  key.push_back('\0');
  key += fold_run_specific(comm);
  key.push_back('\0');
  key += fold_run_specific(path);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(key)));
  return buf;
}

std::string fingerprint(const Finding& f) { return fingerprint(f.rule, f.comm, f.path); }

}  // namespace duraudit
