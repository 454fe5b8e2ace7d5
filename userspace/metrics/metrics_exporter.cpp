#include "metrics/metrics_exporter.h"

#include <CivetServer.h>
#include <civetweb.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <charconv>
#include <cstring>
#include <system_error>

#include "engine/rule_catalogue.h"

// Set for duraudit_core by CMake; the fallbacks keep the file compilable alone.
#ifndef DURAUDIT_VERSION
#define DURAUDIT_VERSION "unknown"
#endif
#ifndef DURAUDIT_REVISION
#define DURAUDIT_REVISION "unknown"
#endif

namespace duraudit {
namespace {

// Latency of one sync call: from tens of microseconds (nothing dirty, fast
// NVMe) to seconds (a large dirty set on a slow or congested disk).
const prometheus::Histogram::BucketBoundaries kSyncBuckets = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};

// How long data stays non-durable: milliseconds for fsync-after-write code,
// up to the kernel's writeback (~30 s) and far beyond for files never synced.
const prometheus::Histogram::BucketBoundaries kDirtyBuckets = {
    0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600};

// Bound on distinct `syscall` label values; the normalized event stream has
// a few dozen, so reaching it means a caller bug, not a busy host.
constexpr std::size_t kSyscallCap = 128;

// ---- civetweb glue ---------------------------------------------------------

// civetweb reports bind errors through the log_message callback while the
// Exposer is being constructed, on the constructing thread. start() points
// this at a buffer for that window; other messages (worker threads, later)
// go to the debug log.
thread_local std::vector<std::string>* t_startup_messages = nullptr;

int log_civetweb_message(const mg_connection*, const char* message) {
  if (t_startup_messages) {
    t_startup_messages->emplace_back(message);
  } else {
    spdlog::debug("metrics http server: {}", message);
  }
  return 1;  // handled: civetweb must not print to stderr itself
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

const std::string& landing_page() {
  static const std::string page = [] {
    const std::string version = html_escape(DURAUDIT_VERSION);
    const std::string revision = html_escape(DURAUDIT_REVISION);
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
           "<title>duraudit exporter</title></head>\n<body>\n"
           "<h1>duraudit exporter</h1>\n"
           "<p>duraudit " + version + " (revision " + revision + ") audits file durability "
           "(fsync, rename, directory syncs) of the processes it is attached to.</p>\n"
           "<p><a href=\"/metrics\">Metrics</a> in the Prometheus text format.</p>\n"
           "<p>Dashboard and alert rules: <code>dashboards/duraudit.json</code>, "
           "<code>dashboards/alerts.yml</code> in the duraudit source tree.</p>\n"
           "</body>\n</html>\n";
  }();
  return page;
}

// civetweb calls this for every request before its own dispatch (the
// Exposer's /metrics handler). Answering "/" (and HEAD /metrics) here is how the landing page is
// served without a second HTTP server: prometheus-cpp 1.0's Exposer has no
// API for other handlers, but it forwards CivetCallbacks to civetweb.
int serve_landing_page(mg_connection* conn) {
  const mg_request_info* req = mg_get_request_info(conn);
  if (!req || !req->local_uri) return 0;
  const bool head = req->request_method && std::strcmp(req->request_method, "HEAD") == 0;
  // HEAD /metrics (probes that only check the endpoint): the Exposer's
  // handler knows GET only. The headers of a scrape, without its body.
  if (head && std::strcmp(req->local_uri, "/metrics") == 0) {
    mg_printf(conn,
              "HTTP/1.1 200 OK\r\n"
              "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
              "Connection: close\r\n\r\n");
    return 200;
  }
  if (std::strcmp(req->local_uri, "/") != 0) return 0;
  const bool get = req->request_method && std::strcmp(req->request_method, "GET") == 0;
  if (!get && !head) {
    mg_send_http_error(conn, 405, "%s", "Only GET and HEAD are served here.\n");
    return 405;
  }
  const std::string& page = landing_page();
  mg_send_http_ok(conn, "text/html; charset=utf-8", static_cast<long long>(page.size()));
  if (get) mg_write(conn, page.data(), page.size());
  return 200;
}

// ---- server options --------------------------------------------------------

// civetweb gives each connection a worker thread for as long as the
// connection is open, so idle or slow clients (any local user can open some)
// would hold every thread and blind Prometheus and liveness probes. Enough
// threads for kServerThreads - 1 such connections, and short timeouts that
// free a thread held by an idle client within two seconds; a client beyond
// that waits in civetweb's accept queue (kConnectionQueue connections, then
// the kernel's listen backlog). docs/production.md
// "Metrics endpoint".
std::vector<std::string> server_options(const std::string& listening_ports) {
  return {"listening_ports", listening_ports,
          "num_threads", std::to_string(MetricsExporter::kServerThreads),
          // A request's headers must arrive within this (slowloris).
          "request_timeout_ms", "2000",
          // One request per connection: none is held open between scrapes.
          "enable_keep_alive", "no",
          "keep_alive_timeout_ms", "500",
          "connection_queue", std::to_string(MetricsExporter::kConnectionQueue)};
}

// ---- listen address --------------------------------------------------------

struct ListenSpec {
  std::string civetweb_ports;  // civetweb's listening_ports syntax
  std::string host;            // for metrics_url()
};

bool parse_port(std::string_view s, unsigned* port) {
  if (s.empty() || s.size() > 5) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  unsigned v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  if (v > 65535) return false;
  *port = v;
  return true;
}

// Accepts HOST:PORT, :PORT, PORT and [IPV6]:PORT; civetweb's own suffixes
// (s for TLS, r for redirect) and lists are not part of the contract.
bool parse_listen_address(std::string_view addr, ListenSpec* out, std::string* error) {
  const std::string shown(addr);
  auto bad = [&] {
    *error = "invalid metrics listen address '" + shown +
             "': expected HOST:PORT, :PORT or [IPV6]:PORT, e.g. 127.0.0.1:9464";
    return false;
  };
  unsigned port = 0;
  if (!addr.empty() && addr.front() == '[') {
    auto close = addr.find(']');
    if (close == std::string_view::npos || close + 1 >= addr.size() || addr[close + 1] != ':')
      return bad();
    if (!parse_port(addr.substr(close + 2), &port)) return bad();
    if (!mg_check_feature(MG_FEATURES_IPV6)) {
      *error = "cannot listen on " + shown +
               ": the HTTP server library (civetweb) was built without IPv6 support; "
               "use an IPv4 address such as 127.0.0.1:" + std::to_string(port);
      return false;
    }
    out->civetweb_ports = shown;
    out->host = std::string(addr.substr(0, close + 1));
    return true;
  }
  auto colon = addr.rfind(':');
  if (colon == std::string_view::npos) {
    if (!parse_port(addr, &port)) return bad();
    out->civetweb_ports = "0.0.0.0:" + std::to_string(port);
    out->host = "0.0.0.0";
    return true;
  }
  std::string_view host = addr.substr(0, colon);
  if (!parse_port(addr.substr(colon + 1), &port)) return bad();
  if (host.find(':') != std::string_view::npos) return bad();  // bare IPv6 needs brackets
  if (host.empty()) host = "0.0.0.0";
  out->civetweb_ports = std::string(host) + ":" + std::to_string(port);
  out->host = std::string(host);
  return true;
}

// Turns civetweb's "cannot bind to 127.0.0.1:9464: 98 (Address already in use)"
// into "address already in use"; other messages are passed on as they are.
std::string bind_failure_reason(const std::vector<std::string>& messages) {
  for (const std::string& m : messages) {
    auto at = m.find("cannot bind to ");
    if (at == std::string::npos) continue;
    auto paren = m.rfind(" (");
    auto colon = m.rfind(": ", paren);
    if (paren != std::string::npos && colon != std::string::npos) {
      int err = 0;
      const char* first = m.data() + colon + 2;
      auto [ptr, ec] = std::from_chars(first, m.data() + paren, err);
      if (ec == std::errc() && err > 0) {
        std::string reason = std::generic_category().message(err);
        if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(reason[0]));
        if (err == EADDRINUSE) reason += " (another duraudit or exporter is using the port?)";
        if (err == EACCES) reason += " (ports below 1024 need CAP_NET_BIND_SERVICE)";
        if (err == EADDRNOTAVAIL) reason += " (no local interface has that address)";
        return reason;
      }
    }
    return m;
  }
  for (const std::string& m : messages)
    if (m.find("Failed to setup server ports") == std::string::npos) return m;
  return messages.empty() ? "the HTTP server did not start" : messages.front();
}

// Kernel comm values are up to 15 arbitrary bytes; label values must be valid
// UTF-8, so anything outside printable ASCII becomes '?'.
std::string sanitize_comm(std::string_view comm) {
  if (comm.empty()) return "unknown";
  std::string out(comm);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) c = '?';
  }
  return out;
}

std::string join_key(std::string_view a, std::string_view b, std::string_view c) {
  std::string k;
  k.reserve(a.size() + b.size() + c.size() + 2);
  k.append(a).push_back('\0');
  k.append(b).push_back('\0');
  k.append(c);
  return k;
}

}  // namespace

// ---- MetricsExporter ---------------------------------------------------------

const std::vector<std::string_view>& MetricsExporter::sync_calls() {
  static const std::vector<std::string_view> calls = {"fsync",          "fdatasync", "sync",
                                                      "syncfs",         "sync_file_range",
                                                      "msync"};
  return calls;
}

const std::vector<std::string_view>& MetricsExporter::known_loss_reasons() {
  // The live capture's reasons (enum da_loss_reason in bpf/events.h, named by
  // capture::loss_reason_name) plus its userspace decode errors.
  static const std::vector<std::string_view> reasons = {
      "ringbuf_full_syscall", "ringbuf_full_write", "ringbuf_full_fork", "ringbuf_full_exec",
      "ringbuf_full_exit",    "path_truncated",     "path_unreadable",   "target_map_full",
      "dedup_map_full",       "decode_error"};
  return reasons;
}

MetricsExporter::MetricsExporter(bool comm_label, std::size_t comm_cap)
    : comm_label_(comm_label), comm_cap_(comm_cap), registry_(std::make_shared<prometheus::Registry>()) {
  build_families();
}

MetricsExporter::~MetricsExporter() = default;

std::unique_ptr<MetricsExporter> MetricsExporter::start(std::string_view listen_address,
                                                        bool comm_label, std::size_t comm_cap,
                                                        std::string* error) {
  ListenSpec spec;
  if (!parse_listen_address(listen_address, &spec, error)) return nullptr;

  std::unique_ptr<MetricsExporter> exporter(new MetricsExporter(comm_label, comm_cap));

  CivetCallbacks callbacks;  // copied by civetweb at start
  callbacks.begin_request = serve_landing_page;
  callbacks.log_message = log_civetweb_message;

  std::vector<std::string> startup_messages;
  t_startup_messages = &startup_messages;
  try {
    exporter->exposer_ = std::make_unique<prometheus::Exposer>(server_options(spec.civetweb_ports), &callbacks);
  } catch (const std::exception& e) {
    t_startup_messages = nullptr;
    if (startup_messages.empty()) startup_messages.emplace_back(e.what());
    *error = "cannot listen on " + std::string(listen_address) + ": " +
             bind_failure_reason(startup_messages);
    return nullptr;
  }
  t_startup_messages = nullptr;

  exporter->exposer_->RegisterCollectable(exporter->registry_);
  auto ports = exporter->exposer_->GetListeningPorts();
  exporter->port_ = ports.empty() ? 0 : static_cast<uint16_t>(ports.front());
  exporter->host_ = spec.host;
  return exporter;
}

std::string MetricsExporter::metrics_url() const {
  return "http://" + host_ + ":" + std::to_string(port_) + "/metrics";
}

void MetricsExporter::build_families() {
  using prometheus::BuildCounter;
  using prometheus::BuildGauge;
  using prometheus::BuildHistogram;

  findings_ = &BuildCounter()
                   .Name("duraudit_findings_total")
                   .Help("Durability findings reported, by rule id and severity.")
                   .Register(*registry_);
  events_ = &BuildCounter()
                 .Name("duraudit_events_total")
                 .Help("Normalized syscall events processed, by syscall.")
                 .Register(*registry_);
  lost_ = &BuildCounter()
               .Name("duraudit_events_lost_total")
               .Help("Events lost before analysis, by reason; findings may be incomplete "
                     "while this grows.")
               .Register(*registry_);
  sync_duration_ = &BuildHistogram()
                        .Name("duraudit_sync_duration_seconds")
                        .Help("Time spent in sync calls made by audited processes, by call.")
                        .Register(*registry_);
  dirty_to_durable_ = &BuildHistogram()
                           .Name("duraudit_dirty_to_durable_seconds")
                           .Help("Time file data stayed non-durable: from the first write "
                                 "after it was last durable to the sync that made it durable.")
                           .Register(*registry_)
                           .Add({}, kDirtyBuckets);
  tracked_processes_ = &BuildGauge()
                            .Name("duraudit_tracked_processes")
                            .Help("Processes whose file state duraudit currently tracks.")
                            .Register(*registry_)
                            .Add({});
  tracked_files_ = &BuildGauge()
                        .Name("duraudit_tracked_files")
                        .Help("Files (inodes) whose durability duraudit currently tracks.")
                        .Register(*registry_)
                        .Add({});
  evictions_ = &BuildCounter()
                    .Name("duraudit_state_evictions_total")
                    .Help("Tracked state entries evicted because a state cap was reached; "
                          "verdicts touching evicted state are marked incomplete.")
                    .Register(*registry_)
                    .Add({});
  BuildGauge()
      .Name("duraudit_build_info")
      .Help("Always 1; labels carry the duraudit version and source revision.")
      .Register(*registry_)
      .Add({{"version", DURAUDIT_VERSION}, {"revision", DURAUDIT_REVISION}})
      .Set(1);

  // Zero series from start-up: dashboards show 0 rather than "no data", and
  // increase()-based alerts see the first finding or loss.
  for (const RuleInfo& rule : rule_catalogue()) declare_rule(rule.id, rule.default_severity);
  for (std::string_view reason : known_loss_reasons()) declare_loss_reason(reason);
  for (std::string_view call : sync_calls())
    sync_histograms_.emplace(std::string(call),
                             &sync_duration_->Add({{"call", std::string(call)}}, kSyncBuckets));
}

std::string MetricsExporter::comm_value(std::string_view comm) {
  std::string value = sanitize_comm(comm);
  if (value == kOtherComm) return value;
  if (comms_seen_.count(value)) return value;
  if (comms_seen_.size() >= comm_cap_) return std::string(kOtherComm);
  comms_seen_.insert(value);
  return value;
}

prometheus::Counter& MetricsExporter::finding_counter(std::string_view rule,
                                                      std::string_view severity,
                                                      std::string_view comm) {
  std::string key = join_key(rule, severity, comm);
  auto it = finding_counters_.find(key);
  if (it != finding_counters_.end()) return *it->second;
  std::map<std::string, std::string> labels{{"rule", std::string(rule)},
                                            {"severity", std::string(severity)}};
  if (comm_label_) labels.emplace("comm", std::string(comm));
  prometheus::Counter& c = findings_->Add(labels);
  finding_counters_.emplace(std::move(key), &c);
  return c;
}

prometheus::Counter& MetricsExporter::loss_counter(const std::string& reason) {
  // lost_->Add returns the existing series for the same labels.
  return lost_->Add({{"reason", reason}});
}

void MetricsExporter::declare_rule(std::string_view rule, Severity severity) {
  std::lock_guard lock(mu_);
  finding_counter(rule, severity_name(severity), comm_label_ ? kOtherComm : std::string_view{});
}

void MetricsExporter::declare_loss_reason(std::string_view reason) {
  std::lock_guard lock(mu_);
  loss_counter(std::string(reason));
}

void MetricsExporter::on_finding(const Finding& finding) {
  std::lock_guard lock(mu_);
  std::string comm = comm_label_ ? comm_value(finding.comm) : std::string();
  finding_counter(finding.rule, severity_name(finding.severity), comm).Increment();
}

void MetricsExporter::on_event(std::string_view syscall) { add_events(syscall, 1); }

void MetricsExporter::add_events(std::string_view syscall, uint64_t count) {
  if (count == 0) return;
  std::lock_guard lock(mu_);
  std::string name(syscall);
  auto it = event_counters_.find(name);
  if (it == event_counters_.end()) {
    if (event_counters_.size() >= kSyscallCap) name = "other";
    it = event_counters_.find(name);
    if (it == event_counters_.end())
      it = event_counters_.emplace(name, &events_->Add({{"syscall", name}})).first;
  }
  it->second->Increment(static_cast<double>(count));
}

void MetricsExporter::set_losses(const LossCounters& losses) {
  std::lock_guard lock(mu_);
  for (const auto& [reason, total] : losses) {
    uint64_t& last = last_losses_[reason];
    uint64_t delta = total >= last ? total - last : total;
    last = total;
    prometheus::Counter& c = loss_counter(reason);  // creates the series even at 0
    if (delta) c.Increment(static_cast<double>(delta));
  }
}

void MetricsExporter::observe_sync(std::string_view call, double seconds) {
  std::lock_guard lock(mu_);
  auto it = sync_histograms_.find(std::string(call));
  if (it == sync_histograms_.end()) {
    spdlog::debug("metrics: no sync duration series for '{}'", call);
    return;
  }
  it->second->Observe(seconds);
}

void MetricsExporter::observe_dirty_to_durable(double seconds) {
  dirty_to_durable_->Observe(seconds);  // Histogram is internally synchronized
}

void MetricsExporter::set_tracked(uint64_t processes, uint64_t files) {
  tracked_processes_->Set(static_cast<double>(processes));
  tracked_files_->Set(static_cast<double>(files));
}

void MetricsExporter::set_evictions(uint64_t total) {
  std::lock_guard lock(mu_);
  uint64_t delta = total >= last_evictions_ ? total - last_evictions_ : total;
  last_evictions_ = total;
  if (delta) evictions_->Increment(static_cast<double>(delta));
}

std::string MetricsExporter::render() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace duraudit
