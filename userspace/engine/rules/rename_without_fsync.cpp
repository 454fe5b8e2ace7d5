// SPDX-License-Identifier: GPL-2.0-only
// rename-without-fsync: rename/renameat/renameat2 or link/linkat publishes a
// file whose data is not durable at that moment. On ext4 (delalloc), xfs and
// btrfs the new name can reach the journal before the data blocks, so a crash
// leaves a zero-length or partial file under the published name.
//
// Decided at the rename; reported when due (ordering_window.h): at the
// rule's severity if the data never became durable, at warning with
// window_ns and closed_by if the program's own fsync/sync closed the window.
// Data a writer closed before the publish is not reported again by
// close-without-fsync: this finding says the file was also closed unsynced.
#include <linux/fs.h>

#include <cerrno>
#include <unordered_map>

#include "engine/rule_catalogue.h"
#include "engine/rules/ordering_window.h"
#include "engine/rules/rule.h"
#include "engine/rules/rule_util.h"

namespace duraudit {
namespace {

using namespace rules;

class RenameWithoutFsync final : public Rule {
 public:
  std::string_view id() const override { return rule_id::kRenameWithoutFsync; }
  std::vector<Syscall> interests() const override {
    std::vector<Syscall> v = syscalls_of(SyscallOp::Rename, SyscallOp::Link, SyscallOp::Close);
    append(v, sync_syscalls());
    return v;
  }
  bool wants_failed_calls() const override { return true; }

  // renameat2(RENAME_NOREPLACE) failing with EEXIST proves the target exists
  // (mv tries it first, then renames over the file).
  void failed(const Event& ev, RuleContext&) override {
    if (syscall_has_flags(ev.syscall) && (ev.flags & RENAME_NOREPLACE) && ev.ret == -EEXIST &&
        !ev.abs_path2.empty()) {
      if (known_present_.size() >= kMaxKnown) known_present_.clear();
      known_present_[ev.pid] = ev.abs_path2;
    }
  }

  void before(const Event& ev, RuleContext& ctx) override {
    if (!is_rename(ev.syscall) && !is_link(ev.syscall)) return;
    const std::string& to = ev.abs_path2;
    if (to.empty()) return;
    if (is_link(ev.syscall)) {
      // linkat(fd, "", ..., AT_EMPTY_PATH) or /proc/self/fd/N: the fd's inode.
      const InodeState* in = ev.file.known() ? ctx.model.find(ev.file.id) : ctx.model.binding(ev.abs_path).inode;
      std::string src = in && !in->names.empty() ? in->names.front()
                                                 : (!ev.abs_path.empty() ? ev.abs_path : ev.file.path);
      if (in && in->names.empty()) src = "(unnamed O_TMPFILE file)";
      check(ev, in, src, to, false, ctx);
      return;
    }
    const InodeState* src = ctx.model.binding(ev.abs_path).inode;
    if (ev.flags & RENAME_EXCHANGE) {
      check(ev, src, ev.abs_path, to, true, ctx);
      check(ev, ctx.model.binding(to).inode, to, ev.abs_path, true, ctx);
      return;
    }
    std::optional<bool> replaced;
    if (ev.flags & RENAME_NOREPLACE) {
      replaced = false;
    } else {
      switch (ctx.model.binding(to).kind) {
        case Binding::Kind::File:
        case Binding::Kind::Other: replaced = true; break;
        case Binding::Kind::Absent: replaced = false; break;
        case Binding::Kind::Unknown: break;  // never saw it: omit rather than guess
      }
      if (auto it = known_present_.find(ev.pid); it != known_present_.end() && it->second == to) replaced = true;
    }
    known_present_.erase(ev.pid);
    check(ev, src, ev.abs_path, to, replaced, ctx);
  }

  void after(const Event& ev, RuleContext& ctx) override {
    if (is_sync_call(ev.syscall)) {
      windows_.on_sync(ev, ctx.model);
      return;
    }
    if (is_close(ev.syscall) && ev.last_close && ev.file.known()) {
      const InodeState* in = ctx.model.find(ev.file.id);
      if (!in || !in->dirty || !in->writer(ev.pid)) return;
      // A writer closed it with its data dirty: if it is published next,
      // this finding also covers the unsynced close.
      if (closed_dirty_.size() >= kMaxKnown) closed_dirty_.clear();
      closed_dirty_[ev.file.id] = {in->serial, in->durable_epoch, keep_evidence(ev)};
    }
  }

  void settle(uint64_t now, bool final, RuleContext& ctx) override {
    windows_.settle(now, final, ctx.cfg.grace_ns, [&](auto& w) { judge(w, final, ctx); });
  }

 private:
  struct Pending {
    Finding finding;
    std::string from, to;
    bool link = false;
    EvidenceRef close;  // a writer's close of the still-dirty data before the publish
  };
  using Windows = OrderingWindows<Pending>;

  void check(const Event& ev, const InodeState* in, const std::string& from, const std::string& to,
             std::optional<bool> replaced, RuleContext&) {
    if (!in || in->ignored || !in->dirty) return;
    Finding f = new_finding(id(), ev.pid, ev.tid, ev.comm, to);
    f.related.push_back({from, "source", std::string(kDataNotDurable)});
    f.replaced = replaced;
    add_writer_evidence(*in, f.evidence);
    f.evidence.push_back(make_evidence(ev));
    EvidenceRef close;
    if (auto c = closed_dirty_.find(in->id);
        c != closed_dirty_.end() && c->second.serial == in->serial && c->second.epoch == in->durable_epoch)
      close = c->second.close;
    auto& w = windows_.open(ev.ts_ns, Pending{std::move(f), from, to, is_link(ev.syscall), std::move(close)});
    // The published name is what a crash leaves empty; the path shown is the
    // one the data was published under.
    windows_.await(w, *in, to);
  }

  void judge(Windows::Entry& w, bool final, RuleContext& ctx) {
    Finding& f = w.payload.finding;
    WindowOutcome o = judge_window(w.files, ctx.model);
    if (o.live == 0 && !o.evicted) return;  // deleted since: nothing a crash can lose now
    const char* how = w.payload.link ? "link" : "rename";
    f.message = w.payload.to + " was published by " + how + " from " + w.payload.from +
                " before its data was fsynced: a crash can leave it empty or partial";
    if (o.closed()) {
      f.window_ns = o.closing->durable_ns - w.opened_ns;
      f.message += "; the program made it durable " + milliseconds(*f.window_ns) + " later";
      if (o.closing->durable_by) {
        f.closed_by = format_evidence(*o.closing->durable_by);
        f.evidence.push_back(*f.closed_by);
      }
    } else {
      if (o.evicted) {
        f.incomplete = true;
        f.incomplete_reason = "the file's state was evicted by the memory cap before the verdict";
      }
      if (w.payload.close) {
        f.closed_unsynced = true;
        f.message += ", and it was closed without fsync";
        f.evidence.push_back(format_evidence(*w.payload.close));
      }
      f.message += final ? std::string(" (still not durable when the session ended)")
                         : " (still not durable " + seconds(ctx.cfg.grace_ns) + " later)";
    }
    sort_evidence(f.evidence);
    f.ts_ns = final ? ctx.now_ns : w.opened_ns + ctx.cfg.grace_ns;
    ctx.emit(std::move(f));
  }

  static constexpr size_t kMaxKnown = 4096;
  std::unordered_map<int32_t, std::string> known_present_;  // pid -> target a failed NOREPLACE proved present
  struct DirtyClose {
    uint64_t serial = 0, epoch = 0;
    EvidenceRef close;
  };
  std::unordered_map<FileId, DirtyClose, FileIdHash> closed_dirty_;  // the latest close of dirty data, per file
  Windows windows_;
};

}  // namespace

std::unique_ptr<Rule> make_rename_without_fsync_rule() { return std::make_unique<RenameWithoutFsync>(); }

}  // namespace duraudit
