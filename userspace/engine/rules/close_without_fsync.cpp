// SPDX-License-Identifier: GPL-2.0-only
// close-without-fsync: a process wrote an inode and closed its last fd on it
// (close, close_range, exec with CLOEXEC, exit) while the data was dirty.
// The verdict waits for the grace period: a reopen+fsync, sync() or syncfs()
// in the meantime, or the file losing its last name (a deleted temp file),
// answers it. One finding per (process, inode). Data closed and then
// published by rename or link while dirty is rename-without-fsync's finding,
// not this one's.
#include <deque>
#include <unordered_map>

#include "engine/rule_catalogue.h"
#include "engine/rules/rule.h"
#include "engine/rules/rule_util.h"

namespace duraudit {
namespace {

using namespace rules;

class CloseWithoutFsync final : public Rule {
 public:
  std::string_view id() const override { return rule_id::kCloseWithoutFsync; }
  std::vector<Syscall> interests() const override { return syscalls_of(SyscallOp::Close); }

  void after(const Event& ev, RuleContext& ctx) override {
    if (!ev.last_close || !ev.file.known()) return;
    const InodeState* in = ctx.model.find(ev.file.id);
    if (!in || in->ignored || !in->dirty) return;
    const WriterInfo* w = in->writer(ev.pid);
    if (!w) return;  // dirty, but not by this process
    PidFile key{ev.pid, in->id};
    if (reported_.contains(key)) return;
    Pending& p = pending_[key];
    p.pid = ev.pid;
    p.tid = ev.tid;
    p.comm = ev.comm;
    p.id = in->id;
    p.serial = in->serial;
    p.epoch = in->durable_epoch;
    p.close_ts = ev.ts_ns;
    p.path = name_of(*in, ev.file.path);
    p.evidence.clear();
    if (w->open) p.evidence.push_back(w->open);
    if (w->first_write) p.evidence.push_back(w->first_write);
    p.evidence.push_back(keep_evidence(ev));
    close_order_.emplace_back(p.close_ts, key);
  }

  void settle(uint64_t now, bool final, RuleContext& ctx) override {
    // Closes come due in the order they happened: a settle looks at the due
    // ones only. A queue entry whose close was superseded by a later close
    // of the same file (its own, later entry) is skipped.
    while (!close_order_.empty() && (final || close_order_.front().first + ctx.cfg.grace_ns <= now)) {
      auto [close_ts, key] = close_order_.front();
      close_order_.pop_front();
      auto it = pending_.find(key);
      if (it == pending_.end() || it->second.close_ts != close_ts) continue;
      judge(it->second, final, ctx);
      reported_.insert(key);
      pending_.erase(it);
    }
  }

 private:
  struct Pending {
    int32_t pid = 0, tid = 0;
    std::string comm;
    FileId id;
    uint64_t serial = 0, epoch = 0, close_ts = 0;
    std::string path;
    std::vector<EvidenceRef> evidence;
  };

  void judge(Pending& p, bool final, RuleContext& ctx) {
    Finding f = new_finding(id(), p.pid, p.tid, p.comm, p.path);
    bool evicted = false;
    const InodeState* in = file_at_settle(ctx.model, p.id, p.serial, f, &evicted);
    if (!in && !evicted) return;
    if (in) {
      if (!in->dirty || in->durable_epoch != p.epoch) return;  // made durable since
      // Closed, then published by rename/link still dirty: that data is
      // rename-without-fsync's finding (which says it was closed unsynced).
      // One bug, one finding. A close after the publish may cover later
      // writes (a WAL segment renamed into place, then written): reported.
      if (in->published_dirty_ns && p.close_ts <= in->published_dirty_ns &&
          ctx.cfg.rule_enabled(rule_id::kRenameWithoutFsync))
        return;
      f.path = name_of(*in, p.path);
    }
    f.message = f.path + " was written and closed without fsync, and its data was still not durable " +
                (final ? std::string("when the session ended") : seconds(ctx.cfg.grace_ns) + " later");
    f.related.push_back({f.path, "source", std::string(kDataNotDurable)});
    for (const auto& e : p.evidence) f.evidence.push_back(format_evidence(*e));
    sort_evidence(f.evidence);
    f.ts_ns = final ? ctx.now_ns : p.close_ts + ctx.cfg.grace_ns;
    ctx.emit(std::move(f));
  }

  std::unordered_map<PidFile, Pending, PidFileHash> pending_;
  std::deque<std::pair<uint64_t, PidFile>> close_order_;  // (close time, key), oldest first
  BoundedSet<PidFile, PidFileHash> reported_;
};

}  // namespace

std::unique_ptr<Rule> make_close_without_fsync_rule() { return std::make_unique<CloseWithoutFsync>(); }

}  // namespace duraudit
