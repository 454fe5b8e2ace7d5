// SPDX-License-Identifier: GPL-2.0-only
// missing-dir-fsync: a directory entry change (create, mkdir, rename in/out,
// link, symlink, unlink, rmdir) is still not durable when its grace period
// ends or the session ends: no fsync of the directory, sync() or syncfs()
// followed. After a crash the name may be missing (or come back). One finding
// per directory per settle window, counting the entries. Changes that
// cancelled out (created then removed before any sync) and entries of
// directories that were removed themselves are dropped by the model.
#include <algorithm>
#include <map>

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
    // Each change is judged once, when its grace period ends: the model
    // lists changes in the order they happened, so a settle visits only the
    // changes that came due since the last one, not every pending entry.
    std::map<std::string, std::vector<const PendingEntry*>> due_by_dir;
    ctx.model.for_each_entry_since(judged_up_to_, [&](const DirRecord& d, const PendingEntry& e) {
      if (!final && e.ts_ns + ctx.cfg.grace_ns > now) return false;
      judged_up_to_ = e.serial;
      if (!d.removed) due_by_dir[d.path].push_back(&e);
      return true;
    });
    for (auto& [path, due] : due_by_dir) {
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
      for (size_t i = 0; i < due.size() && i < kMaxEvidence; ++i) f.evidence.push_back(format_evidence(*due[i]->evidence));
      sort_evidence(f.evidence);
      uint64_t last = 0;
      for (auto* e : due) last = std::max(last, e->ts_ns);
      f.ts_ns = final ? ctx.now_ns : last + ctx.cfg.grace_ns;
      ctx.emit(std::move(f));
    }
  }

 private:
  static constexpr size_t kMaxRelated = 32;
  static constexpr size_t kMaxEvidence = 3;
  uint64_t judged_up_to_ = 0;  // the serial of the last change judged
};

}  // namespace

std::unique_ptr<Rule> make_missing_dir_fsync_rule() { return std::make_unique<MissingDirFsync>(); }

}  // namespace duraudit
