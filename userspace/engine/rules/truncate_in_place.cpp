// truncate-in-place: an existing file (not created during the session) is
// truncated to zero (O_TRUNC open, ftruncate/truncate to 0) and then written
// in place. Between the truncation and the (eventual) writeback a crash
// leaves it empty or partial; write-temp, fsync, rename is the safe shape.
// Reported once per (process, file): a program rewriting its counter file
// every second is one bug, not thousands.
#include <fcntl.h>

#include <unordered_map>

#include "engine/rule_catalogue.h"
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
    return v;
  }

  void after(const Event& ev, RuleContext& ctx) override {
    if (is_open(ev.syscall)) {
      uint64_t flags = ev.syscall == Syscall::Creat ? (O_CREAT | O_WRONLY | O_TRUNC) : ev.flags;
      auto acc = flags & O_ACCMODE;
      if (ev.created || !(flags & O_TRUNC) || (acc != O_WRONLY && acc != O_RDWR) || !ev.file.known()) return;
      arm(ev, ctx.model.find(ev.file.id));
      return;
    }
    if (ev.syscall == Syscall::Ftruncate || ev.syscall == Syscall::Truncate) {
      if (ev.arg == 0) arm(ev, ctx.model.inode_for(ev));
      return;
    }
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
    f.message = path + " existed and was truncated to zero, then rewritten in place: a crash before the new data "
                       "is durable leaves it empty or partial";
    f.related.push_back({path, "source", std::string(in->dirty ? kDataNotDurable : kDurable)});
    f.evidence.push_back(format_evidence(*trunc));
    f.evidence.push_back(make_evidence(ev));
    sort_evidence(f.evidence);
    f.ts_ns = ev.ts_ns;
    ctx.emit(std::move(f));
  }

 private:
  void arm(const Event& ev, const InodeState* in) {
    if (!in || in->ignored || in->origin != Origin::Preexisting) return;
    PidFile key{ev.pid, in->id};
    if (reported_.contains(key)) return;
    if (armed_.size() >= kMaxArmed) armed_.clear();
    armed_[key] = keep_evidence(ev);
  }

  static constexpr size_t kMaxArmed = 1 << 16;
  std::unordered_map<PidFile, EvidenceRef, PidFileHash> armed_;
  BoundedSet<PidFile, PidFileHash> reported_;
};

}  // namespace

std::unique_ptr<Rule> make_truncate_in_place_rule() { return std::make_unique<TruncateInPlace>(); }

}  // namespace duraudit
