// SPDX-License-Identifier: GPL-2.0-only
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/rule_catalogue.h"
#include "output/rules_listing.h"

namespace duraudit {
namespace {

TEST(OutputRulesListing, TableListsEveryRuleAligned) {
  Config cfg = Config::defaults();
  cfg.rules["close-without-fsync"].severity = Severity::Error;
  cfg.rules["state-deleted"].enabled = false;
  std::ostringstream out;
  print_rule_catalogue(out, cfg);
  std::istringstream in(out.str());
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("ID", 0), 0u);
  size_t sev_col = header.find("SEVERITY"), en_col = header.find("ENABLED"), sum_col = header.find("SUMMARY");
  ASSERT_NE(sev_col, std::string::npos);
  std::string line;
  size_t rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    const RuleInfo& r = rule_catalogue()[rows - 1];
    EXPECT_EQ(line.rfind(std::string(r.id), 0), 0u) << line;
    EXPECT_EQ(line.substr(sum_col), r.summary) << "summary column aligned: " << line;
    std::string enabled = line.substr(en_col, 3);
    EXPECT_EQ(enabled, r.id == "state-deleted" ? "no " : "yes") << line;
    if (r.id == "close-without-fsync") {
      EXPECT_EQ(line.substr(sev_col, 23), "error (default warning)");
    }
  }
  EXPECT_EQ(rows, rule_catalogue().size());
}

TEST(OutputRulesListing, JsonVariant) {
  Config cfg = Config::defaults();
  cfg.rules["truncate-in-place"] = RuleSettings{false, Severity::Notice};
  std::ostringstream out;
  print_rule_catalogue_json(out, cfg);
  std::istringstream in(out.str());
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    const RuleInfo& r = rule_catalogue()[n++];
    EXPECT_EQ(j["type"], "rule");
    EXPECT_EQ(j["id"], std::string(r.id));
    EXPECT_EQ(j["default_severity"], std::string(severity_name(r.default_severity)));
    EXPECT_EQ(j["summary"], std::string(r.summary));
    EXPECT_EQ(j["fix"], std::string(r.fix));
    if (r.id == "truncate-in-place") {
      EXPECT_EQ(j["enabled"], false);
      EXPECT_EQ(j["severity"], "notice");
    } else {
      EXPECT_EQ(j["enabled"], true);
    }
  }
  EXPECT_EQ(n, rule_catalogue().size());
}

}  // namespace
}  // namespace duraudit
