// SPDX-License-Identifier: GPL-2.0-only
// The one way duraudit turns a JSON object into a line of output: every
// string in it (values and keys, at any depth) is first passed through
// escape_json_bytes() (util/text_escape.h), so bytes that are not UTF-8 are
// kept, reversibly, as `\xNN` instead of making nlohmann::json throw
// (type_error 316) or replacing them lossily. Used by every JSON sink:
// findings, summaries, trace events, baselines.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace duraudit {

// Re-encodes every string of `j` in place (see above).
void escape_json_strings(nlohmann::ordered_json& j);

// The version of the JSON output contract (docs/output.md "Versioning"):
// every line carries it. Within a version fields are only added.
inline constexpr int kJsonSchemaVersion = 1;

// The start of every JSON output line: {"type": TYPE, "schema_version": 1}.
nlohmann::ordered_json json_record(const char* type);

// escape_json_strings(), then a compact one-line dump without the newline.
// Never throws.
std::string json_line(nlohmann::ordered_json j);

}  // namespace duraudit
