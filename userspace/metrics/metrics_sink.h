// SPDX-License-Identifier: GPL-2.0-only
// Findings into Prometheus counters: a FindingSink in front of the exporter.
#pragma once

#include "metrics/metrics_exporter.h"
#include "output/finding_sink.h"

namespace duraudit {

class MetricsSink : public FindingSink {
 public:
  explicit MetricsSink(MetricsExporter& exporter) : exporter_(exporter) {}
  void on_finding(const Finding& f) override { exporter_.on_finding(f); }
  void on_summary(const Summary&) override {}

 private:
  MetricsExporter& exporter_;
};

}  // namespace duraudit
