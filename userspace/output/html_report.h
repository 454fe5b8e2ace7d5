// SPDX-License-Identifier: GPL-2.0-only
// The HTML report (`--html FILE`, `--format html`, `duraudit report`): one
// self-contained page, no network and no external assets (a
// Content-Security-Policy forbids both, and scripts), with the summary and,
// per finding, its message, fix, evidence, related files and an SVG
// timeline of its crash window (finding_timeline.h): each file's
// not-durable window as a bar, a window that never closed running to the
// end and marked "never durable", the deciding call as a vertical marker,
// time on the axis. Every name is escaped (markup_escape.h).
#pragma once

#include <ostream>
#include <vector>

#include "output/report_formats.h"

namespace duraudit {

void write_html_report(std::ostream& out, const std::vector<Finding>& findings, const Summary& s, uint64_t omitted);

class HtmlReportSink : public DocumentSink {
 public:
  explicit HtmlReportSink(std::ostream& out) : DocumentSink(out) {}

 protected:
  void write(std::ostream& out, const std::vector<Finding>& findings, const Summary& s, uint64_t omitted) override {
    write_html_report(out, findings, s, omitted);
  }
};

}  // namespace duraudit
