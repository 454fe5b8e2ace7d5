// SPDX-License-Identifier: GPL-2.0-only
#include "output/report_formats.h"

#include "output/github_sink.h"
#include "output/html_report.h"
#include "output/json_sink.h"
#include "output/junit_sink.h"
#include "output/sarif_sink.h"
#include "output/text_sink.h"

namespace duraudit {

namespace {

constexpr ReportFormat kFormats[] = {
    {"text", false, Delivery::Streamed, "text for people",
     [](std::ostream& out, const ReportContext& c) -> std::unique_ptr<FindingSink> {
       return std::make_unique<TextSink>(out, c.color);
     }},
    {"json", true, Delivery::Streamed, "JSON Lines (a finding per line, then the summary)",
     [](std::ostream& out, const ReportContext&) -> std::unique_ptr<FindingSink> {
       return std::make_unique<JsonSink>(out);
     }},
    // The step summary ($GITHUB_STEP_SUMMARY) is added by the caller, which
    // must refuse an unwritable one before the session runs (audit_options).
    {"github", false, Delivery::Streamed, "GitHub workflow commands (annotations; a table to $GITHUB_STEP_SUMMARY)",
     [](std::ostream& out, const ReportContext&) -> std::unique_ptr<FindingSink> {
       return std::make_unique<GithubSink>(out, nullptr);
     }},
    {"sarif", true, Delivery::Document, "SARIF 2.1.0 (code scanning)",
     [](std::ostream& out, const ReportContext& c) -> std::unique_ptr<FindingSink> {
       return std::make_unique<SarifSink>(out, *c.config);
     }},
    {"junit", true, Delivery::Document, "JUnit XML (a suite per rule, a test case per finding)",
     [](std::ostream& out, const ReportContext& c) -> std::unique_ptr<FindingSink> {
       return std::make_unique<JunitSink>(out, *c.config, c.fail_on);
     }},
    {"html", true, Delivery::Document, "the HTML report (self-contained, a timeline per finding)",
     [](std::ostream& out, const ReportContext&) -> std::unique_ptr<FindingSink> {
       return std::make_unique<HtmlReportSink>(out);
     }},
};

}  // namespace

std::span<const ReportFormat> report_formats() { return kFormats; }

const ReportFormat* find_report_format(std::string_view name) {
  for (const auto& f : kFormats)
    if (f.name == name) return &f;
  return nullptr;
}

std::string report_format_names() {
  std::string s;
  for (size_t i = 0; i < std::size(kFormats); ++i) {
    if (i) s += i + 1 == std::size(kFormats) ? " or " : ", ";
    s += kFormats[i].name;
  }
  return s;
}

void DocumentSink::on_finding(const Finding& f) {
  if (findings_.size() < kMaxDocumentFindings)
    findings_.push_back(f);
  else
    ++omitted_;
}

void DocumentSink::on_summary(const Summary& s) {
  write(out_, findings_, s, omitted_);
  out_.flush();
}

}  // namespace duraudit
