// SPDX-License-Identifier: GPL-2.0-only
// Untrusted names (paths, comm) in XML (JUnit) and HTML (the report).
//
// A name is first escaped as text output escapes it (util/text_escape.h:
// control characters, C1 controls and bytes that are not UTF-8 become
// C-style `\n`, `\xNN`), so what is left is printable, valid UTF-8; then
// the two code points valid UTF-8 allows but XML 1.0's Char production
// forbids, U+FFFE and U+FFFF, become `\xef\xbf\xbe` / `\xef\xbf\xbf` too;
// then & < > " ' become character references. The result is safe in
// element content and in quoted attribute values, and cannot open a tag,
// a comment or a CDATA section.
#pragma once

#include <string>
#include <string_view>

namespace duraudit {

// A name from a traced process: escape_text(), then markup_escape().
std::string markup_name(std::string_view untrusted);

// Text duraudit composed from already escaped parts (newlines allowed):
// only XML 1.0's forbidden code points and & < > " ' are escaped. A control
// character other than tab, newline and carriage return becomes `\xNN`.
std::string markup_escape(std::string_view text);

// An RFC 3986 `file://` URI for an absolute path: every byte but the
// unreserved ones (A-Z a-z 0-9 - . _ ~) and `/` is percent-encoded, so a
// name with spaces, `#`, `?`, `%`, newlines or bytes that are not UTF-8
// gives a URI that names exactly that file.
std::string file_uri(std::string_view path);

}  // namespace duraudit
