// SPDX-License-Identifier: GPL-2.0-only
// state-deleted: a long-lived file (it existed before the session, or lived
// at least Config::state_min_age_ns) loses its last name, and by the end of
// the grace period (or session) nothing replaces it: no successor
// (succession.h: data-flow, name-pattern, directory-swap, or a file at the
// same path again), and no file created or written during the session in its
// scope. That is persistent state destroyed, typically by cleanup at
// shutdown (fluent-bit removing the directory holding its $INDEX counter).
// Short-lived files such as SQLite's rollback journal are not state; nor are
// lock files, pid files and sockets; nor is a file whose data another hard
// link still holds.
//
// A tree removal reports once per removed top directory, listing the files
// as `deleted`, instead of once per file.
#include <fcntl.h>

#include <algorithm>
#include <deque>
#include <map>

#include "engine/rule_catalogue.h"
#include "engine/rules/rule.h"
#include "engine/rules/rule_util.h"
#include "engine/rules/succession.h"

namespace duraudit {
namespace {

using namespace rules;

class StateDeleted final : public Rule {
 public:
  std::string_view id() const override { return rule_id::kStateDeleted; }
  std::vector<Syscall> interests() const override { return syscalls_of(SyscallOp::Unlink); }

  void before(const Event& ev, RuleContext& ctx) override {
    if (ev.flags & AT_REMOVEDIR) return;
    const std::string& path = ev.abs_path;
    if (path.empty() || is_auxiliary_name(path)) return;
    Binding b = ctx.model.binding(path);
    std::string state(kDurable);
    switch (b.kind) {
      case Binding::Kind::Absent:
      case Binding::Kind::Other: return;
      case Binding::Kind::Unknown:
        // Existed before we saw it: long-lived by definition.
        if (ctx.model.dir_ignored(parent_path(path))) return;
        break;
      case Binding::Kind::File: {
        const InodeState* in = b.inode;
        if (in->ignored || in->names.size() > 1) return;
        bool long_lived = in->origin == Origin::Preexisting || ev.ts_ns - in->created_ns >= ctx.cfg.state_min_age_ns;
        if (!long_lived) return;
        if (in->dirty) state = kDataNotDurable;
        break;
      }
    }
    // The data lives on in a successor (gzip's f.gz, mv's copy).
    if (has_successor(ctx.model, path, b.inode, ev.pid)) return;
    if (pending_.size() >= kMax) return;  // bounded; loses notices, never state
    Candidate c;
    c.path = path;
    c.pid = ev.pid;
    c.tid = ev.tid;
    c.comm = ev.comm;
    c.ts = ev.ts_ns;
    c.state = state;
    c.evidence = keep_evidence(ev);
    pending_.push_back(std::move(c));
  }

  void settle(uint64_t now, bool final, RuleContext& ctx) override {
    // Candidates come due in the order of their unlinks: take the due ones
    // off the front, and look at the rest only when a tree removal is being
    // reported (its files go with it).
    std::map<std::string, std::vector<Candidate>> groups;  // key: top dir, or the file itself
    std::map<std::string, bool> due_tops;
    while (!pending_.empty() && (final || pending_.front().ts + ctx.cfg.grace_ns <= now)) {
      Candidate c = std::move(pending_.front());
      pending_.pop_front();
      std::string top = ctx.model.top_removed_ancestor(c.path);
      if (!top.empty()) due_tops[top] = true;
      groups[top.empty() ? c.path : top].push_back(std::move(c));
    }
    if (groups.empty()) return;
    if (!due_tops.empty()) {
      std::deque<Candidate> keep;
      for (auto& c : pending_) {
        std::string top = ctx.model.top_removed_ancestor(c.path);
        if (!top.empty() && due_tops.count(top))
          groups[top].push_back(std::move(c));
        else
          keep.push_back(std::move(c));
      }
      pending_ = std::move(keep);
    }

    // Whether a scope holds a replacement is the same for every candidate
    // of one settle (the model does not change meanwhile): ask once.
    std::map<std::pair<std::string, DevT>, bool> scope_has_replacement;
    for (auto& [key, members] : groups) {
      std::erase_if(members, [&](const Candidate& c) { return replaced(c, ctx, scope_has_replacement); });
      if (members.empty()) continue;
      const DirRecord* top = ctx.model.dir(key);
      bool tree = top && top->removed;
      const Candidate& first = members.front();
      Finding f = new_finding(id(), first.pid, first.tid, first.comm, key);
      if (tree) {
        f.message = key + " was removed with " + std::to_string(members.size()) + " long-lived file" +
                    (members.size() == 1 ? "" : "s") + " in it (" + first.path + (members.size() > 1 ? ", ..." : "") +
                    ") and nothing replaced them: persistent state destroyed";
        if (top->removed_by) f.pid = top->removed_by;
      } else {
        f.message = key + " was long-lived state and was deleted, and nothing replaced it " +
                    (final ? std::string("by the end of the session") : "within " + seconds(ctx.cfg.grace_ns));
      }
      for (const auto& c : members) f.related.push_back({c.path, "deleted", c.state});
      f.evidence.push_back(format_evidence(*first.evidence));
      if (tree && top->rmdir_evidence) f.evidence.push_back(format_evidence(*top->rmdir_evidence));
      sort_evidence(f.evidence);
      f.ts_ns = final ? ctx.now_ns : first.ts + ctx.cfg.grace_ns;
      ctx.emit(std::move(f));
    }
  }

 private:
  struct Candidate {
    std::string path;
    int32_t pid = 0, tid = 0;
    std::string comm;
    uint64_t ts = 0;
    std::string state;
    EvidenceRef evidence;
  };

  // Something took its place: a name at the same path again, or a file
  // created or written during the session in its scope.
  static bool replaced(const Candidate& c, RuleContext& ctx,
                       std::map<std::pair<std::string, DevT>, bool>& scope_has_replacement) {
    Binding b = ctx.model.binding(c.path);
    if (b.kind == Binding::Kind::File || b.kind == Binding::Kind::Other) return true;
    std::string root = scope_root(c.path, false, ctx.cfg.scope);
    DevT dev = ctx.cfg.scope == ReplacementScope::Filesystem ? ctx.model.dir_dev(parent_path(c.path)) : 0;
    auto [memo, fresh] = scope_has_replacement.try_emplace({root, dev}, false);
    if (!fresh) return memo->second;
    bool found = false;
    ctx.model.for_each_name_under(root, [&](const std::string&, const InodeState* in) {
      if (in && !in->ignored && (in->origin == Origin::Created || in->written_in_session) &&
          (dev == 0 || in->id.dev == dev))
        found = true;
      return !found;
    });
    memo->second = found;
    return found;
  }

  static constexpr size_t kMax = 1 << 16;
  std::deque<Candidate> pending_;  // in unlink order
};

}  // namespace

std::unique_ptr<Rule> make_state_deleted_rule() { return std::make_unique<StateDeleted>(); }

}  // namespace duraudit
