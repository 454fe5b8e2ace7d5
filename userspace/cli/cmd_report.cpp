// SPDX-License-Identifier: GPL-2.0-only
// duraudit report [--format FMT] [-o FILE] FINDINGS.jsonl|-
// Renders a saved JSON Lines run (--format json, --json FILE) in any output
// format, by default the HTML report: the page a run with --html would have
// written, later and elsewhere.
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/option_parsing.h"
#include "config/config.h"
#include "cli/audit_options.h"
#include "output/output_file.h"
#include "output/report_formats.h"
#include "output/saved_run.h"

namespace duraudit {

int cmd_report(const Args& args, const Args& command) {
  std::string format = "html", output, fail_on = "none";
  std::vector<std::string> rules_files;
  po::options_description desc("duraudit report [OPTIONS] FINDINGS.jsonl|-");
  desc.add_options()("help,h", "this help")(
      "format", po::value(&format)->default_value("html"), ("output format: " + report_format_names()).c_str())(
      "output,o", po::value(&output), "write the report to FILE instead of stdout")(
      "fail-on", po::value(&fail_on)->default_value("none"),
      "junit: findings at or above this severity are failures (none|notice|warning|error)")(
      "rules", po::value(&rules_files)->composing(), "rules files of the run (rule levels in SARIF and JUnit)");
  std::vector<std::string> files;
  auto vm = parse_options(desc, args, &files);
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  if (!command.empty()) throw UsageError("report reads a saved run, not a command");
  if (files.size() != 1) throw UsageError("report needs exactly one FINDINGS file (JSON Lines; '-' for stdin)");
  const ReportFormat* fmt = find_report_format(format);
  if (!fmt) throw UsageError("--format must be " + report_format_names() + " (got '" + format + "')");
  Config config = Config::defaults();
  load_rules_or_throw(rules_files, config);
  Severity threshold = Severity::None;
  if (fail_on != "none") {
    auto sev = severity_from_name(fail_on);
    if (!sev) throw UsageError("--fail-on must be one of none, notice, warning, error (got '" + fail_on + "')");
    threshold = *sev;
  }

  std::ifstream file;
  std::istream* in = &std::cin;
  const std::string& name = files.front();
  if (name != "-") {
    file.open(name);
    if (!file) throw RuntimeError("cannot read " + name + ": " + std::strerror(errno));
    in = &file;
  }
  std::unique_ptr<OutputFile> out;
  std::string err;
  if (!output.empty()) {
    out = OutputFile::open(output, /*append=*/false, &err);
    if (!out) throw UsageError(err);
  } else {
    out = OutputFile::standard_output();
  }
  ReportContext ctx;
  ctx.config = &config;
  ctx.fail_on = threshold;
  auto sink = fmt->make(out->stream(), ctx);
  Summary summary;
  if (!read_saved_run(*in, name, [&](Finding&& f) { sink->on_finding(f); }, summary, &err)) throw RuntimeError(err);
  sink->on_summary(summary);
  return out->finish() ? kExitOk : kExitRuntimeError;
}

}  // namespace duraudit
