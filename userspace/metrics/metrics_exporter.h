// SPDX-License-Identifier: GPL-2.0-only
// Prometheus exporter for `duraudit attach --metrics-listen ADDR`.
//
// Metric names and labels are a user-facing contract (docs/production.md "Prometheus
// metrics"): dashboards/duraudit.json and dashboards/alerts.yml query them.
// No pid, path or inode labels ever: their cardinality is unbounded. The only
// per-process label is an optional, capped `comm` on findings.
//
// Served by prometheus-cpp's Exposer (civetweb underneath): /metrics in the
// text exposition format, /healthz (the event loop's liveness) and a small
// HTML landing page at /. GET and HEAD on each.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/finding.h"
#include "engine/severity.h"
#include "event/event_source.h"

namespace prometheus {
class Exposer;
class Registry;
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace duraudit {

class ProcessCollector;

// When the agent's event loop last went round: what /healthz answers from.
// Written by the loop, read by the HTTP server's threads.
struct LoopHealth {
  std::atomic<uint64_t> last_iteration_ns{0};  // CLOCK_MONOTONIC; 0: not yet
};

class MetricsExporter {
 public:
  // /healthz turns 503 when the event loop has not gone round for this
  // long. The loop polls the ring buffer for at most 100 ms and then settles
  // verdicts and flushes outputs; a busy second is normal, five are not (and
  // the systemd watchdog, fed by the same loop, is set well above this).
  static constexpr uint64_t kLoopStaleNs = 5'000'000'000;

  // Default cap on distinct `comm` label values; findings from further
  // commands are counted under comm="other".
  static constexpr std::size_t kDefaultCommCap = 50;
  // HTTP server worker threads (one per open connection) and the queue of
  // accepted connections waiting for one (metrics_exporter.cpp).
  static constexpr int kServerThreads = 48;
  static constexpr int kConnectionQueue = 64;

  // The value findings from commands beyond the cap are counted under
  // (and, with the container label, from containers beyond its cap).
  static constexpr std::string_view kOtherComm = "other";
  // Default cap on distinct `container` label values (--metrics-container-label).
  static constexpr std::size_t kDefaultContainerCap = 100;
  // The container label's value: the container id's first 12 hex digits
  // (as `docker ps` and `crictl ps` show them); "" for a process in no container.
  static constexpr std::size_t kContainerLabelLen = 12;

  // The sync calls duraudit_sync_duration_seconds has a series for.
  static const std::vector<std::string_view>& sync_calls();
  // Loss reasons whose zero series exist from start-up (the live capture's
  // reasons); set_losses() accepts other reasons too.
  static const std::vector<std::string_view>& known_loss_reasons();

  // Whether `listen_address` is one start() accepts (its syntax, and a host
  // name that resolves); if not, false and a sentence "invalid metrics listen
  // address 'ADDR': ..." in *error. A bad value, not a failure to bind.
  static bool check_listen_address(std::string_view listen_address, std::string* error);

  // Starts serving on `listen_address`: "127.0.0.1:10464", "localhost:10464",
  // ":10464" (all IPv4 interfaces), "[::1]:10464" (only when the HTTP server was
  // built with IPv6 support; Debian's civetweb is not). Port 0 picks a free
  // port (see port()). Returns nullptr and sets *error to a sentence such as
  // "cannot listen on 127.0.0.1:10464: address already in use" when the address
  // cannot be bound (or, unless check_listen_address() was asked first, is
  // malformed), so the caller can exit at start-up.
  // `comm_label` adds a `comm` label to duraudit_findings_total, with at most
  // `comm_cap` distinct values; `container_cap` > 0 a `container` label with
  // at most that many (off by default: a node runs many containers, and
  // each is a series per rule and severity).
  static std::unique_ptr<MetricsExporter> start(std::string_view listen_address, bool comm_label,
                                                std::size_t comm_cap, std::string* error,
                                                std::size_t container_cap = 0);

  ~MetricsExporter();
  MetricsExporter(const MetricsExporter&) = delete;
  MetricsExporter& operator=(const MetricsExporter&) = delete;

  // The TCP port actually bound (the chosen one when the address said :0).
  uint16_t port() const { return port_; }
  // "http://HOST:PORT/metrics", for the start-up log line.
  std::string metrics_url() const;

  // duraudit_findings_total{rule,severity[,comm]} += 1.
  void on_finding(const Finding& finding);
  // duraudit_events_total{syscall} += 1: one normalized event seen.
  void on_event(std::string_view syscall);
  // The same for `count` events at once (attach batches per tick: one lock
  // per syscall kind, not per event).
  void add_events(std::string_view syscall, uint64_t count);
  // duraudit_events_lost_total{reason}: `losses` are the source's cumulative
  // totals; the counter grows by the increase since the previous call. A total
  // smaller than before means the source was recreated: its whole value is new.
  void set_losses(const LossCounters& losses);
  // duraudit_sync_duration_seconds{call}: call is one of sync_calls(); others
  // are ignored (bounded label values).
  void observe_sync(std::string_view call, double seconds);
  // duraudit_dirty_to_durable_seconds: from an inode becoming dirty to its data
  // becoming durable.
  void observe_dirty_to_durable(double seconds);
  // duraudit_tracked_processes / duraudit_tracked_files gauges.
  void set_tracked(uint64_t processes, uint64_t files);
  // duraudit_state_entries{kind}, duraudit_state_capacity{kind} and
  // duraudit_state_evictions_total{kind} for one cap of session/state_caps.h;
  // `evictions` is cumulative, as for set_losses. Every kind of the table
  // has its zero series from start-up.
  void set_state(std::string_view kind, uint64_t entries, uint64_t capacity, uint64_t evictions);

  // The event loop went round at `monotonic_ns` (CLOCK_MONOTONIC): /healthz
  // and duraudit_event_loop_last_iteration_timestamp_seconds (wall clock).
  void note_loop_iteration(uint64_t monotonic_ns);
  // /healthz's verdict at `now_ns`: true when the loop went round within
  // kLoopStaleNs; `why` says how long ago, or that it has not started.
  bool loop_healthy(uint64_t now_ns, std::string* why) const;

  // Creates the zero series {rule, severity} (and comm="other" when the comm
  // label is on). Every catalogue rule at its default severity exists from
  // start-up; call this for severities a rules file overrides, so alerts on
  // increase() see the first finding (a series born at 1 shows no increase).
  void declare_rule(std::string_view rule, Severity severity);
  // Creates the zero series of a loss reason not in known_loss_reasons().
  void declare_loss_reason(std::string_view reason);

  // The current exposition text, exactly as /metrics serves it (no HTTP).
  std::string render() const;

 private:
  MetricsExporter(bool comm_label, std::size_t comm_cap);
  void build_families();
  prometheus::Counter& finding_counter(std::string_view rule, std::string_view severity,
                                       std::string_view comm, std::string_view container = {});
  std::string container_value(std::string_view container_id);  // applies the cap; needs mu_
  prometheus::Counter& loss_counter(const std::string& reason);
  std::string comm_value(std::string_view comm);  // applies the cap; needs mu_

  const bool comm_label_;
  const std::size_t comm_cap_;
  uint16_t port_ = 0;
  std::string host_;  // as given, for metrics_url()

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* findings_ = nullptr;
  prometheus::Family<prometheus::Counter>* events_ = nullptr;
  prometheus::Family<prometheus::Counter>* lost_ = nullptr;
  prometheus::Family<prometheus::Histogram>* sync_duration_ = nullptr;
  prometheus::Histogram* dirty_to_durable_ = nullptr;
  prometheus::Gauge* tracked_processes_ = nullptr;
  prometheus::Gauge* tracked_files_ = nullptr;
  prometheus::Family<prometheus::Gauge>* state_entries_ = nullptr;
  prometheus::Family<prometheus::Gauge>* state_capacity_ = nullptr;
  prometheus::Family<prometheus::Counter>* evictions_ = nullptr;
  prometheus::Gauge* loop_last_iteration_ = nullptr;
  std::shared_ptr<LoopHealth> health_ = std::make_shared<LoopHealth>();
  std::shared_ptr<ProcessCollector> process_collector_;

  // Label lookups are cached: Family::Add hashes a std::map of labels, too
  // slow for once-per-event calls.
  mutable std::mutex mu_;
  std::unordered_map<std::string, prometheus::Counter*> event_counters_;
  std::unordered_map<std::string, prometheus::Counter*> finding_counters_;  // "rule\0sev\0comm"
  std::unordered_map<std::string, prometheus::Histogram*> sync_histograms_;
  std::unordered_map<std::string, uint64_t> last_losses_;
  std::set<std::string, std::less<>> comms_seen_;
  std::size_t container_cap_ = 0;  // 0: no container label
  std::set<std::string, std::less<>> containers_seen_;
  std::unordered_map<std::string, uint64_t> last_evictions_;  // by kind

  // Declared last: destroyed first, so no scrape runs while the registry and
  // families above are torn down.
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace duraudit
