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
    // The deleted file is durable (checked above), so never in the dirty
    // index; only a rename's own source has to be left out.
    const InodeState* source = exclude.valid() ? ctx.model.find(exclude) : nullptr;
    auto excluded = [&](const DirtyIndex::Entry& e) { return source && e.id == source->id; };

    // The directories in scope holding dirty files. Only the filesystem-wide
    // scope filters by device (a directory's files share its device).
    std::vector<const DirtyIndex::DirEntries*> dirs;
    ctx.model.dirty_index().for_each_dir_under(root, [&](const std::string&, const DirtyIndex::DirEntries& d) {
      if (ctx.cfg.scope == ReplacementScope::Filesystem && dev != 0) {
        const InodeState* any = ctx.model.find(d.begin()->second.id);
        if (any && any->id.dev != dev) return;
      }
      dirs.push_back(&d);
    });

    // The newest replacement decides whether there is anything new to say:
    // one look at each directory's newest entries, not at every dirty file.
    uint64_t newest = 0;
    for (const auto* d : dirs)
      for (auto it = d->rbegin(); it != d->rend(); ++it)
        if (!excluded(it->second)) {
          newest = std::max(newest, it->first);
          break;
        }
    if (newest == 0) return;

    // One finding per (process, directory being emptied) for a given set of
    // replacements: deleting chk-1/a, chk-1/b and rmdir chk-1 is one event.
    // Inode serials only grow, so "a replacement not reported yet" is "a
    // serial above the highest one reported for this key": one number per
    // key, where a set of serials per key grew to hundreds of MB in a soak.
    std::string key_dir = is_dir ? path : parent_path(path);
    auto [it, fresh] = reported_.try_emplace({ev.pid, key_dir}, 0);
    if (!fresh && newest <= it->second) return;
    it->second = newest;
    if (reported_.size() > kMaxKeys) reported_.erase(reported_.begin());

    // The count, and the newest kMaxRelated replacements to show, without
    // walking every dirty file. An inode named in two directories of the
    // scope counts once per directory (the shown ones are deduplicated).
    size_t count = 0;
    using Cursor = std::pair<DirtyIndex::DirEntries::const_reverse_iterator, DirtyIndex::DirEntries::const_reverse_iterator>;
    auto newer = [](const Cursor& a, const Cursor& b) { return a.first->first < b.first->first; };
    std::vector<Cursor> heads;  // a max-heap of each directory's newest not-yet-taken entry
    for (const auto* d : dirs) {
      count += d->size();
      if (source)
        if (auto e = d->find(source->serial); e != d->end() && excluded(e->second)) --count;
      heads.emplace_back(d->rbegin(), d->rend());
    }
    std::make_heap(heads.begin(), heads.end(), newer);
    std::vector<const InodeState*> repl;
    while (!heads.empty() && repl.size() < kMaxRelated) {
      std::pop_heap(heads.begin(), heads.end(), newer);
      Cursor& c = heads.back();
      const DirtyIndex::Entry& e = c.first->second;
      if (!excluded(e))
        if (const InodeState* in = ctx.model.find(e.id); in && !in->names.empty()) repl.push_back(in);
      if (++c.first == c.second) heads.pop_back();
      else std::push_heap(heads.begin(), heads.end(), newer);
    }
    if (repl.empty()) return;
    std::sort(repl.begin(), repl.end(),
              [](const InodeState* a, const InodeState* b) { return a->names.front() < b->names.front(); });
    // An inode with two names in scope is one replacement.
    size_t before_unique = repl.size();
    repl.erase(std::unique(repl.begin(), repl.end()), repl.end());
    count -= before_unique - repl.size();

    Finding f = new_finding(id(), ev.pid, ev.tid, ev.comm, path);
    std::string verb = is_rename(ev.syscall) ? "was replaced by rename" : (is_dir ? "was removed" : "was deleted");
    f.message = path + " " + verb + " while " + std::to_string(count) + " file" +
                (count == 1 ? "" : "s") + " written in its place (" + repl.front()->names.front() +
                (repl.size() > 1 ? ", ..." : "") +
                ") had data not yet durable: a crash now loses both the old and the new state";
    size_t shown = 0;
    for (const auto* r : repl) {  // at most kMaxRelated: the message carries the full count
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
