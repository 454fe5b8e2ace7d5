#include "session/audit_pipeline.h"

namespace duraudit {

AuditPipeline::AuditPipeline(const Config& config, ResolverOptions resolver_options, FindingFilter& filter,
                             std::vector<FindingSink*> sinks, Baseline* baseline_out)
    : filter_(filter),
      sinks_(std::move(sinks)),
      resolver_(std::move(resolver_options)),
      engine_(config, [this](Finding&& f) { emit(std::move(f)); }),
      baseline_out_(baseline_out) {}

void AuditPipeline::feed(Event&& raw) {
  ++events_;
  // Track the process tree from the stream itself: it is what `run` waits on.
  if (seen_.insert(raw.pid).second) live_.insert(raw.pid);
  if (raw.syscall == Syscall::Fork && !raw.is_thread && raw.ret >= 0) {
    seen_.insert(raw.child_pid);
    live_.insert(raw.child_pid);
  } else if (raw.syscall == Syscall::Exit && raw.group_dead) {
    live_.erase(raw.pid);
    exited_.insert(raw.pid);
  }
  resolved_.clear();
  resolver_.resolve(std::move(raw), resolved_);
  for (const Event& ev : resolved_) engine_.on_event(ev);
}

void AuditPipeline::update_losses(const LossCounters& losses) {
  uint64_t total = total_lost(losses);
  if (total > lost_seen_) {
    engine_.note_loss(total - lost_seen_);
    lost_seen_ = total;
  }
}

void AuditPipeline::emit(Finding&& f) {
  FindingFilter::Verdict v = filter_.apply(f);
  if (v == FindingFilter::Verdict::SuppressedByBaseline && baseline_out_) baseline_out_->add(f);
  if (v != FindingFilter::Verdict::Report) return;
  if (baseline_out_) baseline_out_->add(f);
  summary_.count(f);
  for (FindingSink* s : sinks_) s->on_finding(f);
}

Severity AuditPipeline::worst_severity() const {
  if (summary_.errors) return Severity::Error;
  if (summary_.warnings) return Severity::Warning;
  if (summary_.notices) return Severity::Notice;
  return Severity::None;
}

Summary AuditPipeline::finish(const LossCounters& losses) {
  update_losses(losses);
  engine_.finish();
  Summary sum = summary_;
  sum.events = events_;
  sum.events_lost_by_reason = losses;
  sum.processes = seen_.size();
  sum.suppressed_by_baseline = filter_.suppressed_by_baseline();
  sum.suppressed_by_rules = filter_.suppressed_by_rules();
  EngineStats es = engine_.stats();
  sum.evictions = es.evictions + resolver_.stats().evictions;
  if (total_lost(losses) > 0) {
    sum.incomplete = true;
    sum.incomplete_reason = std::to_string(total_lost(losses)) + " events were lost";
  } else if (sum.evictions > 0) {
    sum.incomplete = true;
    sum.incomplete_reason = std::to_string(sum.evictions) + " tracked objects were evicted by the memory caps";
  }
  for (FindingSink* s : sinks_) s->on_summary(sum);
  return sum;
}

}  // namespace duraudit
