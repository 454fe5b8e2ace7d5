// SPDX-License-Identifier: GPL-2.0-only
#include "output/finding_timeline.h"

#include <algorithm>
#include <string_view>

namespace duraudit {

namespace {

// The call that decided the verdict, per rule: the first (or last) evidence
// event with one of these ops. Any other rule: the last event that is not
// the program's own later sync (closed_by).
struct DecidingCall {
  std::string_view rule;
  std::vector<std::string_view> ops;
  bool last;
};

const std::vector<DecidingCall>& deciding_calls() {
  static const std::vector<DecidingCall> table = {
      {"close-without-fsync", {"close"}, true},
      {"rename-without-fsync", {"rename", "link"}, false},
      {"unlink-before-durable", {"unlink", "rename"}, false},
      {"state-deleted", {"unlink", "rmdir"}, false},
      {"truncate-in-place", {"truncate", "open"}, false},
      {"sync-file-range-only", {"sync_file_range"}, false},
  };
  return table;
}

bool dirties(const EvidenceEvent& e) {
  if (e.ret < 0) return false;
  if (e.op == "write" || e.op == "truncate" || e.op == "fallocate" || e.op == "copy" || e.op == "mmap") return true;
  return e.op == "open" && e.args.find("O_TRUNC") != std::string::npos;
}

bool changes_entry(const EvidenceEvent& e) {
  if (e.ret < 0) return false;
  if (e.op == "rename" || e.op == "link" || e.op == "symlink" || e.op == "unlink" || e.op == "mkdir" ||
      e.op == "rmdir" || e.op == "mknod" || e.op == "bind")
    return true;
  return e.op == "open" && e.args.find("O_CREAT") != std::string::npos;
}

std::string_view parent_of(std::string_view p) {
  auto slash = p.rfind('/');
  if (slash == std::string_view::npos) return {};
  return slash == 0 ? std::string_view("/") : p.substr(0, slash);
}

bool touches(const EvidenceEvent& e, const std::string& path, bool directory) {
  if (e.file == path || e.file2 == path) return true;
  return directory && ((!e.file.empty() && parent_of(e.file) == path) || (!e.file2.empty() && parent_of(e.file2) == path));
}

}  // namespace

Timeline build_timeline(const Finding& f) {
  Timeline t;
  const auto& ev = f.evidence;
  std::optional<uint64_t> closed_seq;
  if (f.closed_by) closed_seq = f.closed_by->seq;

  if (!ev.empty()) {
    t.start_ns = ev.front().ts_ns;
    t.end_ns = ev.front().ts_ns;
    for (const auto& e : ev) {
      t.start_ns = std::min(t.start_ns, e.ts_ns);
      t.end_ns = std::max(t.end_ns, e.ts_ns);
    }
  } else {
    t.start_ns = t.end_ns = f.ts_ns;
  }
  if (f.ts_ns > t.end_ns) t.end_ns = f.ts_ns;

  // Lanes: the finding's own file, then each related file once.
  auto add_lane = [&](const std::string& path, const std::string& role, const std::string& state) {
    for (auto& l : t.lanes)
      if (l.path == path) {
        // The finding's own file listed as related (a deleted file, a
        // directory) takes the role and state the verdict gave it.
        if (l.role == "file" && l.state.empty()) {
          l.role = role == "directory" ? role : "file";
          l.state = state;
        }
        return;
      }
    if (t.lanes.size() < kMaxTimelineLanes) t.lanes.push_back(TimelineLane{path, role, state, false, 0, {}, {}});
  };
  add_lane(f.path, "file", "");
  for (const auto& r : f.related) add_lane(r.path, r.role, r.state);

  const bool dir_rule = f.rule == "missing-dir-fsync";
  for (auto& lane : t.lanes) {
    const bool directory = lane.role == "directory" || (lane.role == "file" && dir_rule);
    for (size_t i = 0; i < ev.size(); ++i)
      if (touches(ev[i], lane.path, directory)) lane.events.push_back(i);

    // A file the verdict calls durable had no crash window at the verdict;
    // draw one only if the evidence shows it dirty and then synced.
    const bool durable_at_verdict = lane.state == "durable";
    std::optional<uint64_t> start;
    for (size_t i : lane.events) {
      const auto& e = ev[i];
      // A directory's entries stop being durable with a change inside it.
      bool marks = directory ? changes_entry(e) && (parent_of(e.file) == lane.path || parent_of(e.file2) == lane.path)
                             : dirties(e);
      if (marks) {
        start = e.ts_ns;
        break;
      }
    }
    if (!start && !durable_at_verdict) start = lane.events.empty() ? t.start_ns : ev[lane.events.front()].ts_ns;
    if (!start) continue;
    lane.has_window = true;
    lane.dirty_ns = *start;
    // Made durable by the program's own sync (an ordering finding whose
    // window it closed), or, for a file durable at the verdict, by the
    // first successful sync of it after the window opened.
    if (f.closed_by && (touches(*f.closed_by, lane.path, directory) || f.closed_by->op == "sync" ||
                        f.closed_by->op == "syncfs" || lane.role == "file")) {
      lane.durable_ns = std::max(f.closed_by->ts_ns, *start);
    } else if (durable_at_verdict) {
      for (size_t i : lane.events) {
        const auto& e = ev[i];
        if (e.ts_ns >= *start && e.ret >= 0 && (e.op == "fsync" || e.op == "msync") && e.file == lane.path) {
          lane.durable_ns = e.ts_ns;
          break;
        }
      }
      if (!lane.durable_ns)
        for (const auto& e : ev)
          if (e.ts_ns >= *start && e.ret >= 0 && (e.op == "sync" || e.op == "syncfs")) {
            lane.durable_ns = e.ts_ns;
            break;
          }
      if (!lane.durable_ns) lane.has_window = false;  // durable, but not by anything shown
    }
  }

  // The deciding call.
  const DecidingCall* rule = nullptr;
  for (const auto& d : deciding_calls())
    if (d.rule == f.rule) rule = &d;
  auto eligible = [&](size_t i) { return !closed_seq || ev[i].seq != *closed_seq; };
  if (rule) {
    for (size_t k = 0; k < ev.size(); ++k) {
      size_t i = rule->last ? ev.size() - 1 - k : k;
      if (eligible(i) && std::find(rule->ops.begin(), rule->ops.end(), ev[i].op) != rule->ops.end()) {
        t.decided = i;
        break;
      }
    }
  }
  if (!t.decided)
    for (size_t k = ev.size(); k-- > 0;)
      if (eligible(k)) {
        t.decided = k;
        break;
      }
  return t;
}

}  // namespace duraudit
