// SPDX-License-Identifier: GPL-2.0-only
// SARIF 2.1.0 (`--sarif FILE`, `--format sarif`): one run whose tool.driver
// lists every rule of the catalogue (descriptions, help URI into
// docs/rules.md, the effective level), and one result per finding: the file
// as its location (a file:// URI), related files as relatedLocations, the
// fingerprint as partialFingerprints["duraudit/v1"], the evidence as a
// codeFlows thread flow, and the session's summary in the run's
// properties. docs/output.md "SARIF" is the contract.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "output/report_formats.h"

namespace duraudit {

// "error", "warning", "note" (notice) or "none".
std::string_view sarif_level(Severity s);

// The whole log, strings encoded as every JSON output of duraudit is
// (docs/output.md "Names that are not UTF-8").
nlohmann::ordered_json sarif_log(const std::vector<Finding>& findings, const Summary& s, uint64_t omitted,
                                 const std::vector<std::pair<std::string, Severity>>& rule_levels);

class SarifSink : public DocumentSink {
 public:
  SarifSink(std::ostream& out, const Config& config);

 protected:
  void write(std::ostream& out, const std::vector<Finding>& findings, const Summary& s, uint64_t omitted) override;

 private:
  std::vector<std::pair<std::string, Severity>> rule_levels_;  // effective level per catalogue rule (None: disabled)
};

}  // namespace duraudit
