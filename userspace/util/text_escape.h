// Escaping of untrusted bytes (file names, process names) for output.
//
// Paths and comm come from traced processes, which may be hostile: a file
// name may hold newlines, terminal escape sequences, NULs or bytes that are
// not UTF-8. Every sink passes such strings through one of these functions.
//
// escape_json_bytes() is the reversible byte encoding of JSON strings
// (docs/output.md "Names that are not UTF-8"). Valid UTF-8 passes
// through, a backslash becomes two backslashes, and each byte that is
// not part of valid UTF-8 becomes the four characters `\xNN` (lowercase
// hex). The result is valid UTF-8 (JSON never fails on it) and
// unescape_json_bytes() gives back the original bytes exactly, so two
// distinct names never print the same.
#pragma once

#include <string>
#include <string_view>

namespace duraudit {

std::string escape_json_bytes(std::string_view s);
// The inverse of escape_json_bytes(). Text that escape_json_bytes() cannot
// have produced (a lone backslash, `\x` without two hex digits) is kept as
// it is.
std::string unescape_json_bytes(std::string_view s);

// True when escape_json_bytes(s) == s (no backslash, valid UTF-8): the fast
// path of the JSON sinks.
bool json_bytes_clean(std::string_view s);

}  // namespace duraudit
