// unlink-before-durable: a durable file (it existed before the session, or
// its session data was made durable) is unlinked, replaced by rename, or its
// directory removed, while a file written during the session in its scope
// still has data that is not durable. After a crash the old state is gone and
// the new one is empty or partial: the FLINK-36421 pattern.
//
// Decision: only replacements whose DATA is not durable trigger this rule.
// A replacement whose data was fsynced but whose directory entry was not is
// left to missing-dir-fsync: on journaling filesystems (ext4, xfs, btrfs)
// namespace operations reach the journal in the order they were made, so the
// new entry is committed no later than the unlink of the old one, while
// delayed-allocation data is written back on its own schedule. Flagging
// entry-only cases here would report every correct "fsync file, rename,
// delete old" sequence that merely batches its directory fsync.
#include <fcntl.h>
#include <linux/fs.h>

#include <algorithm>
#include <map>
#include <set>

#include "engine/rule_catalogue.h"
#include "engine/rules/rule.h"
#include "engine/rules/rule_util.h"

namespace duraudit {
namespace {

using namespace rules;

class UnlinkBeforeDurable final : public Rule {
 public:
  std::string_view id() const override { return rule_id::kUnlinkBeforeDurable; }
  std::vector<Syscall> interests() const override {
    return {Syscall::Unlink, Syscall::Unlinkat, Syscall::Rmdir, Syscall::Rename, Syscall::Renameat,
            Syscall::Renameat2};
  }

  void before(const Event& ev, RuleContext& ctx) override {
    const std::string& path = is_rename(ev.syscall) ? ev.abs_path2 : ev.abs_path;
    if (path.empty()) return;
    bool is_dir = ev.syscall == Syscall::Rmdir || (ev.syscall == Syscall::Unlinkat && (ev.flags & AT_REMOVEDIR));
    const InodeState* deleted = nullptr;
    FileId exclude;  // the rename's own source: rename-without-fsync covers it
    if (is_rename(ev.syscall)) {
      if (ev.flags & (RENAME_EXCHANGE | RENAME_NOREPLACE)) return;  // nothing is deleted
      Binding b = ctx.model.binding(path);
      // Only a target we know was there is "replaced"; an unknown one is
      // usually a new name, and guessing would misreport every publish.
      if (b.kind != Binding::Kind::File) return;
      deleted = b.inode;
      if (const InodeState* src = ctx.model.binding(ev.abs_path).inode) exclude = src->id;
      if (deleted->id == exclude) return;
    } else if (is_dir) {
      const DirRecord* d = ctx.model.dir(path);
      if (d && d->created_in_session) return;  // made during the session: never durable state
      if (ctx.model.dir_ignored(parent_path(path))) return;
    } else {
      Binding b = ctx.model.binding(path);
      switch (b.kind) {
        case Binding::Kind::Absent:
        case Binding::Kind::Other: return;
        case Binding::Kind::Unknown:
          // The unlink succeeded, so the file existed before we saw it:
          // durable as found.
          if (ctx.model.dir_ignored(parent_path(path))) return;
          break;
        case Binding::Kind::File: deleted = b.inode; break;
      }
    }
    if (deleted) {
      if (deleted->ignored || !deleted->durable_file()) return;
      if (deleted->names.size() > 1) return;  // another hard link keeps the data
    }

    std::string root = scope_root(path, is_dir, ctx.cfg.scope);
    DevT dev = deleted ? deleted->id.dev : ctx.model.dir_dev(parent_path(path));
    std::vector<const InodeState*> repl;
    auto consider = [&](const InodeState& in) {
      if (in.ignored || in.names.empty()) return;
      if (deleted && in.id == deleted->id) return;
      if (exclude.valid() && in.id == exclude) return;
      repl.push_back(&in);
    };
    if (ctx.cfg.scope == ReplacementScope::Filesystem) {
      // Everything dirty on the filesystem: a scan, but only for the scope
      // that asks for exactly that.
      for (const FileId& fid : ctx.model.dirty_inodes())
        if (const InodeState* in = ctx.model.find(fid); in && (dev == 0 || in->id.dev == dev)) consider(*in);
    } else {
      ctx.model.for_each_dirty_under(root, consider);
    }
    if (repl.empty()) return;
    std::sort(repl.begin(), repl.end(),
              [](const InodeState* a, const InodeState* b) { return a->names.front() < b->names.front(); });
    // An inode with two names in scope is one replacement.
    repl.erase(std::unique(repl.begin(), repl.end()), repl.end());

    // One finding per (process, directory being emptied) for a given set of
    // replacements: deleting chk-1/a, chk-1/b and rmdir chk-1 is one event.
    // Inode serials only grow, so "a replacement not reported yet" is "a
    // serial above the highest one reported for this key": one number per
    // key, where a set of serials per key grew to hundreds of MB in a soak.
    std::string key_dir = is_dir ? path : parent_path(path);
    uint64_t newest = 0;
    for (const auto* r : repl) newest = std::max(newest, r->serial);
    auto [it, fresh] = reported_.try_emplace({ev.pid, key_dir}, 0);
    if (!fresh && newest <= it->second) return;
    it->second = newest;
    if (reported_.size() > kMaxKeys) reported_.erase(reported_.begin());

    Finding f = new_finding(id(), ev.pid, ev.tid, ev.comm, path);
    std::string verb = is_rename(ev.syscall) ? "was replaced by rename" : (is_dir ? "was removed" : "was deleted");
    f.message = path + " " + verb + " while " + std::to_string(repl.size()) + " file" +
                (repl.size() == 1 ? "" : "s") + " written in its place (" + repl.front()->names.front() +
                (repl.size() > 1 ? ", ..." : "") +
                ") had data not yet durable: a crash now loses both the old and the new state";
    size_t shown = 0;
    for (const auto* r : repl) {
      if (shown >= kMaxRelated) break;  // the message carries the full count
      f.related.push_back({r->names.front(), "replacement", std::string(kDataNotDurable)});
      if (shown++ < kMaxEvidenceFiles) add_writer_evidence(*r, f.evidence);
    }
    f.related.push_back({path, "deleted", std::string(kDurable)});
    f.evidence.push_back(make_evidence(ev));
    sort_evidence(f.evidence);
    f.ts_ns = ev.ts_ns;
    ctx.emit(std::move(f));
  }

 private:
  static constexpr size_t kMaxKeys = 4096;
  static constexpr size_t kMaxRelated = 50;
  static constexpr size_t kMaxEvidenceFiles = 3;
  std::map<std::pair<int32_t, std::string>, uint64_t> reported_;  // -> highest serial reported
};

}  // namespace

std::unique_ptr<Rule> make_unlink_before_durable_rule() { return std::make_unique<UnlinkBeforeDurable>(); }

}  // namespace duraudit
