// SPDX-License-Identifier: GPL-2.0-only
// truncate-in-place: durable state (a file that existed before the session,
// or one made durable during it and older than Config::state_min_age_ns) is
// truncated to zero (O_TRUNC open, ftruncate/truncate to 0) and then
// rewritten in place. Between the truncation and the (eventual) writeback a
// crash leaves it empty or partial; write-temp, fsync, rename is the safe
// shape. (Deleting it and creating it again is unlink-before-durable's
// same-path succession.)
//
// A truncation that ends a transaction is not a rewrite of state: the file
// is left empty, and the empty file is made durable (SQLite's
// journal_mode=TRUNCATE commits by truncating its journal and syncing it)
// or closed, before a later, separate use writes it again.
//
// Reported once per (process, file): a program rewriting its counter file
// every second is one bug, not thousands.
#include <fcntl.h>

#include <unordered_map>

#include "engine/rule_catalogue.h"
#include "engine/rules/ordering_window.h"
#include "engine/rules/rule.h"
#include "engine/rules/rule_util.h"

namespace duraudit {
namespace {

using namespace rules;

class TruncateInPlace final : public Rule {
 public:
  std::string_view id() const override { return rule_id::kTruncateInPlace; }
  std::vector<Syscall> interests() const override {
    auto v = open_syscalls();
    append(v, write_syscalls());
    append(v, sync_syscalls());
    append(v, syscalls_of(SyscallOp::Close));
    return v;
  }

  // Whether the data is durable state is read before the truncation is
  // applied (the model marks a truncated file dirty).
  void before(const Event& ev, RuleContext& ctx) override {
    durable_before_ = false;
    if (!truncates(ev)) return;
    const InodeState* in = is_open(ev.syscall) ? (ev.file.known() ? ctx.model.find(ev.file.id) : nullptr)
                                               : ctx.model.inode_for(ev);
    // A file first met here existed before the session: durable as found
    // (arm() leaves out filesystems without durability).
    durable_before_ = !in || durable_state(*in, ev.ts_ns, ctx);
  }

  void after(const Event& ev, RuleContext& ctx) override {
    if (is_sync_call(ev.syscall)) {
      // The empty file made durable: the truncation was a commit.
      if (ev.syscall == Syscall::Sync || ev.syscall == Syscall::Syncfs) armed_.clear();
      else if (ev.file.known()) armed_.erase(PidFile{ev.pid, ev.file.id});
      return;
    }
    if (is_close(ev.syscall)) {
      // Left empty until a later, separate use.
      if (ev.last_close && ev.file.known()) armed_.erase(PidFile{ev.pid, ev.file.id});
      return;
    }
    if (truncates(ev)) {
      if (durable_before_) arm(ev, is_open(ev.syscall) ? ctx.model.find(ev.file.id) : ctx.model.inode_for(ev));
      return;
    }
    if (!is_write_family(ev.syscall) || syscall_op(ev.syscall) == SyscallOp::Truncate) return;
    // A write-family call that adds data.
    const InodeState* in = ctx.model.inode_for(ev);
    if (!in) return;
    PidFile key{ev.pid, in->id};
    auto it = armed_.find(key);
    if (it == armed_.end()) return;
    EvidenceRef trunc = it->second;
    armed_.erase(it);
    if (reported_.contains(key)) return;
    reported_.insert(key);
    std::string path = name_of(*in, ev.file.path);
    Finding f = new_finding(id(), ev.pid, ev.tid, ev.comm, path);
    f.message = path + " held durable data and was truncated to zero, then rewritten in place: a crash before the "
                       "new data is durable leaves it empty or partial";
    f.related.push_back({path, "source", std::string(in->dirty ? kDataNotDurable : kDurable)});
    f.evidence.push_back(format_evidence(*trunc));
    f.evidence.push_back(make_evidence(ev));
    sort_evidence(f.evidence);
    f.ts_ns = ev.ts_ns;
    ctx.emit(std::move(f));
  }

 private:
  static bool truncates(const Event& ev) {
    if (is_open(ev.syscall)) {
      uint64_t flags = ev.syscall == Syscall::Creat ? (O_CREAT | O_WRONLY | O_TRUNC) : ev.flags;
      auto acc = flags & O_ACCMODE;
      return !ev.created && (flags & O_TRUNC) && (acc == O_WRONLY || acc == O_RDWR) && ev.file.known();
    }
    return syscall_op(ev.syscall) == SyscallOp::Truncate && ev.arg == 0;
  }

  // Durable state: found existing and not since left dirty, or made durable
  // during the session and old enough to be state rather than scratch.
  static bool durable_state(const InodeState& in, uint64_t now, const RuleContext& ctx) {
    if (in.ignored || in.dirty) return false;
    if (in.origin == Origin::Preexisting) return true;
    return in.written_in_session && ctx.model.last_any_sync_ns(in) != 0 &&
           now - in.created_ns >= ctx.cfg.state_min_age_ns;
  }

  void arm(const Event& ev, const InodeState* in) {
    if (!in || in->ignored) return;
    PidFile key{ev.pid, in->id};
    if (reported_.contains(key)) return;
    if (armed_.size() >= kMaxArmed) armed_.clear();
    armed_[key] = keep_evidence(ev);
  }

  static constexpr size_t kMaxArmed = 1 << 16;
  bool durable_before_ = false;
  std::unordered_map<PidFile, EvidenceRef, PidFileHash> armed_;
  BoundedSet<PidFile, PidFileHash> reported_;
};

}  // namespace

std::unique_ptr<Rule> make_truncate_in_place_rule() { return std::make_unique<TruncateInPlace>(); }

}  // namespace duraudit
