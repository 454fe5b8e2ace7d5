// SPDX-License-Identifier: GPL-2.0-only
#include "output/saved_run.h"

#include <cstdlib>

#include "event/wall_clock.h"
#include "util/text_escape.h"

namespace duraudit {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? unescape_json_bytes(it->get<std::string>()) : std::string();
}

template <typename T>
T number(const json& j, const char* key, T fallback = 0) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<T>() : fallback;
}

bool evidence_from_json(const json& j, EvidenceEvent& e) {
  if (!j.is_object()) return false;
  e.seq = number<uint64_t>(j, "seq");
  e.ts_ns = number<uint64_t>(j, "ts_ns");
  e.pid = number<int32_t>(j, "pid");
  e.tid = number<int32_t>(j, "tid");
  e.syscall = str(j, "syscall");
  e.args = str(j, "args");
  e.ret = number<int64_t>(j, "ret");
  e.op = str(j, "op");
  e.file = str(j, "file");
  e.file2 = str(j, "file2");
  if (auto it = j.find("stack"); it != j.end() && it->is_array())
    for (const auto& fr : *it) {
      if (!fr.is_object()) continue;
      StackFrame s;
      s.function = str(fr, "function");
      s.module = str(fr, "module");
      s.file = str(fr, "file");
      s.line = number<uint32_t>(fr, "line");
      s.offset = std::strtoull(str(fr, "offset").c_str(), nullptr, 16);
      e.stack.push_back(std::move(s));
    }
  return !e.syscall.empty();
}

// What the saved run's clock was: a `time` beside its ts_ns gives the offset.
std::optional<int64_t> wall_offset_of(const json& j) {
  auto it = j.find("time");
  if (it == j.end() || !it->is_string()) return std::nullopt;
  auto epoch = parse_rfc3339_utc(it->get<std::string>());
  if (!epoch) return std::nullopt;
  return *epoch - static_cast<int64_t>(number<uint64_t>(j, "ts_ns"));
}

}  // namespace

bool finding_from_json(const json& j, Finding& f, std::string* error) {
  for (const char* key : {"rule", "severity", "path", "message"})
    if (!j.contains(key) || !j[key].is_string()) {
      *error = std::string("a finding without \"") + key + "\"";
      return false;
    }
  f.rule = str(j, "rule");
  auto sev = severity_from_name(str(j, "severity"));
  if (!sev) {
    *error = "unknown severity '" + str(j, "severity") + "'";
    return false;
  }
  f.severity = *sev;
  f.pid = number<int32_t>(j, "pid");
  f.tid = number<int32_t>(j, "tid");
  f.comm = str(j, "comm");
  f.path = str(j, "path");
  f.message = str(j, "message");
  f.fix = str(j, "fix");
  f.fingerprint = str(j, "fingerprint");
  if (auto it = j.find("related"); it != j.end() && it->is_array())
    for (const auto& r : *it)
      if (r.is_object()) f.related.push_back(RelatedFile{str(r, "path"), str(r, "role"), str(r, "state")});
  if (auto it = j.find("evidence"); it != j.end() && it->is_array())
    for (const auto& e : *it) {
      EvidenceEvent ev;
      if (evidence_from_json(e, ev)) f.evidence.push_back(std::move(ev));
    }
  if (auto it = j.find("replaced"); it != j.end() && it->is_boolean()) f.replaced = it->get<bool>();
  if (auto it = j.find("entries"); it != j.end() && it->is_number()) f.entries = it->get<uint64_t>();
  f.successor_evidence = str(j, "successor_evidence");
  if (auto it = j.find("window_ns"); it != j.end() && it->is_number()) f.window_ns = it->get<uint64_t>();
  if (auto it = j.find("closed_by"); it != j.end()) {
    EvidenceEvent ev;
    if (evidence_from_json(*it, ev)) f.closed_by = std::move(ev);
  }
  f.closed_unsynced = j.value("closed_unsynced", false);
  f.repeats = number<uint64_t>(j, "repeats");
  f.incomplete = j.value("incomplete", false);
  f.incomplete_reason = str(j, "incomplete_reason");
  f.ts_ns = number<uint64_t>(j, "settled_ns");
  f.host = str(j, "host");
  f.exe = str(j, "exe");
  if (auto it = j.find("uid"); it != j.end() && it->is_number_unsigned()) f.uid = it->get<uint32_t>();
  f.mnt_ns = number<uint64_t>(j, "mnt_ns");
  f.cgroup = str(j, "cgroup");
  f.container_id = str(j, "container_id");
  f.pod_uid = str(j, "pod_uid");
  f.host_path = str(j, "host_path");
  if (!f.evidence.empty()) f.wall_offset_ns = wall_offset_of(j["evidence"].front());
  return true;
}

void summary_from_json(const json& j, Summary& s) {
  if (auto it = j.find("findings"); it != j.end() && it->is_object()) {
    s.errors = number<uint64_t>(*it, "error");
    s.warnings = number<uint64_t>(*it, "warning");
    s.notices = number<uint64_t>(*it, "notice");
  }
  s.events = number<uint64_t>(j, "events");
  s.processes = number<uint64_t>(j, "processes");
  if (auto it = j.find("findings_by_rule"); it != j.end() && it->is_object())
    for (const auto& [rule, n] : it->items())
      if (n.is_number()) s.by_rule[unescape_json_bytes(rule)] = n.get<uint64_t>();
  if (auto it = j.find("events_lost_by_reason"); it != j.end() && it->is_object()) {
    for (const auto& [reason, n] : it->items())
      if (n.is_number()) s.events_lost_by_reason[unescape_json_bytes(reason)] = n.get<uint64_t>();
  }
  // A summary from before events_lost_by_reason: keep the total.
  if (s.events_lost_by_reason.empty() && number<uint64_t>(j, "events_lost"))
    s.events_lost_by_reason["unknown"] = number<uint64_t>(j, "events_lost");
  if (auto it = j.find("suppressed"); it != j.end() && it->is_object()) {
    s.suppressed_by_baseline = number<uint64_t>(*it, "baseline");
    s.suppressed_by_rules = number<uint64_t>(*it, "rules");
  }
  s.evictions = number<uint64_t>(j, "evictions");
  if (auto it = j.find("over_budget"); it != j.end() && it->is_array())
    for (const auto& p : *it)
      if (p.is_object())
        s.over_budget.push_back(
            OverBudgetProcess{number<int32_t>(p, "pid"), str(p, "comm"), number<uint64_t>(p, "events_dropped")});
  if (auto it = j.find("stacks"); it != j.end() && it->is_object())
    for (const auto& [what, n] : it->items())
      if (n.is_number()) s.stacks[unescape_json_bytes(what)] = n.get<uint64_t>();
  s.incomplete = j.value("incomplete", false);
  s.incomplete_reason = str(j, "incomplete_reason");
}

bool read_saved_run(std::istream& in, const std::string& name, const std::function<void(Finding&&)>& on_finding,
                    Summary& summary, std::string* error) {
  Summary counted;
  bool has_summary = false;
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    auto fail = [&](const std::string& why) {
      *error = name + ":" + std::to_string(n) + ": " + why;
      return false;
    };
    if (j.is_discarded()) return fail("not JSON (duraudit report reads the JSON Lines of --format json or --json FILE)");
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
      return fail("not a duraudit finding or summary (no \"type\")");
    // Within version 1 fields are only added (docs/output.md "Versioning"):
    // another version may mean something else by the same names. Lines
    // from before versioning have none.
    if (auto v = j.find("schema_version"); v != j.end() && !(v->is_number_integer() && v->get<int64_t>() == 1))
      return fail("JSON output of schema version " + escape_text(v->dump()) +
                  "; this duraudit reads version 1 (docs/output.md)");
    const std::string type = j["type"].get<std::string>();
    if (type == "finding") {
      Finding f;
      std::string why;
      if (!finding_from_json(j, f, &why)) return fail(why);
      counted.count(f);
      on_finding(std::move(f));
    } else if (type == "summary") {
      summary_from_json(j, summary);
      has_summary = true;
    } else {
      return fail("a \"" + escape_text(type) + "\" line, not a finding or summary");
    }
  }
  if (in.bad()) {
    *error = "cannot read " + name;
    return false;
  }
  if (!has_summary) {
    summary = counted;
    summary.incomplete = true;
    summary.incomplete_reason = "the saved run has no summary line (it was cut short)";
  }
  return true;
}

}  // namespace duraudit
