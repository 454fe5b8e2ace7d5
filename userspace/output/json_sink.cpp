// SPDX-License-Identifier: GPL-2.0-only
#include "output/json_sink.h"

#include <cstdio>

#include "output/fingerprint.h"
#include "output/json_line.h"
#include "event/wall_clock.h"

namespace duraudit {

using nlohmann::ordered_json;

ordered_json stack_frame_json(const StackFrame& f) {
  char off[32];
  std::snprintf(off, sizeof off, "0x%llx", static_cast<unsigned long long>(f.offset));
  ordered_json j;
  j["function"] = f.function.empty() ? ordered_json(nullptr) : ordered_json(f.function);
  j["module"] = f.module.empty() ? ordered_json(nullptr) : ordered_json(f.module);
  j["file"] = f.file.empty() ? ordered_json(nullptr) : ordered_json(f.file);
  j["line"] = f.line ? ordered_json(f.line) : ordered_json(nullptr);
  j["offset"] = off;
  return j;
}

ordered_json finding_to_json(const Finding& f) {
  ordered_json j = json_record("finding");
  j["rule"] = f.rule;
  j["severity"] = std::string(severity_name(f.severity));
  // When the verdict was settled (else its last call), in UTC.
  auto time_of = [&](uint64_t ts_ns) {
    return rfc3339_utc(static_cast<int64_t>(ts_ns) + *f.wall_offset_ns);
  };
  uint64_t at = f.ts_ns ? f.ts_ns : f.evidence.empty() ? 0 : f.evidence.back().ts_ns;
  if (f.wall_offset_ns && at) j["time"] = time_of(at);
  if (!f.host.empty()) j["host"] = f.host;
  j["pid"] = f.pid;
  j["tid"] = f.tid;
  j["comm"] = f.comm;
  if (!f.exe.empty()) j["exe"] = f.exe;
  if (f.uid) j["uid"] = *f.uid;
  if (f.mnt_ns) j["mnt_ns"] = f.mnt_ns;
  if (!f.cgroup.empty()) j["cgroup"] = f.cgroup;
  if (!f.container_id.empty()) j["container_id"] = f.container_id;
  if (!f.pod_uid.empty()) j["pod_uid"] = f.pod_uid;
  j["path"] = f.path;
  if (!f.host_path.empty()) j["host_path"] = f.host_path;
  j["message"] = f.message;
  ordered_json related = ordered_json::array();
  for (const auto& r : f.related)
    related.push_back(ordered_json{{"path", r.path}, {"role", r.role}, {"state", r.state}});
  j["related"] = std::move(related);
  auto evidence_json = [&](const EvidenceEvent& e) {
    ordered_json j{{"seq", e.seq}, {"ts_ns", e.ts_ns}};
    if (f.wall_offset_ns) j["time"] = time_of(e.ts_ns);
    j["pid"] = e.pid;
    j["tid"] = e.tid;
    j["syscall"] = e.syscall;
    j["args"] = e.args;
    j["ret"] = e.ret;
    // Added after v1's first fields: what the call is and which files it
    // touched, so a saved run can be drawn (duraudit report).
    if (!e.op.empty()) j["op"] = e.op;
    if (!e.file.empty()) j["file"] = e.file;
    if (!e.file2.empty()) j["file2"] = e.file2;
    if (!e.stack.empty()) {
      ordered_json stack = ordered_json::array();
      for (const auto& fr : e.stack) stack.push_back(stack_frame_json(fr));
      j["stack"] = std::move(stack);
    }
    return j;
  };
  ordered_json evidence = ordered_json::array();
  for (const auto& e : f.evidence) evidence.push_back(evidence_json(e));
  j["evidence"] = std::move(evidence);
  // A finding that skipped the filter still gets its identity.
  j["fingerprint"] = f.fingerprint.empty() ? fingerprint(f) : f.fingerprint;
  if (!f.fix.empty()) j["fix"] = f.fix;
  if (f.replaced) j["replaced"] = *f.replaced;
  if (f.entries) j["entries"] = *f.entries;
  if (!f.successor_evidence.empty()) j["successor_evidence"] = f.successor_evidence;
  if (f.window_ns) j["window_ns"] = *f.window_ns;
  if (f.closed_by) j["closed_by"] = evidence_json(*f.closed_by);
  if (f.closed_unsynced) j["closed_unsynced"] = true;
  if (f.repeats) j["repeats"] = f.repeats;
  if (f.incomplete) {
    j["incomplete"] = true;
    j["incomplete_reason"] = f.incomplete_reason;
  }
  if (f.ts_ns) j["settled_ns"] = f.ts_ns;
  return j;
}

ordered_json summary_to_json(const Summary& s) {
  ordered_json j = json_record("summary");
  j["findings"] = ordered_json{{"error", s.errors}, {"warning", s.warnings}, {"notice", s.notices}};
  j["events"] = s.events;
  j["events_lost"] = s.events_lost();
  j["processes"] = s.processes;
  // Extras beyond the minimal line of docs/output.md; consumers ignore unknown keys.
  ordered_json by_rule = ordered_json::object();
  for (const auto& [rule, n] : s.by_rule) by_rule[rule] = n;
  j["findings_by_rule"] = std::move(by_rule);
  ordered_json lost = ordered_json::object();
  for (const auto& [reason, n] : s.events_lost_by_reason) lost[reason] = n;
  j["events_lost_by_reason"] = std::move(lost);
  j["suppressed"] = ordered_json{{"baseline", s.suppressed_by_baseline}, {"rules", s.suppressed_by_rules}};
  j["evictions"] = s.evictions;
  if (!s.over_budget.empty()) {
    ordered_json over = ordered_json::array();
    for (const OverBudgetProcess& p : s.over_budget)
      over.push_back(ordered_json{{"pid", p.pid}, {"comm", p.comm}, {"events_dropped", p.events_dropped}});
    j["over_budget"] = std::move(over);
  }
  if (!s.stacks.empty()) {
    ordered_json st = ordered_json::object();
    for (const auto& [what, n] : s.stacks) st[what] = n;
    j["stacks"] = std::move(st);
  }
  j["incomplete"] = s.incomplete;
  if (s.incomplete) j["incomplete_reason"] = s.incomplete_reason;
  return j;
}

void JsonSink::on_finding(const Finding& f) {
  // Invalid UTF-8 in a path (legal on Linux) is kept as \xNN (json_line.h).
  out_ << json_line(finding_to_json(f)) << '\n';
  out_.flush();
}

void JsonSink::on_summary(const Summary& s) {
  out_ << json_line(summary_to_json(s)) << '\n';
  out_.flush();
}

}  // namespace duraudit
