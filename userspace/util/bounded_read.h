// SPDX-License-Identifier: GPL-2.0-only
// Reading a configuration-sized input file (rules files, baselines) whole,
// with a size limit: a path naming /dev/zero, a FIFO, a directory or a huge
// file must fail with a sentence, not hang or exhaust memory.
#pragma once

#include <cstddef>
#include <istream>
#include <string>

namespace duraudit {

// Reads the regular file `path` into `out`. Fails (false, a sentence in
// `error` without the path) when it cannot be opened or read, is not a
// regular file, or holds more than `max_bytes`; `what` names the kind of
// file in the sentence ("rules file").
bool read_bounded_regular_file(const std::string& path, size_t max_bytes, const char* what, std::string& out,
                               std::string& error);

// std::getline with a limit: reads one line of `in` into `line` (without
// its '\n'), storing at most `max_bytes`. Returns false at the end of the
// input when nothing was read. A longer line sets *too_long and stops
// reading right after `max_bytes` (the rest of the line is not consumed):
// the caller decides, and an input without newlines (/dev/zero) never
// holds more than `max_bytes` in memory.
bool read_bounded_line(std::istream& in, std::string& line, size_t max_bytes, bool* too_long);

}  // namespace duraudit
