// SPDX-License-Identifier: GPL-2.0-only
// JUnit XML (`--junit FILE`, `--format junit`), for CI test reports (GitLab,
// Jenkins): one <testsuite> per rule of the catalogue, one <testcase> per
// finding fingerprint in it. A test case fails (<failure>) when one of its
// findings is at or above --fail-on; otherwise it passes, with the findings
// in <system-out>. A disabled rule is one skipped test case. Counts (tests,
// failures, errors, skipped, time) are in each suite's attributes and in
// <testsuites>; the session's summary is in each suite's <properties>.
// Names are escaped as markup_escape.h says. docs/output.md "JUnit XML".
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"
#include "output/report_formats.h"

namespace duraudit {

class JunitSink : public DocumentSink {
 public:
  JunitSink(std::ostream& out, const Config& config, Severity fail_on);

 protected:
  void write(std::ostream& out, const std::vector<Finding>& findings, const Summary& s, uint64_t omitted) override;

 private:
  std::vector<std::pair<std::string, bool>> rules_;  // catalogue order, enabled
  Severity fail_on_;
};

}  // namespace duraudit
