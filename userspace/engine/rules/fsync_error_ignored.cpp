// SPDX-License-Identifier: GPL-2.0-only
// fsync-error-ignored: fsync/fdatasync failed with an error that means data
// may be lost (EIO, ENOSPC, EDQUOT), and the process then wrote to or
// fsynced the same inode again. Since Linux 4.13 the failed writeback's dirty
// pages may already be dropped and the error is reported once per fd, so a
// retry that succeeds proves nothing ("fsyncgate"). EBADF, EINVAL and EROFS
// are excluded: they say the fd cannot be synced at all (a pipe, a socket, a
// special file), not that data was lost.
#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "engine/rule_catalogue.h"
#include "engine/rules/rule.h"
#include "engine/rules/rule_util.h"

namespace duraudit {
namespace {

using namespace rules;

bool data_loss_errno(int64_t ret) { return ret == -EIO || ret == -ENOSPC || ret == -EDQUOT; }

const char* errno_name(int64_t ret) {
  switch (-ret) {
    case EIO: return "EIO";
    case ENOSPC: return "ENOSPC";
    case EDQUOT: return "EDQUOT";
  }
  return "an error";
}

class FsyncErrorIgnored final : public Rule {
 public:
  std::string_view id() const override { return rule_id::kFsyncErrorIgnored; }
  std::vector<Syscall> interests() const override {
    auto v = write_syscalls();
    append(v, syscalls_of(SyscallOp::Fsync));
    return v;
  }
  bool wants_failed_calls() const override { return true; }

  void failed(const Event& ev, RuleContext& ctx) override {
    if (syscall_op(ev.syscall) != SyscallOp::Fsync) return;
    if (!ev.file.known() || !data_loss_errno(ev.ret)) return;
    if ((ev.file.mode & 0170000) == 0040000) return;  // a directory: entries, not data
    PidFile key{ev.pid, ev.file.id};
    // A second failing fsync is also a retry of the first.
    if (failures_.count(key)) fire(ev, ctx);
    if (failures_.size() >= kMax) failures_.clear();
    failures_[key] = keep_evidence(ev);
  }

  void after(const Event& ev, RuleContext& ctx) override {
    if (!ev.file.known()) return;
    if (failures_.count(PidFile{ev.pid, ev.file.id})) fire(ev, ctx);
  }

 private:
  void fire(const Event& ev, RuleContext& ctx) {
    PidFile key{ev.pid, ev.file.id};
    auto it = failures_.find(key);
    EvidenceRef failed = it->second;
    failures_.erase(it);
    const InodeState* in = ctx.model.find(ev.file.id);
    if (in && in->ignored) return;
    std::string path = in ? name_of(*in, ev.file.path) : ev.file.path;
    bool is_sync = syscall_op(ev.syscall) == SyscallOp::Fsync;
    Finding f = new_finding(id(), ev.pid, ev.tid, ev.comm, path);
    f.message = std::string(syscall_name(failed->syscall)) + " of " + path + " failed with " + errno_name(failed->ret) +
                " and the process then " + (is_sync ? "synced it again" : "wrote to it again") +
                ": the data the failed call covered may already be lost, whatever the retry returns";
    f.related.push_back({path, "source", std::string(kDataNotDurable)});
    f.evidence.push_back(format_evidence(*failed));
    f.evidence.push_back(make_evidence(ev));
    sort_evidence(f.evidence);
    f.ts_ns = ev.ts_ns;
    ctx.emit(std::move(f));
  }

  static constexpr size_t kMax = 1 << 16;
  std::unordered_map<PidFile, EvidenceRef, PidFileHash> failures_;
};

}  // namespace

std::unique_ptr<Rule> make_fsync_error_ignored_rule() { return std::make_unique<FsyncErrorIgnored>(); }

}  // namespace duraudit
