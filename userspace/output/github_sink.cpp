// SPDX-License-Identifier: GPL-2.0-only
#include "output/github_sink.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <spdlog/spdlog.h>

#include "output/stack_format.h"
#include "output/text_sink.h"
#include "util/text_escape.h"

namespace duraudit {

namespace {

std::string escape(std::string_view s, bool property) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      case ':': out += property ? "%3A" : ":"; break;
      case ',': out += property ? "%2C" : ","; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string_view command_for(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    default: return "notice";
  }
}

std::string relative_ms(uint64_t ts, uint64_t base) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%.3fms", ts >= base ? "+" : "-",
                static_cast<double>(ts >= base ? ts - base : base - ts) / 1e6);
  return buf;
}

}  // namespace

std::string github_escape_data(std::string_view s) { return escape(s, false); }
std::string github_escape_property(std::string_view s) { return escape(s, true); }

std::string markdown_cell(std::string_view s) {
  static constexpr std::string_view kPunct = "\\`*_{}[]<>()#+!|~&$";
  std::string out;
  for (char c : escape_text(s)) {
    if (kPunct.find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

GithubSink::GithubSink(std::ostream& out, std::unique_ptr<OutputFile> step_summary)
    : out_(out), step_summary_(std::move(step_summary)) {}

void GithubSink::on_finding(const Finding& f) {
  // Everything from the traced processes is C-escaped (text_escape.h): the
  // message's own line breaks are ours, and GitHub's escaping keeps them
  // inside the one command.
  const std::string path = escape_text(f.path);
  std::ostringstream m;
  m << escape_text(f.message) << '\n';
  m << "file: " << path << "  process: " << escape_text(f.comm) << '[' << f.pid << "]\n";
  if (!f.evidence.empty()) {
    m << "evidence:\n";
    uint64_t base = f.evidence.front().ts_ns;
    for (const auto& e : f.evidence)
      m << "  " << relative_ms(e.ts_ns, base) << "  " << escape_text(format_evidence_call(e))
        << (e.pid != f.pid ? "  [pid " + std::to_string(e.pid) + "]" : "") << '\n';
  }
  for (const auto& r : f.related)
    m << "related: " << escape_text(r.role) << ' ' << escape_text(r.path) << " (" << escape_text(r.state) << ")\n";
  if (f.incomplete)
    m << "incomplete: "
      << (f.incomplete_reason.empty() ? std::string("events were lost around this verdict")
                                      : escape_text(f.incomplete_reason))
      << '\n';
  if (!f.fix.empty()) m << "fix: " << escape_text(f.fix) << '\n';
  std::string message = m.str();
  message.pop_back();  // no trailing line break

  // Annotated at the source line of the deciding call when its stack has
  // one (docs/stacks.md): GitHub shows it in the diff. Its file is given
  // relative to the checkout ($GITHUB_WORKSPACE) when it is inside it.
  out_ << "::" << command_for(f.severity) << ' ';
  std::optional<StackFrame> source = f.source ? f.source : finding_source(f);
  if (source && !source->file.empty() && source->line) {
    std::string file = source->file;
    if (const char* ws = std::getenv("GITHUB_WORKSPACE"); ws && *ws) {
      std::string root = std::string(ws);
      if (root.back() != '/') root += '/';
      if (file.compare(0, root.size(), root) == 0) file = file.substr(root.size());
    }
    out_ << "file=" << github_escape_property(escape_text(file)) << ",line=" << source->line << ',';
  }
  out_ << "title=" << github_escape_property(escape_text(f.rule) + ": " + path)
       << "::" << github_escape_data(message) << '\n';
  out_.flush();
  ++rows_[{-static_cast<int>(f.severity), f.rule, f.path}];
}

void GithubSink::on_summary(const Summary& s) {
  std::ostringstream m;
  m << s.findings() << " finding" << (s.findings() == 1 ? "" : "s") << " (" << s.errors << " error, " << s.warnings
    << " warning, " << s.notices << " notice) in " << s.events << " events of " << s.processes << " process"
    << (s.processes == 1 ? "" : "es") << "; " << s.events_lost() << " events lost";
  out_ << "::notice title=duraudit summary::" << github_escape_data(m.str()) << '\n';
  if (s.incomplete || s.events_lost())
    out_ << "::warning title=" << github_escape_property("duraudit: results are incomplete") << "::"
         << github_escape_data(s.incomplete_reason.empty()
                                   ? std::to_string(s.events_lost()) + " events were lost; findings may be missing"
                                   : escape_text(s.incomplete_reason))
         << '\n';
  out_.flush();
  if (step_summary_) write_step_summary(s);
}

void GithubSink::write_step_summary(const Summary& s) {
  std::ostringstream o;
  o << "### duraudit\n\n";
  o << "**" << s.findings() << "** finding" << (s.findings() == 1 ? "" : "s") << ": " << s.errors << " error, "
    << s.warnings << " warning, " << s.notices << " notice; " << s.events << " events, " << s.events_lost()
    << " lost; " << s.processes << " process" << (s.processes == 1 ? "" : "es") << ".\n\n";
  if (s.incomplete || s.events_lost())
    o << "**Results are incomplete:** "
      << markdown_cell(s.incomplete_reason.empty() ? std::to_string(s.events_lost()) + " events were lost"
                                                   : s.incomplete_reason)
      << "\n\n";
  if (!rows_.empty()) {
    o << "| rule | severity | file | count |\n| --- | --- | --- | ---: |\n";
    size_t n = 0;
    for (const auto& [key, count] : rows_) {
      if (++n > kMaxSummaryRows) break;
      const auto& [sev, rule, path] = key;
      o << "| " << markdown_cell(rule) << " | " << severity_name(static_cast<Severity>(-sev)) << " | "
        << markdown_cell(path) << " | " << count << " |\n";
    }
    if (rows_.size() > kMaxSummaryRows)
      o << "\n" << rows_.size() - kMaxSummaryRows << " more rows not shown (see the full output).\n";
    o << '\n';
  }
  step_summary_->stream() << o.str();
  if (!step_summary_->finish()) step_summary_failed_ = true;  // reported on stderr by OutputFile
}

}  // namespace duraudit
