// SPDX-License-Identifier: GPL-2.0-only
// The output formats of findings, as one table: each row names a format
// (`--format NAME` for the main output, and `--NAME FILE` beside it when
// it offers a side file), says how it is delivered, and makes its sink.
// run, replay, attach and report all read this table; adding a format is
// adding a row (and its sink).
#pragma once

#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "output/finding_sink.h"

namespace duraudit {

// What a sink may need to know about the session besides the findings.
struct ReportContext {
  const Config* config = nullptr;     // effective rule severities (SARIF rules, JUnit suites); read at construction
  Severity fail_on = Severity::None;  // JUnit: a finding at or above it is a <failure>
  bool color = false;                 // text
};

enum class Delivery {
  // Each finding is written as it comes, then the summary: a file can be
  // tailed, and attach appends to it and reopens it on SIGHUP.
  Streamed,
  // One whole document, written when the session ends (SARIF, JUnit,
  // HTML): the file's old contents are replaced, never appended to.
  Document,
};

struct ReportFormat {
  std::string_view name;         // --format NAME
  bool side_file;                // also offered as --NAME FILE beside the main output
  Delivery delivery;
  std::string_view description;  // for --help
  std::unique_ptr<FindingSink> (*make)(std::ostream& out, const ReportContext& ctx);
};

std::span<const ReportFormat> report_formats();
const ReportFormat* find_report_format(std::string_view name);
// "text, json, github, sarif, junit or html", for messages and --help.
std::string report_format_names();

// A document holds at most this many findings (a week of attach must not
// grow without bound); the ones past it are counted, and the document says
// how many it left out.
inline constexpr size_t kMaxDocumentFindings = 10000;

// Base of the Document formats: keeps the findings, and writes the whole
// document at on_summary().
class DocumentSink : public FindingSink {
 public:
  explicit DocumentSink(std::ostream& out) : out_(out) {}
  void on_finding(const Finding& f) override;
  void on_summary(const Summary& s) override;

 protected:
  // `omitted`: findings past kMaxDocumentFindings, not in `findings`.
  virtual void write(std::ostream& out, const std::vector<Finding>& findings, const Summary& s,
                     uint64_t omitted) = 0;

 private:
  std::ostream& out_;
  std::vector<Finding> findings_;
  uint64_t omitted_ = 0;
};

// Hands every finding and the summary to several sinks, in order.
class FanOutSink : public FindingSink {
 public:
  explicit FanOutSink(std::vector<FindingSink*> sinks) : sinks_(std::move(sinks)) {}
  void on_finding(const Finding& f) override {
    for (auto* s : sinks_) s->on_finding(f);
  }
  void on_summary(const Summary& s) override {
    for (auto* k : sinks_) k->on_summary(s);
  }

 private:
  std::vector<FindingSink*> sinks_;
};

}  // namespace duraudit
