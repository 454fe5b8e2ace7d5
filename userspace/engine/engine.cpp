// SPDX-License-Identifier: GPL-2.0-only
#include "engine/engine.h"

#include <algorithm>
#include <array>

#include "engine/durability_model.h"
#include "engine/finding_severity.h"
#include "engine/rule_catalogue.h"
#include "engine/rules/rule.h"

namespace duraudit {

struct Engine::Impl {
  Impl(const Config& c, Emit e, EngineOptions o)
      : cfg(c),
        emit(std::move(e)),
        model(cfg, ModelLimits{o.limits.max_inodes, o.limits.max_pending_dir_entries}, std::move(o.classify),
              std::move(o.dir_identity)),
        rules(make_enabled_rules(cfg)) {
    if (o.on_durable) model.set_durable_observer(std::move(o.on_durable));
    model.set_async_io_unseen(!source_sees_async_io(o.source));
    index_rules();
  }

  // Which rules hear which syscalls: only enabled rules do any work.
  void index_rules() {
    for (auto& v : by_syscall) v.clear();
    for (auto& v : failed_by_syscall) v.clear();
    for (auto& r : rules) {
      for (Syscall s : r->interests()) {
        auto i = static_cast<size_t>(s);
        if (i < by_syscall.size()) by_syscall[i].push_back(r.get());
        if (r->wants_failed_calls() && i < failed_by_syscall.size()) failed_by_syscall[i].push_back(r.get());
      }
    }
  }

  // New configuration (SIGHUP): rules that stay enabled keep their state; a
  // newly enabled rule starts fresh (it saw nothing so far); disabled rules
  // are dropped with their pending verdicts.
  void reconfigure(const Config& next) {
    cfg = next;  // the model holds a reference to this member: it sees the change
    std::vector<std::unique_ptr<Rule>> next_rules;
    for (const RuleInfo& info : rule_catalogue()) {
      if (!cfg.rule_enabled(info.id)) continue;
      auto it = std::find_if(rules.begin(), rules.end(), [&](const auto& r) { return r && r->id() == info.id; });
      if (it != rules.end()) next_rules.push_back(std::move(*it));
      else if (auto r = make_rule(info.id)) next_rules.push_back(std::move(r));
    }
    rules = std::move(next_rules);
    index_rules();
  }

  RuleContext context(uint64_t now) {
    return RuleContext{model, cfg, [this](Finding&& f) { deliver(std::move(f)); }, now};
  }

  void deliver(Finding&& f) {
    f.severity = severity_for(cfg, f);
    if (f.severity == Severity::None) return;
    if (const RuleInfo* info = find_rule(f.rule); info && f.fix.empty()) f.fix = std::string(info->fix);
    if (events_lost > 0) {
      f.incomplete = true;
      if (f.incomplete_reason.empty())
        f.incomplete_reason = (loss_text.empty() ? std::to_string(events_lost) + (events_lost == 1 ? " event was lost" : " events were lost")
                                                 : loss_text) +
                              " before this verdict";
    }
    if (const BlindProcess* p = blind_toucher(f)) {
      f.incomplete = true;
      std::string why = blind_reason(*p, p->comm);
      f.incomplete_reason = f.incomplete_reason.empty() ? why : f.incomplete_reason + "; " + why;
    }
    ++stats.findings;
    emit(std::move(f));
  }

  // The blind process (durability_model.h) behind a finding: the one that
  // made it, if blind now, or one that touched the file it is about or one
  // of its related files (a directory's entries, a successor): its unseen
  // operations may have written, synced or renamed them. One place for
  // every rule.
  const BlindProcess* blind_toucher(const Finding& f) const {
    if (model.blind_processes().empty()) return nullptr;
    if (const BlindProcess* p = model.blind_process(f.pid)) return p;
    if (const BlindProcess* p = model.blind_toucher(f.path)) return p;
    for (const auto& r : f.related)
      if (const BlindProcess* p = model.blind_toucher(r.path)) return p;
    return nullptr;
  }

  void on_event(const Event& ev) {
    ++stats.events;
    if (ev.ts_ns > last_ts) last_ts = ev.ts_ns;
    auto i = static_cast<size_t>(ev.syscall);
    if (i >= by_syscall.size()) return;
    // The caller's redirected stdio (FileInfo::unaudited) is not the
    // command's file; a syncfs through it still syncs the filesystem.
    if (ev.file.unaudited && ev.syscall != Syscall::Syncfs) return;
    RuleContext ctx = context(ev.ts_ns);
    if (ev.failed()) {
      // Failed calls change no state; only rules that judge failures see them.
      for (Rule* r : failed_by_syscall[i]) r->failed(ev, ctx);
      return;
    }
    for (Rule* r : by_syscall[i]) r->before(ev, ctx);
    model.apply(ev);
    for (Rule* r : by_syscall[i]) r->after(ev, ctx);
  }

  void settle(uint64_t now, bool final) {
    RuleContext ctx = context(now);
    for (auto& r : rules) r->settle(now, final, ctx);
  }

  Config cfg;
  Emit emit;
  DurabilityModel model;
  std::vector<std::unique_ptr<Rule>> rules;
  std::array<std::vector<Rule*>, static_cast<size_t>(Syscall::Count_)> by_syscall;
  std::array<std::vector<Rule*>, static_cast<size_t>(Syscall::Count_)> failed_by_syscall;
  EngineStats stats;
  uint64_t events_lost = 0;
  std::string loss_text;  // what was lost, in words (note_loss)
  uint64_t last_ts = 0;
};

Engine::Engine(const Config& cfg, Emit emit, EngineLimits limits)
    : Engine(cfg, std::move(emit), EngineOptions{limits, {}, {}, {}}) {}

Engine::Engine(const Config& cfg, Emit emit, EngineOptions options)
    : impl_(std::make_unique<Impl>(cfg, std::move(emit), std::move(options))) {}

Engine::~Engine() = default;

void Engine::on_event(const Event& ev) { impl_->on_event(ev); }

void Engine::advance_time(uint64_t now_ns) {
  if (now_ns > impl_->last_ts) impl_->last_ts = now_ns;
  impl_->settle(now_ns, false);
  // After the rules: a verdict due now still sees the deleted file.
  impl_->model.expire_deleted(now_ns, impl_->cfg.grace_ns);
}

void Engine::finish() { impl_->settle(impl_->last_ts, true); }

void Engine::note_loss(uint64_t count, std::string what) {
  impl_->events_lost += count;
  impl_->loss_text = std::move(what);
}

void Engine::reconfigure(const Config& cfg) { impl_->reconfigure(cfg); }

const std::vector<BlindProcess>& Engine::blind_processes() const {
  return impl_->model.blind_processes();
}

EngineStats Engine::stats() const {
  EngineStats s = impl_->stats;
  s.tracked_files = impl_->model.inode_count();
  s.tracked_dirs = impl_->model.dirs_with_pending().size();
  s.dir_records = impl_->model.dir_record_count();
  s.pending_entries = impl_->model.pending_entry_count();
  s.evictions = impl_->model.evictions();
  const ModelEvictions& ev = impl_->model.evictions_by_kind();
  s.evicted_inodes = ev.inodes;
  s.evicted_dir_records = ev.dir_records;
  s.evicted_dir_entries = ev.dir_entries;
  return s;
}

}  // namespace duraudit
