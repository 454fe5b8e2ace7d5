// MetricsExporter against a real listening socket: the exposition text a
// Prometheus server would scrape, the landing page, and start-up failures.
#include "metrics/metrics_exporter.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "engine/rule_catalogue.h"

namespace duraudit {
namespace {

struct HttpResponse {
  int status = 0;
  std::string headers;
  std::string body;
};

// A minimal HTTP/1.0 GET over loopback: enough to read what Prometheus reads.
HttpResponse http_get(uint16_t port, const std::string& path, const std::string& method = "GET") {
  HttpResponse r;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ADD_FAILURE() << "connect to 127.0.0.1:" << port << " failed";
    close(fd);
    return r;
  }
  std::string req = method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  EXPECT_EQ(write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  std::string raw;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) raw.append(buf, static_cast<size_t>(n));
  close(fd);
  auto split = raw.find("\r\n\r\n");
  r.headers = raw.substr(0, split);
  if (split != std::string::npos) r.body = raw.substr(split + 4);
  std::sscanf(raw.c_str(), "HTTP/%*s %d", &r.status);
  return r;
}

// "name{labels}" -> value, for every sample line of an exposition text.
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto sp = line.rfind(' ');
    out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
  }
  return out;
}

std::unique_ptr<MetricsExporter> start_ok(std::string_view addr, bool comm = false,
                                          std::size_t cap = MetricsExporter::kDefaultCommCap) {
  std::string error;
  auto e = MetricsExporter::start(addr, comm, cap, &error);
  EXPECT_NE(e, nullptr) << error;
  EXPECT_TRUE(error.empty()) << error;
  return e;
}

Finding finding(std::string rule, Severity sev, std::string comm = "app") {
  Finding f;
  f.rule = std::move(rule);
  f.severity = sev;
  f.comm = std::move(comm);
  f.pid = 4242;
  f.path = "/data/state.db";
  return f;
}

TEST(MetricsExporter, ZeroSeriesExistFromStartUp) {
  auto e = start_ok("127.0.0.1:0");
  ASSERT_TRUE(e);
  auto s = samples(e->render());
  for (const RuleInfo& rule : rule_catalogue()) {
    std::string key = "duraudit_findings_total{rule=\"" + std::string(rule.id) + "\",severity=\"" +
                      std::string(severity_name(rule.default_severity)) + "\"}";
    ASSERT_TRUE(s.count(key)) << key;
    EXPECT_EQ(s[key], 0);
  }
  for (std::string_view reason : MetricsExporter::known_loss_reasons()) {
    std::string key = "duraudit_events_lost_total{reason=\"" + std::string(reason) + "\"}";
    ASSERT_TRUE(s.count(key)) << key;
    EXPECT_EQ(s[key], 0);
  }
  for (std::string_view call : MetricsExporter::sync_calls()) {
    std::string key = "duraudit_sync_duration_seconds_count{call=\"" + std::string(call) + "\"}";
    ASSERT_TRUE(s.count(key)) << key;
  }
  EXPECT_EQ(s["duraudit_tracked_processes"], 0);
  EXPECT_EQ(s["duraudit_tracked_files"], 0);
  EXPECT_EQ(s["duraudit_state_evictions_total"], 0);
  EXPECT_EQ(s["duraudit_dirty_to_durable_seconds_count"], 0);
  std::string build = std::string("duraudit_build_info{revision=\"") + DURAUDIT_REVISION +
                      "\",version=\"" + DURAUDIT_VERSION + "\"}";
  ASSERT_TRUE(s.count(build)) << e->render();
  EXPECT_EQ(s[build], 1);
}

TEST(MetricsExporter, ScrapeOverHttpShowsRecordedValues) {
  auto e = start_ok("127.0.0.1:0");
  ASSERT_TRUE(e);
  ASSERT_GT(e->port(), 0);
  EXPECT_EQ(e->metrics_url(), "http://127.0.0.1:" + std::to_string(e->port()) + "/metrics");

  e->on_finding(finding("rename-without-fsync", Severity::Error));
  e->on_finding(finding("rename-without-fsync", Severity::Error));
  e->on_finding(finding("close-without-fsync", Severity::Warning));
  e->on_finding(finding("close-without-fsync", Severity::Error));  // severity overridden by a rules file
  for (int i = 0; i < 5; ++i) e->on_event("openat");
  e->on_event("fsync");
  e->set_losses({{"ringbuf_full_write", 3}});
  e->set_losses({{"ringbuf_full_write", 5}, {"path_truncated", 1}});
  e->set_losses({{"ringbuf_full_write", 2}});  // a new source: its 2 are new losses
  e->observe_sync("fsync", 0.003);
  e->observe_sync("fsync", 0.2);
  e->observe_sync("fdatasync", 0.0001);
  e->observe_sync("ioctl", 1.0);  // not a sync call: ignored
  e->observe_dirty_to_durable(0.05);
  e->observe_dirty_to_durable(40);
  e->set_tracked(7, 123);
  e->set_evictions(10);
  e->set_evictions(25);

  HttpResponse r = http_get(e->port(), "/metrics");
  ASSERT_EQ(r.status, 200) << r.headers;
  EXPECT_NE(r.headers.find("text/plain"), std::string::npos) << r.headers;
  auto s = samples(r.body);
  EXPECT_EQ(s["duraudit_findings_total{rule=\"rename-without-fsync\",severity=\"error\"}"], 2);
  EXPECT_EQ(s["duraudit_findings_total{rule=\"close-without-fsync\",severity=\"warning\"}"], 1);
  EXPECT_EQ(s["duraudit_findings_total{rule=\"close-without-fsync\",severity=\"error\"}"], 1);
  EXPECT_EQ(s["duraudit_findings_total{rule=\"state-deleted\",severity=\"notice\"}"], 0);
  EXPECT_EQ(s["duraudit_events_total{syscall=\"openat\"}"], 5);
  EXPECT_EQ(s["duraudit_events_total{syscall=\"fsync\"}"], 1);
  EXPECT_EQ(s["duraudit_events_lost_total{reason=\"ringbuf_full_write\"}"], 7);
  EXPECT_EQ(s["duraudit_events_lost_total{reason=\"path_truncated\"}"], 1);
  EXPECT_EQ(s["duraudit_events_lost_total{reason=\"dedup_map_full\"}"], 0);
  EXPECT_EQ(s["duraudit_sync_duration_seconds_count{call=\"fsync\"}"], 2);
  EXPECT_DOUBLE_EQ(s["duraudit_sync_duration_seconds_sum{call=\"fsync\"}"], 0.203);
  EXPECT_EQ(s["duraudit_sync_duration_seconds_bucket{call=\"fsync\",le=\"0.005\"}"], 1);
  EXPECT_EQ(s["duraudit_sync_duration_seconds_bucket{call=\"fsync\",le=\"+Inf\"}"], 2);
  EXPECT_EQ(s["duraudit_sync_duration_seconds_count{call=\"fdatasync\"}"], 1);
  EXPECT_EQ(s["duraudit_sync_duration_seconds_count{call=\"msync\"}"], 0);
  EXPECT_EQ(s.count("duraudit_sync_duration_seconds_count{call=\"ioctl\"}"), 0u);
  EXPECT_EQ(s["duraudit_dirty_to_durable_seconds_count"], 2);
  EXPECT_EQ(s["duraudit_dirty_to_durable_seconds_bucket{le=\"0.1\"}"], 1);
  EXPECT_EQ(s["duraudit_dirty_to_durable_seconds_bucket{le=\"60\"}"], 2);
  EXPECT_EQ(s["duraudit_tracked_processes"], 7);
  EXPECT_EQ(s["duraudit_tracked_files"], 123);
  EXPECT_EQ(s["duraudit_state_evictions_total"], 25);

  // Only bounded labels: pid, path and inode never become label values.
  EXPECT_EQ(r.body.find("pid="), std::string::npos);
  EXPECT_EQ(r.body.find("path="), std::string::npos);
  EXPECT_EQ(r.body.find("ino="), std::string::npos);
  EXPECT_EQ(r.body.find("inode="), std::string::npos);
  EXPECT_EQ(r.body.find("4242"), std::string::npos);
  EXPECT_EQ(r.body.find("comm="), std::string::npos);  // not asked for
}

TEST(MetricsExporter, CommLabelIsCappedWithOverflowIntoOther) {
  auto e = start_ok("127.0.0.1:0", /*comm=*/true, /*cap=*/2);
  ASSERT_TRUE(e);
  for (const char* comm : {"flink", "fluent-bit", "postgres", "redis", "flink"})
    e->on_finding(finding("close-without-fsync", Severity::Warning, comm));
  e->on_finding(finding("close-without-fsync", Severity::Warning, "bad\x01\xff"));
  auto s = samples(e->render());
  const std::string base = "duraudit_findings_total{comm=\"";
  EXPECT_EQ(s[base + "flink\",rule=\"close-without-fsync\",severity=\"warning\"}"], 2);
  EXPECT_EQ(s[base + "fluent-bit\",rule=\"close-without-fsync\",severity=\"warning\"}"], 1);
  EXPECT_EQ(s[base + "other\",rule=\"close-without-fsync\",severity=\"warning\"}"], 3);
  EXPECT_EQ(s.count(base + "postgres\",rule=\"close-without-fsync\",severity=\"warning\"}"), 0u);
  // Zero series exist under comm="other".
  EXPECT_EQ(s.count(base + "other\",rule=\"state-deleted\",severity=\"notice\"}"), 1u);
}

TEST(MetricsExporter, CommValuesAreSanitizedToPrintableAscii) {
  auto e = start_ok("127.0.0.1:0", /*comm=*/true, /*cap=*/10);
  ASSERT_TRUE(e);
  e->on_finding(finding("close-without-fsync", Severity::Warning, "bad\x01\xff"));
  e->on_finding(finding("close-without-fsync", Severity::Warning, ""));
  auto s = samples(e->render());
  EXPECT_EQ(s["duraudit_findings_total{comm=\"bad??\",rule=\"close-without-fsync\",severity=\"warning\"}"], 1);
  EXPECT_EQ(s["duraudit_findings_total{comm=\"unknown\",rule=\"close-without-fsync\",severity=\"warning\"}"], 1);
}

TEST(MetricsExporter, DeclaredSeriesStartAtZero) {
  auto e = start_ok("127.0.0.1:0");
  ASSERT_TRUE(e);
  e->declare_rule("state-deleted", Severity::Error);
  e->declare_loss_reason("strace_unparsed_lines");
  auto s = samples(e->render());
  EXPECT_EQ(s.count("duraudit_findings_total{rule=\"state-deleted\",severity=\"error\"}"), 1u);
  EXPECT_EQ(s.count("duraudit_events_lost_total{reason=\"strace_unparsed_lines\"}"), 1u);
}

TEST(MetricsExporter, LandingPageLinksMetricsAndNamesVersion) {
  auto e = start_ok("127.0.0.1:0");
  ASSERT_TRUE(e);
  HttpResponse r = http_get(e->port(), "/");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.headers.find("text/html"), std::string::npos) << r.headers;
  EXPECT_NE(r.body.find("<a href=\"/metrics\">"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(DURAUDIT_VERSION), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(DURAUDIT_REVISION), std::string::npos) << r.body;

  HttpResponse head = http_get(e->port(), "/", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());

  EXPECT_EQ(http_get(e->port(), "/", "POST").status, 405);
  EXPECT_EQ(http_get(e->port(), "/nothing-here").status, 404);
}

TEST(MetricsExporter, BindFailureIsAClearErrorAtStart) {
  auto first = start_ok("127.0.0.1:0");
  ASSERT_TRUE(first);
  const std::string addr = "127.0.0.1:" + std::to_string(first->port());
  std::string error;
  auto second = MetricsExporter::start(addr, false, 10, &error);
  EXPECT_EQ(second, nullptr);
  EXPECT_NE(error.find("cannot listen on " + addr + ": address already in use"), std::string::npos)
      << error;
  // The first exporter is unaffected.
  EXPECT_EQ(http_get(first->port(), "/metrics").status, 200);
}

TEST(MetricsExporter, UnassignedLocalAddressIsAClearError) {
  std::string error;
  // TEST-NET-1 (RFC 5737): never a local address.
  auto e = MetricsExporter::start("192.0.2.1:9464", false, 10, &error);
  EXPECT_EQ(e, nullptr);
  EXPECT_NE(error.find("cannot listen on 192.0.2.1:9464: "), std::string::npos) << error;
}

TEST(MetricsExporter, MalformedAddressesAreRejected) {
  for (const char* addr : {"", "nonsense", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:9464s",
                           "127.0.0.1:80,127.0.0.1:81", "::1:9464", "[::1]", "[::1]9464"}) {
    std::string error;
    auto e = MetricsExporter::start(addr, false, 10, &error);
    EXPECT_EQ(e, nullptr) << addr;
    EXPECT_NE(error.find("invalid metrics listen address '" + std::string(addr) + "'"),
              std::string::npos)
        << addr << ": " << error;
  }
}

TEST(MetricsExporter, PortOnlyAddressListensOnAllInterfaces) {
  auto e = start_ok(":0");
  ASSERT_TRUE(e);
  EXPECT_EQ(http_get(e->port(), "/metrics").status, 200);
  EXPECT_EQ(e->metrics_url(), "http://0.0.0.0:" + std::to_string(e->port()) + "/metrics");
}

TEST(MetricsExporter, Ipv6AddressWorksOrSaysWhyNot) {
  std::string error;
  auto e = MetricsExporter::start("[::1]:0", false, 10, &error);
  if (e) {
    EXPECT_GT(e->port(), 0);
  } else {
    // Debian's civetweb is built without IPv6: the message must say so.
    EXPECT_NE(error.find("cannot listen on [::1]:0: "), std::string::npos) << error;
    EXPECT_NE(error.find("IPv6"), std::string::npos) << error;
  }
}

// The exposition passes Prometheus's own linter (issue 5 acceptance).
TEST(MetricsExporter, PromtoolCheckMetricsPasses) {
  auto e = start_ok("127.0.0.1:0", /*comm=*/true, 5);
  ASSERT_TRUE(e);
  e->on_finding(finding("rename-without-fsync", Severity::Error));
  e->on_event("write");
  e->observe_sync("fsync", 0.01);
  HttpResponse r = http_get(e->port(), "/metrics");
  ASSERT_EQ(r.status, 200);
  char dir[] = "/tmp/duraudit-metrics-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string file = std::string(dir) + "/metrics.txt";
  std::ofstream(file) << r.body;
  const std::string out = file + ".out";
  int rc = std::system(("promtool check metrics < " + file + " > " + out + " 2>&1").c_str());
  std::ifstream in(out);
  std::string report((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << "promtool (Debian package prometheus, scripts/setup.sh) said:\n" << report;
  std::remove(file.c_str());
  std::remove(out.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace duraudit
