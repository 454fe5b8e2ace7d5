// SPDX-License-Identifier: GPL-2.0-only
// Escaping of untrusted bytes (file names, process names) for output.
//
// Paths and comm come from traced processes, which may be hostile: a file
// name may hold newlines, terminal escape sequences, NULs or bytes that are
// not UTF-8. Every sink passes such strings through one of these functions.
//
//  - escape_text(): for text meant for a terminal (findings, trace,
//    summary). Valid UTF-8 passes through, except control characters:
//    `\n` `\t` `\r` `\\` (a backslash), every other C0 control, DEL, C1
//    control (U+0080..U+009F) and every byte that is not part of valid
//    UTF-8 becomes `\xNN` (one per byte). The result holds no control
//    character at all, so one finding is always one block of lines.
//
//  - escape_json_bytes(): the reversible byte encoding of JSON strings
//    (docs/output.md "Names that are not UTF-8"). Valid UTF-8 passes
//    through, a backslash becomes two backslashes, and each byte that is
//    not part of valid UTF-8 becomes the four characters `\xNN` (lowercase
//    hex). The result is valid UTF-8 (JSON never fails on it) and
//    unescape_json_bytes() gives back the original bytes exactly, so two
//    distinct names never print the same.
#pragma once

#include <string>
#include <string_view>

namespace duraudit {

std::string escape_text(std::string_view s);

std::string escape_json_bytes(std::string_view s);
// The inverse of escape_json_bytes(). Text that escape_json_bytes() cannot
// have produced (a lone backslash, `\x` without two hex digits) is kept as
// it is.
std::string unescape_json_bytes(std::string_view s);

// True when escape_json_bytes(s) == s (no backslash, valid UTF-8): the fast
// path of the JSON sinks.
bool json_bytes_clean(std::string_view s);

}  // namespace duraudit
