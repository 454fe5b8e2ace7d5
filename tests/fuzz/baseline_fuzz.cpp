// SPDX-License-Identifier: GPL-2.0-only
// Fuzzes the baseline reader (output/baseline.cpp: JSON Lines of
// fingerprints, names in duraudit's reversible JSON encoding) with
// arbitrary bytes as a file's text, as --baseline reads it. An accepted
// baseline must survive a round trip: what write() makes of it reads back
// as the same entries, and writes the same bytes again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "output/baseline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  duraudit::Baseline b;
  std::string error;
  if (!duraudit::Baseline::parse(text, "fuzz.jsonl", b, error)) {
    if (error.empty()) std::abort();
    return 0;
  }
  std::ostringstream first;
  b.write(first);
  duraudit::Baseline again;
  if (!duraudit::Baseline::parse(first.str(), "rewritten.jsonl", again, error)) std::abort();
  if (again.size() != b.size()) std::abort();
  for (const auto& [fp, e] : b.entries()) {
    auto it = again.entries().find(fp);
    if (it == again.entries().end() || it->second.rule != e.rule || it->second.comm != e.comm ||
        it->second.path != e.path)
      std::abort();
  }
  std::ostringstream second;
  again.write(second);
  if (second.str() != first.str()) std::abort();
  return 0;
}
