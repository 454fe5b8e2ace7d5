// SPDX-License-Identifier: GPL-2.0-only
// sync-file-range-only: a file written during the session got
// sync_file_range but never fsync, fdatasync, an O_SYNC write, sync() or
// syncfs(). sync_file_range starts (or waits for) writeback of data pages
// only: it flushes no metadata (file size, extents) and no disk write cache,
// so the data is not durable. Settled like close-without-fsync: after the
// grace period following the writer's last close, or at session end.
#include <unordered_map>

#include "engine/rule_catalogue.h"
#include "engine/rules/rule.h"
#include "engine/rules/rule_util.h"

namespace duraudit {
namespace {

using namespace rules;

class SyncFileRangeOnly final : public Rule {
 public:
  std::string_view id() const override { return rule_id::kSyncFileRangeOnly; }
  std::vector<Syscall> interests() const override {
    return syscalls_of(SyscallOp::SyncFileRange, SyscallOp::Close);
  }

  void after(const Event& ev, RuleContext& ctx) override {
    if (!ev.file.known()) return;
    if (syscall_op(ev.syscall) == SyscallOp::SyncFileRange) {
      const InodeState* in = ctx.model.find(ev.file.id);
      if (!in || in->ignored || !in->written_in_session || reported_.contains(in->id)) return;
      auto [it, inserted] = pending_.try_emplace(in->id);
      if (!inserted) return;
      Pending& p = it->second;
      p.pid = ev.pid;
      p.tid = ev.tid;
      p.comm = ev.comm;
      p.serial = in->serial;
      p.path = name_of(*in, ev.file.path);
      p.evidence = keep_evidence(ev);
      return;
    }
    if (!ev.last_close) return;
    auto it = pending_.find(ev.file.id);
    if (it != pending_.end() && it->second.pid == ev.pid) it->second.close_ts = ev.ts_ns;
  }

  void settle(uint64_t now, bool final, RuleContext& ctx) override {
    for (auto it = pending_.begin(); it != pending_.end();) {
      Pending& p = it->second;
      if (!final && (p.close_ts == 0 || p.close_ts + ctx.cfg.grace_ns > now)) {
        ++it;
        continue;
      }
      judge(it->first, p, final, ctx);
      reported_.insert(it->first);
      it = pending_.erase(it);
    }
  }

 private:
  struct Pending {
    int32_t pid = 0, tid = 0;
    std::string comm;
    uint64_t serial = 0, close_ts = 0;
    std::string path;
    EvidenceRef evidence;
  };

  void judge(const FileId& fid, Pending& p, bool final, RuleContext& ctx) {
    Finding f = new_finding(id(), p.pid, p.tid, p.comm, p.path);
    bool evicted = false;
    const InodeState* in = file_at_settle(ctx.model, fid, p.serial, f, &evicted);
    if (!in && !evicted) return;
    if (in) {
      // Any full sync of the file during its life answers the rule.
      if (in->last_full_sync_ns != 0 || ctx.model.last_global_sync_ns(in->id.dev) >= in->first_seen_ns) return;
      f.path = name_of(*in, p.path);
    }
    f.message = f.path + " was flushed only with sync_file_range, never fsync or fdatasync: its metadata and the "
                         "disk cache were never flushed, so the data is not durable";
    f.related.push_back({f.path, "source", std::string(in && !in->dirty ? kDurable : kDataNotDurable)});
    f.evidence.push_back(format_evidence(*p.evidence));
    f.ts_ns = final ? ctx.now_ns : p.close_ts + ctx.cfg.grace_ns;
    ctx.emit(std::move(f));
  }

  std::unordered_map<FileId, Pending, FileIdHash> pending_;
  BoundedSet<FileId, FileIdHash> reported_;
};

}  // namespace

std::unique_ptr<Rule> make_sync_file_range_only_rule() { return std::make_unique<SyncFileRangeOnly>(); }

}  // namespace duraudit
