// SPDX-License-Identifier: GPL-2.0-only
// unlink-before-durable: a durable file (it existed before the session, or
// its session data was made durable) is deleted while the file that takes
// its place, its successor, still has data that is not durable. After a
// crash in that window the old state is gone and the new one is empty or
// partial: the FLINK-36421 pattern, gzip without --synchronous, mv across
// filesystems.
//
// The rule fires only for a deleted file with an identified successor
// (succession.h: same-path, data-flow, name-pattern, directory-swap). Dirty
// files that merely sit nearby (logs, caches, relation files protected by a
// WAL) are no evidence. A rename *over* a durable file is not this rule:
// rename-without-fsync judges the data it publishes.
//
// Only successors whose DATA is not durable count. One whose data was
// fsynced but whose directory entry was not is left to missing-dir-fsync: on
// journaling filesystems (ext4, xfs, btrfs) namespace operations reach the
// journal in the order they were made, so the new entry is committed no
// later than the unlink of the old one, while delayed-allocation data is
// written back on its own schedule.
//
// The verdict waits (ordering_window.h): a window the program closes itself
// by making the successor durable is reported at warning with window_ns and
// closed_by; one never closed at the rule's severity.
#include <fcntl.h>
#include <linux/fs.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "engine/rule_catalogue.h"
#include "engine/rules/ordering_window.h"
#include "engine/rules/rule.h"
#include "engine/rules/rule_util.h"
#include "engine/rules/succession.h"

namespace duraudit {
namespace {

using namespace rules;

class UnlinkBeforeDurable final : public Rule {
 public:
  std::string_view id() const override { return rule_id::kUnlinkBeforeDurable; }
  std::vector<Syscall> interests() const override {
    std::vector<Syscall> v = syscalls_of(SyscallOp::Unlink, SyscallOp::Rename, SyscallOp::Link);
    append(v, open_syscalls());
    append(v, sync_syscalls());
    return v;
  }

  void before(const Event& ev, RuleContext& ctx) override {
    if (syscall_op(ev.syscall) != SyscallOp::Unlink) return;
    // rmdir: a directory holds no data of its own, and its files were
    // unlinked one by one first (rmdir of a non-empty directory fails).
    if (ev.flags & AT_REMOVEDIR) return;
    const std::string& path = ev.abs_path;
    if (path.empty() || is_auxiliary_name(path)) return;
    Binding b = ctx.model.binding(path);
    const InodeState* deleted = nullptr;
    switch (b.kind) {
      case Binding::Kind::Absent:
      case Binding::Kind::Other: return;
      case Binding::Kind::Unknown:
        // The unlink succeeded, so the file existed before we saw it:
        // durable as found.
        if (ctx.model.dir_ignored(parent_path(path))) return;
        break;
      case Binding::Kind::File:
        deleted = b.inode;
        if (deleted->ignored || !deleted->durable_file()) return;
        if (deleted->names.size() > 1) return;  // another hard link keeps the data
        break;
    }
    std::vector<Successor> succ = dirty_successors(ctx.model, path, deleted, ev.pid, kMaxRelated);
    if (succ.empty()) {
      // Perhaps the same path is written again (install, editors that
      // delete then write): judged when the create comes.
      if (watches_.size() >= kMaxWatches) watches_.erase(watches_.begin());
      watches_[path] = Watch{ev.pid, ev.tid, ev.comm, ev.ts_ns, keep_evidence(ev)};
      return;
    }
    Windows::Entry& w = window_for(ev.pid, ev.tid, ev.comm, path, ev.ts_ns, keep_evidence(ev));
    for (const auto& s : succ) add_successor(w, *s.inode, s.path, s.evidence);
  }

  void after(const Event& ev, RuleContext& ctx) override {
    if (is_sync_call(ev.syscall)) {
      windows_.on_sync(ev, ctx.model);
      return;
    }
    if (watches_.empty()) return;
    // A name (re)appearing: a created file, a rename or link into place.
    std::string path;
    if (is_open(ev.syscall)) {
      if (!ev.created) return;
      path = ev.file.path.empty() ? ev.abs_path : ev.file.path;
    } else if (is_rename(ev.syscall) || is_link(ev.syscall)) {
      path = ev.abs_path2;
    } else {
      return;
    }
    auto it = watches_.find(path);
    if (it == watches_.end()) return;
    Watch w = std::move(it->second);
    watches_.erase(it);
    // The deleter writing the path again (install, editors that delete then
    // write). Another process recreating it later is a new, separate use:
    // PostgreSQL's startup process consumes pgstat.stat, its checkpointer
    // writes a fresh one at shutdown.
    if (ev.ts_ns > w.ts + ctx.cfg.grace_ns || ev.pid != w.pid) return;
    const InodeState* in = ctx.model.binding(path).inode;
    if (!in || in->ignored) return;
    // Renamed into place already durable: only the entry is pending, which
    // is missing-dir-fsync's to judge.
    if (!in->dirty && in->written_in_session) return;
    add_successor(window_for(w.pid, w.tid, w.comm, path, w.ts, w.evidence), *in, path, SuccessorEvidence::SamePath);
  }

  void settle(uint64_t now, bool final, RuleContext& ctx) override {
    for (auto it = watches_.begin(); it != watches_.end();) {
      if (final || it->second.ts + ctx.cfg.grace_ns <= now) it = watches_.erase(it);
      else ++it;
    }
    windows_.settle(now, final, ctx.cfg.grace_ns, [&](Windows::Entry& w) {
      open_.erase(w.payload.key);
      judge(w, final, ctx);
    });
  }

 private:
  struct Watch {
    int32_t pid = 0, tid = 0;
    std::string comm;
    uint64_t ts = 0;
    EvidenceRef evidence;
  };
  struct SuccessorInfo {
    std::string path;
    SuccessorEvidence evidence;
    std::vector<EvidenceRef> writes;  // its writer's open and first write, when identified
  };
  using Key = std::pair<int32_t, std::string>;  // (deleting process, directory being emptied)
  struct Pending {
    Key key;
    int32_t pid = 0, tid = 0;
    std::string comm;
    std::vector<std::string> deleted;  // first kMaxRelated
    size_t deleted_count = 0;
    std::vector<EvidenceRef> deletions;  // first few unlinks
    std::vector<SuccessorInfo> successors;  // parallel to the window's files
  };
  using Windows = OrderingWindows<Pending>;

  // One finding per (process, directory being emptied) while its verdict is
  // pending: deleting chk-1/a, chk-1/b is one event.
  Windows::Entry& window_for(int32_t pid, int32_t tid, const std::string& comm, const std::string& path,
                             uint64_t ts, EvidenceRef evidence) {
    Key key{pid, parent_path(path)};
    Windows::Entry* e = nullptr;
    if (auto it = open_.find(key); it != open_.end()) {
      e = it->second;
    } else {
      Pending p;
      p.key = key;
      p.pid = pid;
      p.tid = tid;
      p.comm = comm;
      e = &windows_.open(ts, std::move(p));
      open_[key] = e;
    }
    Pending& p = e->payload;
    if (std::find(p.deleted.begin(), p.deleted.end(), path) == p.deleted.end()) {
      ++p.deleted_count;
      if (p.deleted.size() < kMaxRelated) p.deleted.push_back(path);
      if (p.deletions.size() < kMaxEvidenceFiles) p.deletions.push_back(std::move(evidence));
    }
    return *e;
  }

  void add_successor(Windows::Entry& e, const InodeState& in, const std::string& path, SuccessorEvidence kind) {
    Pending& p = e.payload;
    if (!windows_.await(e, in, path)) return;  // already a successor of this window, or enough named
    SuccessorInfo s{path, kind, {}};
    if (const WriterInfo* w = in.writers.empty() ? nullptr : &in.writers.front()) {
      if (w->open) s.writes.push_back(w->open);
      if (w->first_write) s.writes.push_back(w->first_write);
    }
    p.successors.push_back(std::move(s));
  }

  void judge(Windows::Entry& w, bool final, RuleContext& ctx) {
    Pending& p = w.payload;
    // Successors deleted again before the verdict were no successors.
    std::vector<size_t> live;
    bool evicted = false;
    for (size_t i = 0; i < w.files.size(); ++i) {
      std::vector<AwaitedFile> one{w.files[i]};
      WindowOutcome o = judge_window(one, ctx.model);
      evicted |= o.evicted;
      if (o.live) live.push_back(i);
    }
    if (live.empty() && !evicted) return;
    std::vector<AwaitedFile> live_files;
    for (size_t i : live) live_files.push_back(w.files[i]);
    WindowOutcome o = judge_window(live_files, ctx.model);
    // Reported once: a later window naming only successors already named
    // for this key adds nothing.
    uint64_t newest = 0;
    for (const auto& f : live_files) newest = std::max(newest, f.serial);
    auto [rep, fresh] = reported_.try_emplace(p.key, 0);
    if (!fresh && newest <= rep->second && !evicted) return;
    rep->second = std::max(rep->second, newest);
    if (reported_.size() > kMaxKeys) reported_.erase(reported_.begin());

    const std::string& path = p.deleted.front();
    Finding f = new_finding(id(), p.pid, p.tid, p.comm, path);
    const SuccessorInfo& first = live.empty() ? p.successors.front() : p.successors[live.front()];
    f.successor_evidence = std::string(successor_evidence_name(first.evidence));
    std::string what = p.deleted_count > 1 ? path + " (and " + std::to_string(p.deleted_count - 1) + " more)" : path;
    std::string by = live.size() > 1 ? std::to_string(live.size()) + " successors (" + first.path + ", ...)"
                                     : "its successor " + first.path;
    f.message = what + " was deleted while " + by + " had data not yet durable (" + f.successor_evidence +
                "): a crash in that window loses both the old and the new state";
    if (o.closed()) {
      f.window_ns = o.closing->durable_ns - w.opened_ns;
      f.message += "; the program made the successor durable " + milliseconds(*f.window_ns) + " later";
      if (o.closing->durable_by) f.closed_by = format_evidence(*o.closing->durable_by);
    } else {
      if (evicted) {
        f.incomplete = true;
        f.incomplete_reason = "a successor's state was evicted by the memory cap before the verdict";
      }
      f.message += final ? std::string(" (still not durable when the session ended)")
                         : " (still not durable " + seconds(ctx.cfg.grace_ns) + " later)";
    }
    size_t shown = 0;
    for (size_t i : live) {
      const AwaitedFile& af = w.files[i];
      const SuccessorInfo& s = p.successors[i];
      f.related.push_back({s.path, "successor", std::string(af.durable ? kDurable : kDataNotDurable)});
      if (shown++ < kMaxEvidenceFiles)
        for (const auto& e : s.writes) f.evidence.push_back(format_evidence(*e));
    }
    for (const auto& d : p.deleted) f.related.push_back({d, "deleted", std::string(kDurable)});
    for (const auto& d : p.deletions) f.evidence.push_back(format_evidence(*d));
    if (f.closed_by) f.evidence.push_back(*f.closed_by);
    sort_evidence(f.evidence);
    f.ts_ns = final ? ctx.now_ns : w.opened_ns + ctx.cfg.grace_ns;
    ctx.emit(std::move(f));
  }

  static constexpr size_t kMaxKeys = 4096;
  static constexpr size_t kMaxRelated = 50;
  static constexpr size_t kMaxEvidenceFiles = 3;
  static constexpr size_t kMaxWatches = 1 << 16;
  std::map<std::string, Watch> watches_;  // deleted durable files with no successor yet, by path
  Windows windows_;
  std::map<Key, Windows::Entry*> open_;  // unsettled window per key
  std::map<Key, uint64_t> reported_;     // -> highest successor serial reported
};

}  // namespace

std::unique_ptr<Rule> make_unlink_before_durable_rule() { return std::make_unique<UnlinkBeforeDurable>(); }

}  // namespace duraudit
