// SPDX-License-Identifier: GPL-2.0-only
// Options shared by the commands that produce findings (run, replay,
// attach): output format and file, rules files, --fail-on, --grace,
// baselines. prepare_audit() turns them into a ready configuration, filter
// and sinks, or throws UsageError (exit 2) before anything runs.
#pragma once

#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/option_parsing.h"
#include "config/config.h"
#include "output/baseline.h"
#include "output/finding_reporter.h"
#include "output/finding_sink.h"
#include "output/github_sink.h"
#include "output/output_file.h"
#include "output/report_formats.h"

namespace duraudit {

struct AuditOptions {
  std::string format = "text";
  std::string output;
  // --json FILE, --sarif FILE...: one per side-file row of
  // output/report_formats.h, by format name; empty when not given.
  std::map<std::string, std::string> side_files;
  std::vector<std::string> rules_files;
  std::string fail_on = "none";
  std::string grace;
  std::string baseline;
  std::string write_baseline;
  std::string color = "auto";
  // Where findings go without -o: standard output (replay, attach), or
  // standard error under run, whose standard output belongs to the
  // command. `-o -` is standard output for every command.
  bool findings_to_stderr = false;
};

// Set o.findings_to_stderr first: the -o help says where findings go.
void add_audit_options(po::options_description& desc, AuditOptions& o);

struct AuditSetup {
  Config config;
  // The host findings are attributed to (attach: --host, default the host
  // name; empty for run and replay), for the findings' `host` field.
  std::string host;
  Severity fail_on = Severity::None;
  bool grace_given = false;
  std::unique_ptr<OutputFile> output;       // -o FILE, stdout or stderr, every write checked
  bool output_is_file = false;              // -o FILE (attach reopens it on SIGHUP)
  std::ostream* out = nullptr;              // output->stream()
  const ReportFormat* format = nullptr;     // of the main output
  std::unique_ptr<FindingSink> sink;       // the main output's (--format)
  GithubSink* github = nullptr;            // `sink`, when --format github (its step summary can fail)
  // --json FILE, --sarif FILE...: each opened (and checked) before the
  // session runs, fed the same findings as the main output.
  struct SideOutput {
    const ReportFormat* format;
    std::unique_ptr<OutputFile> file;
    std::unique_ptr<FindingSink> sink;
  };
  std::vector<SideOutput> side_outputs;
  std::unique_ptr<FindingSink> fan_out;     // main + side sinks, when there are side outputs
  std::unique_ptr<FindingSink> front_sink;  // what the reporter feeds, if it folds repeats (attach)
  std::unique_ptr<Baseline> baseline;       // --baseline
  std::unique_ptr<Baseline> baseline_out;   // --write-baseline
  std::unique_ptr<OutputFile> baseline_file;  // opened (and checked) at the start, written at the end
  std::unique_ptr<FindingReporter> reporter;

  // attach's SIGHUP: reopens -o FILE and the streamed side files for log
  // rotation (a document is written whole at the end: nothing to reopen).
  void reopen_outputs();

  // End of session: flushes, fsyncs and closes the findings outputs, and
  // writes --write-baseline if asked. A failure has been reported on
  // stderr; it is remembered for audit_exit_status().
  void finish_outputs();
  bool outputs_failed = false;
};

// How a long-running session (attach) differs from run/replay.
struct SessionOutput {
  bool append_output = false;         // -o FILE is appended to, not truncated
  uint64_t fold_window_ns = 0;        // show a recurring finding once per window (RepeatFoldingSink)
  std::vector<FindingSink*> extra_sinks;  // get every reported finding, unfolded (metrics)
  std::string host;                   // where the findings come from (attach --host)
};

AuditSetup prepare_audit(const AuditOptions& o, const SessionOutput& session = {});

// Loads rules files into `config`. Throws UsageError whose message lists
// every FILE:LINE: problem.
void load_rules_or_throw(const std::vector<std::string>& files, Config& config);

// Exit status: `output_failure_exit` (1; 125 under run) when an output
// could not be written (docs/output.md), else the command's own status when
// non-zero, else `findings_exit` (3; run's --findings-exit-code) when a
// finding at or above --fail-on was reported, else 0.
int audit_exit_status(int command_status, const AuditSetup& setup, int findings_exit = 3,
                      int output_failure_exit = 1);

}  // namespace duraudit
