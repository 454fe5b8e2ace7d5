// SPDX-License-Identifier: GPL-2.0-only
// GitHub Actions output (`--format github`): each finding as a workflow
// command the runner turns into an annotation,
//
//   ::error title=rename-without-fsync%3A /data/a::/data/a was renamed...%0Aprocess: sh[42]%0A...
//
// (::error / ::warning / ::notice by severity), and the summary as one
// ::notice (plus a ::warning when the results are incomplete). With a step
// summary file ($GITHUB_STEP_SUMMARY), a Markdown table of the findings
// (rule, severity, file, count) is appended to it at the end of the session.
//
// No `file=`/`line=` property: GitHub reads them as a source file of the
// repository and a line in it, and duraudit knows the data file a finding is
// about, not the line of code that wrote it. The data file is in the title
// and the message instead (docs/output.md "GitHub Actions").
//
// Escaping follows GitHub's rules for workflow commands: in the message `%`,
// CR and LF become %25, %0D, %0A; in a property also `:` and `,` become %3A
// and %2C. Names from traced processes are C-escaped first (text_escape.h),
// so a hostile name shows its newline as `\n` and can neither end the
// command nor forge another one.
#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>

#include "output/finding_sink.h"
#include "output/output_file.h"

namespace duraudit {

std::string github_escape_data(std::string_view s);
std::string github_escape_property(std::string_view s);
// A Markdown table cell that shows `s` literally: C-escaped (no newline
// survives), every Markdown punctuation backslash-escaped (`|` cannot end
// the cell, `<` cannot open HTML).
std::string markdown_cell(std::string_view s);

class GithubSink : public FindingSink {
 public:
  // `step_summary`: the file to append the Markdown summary to, or null.
  GithubSink(std::ostream& out, std::unique_ptr<OutputFile> step_summary);
  void on_finding(const Finding& f) override;
  void on_summary(const Summary& s) override;

  // The step summary could not be written (reported on stderr).
  bool step_summary_failed() const { return step_summary_failed_; }

  // Rows of the step-summary table beyond this are counted, not listed:
  // GitHub shows at most 1 MiB of step summary.
  static constexpr size_t kMaxSummaryRows = 1000;

 private:
  void write_step_summary(const Summary& s);

  std::ostream& out_;
  std::unique_ptr<OutputFile> step_summary_;
  bool step_summary_failed_ = false;
  // (severity, highest first; rule; file) -> findings
  std::map<std::tuple<int, std::string, std::string>, uint64_t> rows_;
};

}  // namespace duraudit
