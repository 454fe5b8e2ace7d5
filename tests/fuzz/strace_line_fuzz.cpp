// SPDX-License-Identifier: GPL-2.0-only
// Fuzzes the strace log parser end to end: arbitrary bytes as a log (line
// parser, call parser, decoder, unfinished/resumed joining, ordering), plus
// each line through the low-level helpers.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "strace/strace_args.h"
#include "strace/strace_line.h"
#include "strace/strace_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto src = duraudit::StraceSource::from_string(text, "fuzz");
  uint64_t n = 0;
  while (src->poll([&](duraudit::Event&& e) { n += e.seq; }, 0)) {
  }
  (void)src->losses();

  // The same bytes as a single line and as helper inputs.
  duraudit::StraceLine line;
  duraudit::StraceCall call;
  std::string err;
  if (duraudit::parse_strace_line(text, &line, &err)) duraudit::parse_strace_call(line.text, &call, &err);
  duraudit::strace_split_top_level(text);
  duraudit::strace_string(text);
  duraudit::strace_int(text);
  duraudit::strace_flags(text);
  duraudit::strace_field(text, "flags");
  (void)duraudit::strace_decoration_path(text);
  (void)src->initial_cwd();
  return 0;
}
