// rename-without-fsync: rename/renameat/renameat2 or link/linkat publishes a
// file whose data is not durable at that moment. On ext4 (delalloc), xfs and
// btrfs the new name can reach the journal before the data blocks, so a crash
// leaves a zero-length or partial file under the published name. Ordering
// verdict: decided at the rename, later syncs cannot undo it.
#include <linux/fs.h>

#include "engine/rule_catalogue.h"
#include "engine/rules/rule.h"
#include "engine/rules/rule_util.h"

namespace duraudit {
namespace {

using namespace rules;

class RenameWithoutFsync final : public Rule {
 public:
  std::string_view id() const override { return rule_id::kRenameWithoutFsync; }
  std::vector<Syscall> interests() const override {
    return {Syscall::Rename, Syscall::Renameat, Syscall::Renameat2, Syscall::Link, Syscall::Linkat};
  }

  void before(const Event& ev, RuleContext& ctx) override {
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
    }
    check(ev, src, ev.abs_path, to, replaced, ctx);
  }

 private:
  void check(const Event& ev, const InodeState* in, const std::string& from, const std::string& to,
             std::optional<bool> replaced, RuleContext& ctx) {
    if (!in || in->ignored || !in->dirty) return;
    Finding f = new_finding(id(), ev.pid, ev.tid, ev.comm, to);
    const char* how = is_link(ev.syscall) ? "link" : "rename";
    f.message = to + " was published by " + how + " from " + from +
                " before its data was fsynced: a crash can leave it empty or partial";
    f.related.push_back({from, "source", std::string(kDataNotDurable)});
    f.replaced = replaced;
    add_writer_evidence(*in, f.evidence);
    f.evidence.push_back(make_evidence(ev));
    sort_evidence(f.evidence);
    f.ts_ns = ev.ts_ns;
    ctx.emit(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Rule> make_rename_without_fsync_rule() { return std::make_unique<RenameWithoutFsync>(); }

}  // namespace duraudit
