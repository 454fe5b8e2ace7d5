// SPDX-License-Identifier: GPL-2.0-only
// The metrics path as an SRE runs it: a real Prometheus server (Debian's
// `prometheus` package, on loopback, started here) scrapes `duraudit attach
// --metrics-listen` every second while a workload with known findings runs.
// Everything is asserted through Prometheus's HTTP API: the finding counts
// per rule, every PromQL expression of the dashboard and alert rules
// (scripts/promql_exprs.py), and the alert rules loaded by the server.
// Every wait is bounded; everything started here is killed at the end.
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "e2e/attach_session.h"
#include "e2e/background_process.h"
#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;

constexpr const char* kPrometheus = "/usr/bin/prometheus";
constexpr const char* kPromtool = "/usr/bin/promtool";

// A Prometheus server with its own config and TSDB in `dir`, scraping one
// target every second and evaluating `rule_file` every second.
class PrometheusServer {
 public:
  PrometheusServer(const ScratchDir& dir, const std::string& target, const std::string& rule_file)
      : port_(free_loopback_port()),
        config_(dir / "prometheus.yml"),
        proc_(
            [&] {
              std::ofstream(config_) << "global:\n"
                                        "  scrape_interval: 1s\n"
                                        "  scrape_timeout: 1s\n"
                                        "  evaluation_interval: 1s\n"
                                        "rule_files:\n"
                                        "  - \"" << rule_file << "\"\n"
                                        "scrape_configs:\n"
                                        "  - job_name: duraudit\n"
                                        "    static_configs:\n"
                                        "      - targets: [\"" << target << "\"]\n";
              return std::vector<std::string>{kPrometheus,
                                              "--config.file=" + config_,
                                              "--storage.tsdb.path=" + dir / "tsdb",
                                              "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                              "--log.level=warn"};
            }(),
            dir / "prometheus.out", dir / "prometheus.err") {}
  ~PrometheusServer() { proc_.stop(10s); }

  bool ready() {
    return wait_until([&] { return !proc_.wait(0ms) && http_get(port_, "/-/ready", 2s).status == 200; }, 60s, 200ms);
  }

  // GET /api/v1/query?query=EXPR; the parsed JSON body, or a discarded value.
  nlohmann::json query(const std::string& expr) {
    HttpResponse r = http_get(port_, "/api/v1/query?query=" + url_encode(expr));
    last_status_ = r.status;
    return nlohmann::json::parse(r.body, nullptr, false);
  }
  nlohmann::json api(const std::string& target) {
    HttpResponse r = http_get(port_, target);
    last_status_ = r.status;
    return nlohmann::json::parse(r.body, nullptr, false);
  }
  int last_status() const { return last_status_; }

  // Instant vector result of `sum by (LABEL) (EXPR)` as LABEL value -> number.
  std::map<std::string, double> by_label(const std::string& expr, const std::string& label) {
    std::map<std::string, double> out;
    nlohmann::json j = query("sum by (" + label + ") (" + expr + ")");
    if (j.is_discarded() || j.value("status", "") != "success") return out;
    for (const auto& s : j["data"]["result"])
      out[s["metric"].value(label, "")] = std::stod(s["value"][1].get<std::string>());
    return out;
  }

  std::string describe() const { return "prometheus stderr:\n" + proc_.err(); }

 private:
  int port_;
  std::string config_;
  BackgroundProcess proc_;
  int last_status_ = 0;
};

std::vector<std::string> dashboard_and_alert_expressions() {
  CommandResult r = run_command({"python3", source_dir() + "/scripts/promql_exprs.py"});
  EXPECT_EQ(r.status, 0) << r.err;
  std::vector<std::string> exprs;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) exprs.push_back(line);
  return exprs;
}

TEST(Prometheus, RealServerScrapesAttachAndEveryDashboardAndAlertExpressionEvaluates) {
  DURAUDIT_REQUIRE_ROOT();
  ASSERT_TRUE(std::filesystem::exists(kPrometheus)) << "install Debian's prometheus package (scripts/setup.sh)";
  ScratchDir dir;
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  const int metrics_port = free_loopback_port();
  const std::string metrics_addr = "127.0.0.1:" + std::to_string(metrics_port);
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--grace", "1s", "--metrics-listen", metrics_addr});
  ASSERT_TRUE(attach.ready()) << attach.describe();

  PrometheusServer prom(dir, metrics_addr, source_dir() + "/dashboards/alerts.yml");
  ASSERT_TRUE(prom.ready()) << prom.describe();
  // Scraped at least once before any finding: increase() needs the 0 sample
  // (every rule's counter exists at 0 from start-up for exactly this).
  ASSERT_TRUE(wait_until([&] { return prom.by_label("up{job=\"duraudit\"}", "job")["duraudit"] == 1; }, 30s, 200ms))
      << prom.describe();

  // The workload: two files written and closed without fsync (by two forked
  // children), two write-renames without fsync (gamma.txt fsynced afterwards:
  // a closed window; delta.txt never: an error; neither is a
  // close-without-fsync as well), plus one fsynced
  // write so the sync histograms get observations.
  ASSERT_TRUE(target.run("fork alpha.txt"));
  ASSERT_TRUE(target.run("fork beta.txt"));
  ASSERT_TRUE(target.run("replace gamma.txt"));
  ASSERT_TRUE(target.run("publish delta.txt"));
  ASSERT_TRUE(target.run("write"));
  ASSERT_TRUE(target.run("fsync"));
  ASSERT_TRUE(attach.wait_for_finding("close-without-fsync", dir / "alpha.txt", 20s)) << attach.describe();
  ASSERT_TRUE(attach.wait_for_finding("close-without-fsync", dir / "beta.txt", 20s)) << attach.describe();
  ASSERT_TRUE(attach.wait_for_finding("rename-without-fsync", dir / "gamma.txt", 20s)) << attach.describe();
  ASSERT_TRUE(attach.wait_for_finding("rename-without-fsync", dir / "delta.txt", 20s)) << attach.describe();
  // Everything the directory owes settles too (one missing-dir-fsync).
  std::this_thread::sleep_for(2s);

  // The counts in Prometheus equal the findings duraudit reported, per rule.
  std::map<std::string, double> expected;
  for (const auto& f : attach.report().findings) expected[f.value("rule", "")] += 1;
  ASSERT_EQ(expected["close-without-fsync"], 2) << attach.describe();
  ASSERT_EQ(expected["rename-without-fsync"], 2) << attach.describe();
  std::map<std::string, double> seen;
  bool converged = wait_until(
      [&] {
        // A late verdict (a directory settling) may still arrive: compare
        // with what duraudit has reported by now.
        expected.clear();
        for (const auto& f : attach.report().findings) expected[f.value("rule", "")] += 1;
        seen = prom.by_label("duraudit_findings_total{job=\"duraudit\"}", "rule");
        // A directory that settles twice gives two missing-dir-fsync with
        // one fingerprint: attach folds the second (shown later with
        // `repeats`) but counts both.
        for (const auto& [rule, n] : expected)
          if (rule == "missing-dir-fsync" ? seen[rule] < n : seen[rule] != n) return false;
        return true;
      },
      30s, 500ms);
  std::string seen_text;
  for (const auto& [rule, n] : seen) seen_text += "  " + rule + " " + std::to_string(n) + "\n";
  ASSERT_TRUE(converged) << "Prometheus has:\n" << seen_text << attach.describe() << prom.describe();
  // Every catalogue rule exists from start-up, at 0 unless it fired.
  EXPECT_EQ(seen.size(), 8u) << seen_text;
  for (const auto& [rule, n] : seen) {
    if (!expected.count(rule)) {
      EXPECT_EQ(n, 0) << rule;
    }
  }
  // gamma.txt is fsynced right after its rename: the program closed the
  // window itself within the grace period, so that finding is a warning;
  // delta.txt never becomes durable: an error.
  auto severities = prom.by_label("duraudit_findings_total{rule=\"rename-without-fsync\"}", "severity");
  EXPECT_EQ(severities["warning"], 1);
  EXPECT_EQ(severities["error"], 1);

  // The other metric families arrived too.
  for (const std::string name :
       {"duraudit_events_total", "duraudit_events_lost_total", "duraudit_sync_duration_seconds_count",
        "duraudit_dirty_to_durable_seconds_count", "duraudit_tracked_processes", "duraudit_tracked_files",
        "duraudit_state_evictions_total", "duraudit_build_info", "duraudit_state_entries",
        "duraudit_state_capacity", "duraudit_event_loop_last_iteration_timestamp_seconds",
        "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_cpu_seconds_total",
        "process_open_fds", "process_max_fds", "process_start_time_seconds"}) {
    nlohmann::json j = prom.query(name + "{job=\"duraudit\"}");
    ASSERT_FALSE(j.is_discarded()) << name;
    EXPECT_FALSE(j["data"]["result"].empty()) << name << " never reached Prometheus";
  }
  // held.txt and gamma.txt went from dirty to durable by fsync.
  EXPECT_GE(prom.by_label("duraudit_dirty_to_durable_seconds_count", "job")["duraudit"], 2);
  EXPECT_EQ(prom.by_label("duraudit_events_lost_total", "job")["duraudit"], 0);
  // Every cap's series, by kind, with the capacities attach was given
  // (the defaults here); the agent's own memory is real.
  auto capacity = prom.by_label("duraudit_state_capacity{job=\"duraudit\"}", "kind");
  EXPECT_EQ(capacity["processes"], 65536);
  EXPECT_EQ(capacity["files"], 200000);
  EXPECT_EQ(capacity["directories"], 200000);
  EXPECT_EQ(capacity["dir_entries"], 200000);
  EXPECT_GE(prom.by_label("duraudit_state_entries{job=\"duraudit\",kind=\"processes\"}", "job")["duraudit"], 1);
  EXPECT_GT(prom.by_label("process_resident_memory_bytes{job=\"duraudit\"}", "job")["duraudit"], 1 << 20);
  EXPECT_LT(prom.by_label("time() - duraudit_event_loop_last_iteration_timestamp_seconds{job=\"duraudit\"}", "job")["duraudit"], 10)
      << "the loop's timestamp keeps up with time";

  // Let rate()/increase() over [1m] windows see several samples.
  std::this_thread::sleep_for(3s);
  auto exprs = dashboard_and_alert_expressions();
  ASSERT_GE(exprs.size(), 20u);
  size_t with_data = 0;
  for (const auto& e : exprs) {
    nlohmann::json j = prom.query(e);
    EXPECT_EQ(prom.last_status(), 200) << e;
    ASSERT_FALSE(j.is_discarded()) << "not JSON for " << e;
    EXPECT_EQ(j.value("status", ""), "success") << e << "\n" << j.dump();
    EXPECT_FALSE(j.contains("warnings")) << e << "\n" << j.dump();
    if (j.value("status", "") == "success" && !j["data"]["result"].empty()) ++with_data;
  }
  // Most panels have data on a live agent (alerts that should not fire, and
  // quantiles of empty histograms, are the empty ones).
  EXPECT_GE(with_data, exprs.size() / 2) << with_data << " of " << exprs.size();
  // The error-findings panel sees the rename-without-fsync.
  nlohmann::json errors = prom.query(exprs[0]);
  ASSERT_FALSE(errors["data"]["result"].empty()) << exprs[0];
  EXPECT_GT(std::stod(errors["data"]["result"][0]["value"][1].get<std::string>()), 0) << errors.dump();

  // The alert rules load into a real server and evaluate without error.
  bool rules_ok = wait_until(
      [&] {
        nlohmann::json r = prom.api("/api/v1/rules");
        if (r.is_discarded() || r.value("status", "") != "success" || r["data"]["groups"].empty()) return false;
        for (const auto& g : r["data"]["groups"])
          for (const auto& rule : g["rules"])
            if (rule.value("health", "") != "ok") return false;
        return true;
      },
      20s, 500ms);
  EXPECT_TRUE(rules_ok) << prom.api("/api/v1/rules").dump(1);
  // DurauditErrorFindings fires (pending: it has a `for`, or firing) for the rename.
  nlohmann::json alerts = prom.api("/api/v1/alerts");
  bool error_alert = false;
  for (const auto& a : alerts["data"]["alerts"])
    if (a["labels"].value("alertname", "") == "DurauditErrorFindings" &&
        a["labels"].value("rule", "") == "rename-without-fsync")
      error_alert = true;
  EXPECT_TRUE(error_alert) << alerts.dump(1);
  for (const auto& a : alerts["data"]["alerts"]) {
    EXPECT_NE(a["labels"].value("alertname", ""), "DurauditDown") << a.dump();
    EXPECT_NE(a["labels"].value("alertname", ""), "DurauditEventLoopStalled") << a.dump();
    EXPECT_NE(a["labels"].value("alertname", ""), "DurauditStateNearCap") << a.dump();
  }

  // The exporter's own page, and its text format through promtool's linter.
  HttpResponse landing = http_get(metrics_port, "/");
  EXPECT_EQ(landing.status, 200);
  EXPECT_THAT(landing.body, HasSubstr("href=\"/metrics\""));
  HttpResponse scrape = http_get(metrics_port, "/metrics");
  ASSERT_EQ(scrape.status, 200);
  EXPECT_THAT(scrape.body, HasSubstr("duraudit_findings_total{"));
  CommandResult lint = run_command({kPromtool, "check", "metrics"}, scrape.body);
  EXPECT_EQ(lint.status, 0) << lint.out << lint.err;
  EXPECT_EQ(lint.out + lint.err, "") << "promtool check metrics complained";

  ASSERT_TRUE(target.run("exit", false));
  auto st = attach.wait_exit(20s);
  ASSERT_TRUE(st) << attach.describe();
  EXPECT_EQ(*st, 0) << attach.describe();
}

}  // namespace
}  // namespace duraudit::e2e
