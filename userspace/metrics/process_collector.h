// SPDX-License-Identifier: GPL-2.0-only
// The standard process_* metrics of the Prometheus client libraries
// (https://prometheus.io/docs/instrumenting/writing_clientlibs/#process-metrics)
// for duraudit itself, read from /proc/self at each scrape. prometheus-cpp
// has no process collector; this is one, registered beside the exporter's
// registry, so a memory or fd leak of the agent is seen, and alerted on,
// before the OOM killer or EMFILE does.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <optional>
#include <string>
#include <vector>

namespace duraudit {

// What the collector reports, read from /proc/self; exposed for tests.
struct ProcessSample {
  double cpu_seconds = 0;          // user + system
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double start_time_seconds = 0;   // since the Unix epoch
  double open_fds = 0;
  double max_fds = 0;              // the soft RLIMIT_NOFILE
};

// Parses the contents of /proc/PID/stat (the comm field may hold spaces and
// parentheses: fields are counted from the last ')'). `boot_time` is /proc/stat's
// btime, `ticks` sysconf(_SC_CLK_TCK), `page_size` sysconf(_SC_PAGESIZE).
// Fills cpu, resident, virtual and start time; false if the text is malformed.
bool parse_proc_stat(const std::string& stat, double boot_time, long ticks, long page_size, ProcessSample* out);

// Every field, for this process now; nullopt if /proc cannot be read (the
// collector then reports nothing rather than zeros that look real).
std::optional<ProcessSample> sample_self();

class ProcessCollector : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace duraudit
