// SPDX-License-Identifier: GPL-2.0-only
#include "output/text_sink.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <sstream>

#include "event/loss_text.h"
#include "output/stack_format.h"
#include "util/text_escape.h"

namespace duraudit {

namespace {

constexpr std::string_view kReset = "\033[0m";
constexpr std::string_view kBold = "1";
constexpr std::string_view kDim = "2";
constexpr std::string_view kRed = "1;31";
constexpr std::string_view kYellow = "1;33";
constexpr std::string_view kCyan = "1;36";

std::string_view severity_colour(Severity s) {
  switch (s) {
    case Severity::Error: return kRed;
    case Severity::Warning: return kYellow;
    case Severity::Notice: return kCyan;
    case Severity::None: break;
  }
  return kBold;
}

std::string errno_name(int err) {
  if (const char* n = strerrorname_np(err)) return n;
  return "errno " + std::to_string(err);
}

std::string relative_ms(uint64_t ts, uint64_t base) {
  char buf[48];
  if (ts >= base)
    std::snprintf(buf, sizeof buf, "+%.3fms", static_cast<double>(ts - base) / 1e6);
  else
    std::snprintf(buf, sizeof buf, "-%.3fms", static_cast<double>(base - ts) / 1e6);
  return buf;
}

}  // namespace

std::optional<bool> resolve_color(std::string_view mode, int fd) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  if (mode == "auto") {
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color && *no_color) return false;
    return isatty(fd) == 1;
  }
  return std::nullopt;
}

std::string format_evidence_call(const EvidenceEvent& e) {
  std::string s = e.syscall + "(" + e.args + ") = ";
  if (e.ret < 0)
    s += "-1 " + errno_name(static_cast<int>(-e.ret));
  else
    s += std::to_string(e.ret);
  return s;
}

std::string TextSink::paint(std::string_view text, std::string_view sgr) const {
  if (!color_) return std::string(text);
  std::string s = "\033[";
  s.append(sgr);
  s.push_back('m');
  s.append(text);
  s.append(kReset);
  return s;
}

void TextSink::on_finding(const Finding& f) {
  std::ostringstream o;
  std::string sev(severity_name(f.severity));
  // Paths, comm and the text built from them come from the traced
  // processes: escaped so that no byte of theirs reaches the terminal as a
  // control character (text_escape.h).
  o << paint(sev, severity_colour(f.severity)) << ' ' << paint(escape_text(f.rule), kBold) << "  "
    << escape_text(f.path) << "  " << escape_text(f.comm) << '[' << f.pid << "]\n";
  o << "  " << escape_text(f.message) << '\n';
  // A container's or chroot's file: where it is for the host, and whose.
  if (!f.host_path.empty()) o << "  on the host: " << escape_text(f.host_path) << '\n';
  if (!f.container_id.empty())
    o << "  container " << escape_text(f.container_id.substr(0, 12))
      << (f.pod_uid.empty() ? std::string() : ", pod " + escape_text(f.pod_uid)) << '\n';
  if (f.replaced) o << "  " << (*f.replaced ? "replaced an existing file" : "created a new name") << '\n';
  if (f.entries) o << "  " << *f.entries << " directory entr" << (*f.entries == 1 ? "y" : "ies") << " not durable\n";
  if (f.window_ns) {
    char ms[32];
    snprintf(ms, sizeof ms, "%.3f ms", static_cast<double>(*f.window_ns) / 1e6);
    o << "  window closed by the program after " << ms;
    if (f.closed_by) o << ": " << escape_text(format_evidence_call(*f.closed_by));
    o << '\n';
  }
  if (!f.evidence.empty()) {
    o << "  evidence:\n";
    uint64_t base = f.evidence.front().ts_ns;
    // Where the program made the deciding call (docs/stacks.md).
    const EvidenceEvent* deciding = deciding_evidence(f);
    for (const auto& e : f.evidence) {
      std::string t = relative_ms(e.ts_ns, base);
      o << "    " << paint(t, kDim) << std::string(t.size() < 12 ? 12 - t.size() : 1, ' ')
        << escape_text(format_evidence_call(e));
      if (e.pid != f.pid) o << "  " << paint("[pid " + std::to_string(e.pid) + "]", kDim);
      o << '\n';
      if (&e == deciding) o << "                at " << escape_text(format_stack_line(e.stack)) << '\n';
    }
  }
  if (!f.related.empty()) {
    o << "  related:\n";
    for (const auto& r : f.related)
      o << "    " << std::left << std::setw(12) << escape_text(r.role) << ' ' << escape_text(r.path) << "  ("
        << escape_text(r.state) << ")\n";
  }
  if (f.repeats)
    o << "  repeated " << f.repeats << " more time" << (f.repeats == 1 ? "" : "s") << " since it was last shown\n";
  if (f.incomplete)
    o << "  " << paint("incomplete:", kYellow) << ' '
      << (f.incomplete_reason.empty() ? std::string("events were lost around this verdict")
                                      : escape_text(f.incomplete_reason))
      << '\n';
  if (!f.fix.empty()) o << "  " << paint("fix:", kBold) << ' ' << escape_text(f.fix) << '\n';
  o << '\n';
  out_ << o.str();
  out_.flush();
}

void TextSink::on_summary(const Summary& s) {
  std::ostringstream o;
  auto row = [&](std::string_view label, const std::string& value) {
    o << "  " << std::left << std::setw(18) << label << value << '\n';
  };
  o << paint("duraudit summary", kBold) << '\n';
  std::ostringstream fc;
  fc << s.findings() << " (" << paint(std::to_string(s.errors) + " error", s.errors ? kRed : kDim) << ", "
     << paint(std::to_string(s.warnings) + " warning", s.warnings ? kYellow : kDim) << ", "
     << paint(std::to_string(s.notices) + " notice", s.notices ? kCyan : kDim) << ")";
  row("findings", fc.str());
  size_t width = 0;
  for (const auto& [rule, n] : s.by_rule) width = std::max(width, escape_text(rule).size());
  for (const auto& [rule, n] : s.by_rule)
    o << "    " << std::left << std::setw(static_cast<int>(width) + 2) << escape_text(rule) << n << '\n';
  row("events", std::to_string(s.events));
  uint64_t lost = s.events_lost();
  std::string lost_text = std::to_string(lost);
  if (lost) {
    lost_text += " (";
    bool first = true;
    for (const auto& [reason, n] : s.events_lost_by_reason) {
      if (!n) continue;
      lost_text += (first ? "" : ", ") + escape_text(reason) + ": " + std::to_string(n);
      first = false;
    }
    lost_text += ")";
  }
  row("events lost", lost_text);
  row("processes", std::to_string(s.processes));
  row("suppressed", std::to_string(s.suppressed_by_baseline) + " by baseline, " +
                        std::to_string(s.suppressed_by_rules) + " by rules files");
  if (s.evictions) row("evictions", std::to_string(s.evictions));
  for (const OverBudgetProcess& p : s.over_budget)
    row("over budget", "pid " + std::to_string(p.pid) + " (" + escape_text(p.comm) + "): " +
                           std::to_string(p.events_dropped) + " events dropped");
  if (!s.stacks.empty()) {
    std::string st;
    for (const auto& [what, n] : s.stacks) st += (st.empty() ? "" : ", ") + escape_text(what) + ": " + std::to_string(n);
    row("stacks", st);
  }
  // Losses to a process's own budget are named above and in its findings.
  lost = s.session_events_lost();
  // One warning line says what is incomplete and why (losses first: the
  // pipeline puts them there), and what to do about a full ring buffer.
  if (lost || s.incomplete) {
    std::string why = !s.incomplete_reason.empty() ? escape_text(s.incomplete_reason)
                      : lost                       ? escape_text(describe_losses(s.events_lost_by_reason))
                                                   : std::string("state was lost during the session");
    std::string advice = ring_buffer_losses(s.events_lost_by_reason)
                             ? " Trace fewer processes or raise the ring buffer size (attach --ringbuf-mib)."
                             : "";
    o << paint("WARNING: results are incomplete (findings may be missing or wrong): " + why + "." + advice, kRed)
      << '\n';
  }
  out_ << o.str();
  out_.flush();
}

}  // namespace duraudit
