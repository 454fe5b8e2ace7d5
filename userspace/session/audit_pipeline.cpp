// SPDX-License-Identifier: GPL-2.0-only
#include "session/audit_pipeline.h"

#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "engine/fs_classifier.h"
#include "engine/path_util.h"
#include "resolve/path_view.h"
#include "session/finding_origin.h"

namespace duraudit {

namespace {

// The engine asks the filesystem about directories by path (which
// filesystem, which inode). A path of another view is asked as its
// processes see it, through the view's root (the same string on the host is
// another directory); with no handle on the view, not at all.
EngineOptions with_view_aware_lookups(EngineOptions o, const Resolver& resolver) {
  if (!o.classify) {
    o.classify = [&resolver, statfs_of = make_statfs_classifier()](const std::string& dir) -> uint64_t {
      if (view_of_path(dir) == kAgentView) return statfs_of(dir);
      // The deepest ancestor that exists, as make_statfs_classifier does.
      for (std::string p = dir;; p = parent_path(p)) {
        if (int fd = resolver.open_as_seen(p); fd >= 0) {
          struct statfs st {};
          const bool ok = ::fstatfs(fd, &st) == 0;
          ::close(fd);
          if (ok) return static_cast<uint64_t>(st.f_type) & 0xffffffffull;
        }
        if (view_prefix_length(p) == p.size()) return 0;  // the view's root
      }
    };
  }
  if (!o.dir_identity) {
    o.dir_identity = [&resolver, stat_of = make_stat_dir_identity()](const std::string& dir) -> FileId {
      if (view_of_path(dir) == kAgentView) return stat_of(dir);
      int fd = resolver.open_as_seen(dir);
      if (fd < 0) return FileId{};
      struct stat st {};
      const bool ok = ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
      ::close(fd);
      return ok ? FileId{kernel_dev_from_user(st.st_dev), st.st_ino} : FileId{};
    };
  }
  return o;
}

}  // namespace

AuditPipeline::AuditPipeline(const Config& config, ResolverOptions resolver_options, FindingReporter& reporter,
                             EngineOptions engine_options)
    : reporter_(reporter),
      resolver_(std::move(resolver_options)),
      stacks_(/*seed_missing_from_proc=*/engine_options.source == SourceKind::Live),
      engine_(
          config,
          [this](Finding&& f) {
            annotate_origin(f, resolver_);
            reporter_.report(std::move(f));
          },
          with_view_aware_lookups(std::move(engine_options), resolver_)) {}

void AuditPipeline::feed(Event&& raw) {
  ++events_;
  // Track the process tree from the stream itself (summary "processes").
  if (seen_.insert(raw.pid).second) live_.insert(raw.pid);
  if (raw.syscall == Syscall::Fork && !raw.is_thread && raw.ret >= 0) {
    seen_.insert(raw.child_pid);
    live_.insert(raw.child_pid);
  } else if (raw.syscall == Syscall::Exit && raw.group_dead) {
    live_.erase(raw.pid);
  }
  resolved_.clear();
  resolver_.resolve(std::move(raw), resolved_);
  for (Event& ev : resolved_) {
    stacks_.observe(ev);
    engine_.on_event(ev);
  }
}

void AuditPipeline::update_losses(const LossCounters& losses) {
  // A process's own budget losses mark its findings (OverBudget events), not all.
  uint64_t total = session_lost(losses);
  if (total > lost_seen_) {
    engine_.note_loss(total - lost_seen_, describe_losses(losses, loss_details_));
    lost_seen_ = total;
  }
}

const Summary& AuditPipeline::finish(const LossCounters& losses) {
  update_losses(losses);
  engine_.finish();
  Summary& sum = reporter_.summary();
  sum.events = events_;
  sum.events_lost_by_reason = losses;
  sum.processes = seen_.size();
  sum.evictions = engine_.stats().evictions + resolver_.stats().evictions;
  if (stacks_.stats().unwound) {
    sum.stacks["unwound"] = stacks_.stats().unwound;
    sum.stacks["frames"] = stacks_.stats().frames;
  }
  // Ahead of what the caller already said (a replay's filtered or strace
  // log), which stays.
  auto incomplete = [&](const std::string& why) {
    sum.incomplete = true;
    sum.incomplete_reason = sum.incomplete_reason.empty() ? why : why + "; " + sum.incomplete_reason;
  };
  for (const BlindProcess& p : engine_.blind_processes())
    if (p.over_budget) sum.over_budget.push_back(OverBudgetProcess{p.pid, p.comm, p.events_dropped});
  if (!sum.over_budget.empty()) {
    constexpr size_t kNamed = 3;
    std::string who;
    for (size_t i = 0; i < sum.over_budget.size() && i < kNamed; ++i)
      who += (i ? ", pid " : "pid ") + std::to_string(sum.over_budget[i].pid) + " (" + sum.over_budget[i].comm +
             ", " + std::to_string(sum.over_budget[i].events_dropped) + " dropped)";
    if (sum.over_budget.size() > kNamed) who += " and " + std::to_string(sum.over_budget.size() - kNamed) + " more";
    incomplete(who + " went" +
               " over the per-process event budget; findings about the files " +
               (sum.over_budget.size() == 1 ? "it" : "they") + " touched are marked incomplete");
  }
  if (session_lost(losses) > 0) incomplete(describe_losses(losses, loss_details_));
  else if (sum.evictions > 0)
    incomplete(std::to_string(sum.evictions) + " tracked objects were evicted by the memory caps");
  reporter_.finish();
  return sum;
}

}  // namespace duraudit
