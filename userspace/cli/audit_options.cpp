// SPDX-License-Identifier: GPL-2.0-only
#include "cli/audit_options.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <spdlog/spdlog.h>

#include "cli/errors.h"
#include "config/rules_file.h"
#include "output/github_sink.h"
#include "output/repeat_folding.h"
#include "output/text_sink.h"
#include "util/output_path.h"
#include "util/duration.h"

namespace duraudit {

namespace {

// --format github: the annotations go to the findings output; the step
// summary, to $GITHUB_STEP_SUMMARY when it is set, opened now so that a
// file that cannot be written is refused before the session runs.
std::unique_ptr<FindingSink> make_github_sink(std::ostream& out, GithubSink*& github) {
  std::unique_ptr<OutputFile> step_summary;
  if (const char* path = std::getenv("GITHUB_STEP_SUMMARY"); path && *path) {
    std::string err;
    step_summary = OutputFile::open(path, /*append=*/true, &err);
    if (!step_summary) throw UsageError("$GITHUB_STEP_SUMMARY: " + err);
  }
  auto sink = std::make_unique<GithubSink>(out, std::move(step_summary));
  github = sink.get();
  return sink;
}

}  // namespace

void add_audit_options(po::options_description& desc, AuditOptions& o) {
  // --format's help and the side-file options come from the format table.
  static const std::string format_help = [] {
    std::string h;
    for (const auto& f : report_formats()) h += (h.empty() ? "" : " | ") + std::string(f.name);
    return h + " (docs/output.md \"Formats\")";
  }();
  desc.add_options()
      ("format", po::value(&o.format)->default_value("text"), format_help.c_str())
      ("output,o", po::value(&o.output),
       o.findings_to_stderr ? "write findings to FILE instead of stderr (- for stdout, which is otherwise the command's)"
                            : "write findings to FILE instead of stdout");
  for (const auto& f : report_formats()) {
    if (!f.side_file) continue;
    // program_options copies the name and the help text.
    const std::string name(f.name);
    const std::string help = "also write " + std::string(f.description) + " to FILE";
    desc.add_options()(name.c_str(), po::value(&o.side_files[name])->value_name("FILE"), help.c_str());
  }
  desc.add_options()
      ("rules", po::value(&o.rules_files)->composing(), "rules file (YAML); repeatable, merged in order")
      ("fail-on", po::value(&o.fail_on)->default_value("none"),
       "exit 3 when a finding at or above this severity exists: none|notice|warning|error")
      ("grace", po::value(&o.grace), "settle close/directory verdicts this long after the close (e.g. 5s)")
      ("baseline", po::value(&o.baseline), "suppress findings whose fingerprints are in FILE")
      ("write-baseline", po::value(&o.write_baseline), "record the fingerprints of this run's findings in FILE")
      ("color", po::value(&o.color)->default_value("auto"), "auto|always|never (text format)");
}

void load_rules_or_throw(const std::vector<std::string>& files, Config& config) {
  std::vector<Diagnostic> errors;
  if (!load_rules_files(files, config, errors)) {
    std::string msg = "invalid rules file:";
    for (const auto& d : errors) msg += "\n  " + d.to_string();
    throw UsageError(msg);
  }
}

AuditSetup prepare_audit(const AuditOptions& o, const SessionOutput& session) {
  AuditSetup s;
  s.host = session.host;
  s.config = Config::defaults();
  load_rules_or_throw(o.rules_files, s.config);

  if (o.fail_on == "none") {
    s.fail_on = Severity::None;
  } else if (auto sev = severity_from_name(o.fail_on)) {
    s.fail_on = *sev;
  } else {
    throw UsageError("--fail-on must be one of none, notice, warning, error (got '" + o.fail_on + "')");
  }

  if (!o.grace.empty()) {
    std::string err;
    auto ns = parse_duration_ns(o.grace, &err);
    if (!ns) throw UsageError("--grace: " + err);
    s.config.grace_ns = *ns;
    s.grace_given = true;
  }

  if (!o.baseline.empty()) {
    s.baseline = std::make_unique<Baseline>();
    std::string err;
    if (!Baseline::load(o.baseline, *s.baseline, err)) throw UsageError("--baseline: " + err);
  }
  if (!o.write_baseline.empty()) {
    s.baseline_out = std::make_unique<Baseline>();
    // Opened now, so a path that cannot be written is refused before the
    // session runs; its old contents stay until the session's end.
    std::string err;
    s.baseline_file = OutputFile::open(o.write_baseline, /*append=*/false, &err);
    if (!s.baseline_file) throw UsageError("--write-baseline: " + err);
    s.baseline_file->set_report_failures(false);
  }

  s.format = find_report_format(o.format);
  if (!s.format) throw UsageError("--format must be " + report_format_names() + " (got '" + o.format + "')");

  // Every output path is checked, and opened, before the session runs; one
  // file named twice would interleave two formats.
  std::vector<std::pair<std::string, std::string>> named;  // flag, path
  if (!o.output.empty() && o.output != "-") named.emplace_back("-o", o.output);
  for (const auto& f : report_formats())
    if (auto it = o.side_files.find(std::string(f.name)); it != o.side_files.end() && !it->second.empty())
      named.emplace_back("--" + std::string(f.name), it->second);
  if (!o.write_baseline.empty()) named.emplace_back("--write-baseline", o.write_baseline);
  for (size_t i = 0; i < named.size(); ++i)
    for (size_t j = i + 1; j < named.size(); ++j)
      if (same_output_path(named[i].second, named[j].second))
        throw UsageError(named[i].first + " and " + named[j].first + " both name " + named[j].second +
                         ": give each output its own file");

  // A streamed format is appended to under attach; a document replaces
  // the file's contents when the session ends.
  auto appends = [&](const ReportFormat& f) { return session.append_output && f.delivery == Delivery::Streamed; };
  if (o.output == "-") {
    s.output = OutputFile::standard_output();
  } else if (!o.output.empty()) {
    std::string err;
    s.output = OutputFile::open(o.output, appends(*s.format), &err);
    if (!s.output) throw UsageError(err);
    s.output_is_file = true;
  } else {
    s.output = o.findings_to_stderr ? OutputFile::standard_error() : OutputFile::standard_output();
  }
  auto color = resolve_color(o.color, s.output_is_file ? -1 : s.output->fd());
  if (!color) throw UsageError("--color must be auto, always or never (got '" + o.color + "')");
  s.out = &s.output->stream();
  ReportContext ctx;
  ctx.config = &s.config;
  ctx.fail_on = s.fail_on;
  ctx.color = *color;
  // --format github also appends to $GITHUB_STEP_SUMMARY, opened here so a
  // file that cannot be written is refused before the session runs.
  s.sink = s.format->name == "github" ? make_github_sink(*s.out, s.github) : s.format->make(*s.out, ctx);
  ctx.color = false;  // side files are never coloured
  for (const auto& f : report_formats()) {
    auto it = o.side_files.find(std::string(f.name));
    if (it == o.side_files.end() || it->second.empty()) continue;
    std::string err;
    auto file = OutputFile::open(it->second, appends(f), &err);
    if (!file) throw UsageError("--" + std::string(f.name) + ": " + err);
    auto sink = f.make(file->stream(), ctx);
    s.side_outputs.push_back(AuditSetup::SideOutput{&f, std::move(file), std::move(sink)});
  }
  FindingSink* all = s.sink.get();
  if (!s.side_outputs.empty()) {
    std::vector<FindingSink*> each{s.sink.get()};
    for (auto& side : s.side_outputs) each.push_back(side.sink.get());
    s.fan_out = std::make_unique<FanOutSink>(std::move(each));
    all = s.fan_out.get();
  }
  if (session.fold_window_ns) s.front_sink = std::make_unique<RepeatFoldingSink>(*all, session.fold_window_ns);
  std::vector<FindingSink*> sinks{s.front_sink ? s.front_sink.get() : all};
  sinks.insert(sinks.end(), session.extra_sinks.begin(), session.extra_sinks.end());
  s.reporter = std::make_unique<FindingReporter>(s.config, s.baseline.get(), sinks, s.baseline_out.get());
  return s;
}

void AuditSetup::reopen_outputs() {
  if (output_is_file && format->delivery == Delivery::Streamed) output->reopen();
  for (auto& side : side_outputs)
    if (side.format->delivery == Delivery::Streamed) side.file->reopen();
}

void AuditSetup::finish_outputs() {
  if (!output->finish()) outputs_failed = true;
  if (github && github->step_summary_failed()) outputs_failed = true;
  for (auto& side : side_outputs)
    if (!side.file->finish()) outputs_failed = true;
  if (!baseline_out) return;
  baseline_out->write(baseline_file->stream());
  if (!baseline_file->finish()) {
    spdlog::error("--write-baseline: {}", baseline_file->first_error());
    outputs_failed = true;
  }
}

int audit_exit_status(int command_status, const AuditSetup& setup, int findings_exit, int output_failure_exit) {
  if (setup.outputs_failed) return output_failure_exit;
  if (command_status != 0) return command_status;
  return setup.reporter->fails(setup.fail_on) ? findings_exit : kExitOk;
}

}  // namespace duraudit
