// SPDX-License-Identifier: GPL-2.0-only
#include "output/rules_listing.h"

#include "output/json_line.h"

#include <algorithm>
#include <iomanip>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/rule_catalogue.h"

namespace duraudit {

void print_rule_catalogue(std::ostream& out, const Config& cfg) {
  struct Row {
    std::string id, severity, enabled, summary;
  };
  std::vector<Row> rows;
  rows.push_back({"ID", "SEVERITY", "ENABLED", "SUMMARY"});
  for (const auto& r : rule_catalogue()) {
    Severity eff = cfg.severity_of(r.id);
    std::string sev(severity_name(eff));
    if (eff != r.default_severity) sev += " (default " + std::string(severity_name(r.default_severity)) + ")";
    rows.push_back({std::string(r.id), sev, cfg.rule_enabled(r.id) ? "yes" : "no", std::string(r.summary)});
  }
  size_t w_id = 0, w_sev = 0, w_en = 0;
  for (const auto& row : rows) {
    w_id = std::max(w_id, row.id.size());
    w_sev = std::max(w_sev, row.severity.size());
    w_en = std::max(w_en, row.enabled.size());
  }
  for (const auto& row : rows)
    out << std::left << std::setw(static_cast<int>(w_id + 2)) << row.id << std::setw(static_cast<int>(w_sev + 2))
        << row.severity << std::setw(static_cast<int>(w_en + 2)) << row.enabled << row.summary << '\n';
}

void print_rule_catalogue_json(std::ostream& out, const Config& cfg) {
  for (const auto& r : rule_catalogue()) {
    nlohmann::ordered_json j = json_record("rule");
    j["id"] = r.id;
    j["severity"] = severity_name(cfg.severity_of(r.id));
    j["default_severity"] = severity_name(r.default_severity);
    j["enabled"] = cfg.rule_enabled(r.id);
    j["summary"] = r.summary;
    j["fix"] = r.fix;
    out << json_line(std::move(j)) << '\n';
  }
}

}  // namespace duraudit
