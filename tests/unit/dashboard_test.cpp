// SPDX-License-Identifier: GPL-2.0-only
// The Grafana dashboard and the alert rules in dashboards/ hold the contract
// SREs import: a stable uid, datasource/job/instance variables, every query
// scoped to them, every documented metric (docs/production.md) shown, every alert documented.
// PromQL syntax is checked by the promql_exprs_parse ctest (promtool), data
// against a real Prometheus by the end-to-end test.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "build_info.h"  // DURAUDIT_HOMEPAGE

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace duraudit {
namespace {

using nlohmann::json;

std::string source_dir() {
  const char* dir = std::getenv("DURAUDIT_SOURCE_DIR");
  return dir ? dir : ".";
}

json load_dashboard() {
  const std::string path = source_dir() + "/dashboards/duraudit.json";
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path << " (is DURAUDIT_SOURCE_DIR set?)";
  return json::parse(in);  // throws, failing the test, on invalid JSON
}

struct Query {
  std::string panel;
  json target;
};

void collect_queries(const json& panels, std::vector<Query>* out) {
  for (const json& p : panels) {
    for (const json& t : p.value("targets", json::array())) out->push_back({p.value("title", "?"), t});
    if (p.contains("panels")) collect_queries(p["panels"], out);
  }
}

std::vector<Query> queries(const json& dash) {
  std::vector<Query> out;
  collect_queries(dash.at("panels"), &out);
  return out;
}

const json* variable(const json& dash, const std::string& name) {
  for (const json& v : dash.at("templating").at("list"))
    if (v.value("name", "") == name) return &v;
  return nullptr;
}

TEST(Dashboard, HasStableIdentity) {
  json dash = load_dashboard();
  EXPECT_EQ(dash.at("uid"), "duraudit-overview");
  EXPECT_GE(dash.at("schemaVersion").get<int>(), 36);
  EXPECT_TRUE(dash.at("id").is_null()) << "an exported id clashes on import";
  EXPECT_FALSE(dash.at("title").get<std::string>().empty());
}

TEST(Dashboard, HasDatasourceJobAndInstanceVariables) {
  json dash = load_dashboard();
  const json* ds = variable(dash, "datasource");
  ASSERT_NE(ds, nullptr);
  EXPECT_EQ(ds->at("type"), "datasource");
  EXPECT_EQ(ds->at("query"), "prometheus");

  for (const auto& [name, query] : {std::pair{"job", "label_values(duraudit_build_info, job)"},
                                    std::pair{"instance", "label_values(duraudit_build_info{job=~\"$job\"}, instance)"}}) {
    const json* v = variable(dash, name);
    ASSERT_NE(v, nullptr) << name;
    EXPECT_EQ(v->at("type"), "query") << name;
    EXPECT_EQ(v->at("datasource").at("uid"), "${datasource}") << name;
    EXPECT_EQ(v->at("definition"), query) << name;
    EXPECT_EQ(v->at("query").at("query"), query) << name;
    EXPECT_TRUE(v->at("includeAll").get<bool>()) << name;
    EXPECT_TRUE(v->at("multi").get<bool>()) << name;
  }
}

TEST(Dashboard, EveryQueryUsesTheDatasourceVariableAndIsScopedToJobAndInstance) {
  json dash = load_dashboard();
  auto qs = queries(dash);
  ASSERT_GE(qs.size(), 15u);
  // A selector is a metric name with braces; bare names would escape the scope.
  const std::regex bare_metric(R"(\b(duraudit_[a-z_]+|up)\b(?!\{))");
  const std::regex selector(R"(\{[^}]*\})");
  for (const Query& q : qs) {
    const std::string expr = q.target.at("expr");
    SCOPED_TRACE(q.panel + ": " + expr);
    EXPECT_EQ(q.target.at("datasource").at("uid"), "${datasource}");
    EXPECT_FALSE(std::regex_search(expr, bare_metric)) << "metric without a label selector";
    int selectors = 0;
    for (auto it = std::sregex_iterator(expr.begin(), expr.end(), selector); it != std::sregex_iterator();
         ++it) {
      const std::string s = it->str();
      EXPECT_NE(s.find("job=~\"$job\""), std::string::npos) << s;
      EXPECT_NE(s.find("instance=~\"$instance\""), std::string::npos) << s;
      ++selectors;
    }
    EXPECT_GT(selectors, 0);
  }
  for (const json& p : dash.at("panels")) {
    if (p.at("type") == "row") continue;
    EXPECT_EQ(p.at("datasource").at("uid"), "${datasource}") << p.at("title");
  }
}

TEST(Dashboard, ShowsEveryMetricOfTheContract) {
  json dash = load_dashboard();
  std::string all;
  for (const Query& q : queries(dash)) all += q.target.at("expr").get<std::string>() + "\n";
  for (const char* metric :
       {"duraudit_findings_total", "duraudit_events_total", "duraudit_events_lost_total",
        "duraudit_sync_duration_seconds_bucket", "duraudit_dirty_to_durable_seconds_bucket",
        "duraudit_tracked_processes", "duraudit_tracked_files", "duraudit_state_evictions_total",
        "duraudit_build_info", "duraudit_state_entries", "duraudit_state_capacity",
        "duraudit_event_loop_last_iteration_timestamp_seconds", "process_resident_memory_bytes",
        "process_virtual_memory_bytes", "process_cpu_seconds_total", "process_open_fds", "process_max_fds",
        "process_start_time_seconds"})
    EXPECT_NE(all.find(metric), std::string::npos) << metric;
  EXPECT_NE(all.find("sum by (rule)"), std::string::npos) << "findings by rule";
  EXPECT_NE(all.find("sum by (severity)"), std::string::npos) << "findings by severity";
  EXPECT_NE(all.find("sum by (syscall)"), std::string::npos) << "events by syscall";
  EXPECT_NE(all.find("sum by (reason)"), std::string::npos) << "losses by reason";
  EXPECT_NE(all.find("sum by (instance, kind) (rate(duraudit_state_evictions_total"), std::string::npos)
      << "evictions by kind";
}

TEST(Dashboard, SyncLatencyIsAHeatmapOfHistogramBuckets) {
  json dash = load_dashboard();
  bool found = false;
  for (const json& p : dash.at("panels")) {
    if (p.at("type") != "heatmap") continue;
    for (const json& t : p.at("targets")) {
      if (t.at("expr").get<std::string>().find("duraudit_sync_duration_seconds_bucket") == std::string::npos)
        continue;
      found = true;
      EXPECT_EQ(t.at("format"), "heatmap");
      EXPECT_EQ(t.at("legendFormat"), "{{le}}");
      EXPECT_FALSE(p.at("options").at("calculate").get<bool>()) << "buckets are pre-computed";
    }
  }
  EXPECT_TRUE(found);
}

TEST(Dashboard, PanelsHaveUniqueIdsAndFitTheGrid) {
  json dash = load_dashboard();
  std::set<int> ids;
  for (const json& p : dash.at("panels")) {
    EXPECT_TRUE(ids.insert(p.at("id").get<int>()).second) << "duplicate id " << p.at("id");
    const json& g = p.at("gridPos");
    EXPECT_LE(g.at("x").get<int>() + g.at("w").get<int>(), 24) << p.at("title");
    if (p.at("type") != "row") {
      EXPECT_FALSE(p.value("description", "").empty()) << p.at("title");
    }
  }
}

TEST(AlertRules, EveryAlertHasSeveritySummaryAndDescription) {
  YAML::Node doc = YAML::LoadFile(source_dir() + "/dashboards/alerts.yml");
  std::ifstream prod(source_dir() + "/docs/production.md");
  const std::string production((std::istreambuf_iterator<char>(prod)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(production.empty());
  std::set<std::string> alerts;
  for (const YAML::Node& group : doc["groups"]) {
    for (const YAML::Node& rule : group["rules"]) {
      ASSERT_TRUE(rule["alert"]) << "only alerting rules belong in alerts.yml";
      const std::string name = rule["alert"].as<std::string>();
      alerts.insert(name);
      EXPECT_TRUE(rule["labels"]["severity"]) << name;
      EXPECT_FALSE(rule["annotations"]["summary"].as<std::string>("").empty()) << name;
      EXPECT_FALSE(rule["annotations"]["description"].as<std::string>("").empty()) << name;
      // The runbook: a heading of docs/production.md "Runbooks" named after
      // the alert, on the project's home page (GitHub's anchor: lower case).
      std::string anchor = name;
      for (char& c : anchor) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      EXPECT_EQ(rule["annotations"]["runbook_url"].as<std::string>(""),
                std::string(DURAUDIT_HOMEPAGE) + "/blob/main/docs/production.md#" + anchor)
          << name;
      EXPECT_NE(production.find("\n### " + name + "\n"), std::string::npos)
          << name << " has no runbook heading in docs/production.md";
    }
  }
  for (const char* required : {"DurauditErrorFindings", "DurauditEventsLost", "DurauditDown", "DurauditStateEvictions",
                               "DurauditStateNearCap", "DurauditEventLoopStalled"})
    EXPECT_TRUE(alerts.count(required)) << required;

  // Each alert has promtool unit tests (run by the promtool_test_rules ctest).
  YAML::Node tests = YAML::LoadFile(source_dir() + "/dashboards/alerts_test.yml");
  std::set<std::string> tested, fired;
  for (const YAML::Node& t : tests["tests"]) {
    for (const YAML::Node& a : t["alert_rule_test"]) {
      tested.insert(a["alertname"].as<std::string>());
      if (a["exp_alerts"].size() > 0) fired.insert(a["alertname"].as<std::string>());
    }
  }
  for (const std::string& a : alerts) {
    EXPECT_TRUE(tested.count(a)) << a << " has no promtool unit test";
    EXPECT_TRUE(fired.count(a)) << a << " is never shown firing in alerts_test.yml";
  }
}

}  // namespace
}  // namespace duraudit
