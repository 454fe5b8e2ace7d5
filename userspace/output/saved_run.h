// SPDX-License-Identifier: GPL-2.0-only
// Reading back a saved JSON Lines run (`--format json`, `--json FILE`) for
// `duraudit report`: the findings and the summary, exactly as the sinks
// had them (names decoded from docs/output.md's encoding), so a report
// rendered later is the one the run would have written.
#pragma once

#include <functional>
#include <istream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "output/finding_sink.h"

namespace duraudit {

// The inverse of finding_to_json() / summary_to_json() (output/json_sink.h).
// Unknown keys are ignored; a missing required one is an error.
bool finding_from_json(const nlohmann::json& j, Finding& f, std::string* error);
void summary_from_json(const nlohmann::json& j, Summary& s);

// Reads every line of `in` (`name` for messages), handing each finding to
// `on_finding` as it is read (a week-long attach log is not held in
// memory) and filling `summary` from the summary line. Blank lines are
// skipped; a line that is not JSON, or not a finding or summary object,
// fails with "NAME:LINE: REASON". A run without a summary line gets one
// counted from its findings, marked incomplete.
bool read_saved_run(std::istream& in, const std::string& name, const std::function<void(Finding&&)>& on_finding,
                    Summary& summary, std::string* error);

}  // namespace duraudit
