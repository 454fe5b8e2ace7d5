// SPDX-License-Identifier: GPL-2.0-only
// duraudit attach --pid N... | --all  [audit options] [--metrics-listen ADDR]
// The production agent: audits running processes until SIGINT/SIGTERM,
// --duration, or (with --pid) until every target has exited. Verdicts that
// depend on "later" settle after the grace period. SIGHUP reloads the rules
// files, the rules directory's included (keeping the old ones if the new
// ones are invalid), and reopens -o FILE for log rotation. Under systemd
// (Type=notify) it says READY=1 once attached and feeds the watchdog from
// the event loop (util/service_notify.h); /healthz answers from the same
// loop (metrics/metrics_exporter.h).
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <array>
#include <unordered_set>
#include <cstdio>
#include <iostream>

#include "capture/bpf_capture.h"
#include "cli/audit_options.h"
#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/stack_options.h"
#include "cli/traced_command.h"
#include "config/rules_dir.h"
#include "engine/rule_catalogue.h"
#include "metrics/metrics_exporter.h"
#include "metrics/metrics_sink.h"
#include "session/audit_pipeline.h"
#include "session/state_caps.h"
#include "util/duration.h"
#include "util/service_notify.h"
#include "util/proc_tree.h"
#include "util/text_escape.h"
#include "resolve/path_views.h"

namespace duraudit {

namespace {

volatile sig_atomic_t g_attach_stop = 0;
volatile sig_atomic_t g_attach_reload = 0;
void on_attach_stop(int) { g_attach_stop = 1; }
void on_attach_reload(int) { g_attach_reload = 1; }

struct AttachOptions {
  std::vector<int32_t> pids;
  std::vector<std::string> comms;
  std::string cgroup;
  bool all = false;
  std::string duration;
  std::string metrics_listen;
  bool metrics_comm_label = false;
  std::string metrics_comm_cap = std::to_string(MetricsExporter::kDefaultCommCap);
  bool metrics_container_label = false;
  std::string metrics_container_cap = std::to_string(MetricsExporter::kDefaultContainerCap);
  std::string fold_window = "10m";
  std::string max_processes = "65536";
  // About 2 KB of state per tracked file and 3 KB per process (bench/run.sh
  // engine section): the defaults bound the state near 0.6 GB, inside the
  // systemd unit's MemoryMax=1G. 1M files would need ~2 GB.
  std::string max_files = "200000";
  std::string max_dir_entries = "200000";
  std::string ringbuf_mib = "16";
  // Per-process event budget: 50k records a second is ~10x what a busy
  // database process sends (writes are deduplicated in the kernel) and a
  // tenth of what the engine consumes on one core; a one-second burst of
  // them (~9 MB) fits the default ring buffer.
  std::string process_budget = "50000";
  std::string rules_dir = kDefaultRulesDir;
  bool no_default_rules = false;
  std::string host;  // default: the host name
};

// The rules files attach loads, in order: the rules directory's (unless
// --no-default-rules), then --rules FILE... (later files override earlier
// ones, so the command line has the last word). A directory that cannot be
// listed is a UsageError, like a bad --rules.
std::vector<std::string> attach_rules_files(const AttachOptions& a, const std::vector<std::string>& given) {
  std::vector<std::string> files;
  if (!a.no_default_rules) {
    std::string error;
    if (!list_rules_dir(a.rules_dir, &files, &error)) throw UsageError(error + " (--rules-dir DIR, or --no-default-rules)");
  }
  files.insert(files.end(), given.begin(), given.end());
  return files;
}

// The finding's `host`: --host, else the kernel's host name (uname -n).
std::string host_or_hostname(const std::string& given) {
  if (!given.empty()) {
    for (char c : given)
      if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f)
        throw UsageError("--host must be a name without spaces or control characters (got '" + escape_text(given) +
                         "')");
    return given;
  }
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || !name[0]) return "localhost";
  return name;
}

uint64_t parse_duration_or_throw(const std::string& flag, const std::string& text) {
  std::string err;
  auto ns = parse_duration_ns(text, &err);
  if (!ns) throw UsageError(flag + ": " + err);
  return *ns;
}

// Events counted per syscall between ticks, then handed to the exporter in
// one call per kind: the hot path takes no lock.
class EventTally {
 public:
  void count(const Event& ev) { counts_[static_cast<size_t>(ev.syscall)]++; }
  void flush(MetricsExporter& m) {
    for (size_t i = 0; i < counts_.size(); ++i) {
      if (counts_[i]) m.add_events(syscall_name(static_cast<Syscall>(i)), counts_[i]);
      counts_[i] = 0;
    }
  }

 private:
  std::array<uint64_t, static_cast<size_t>(Syscall::Count_)> counts_{};
};

}  // namespace

int cmd_attach(const Args& args, const Args& command) {
  AuditOptions opts;
  AttachOptions a;
  StackCliOptions stack_opts;
  po::options_description desc("duraudit attach (--pid N... | --comm NAME... | --cgroup PATH | --all) [OPTIONS]");
  desc.add_options()
      ("help,h", "this help")
      ("pid,p", po::value(&a.pids)->composing(), "audit this process and every process below it (repeatable)")
      ("comm", po::value(&a.comms)->composing(),
       "audit processes with this name (as in /proc/PID/comm), running now or started later (repeatable)")
      ("cgroup", po::value(&a.cgroup), "audit processes in this cgroup v2 directory and the cgroups below it")
      ("all", po::bool_switch(&a.all), "audit every process on the host (narrow with paths: in a rules file)")
      ("duration", po::value(&a.duration), "stop after this long (e.g. 10m); default: until SIGINT/SIGTERM")
      ("metrics-listen", po::value(&a.metrics_listen),
       "serve Prometheus metrics (/metrics) and /healthz on ADDR (127.0.0.1:10464, :10464)")
      ("metrics-comm-label", po::bool_switch(&a.metrics_comm_label), "add a comm label to duraudit_findings_total")
      ("metrics-comm-cap", po::value(&a.metrics_comm_cap), "distinct comm values before comm=\"other\" (default 50)")
      ("metrics-container-label", po::bool_switch(&a.metrics_container_label),
       "add a container label (the container id's first 12 hex digits) to duraudit_findings_total")
      ("metrics-container-cap", po::value(&a.metrics_container_cap),
       "distinct container values before container=\"other\" (default 100)")
      ("fold-window", po::value(&a.fold_window)->default_value("10m"),
       "show a recurring finding (same fingerprint) once per window, with a repeat count; 0 shows every one")
      ("max-processes", po::value(&a.max_processes), "cap on tracked processes (LRU eviction, default 65536; ~3 KB each)")
      ("max-files", po::value(&a.max_files), "cap on tracked inodes (LRU eviction, default 200000; ~2 KB each)")
      ("max-dir-entries", po::value(&a.max_dir_entries), "cap on pending directory entries (default 200000)")
      ("ringbuf-mib", po::value(&a.ringbuf_mib), "kernel ring buffer size in MiB, a power of two (default 16)")
      ("process-budget", po::value(&a.process_budget),
       "events a second one process may send (bursts of one second's worth); over it its events are dropped "
       "in the kernel and its findings marked incomplete (default 50000; 0: no budget)")
      ("rules-dir", po::value(&a.rules_dir),
       "load every *.yaml file of DIR, in name order, before the --rules files (default /etc/duraudit/rules.d; "
       "a missing directory is no error)")
      ("no-default-rules", po::bool_switch(&a.no_default_rules), "do not load the rules directory's files")
      ("host", po::value(&a.host), "the host name findings are attributed to (default: this host's name)");
  add_audit_options(desc, opts);
  add_stack_options(desc, stack_opts, /*on_by_default=*/false);
  auto vm = parse_options(desc, args);
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  if (!command.empty()) throw UsageError("attach audits running processes; to run a command use: duraudit run -- CMD");
  bool selects = !a.pids.empty() || !a.comms.empty() || !a.cgroup.empty();
  if (a.all && selects) throw UsageError("--all already selects every process: drop --pid/--comm/--cgroup");
  if (!a.all && !selects) throw UsageError("attach needs --pid N, --comm NAME, --cgroup PATH or --all");
  check_pid_values(a.pids);
  uint64_t duration_ns = a.duration.empty() ? 0 : parse_duration_or_throw("--duration", a.duration);
  if (!a.duration.empty() && duration_ns == 0)
    throw UsageError("--duration must be longer than 0 (e.g. 10m; leave it out to run until SIGINT/SIGTERM)");
  // Caps: a 0 or negative value would wrap or disable tracking altogether.
  constexpr uint64_t kMaxCap = 100'000'000;
  const size_t comm_cap = parse_count("--metrics-comm-cap", a.metrics_comm_cap, 1, 10'000);
  const size_t container_cap = parse_count("--metrics-container-cap", a.metrics_container_cap, 1, 10'000);
  const size_t max_processes = parse_count("--max-processes", a.max_processes, 1, kMaxCap);
  const size_t max_files = parse_count("--max-files", a.max_files, 1, kMaxCap);
  const size_t max_dir_entries = parse_count("--max-dir-entries", a.max_dir_entries, 1, kMaxCap);
  // The BPF ring buffer's size is a 32-bit power of two of whole pages.
  const uint64_t ringbuf_mib = parse_count("--ringbuf-mib", a.ringbuf_mib, 1, 1024);
  if ((ringbuf_mib & (ringbuf_mib - 1)) != 0)
    throw UsageError("--ringbuf-mib must be a power of two from 1 to 1024 (got '" + a.ringbuf_mib + "')");
  const uint64_t process_budget = parse_count("--process-budget", a.process_budget, 0, 100'000'000);
  uint64_t fold_ns = parse_duration_or_throw("--fold-window", a.fold_window);
  std::string error;
  if (!a.metrics_listen.empty() && !MetricsExporter::check_listen_address(a.metrics_listen, &error))
    throw UsageError("--metrics-listen: " + error);
  {
    // --comm names the kernel can never match, a --cgroup that is no cgroup
    // v2 directory: bad values too, before anything starts.
    CaptureOptions wanted;
    wanted.comms.insert(a.comms.begin(), a.comms.end());
    wanted.cgroup_path = a.cgroup;
    if (!BpfCapture::check_options(wanted, &error)) throw UsageError(error);
  }
  const std::string host = host_or_hostname(a.host);
  AuditOptions loaded = opts;  // with the rules directory's files
  loaded.rules_files = attach_rules_files(a, opts.rules_files);
  for (int32_t pid : a.pids)
    if (!process_alive(pid)) throw RuntimeError("no running process with pid " + std::to_string(pid));

  // Metrics first: a port in use is a start-up error, before any BPF work.
  std::unique_ptr<MetricsExporter> metrics;
  std::unique_ptr<MetricsSink> metrics_sink;
  if (!a.metrics_listen.empty()) {
    metrics = MetricsExporter::start(a.metrics_listen, a.metrics_comm_label, comm_cap, &error,
                                     a.metrics_container_label ? container_cap : 0);
    if (!metrics) throw RuntimeError(error);
    // Port 0 asks the kernel for a free one: say which, or nobody can scrape it.
    if (a.metrics_listen.size() >= 2 && a.metrics_listen.compare(a.metrics_listen.size() - 2, 2, ":0") == 0)
      std::fprintf(stderr, "duraudit: metrics on %s\n", metrics->metrics_url().c_str());
    metrics_sink = std::make_unique<MetricsSink>(*metrics);
  }

  SessionOutput session;
  session.append_output = true;
  session.fold_window_ns = fold_ns;
  session.host = host;
  if (metrics_sink) session.extra_sinks.push_back(metrics_sink.get());
  AuditSetup setup = prepare_audit(loaded, session);
  if (!loaded.rules_files.empty()) {
    std::string list;
    for (const auto& f : loaded.rules_files) list += (list.empty() ? "" : ", ") + f;
    spdlog::info("rules files: {}", list);
  }
  // Under attach, "later" verdicts settle a grace period after the fact.
  auto declare_rules = [&] {
    if (!metrics) return;
    for (const RuleInfo& r : rule_catalogue()) metrics->declare_rule(r.id, setup.config.severity_of(r.id));
  };
  declare_rules();

  CaptureOptions copts = capture_options_for(setup.config);
  copts.trace_all = a.all;
  copts.comms.insert(a.comms.begin(), a.comms.end());
  copts.cgroup_path = a.cgroup;
  copts.ringbuf_bytes = ringbuf_mib << 20;
  copts.budget_per_second = process_budget;
  copts.budget_burst = process_budget;
  const bool stacks = apply_stack_options(stack_opts, /*on_by_default=*/false, copts);
  auto capture = BpfCapture::open(copts, &error);
  if (!capture) throw RuntimeError(error);

  ResolverOptions ro;
  // Containers and chroots: their paths are their own (resolve/path_view.h).
  ro.agent_view = own_path_view();
  ro.live_views = true;
  ro.seed_from_proc = true;  // processes first seen mid-flight: their fds and cwd come from /proc
  ro.max_processes = max_processes;
  EngineOptions eo;
  eo.limits.max_inodes = max_files;
  eo.limits.max_pending_dir_entries = max_dir_entries;
  if (metrics) eo.on_durable = [m = metrics.get()](uint64_t ns) { m->observe_dirty_to_durable(ns / 1e9); };
  setup.reporter->set_origin({host, WallClock::live()});  // --host, else this host's name
  AuditPipeline pipeline(setup.config, ro, *setup.reporter, std::move(eo));

  for (int32_t pid : a.pids) {
    for (int32_t p : process_tree(pid)) {
      if (!capture->add_target(p, &error)) throw RuntimeError(error);
      pipeline.resolver().seed_from_proc(p);
      if (stacks) pipeline.stacks().seed_from_proc(p);
    }
  }
  // Processes that already carried a --comm name when we started: their
  // open files and cwd come from /proc before their first event.
  for (int32_t p : capture->comm_matches_at_open()) pipeline.resolver().seed_from_proc(p);
  // Likewise the processes already in the --cgroup tree, and under --all
  // every process. Seeding a process lazily at its first event is too late:
  // events are read in batches, so by then it may have closed the very fd
  // the event is about (a write then a close of a file opened before
  // attach would find no fd 3 in /proc).
  if (!a.cgroup.empty())
    for (int32_t p : processes_in_cgroup(a.cgroup)) pipeline.resolver().seed_from_proc(p);
  else if (a.all) {
    size_t seeded = 0;
    for (int32_t p : all_processes())
      if (p != getpid() && pipeline.resolver().seed_from_proc(p)) ++seeded;
    spdlog::debug("seeded {} running processes from /proc", seeded);
  }
  // "attached to ..." is the line scripts (and our tests) wait for.
  std::string what;
  if (a.all) what = "every process";
  if (!a.pids.empty()) what += std::to_string(a.pids.size()) + " process tree(s)";
  if (!a.comms.empty()) what += (what.empty() ? "" : ", ") + std::to_string(a.comms.size()) + " process name(s)";
  if (!a.cgroup.empty()) what += (what.empty() ? "cgroup " : ", cgroup ") + a.cgroup;
  spdlog::info("attached to {}", what);
  // Only now is the agent doing its job: systemd starts what is ordered
  // after it (and `systemctl start` returns) from here.
  ServiceNotifier service;
  service.ready("attached to " + what);
  const StateCapacities capacities{max_processes, max_files, max_dir_entries};

  struct sigaction sa {};
  sa.sa_handler = on_attach_stop;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sa.sa_handler = on_attach_reload;
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  EventTally tally;
  std::unordered_set<int32_t> over_budget_warned;  // bounded below
  auto feed = [&](Event&& ev) {
    if (ev.syscall == Syscall::OverBudget && over_budget_warned.size() < 1024 &&
        over_budget_warned.insert(ev.pid).second)
      spdlog::warn("pid {} ({}) went over its event budget (--process-budget {}): its events are dropped in the "
                   "kernel and findings about what it touches are marked incomplete",
                   ev.pid, escape_text(ev.comm), process_budget);
    if (metrics) {
      tally.count(ev);
      if (ev.duration_ns && !ev.failed()) metrics->observe_sync(syscall_name(ev.syscall), ev.duration_ns / 1e9);
    }
    pipeline.feed(std::move(ev));
  };

  const uint64_t start = monotonic_now_ns();
  uint64_t warned_lost = 0;
  while (!g_attach_stop) {
    capture->poll(feed, 100);
    uint64_t now = monotonic_now_ns();
    // The loop's liveness: what /healthz and the systemd watchdog go by.
    // Said once per round, so a loop stuck anywhere below stops saying it.
    service.loop_went_round(now);
    if (metrics) metrics->note_loop_iteration(now);
    pipeline.advance_time(now);
    LossCounters losses = capture->losses();
    pipeline.update_losses(losses);
    // Losses to a process's own budget are said per process above.
    if (uint64_t lost = session_lost(losses); lost > warned_lost) {
      spdlog::warn("{} events lost so far (ring buffer full); verdicts since rest on incomplete data", lost);
      warned_lost = lost;
    }
    if (metrics) {
      tally.flush(*metrics);
      metrics->set_losses(losses);
      metrics->set_tracked(pipeline.resolver().stats().processes, pipeline.engine().stats().tracked_files);
      for (const StateUsage& u : state_usage(pipeline, capacities))
        metrics->set_state(u.cap->name, u.entries, u.capacity, u.evictions);
    }
    setup.out->flush();

    if (g_attach_reload) {
      g_attach_reload = 0;
      service.reloading();
      Config next = Config::defaults();
      try {
        // The directory is listed again: files added or removed since count.
        const std::vector<std::string> files = attach_rules_files(a, opts.rules_files);
        load_rules_or_throw(files, next);
        if (!opts.grace.empty()) next.grace_ns = setup.config.grace_ns;  // --grace still wins
        setup.config = next;  // the filter reads setup.config: suppressions apply at once
        pipeline.reconfigure(setup.config);
        declare_rules();
        spdlog::info("SIGHUP: rules reloaded");
      } catch (const UsageError& e) {
        spdlog::error("SIGHUP: keeping the previous rules: {}", e.what());
      } catch (const std::exception& e) {
        // Out of memory included: the agent goes on with the rules it has.
        spdlog::error("SIGHUP: keeping the previous rules: cannot load the rules files: {}", e.what());
      }
      setup.reopen_outputs();
      service.reloaded();
    }
    if (duration_ns && now - start >= duration_ns) break;
    // --pid alone ends with its targets; --comm/--cgroup wait for new ones.
    if (!a.pids.empty() && a.comms.empty() && a.cgroup.empty() && pipeline.live_processes() == 0) {
      bool any = false;
      for (int32_t pid : a.pids) any |= process_alive(pid);
      if (!any) {
        spdlog::info("every target process has exited");
        break;
      }
    }
  }
  service.stopping();
  drain_capture(*capture, feed, /*producers_alive=*/true);
  if (stacks) setup.reporter->summary().stacks = capture->stack_counters();
  pipeline.finish(capture->losses());
  if (metrics) tally.flush(*metrics);
  setup.finish_outputs();
  if (setup.outputs_failed) spdlog::error("some findings could not be written (see above): exiting 1");
  return audit_exit_status(0, setup);
}

}  // namespace duraudit
