// missing-dir-fsync: a directory entry change (create, mkdir, rename in/out,
// link, symlink, unlink, rmdir) is still not durable when its grace period
// ends or the session ends: no fsync of the directory, sync() or syncfs()
// followed. After a crash the name may be missing (or come back). One finding
// per directory per settle window, counting the entries. Changes that
// cancelled out (created then removed before any sync) and entries of
// directories that were removed themselves are dropped by the model.
#include <algorithm>

#include "engine/rule_catalogue.h"
#include "engine/rules/rule.h"
#include "engine/rules/rule_util.h"

namespace duraudit {
namespace {

using namespace rules;

class MissingDirFsync final : public Rule {
 public:
  std::string_view id() const override { return rule_id::kMissingDirFsync; }
  std::vector<Syscall> interests() const override { return {}; }

  void settle(uint64_t now, bool final, RuleContext& ctx) override {
    std::vector<std::string> dirs(ctx.model.dirs_with_pending().begin(), ctx.model.dirs_with_pending().end());
    std::sort(dirs.begin(), dirs.end());
    for (const auto& path : dirs) {
      const DirRecord* d = ctx.model.dir(path);
      if (!d || d->removed) continue;
      std::vector<const PendingEntry*> due;
      for (const auto& [_, e] : d->entries) {
        if (reported_.contains(e.serial)) continue;
        if (!final && e.ts_ns + ctx.cfg.grace_ns > now) continue;
        due.push_back(&e);
      }
      if (due.empty()) continue;
      std::sort(due.begin(), due.end(), [](auto* a, auto* b) { return a->serial < b->serial; });
      const PendingEntry& first = *due.front();
      Finding f = new_finding(id(), first.pid, first.tid, first.comm, path);
      f.entries = due.size();
      std::string what = std::string(entry_change_name(first.change)) + " of " + first.path;
      f.message = std::to_string(due.size()) + " entry change" + (due.size() == 1 ? "" : "s") + " in " + path +
                  " (" + what + (due.size() > 1 ? ", ..." : "") +
                  ") never became durable: the directory was not fsynced afterwards";
      f.related.push_back({path, "directory", std::string(kEntryNotDurable)});
      for (size_t i = 0; i < due.size() && i < kMaxRelated; ++i)
        f.related.push_back({due[i]->path, "source", std::string(kEntryNotDurable)});
      for (size_t i = 0; i < due.size() && i < kMaxEvidence; ++i) f.evidence.push_back(due[i]->evidence);
      sort_evidence(f.evidence);
      uint64_t last = 0;
      for (auto* e : due) last = std::max(last, e->ts_ns);
      f.ts_ns = final ? ctx.now_ns : last + ctx.cfg.grace_ns;
      for (auto* e : due) reported_.insert(e->serial);
      ctx.emit(std::move(f));
    }
  }

 private:
  static constexpr size_t kMaxRelated = 32;
  static constexpr size_t kMaxEvidence = 3;
  BoundedSet<uint64_t> reported_{1 << 18};
};

}  // namespace

std::unique_ptr<Rule> make_missing_dir_fsync_rule() { return std::make_unique<MissingDirFsync>(); }

}  // namespace duraudit
