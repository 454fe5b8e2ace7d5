// SPDX-License-Identifier: GPL-2.0-only
#include "cli/traced_command.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <exception>
#include <set>
#include <utility>

#include <spdlog/spdlog.h>

#include "capture/suspended_child.h"
#include "cli/errors.h"
#include "util/end_descendants.h"
#include "util/proc_tree.h"

namespace duraudit {

namespace {

// Signals that reach the command through duraudit. SIGINT and SIGTERM also
// ask duraudit to stop: the first is passed on and the session settles when
// the command has ended; a second one ends the command (end_command()).
// The others only pass through, so that none of them, left at its default
// action, kills duraudit and orphans the command untraced.
constexpr int kForwardedSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

volatile sig_atomic_t g_received[NSIG];        // per signal, how many arrived
volatile sig_atomic_t g_from_terminal[NSIG];   // the last one was sent by the kernel (a tty's ^C, a hangup)
volatile sig_atomic_t g_stop_requests = 0;     // SIGINT + SIGTERM
volatile sig_atomic_t g_last_stop_signal = 0;

void on_forwarded_signal(int sig, siginfo_t* info, void*) {
  g_received[sig] = g_received[sig] + 1;
  g_from_terminal[sig] = info && info->si_code == SI_KERNEL;
  if (sig == SIGINT || sig == SIGTERM) {
    g_stop_requests = g_stop_requests + 1;
    g_last_stop_signal = sig;
  }
}

// With `forward_all`, every signal of kForwardedSignals is caught (a
// command of ours runs); otherwise only SIGINT and SIGTERM (--pid modes,
// which never signal their target).
void install_signal_handlers(bool forward_all) {
  struct sigaction sa {};
  sa.sa_sigaction = on_forwarded_signal;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  for (int sig : kForwardedSignals)
    if (forward_all || sig == SIGINT || sig == SIGTERM) sigaction(sig, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

// Events reach the hooks from inside libbpf's ring-buffer callback, a C
// frame no exception may cross. A hook that throws is caught here; later
// events are dropped, and rethrow() raises the exception once poll() has
// returned.
class GuardedSink {
 public:
  explicit GuardedSink(const std::function<void(Event&&)>& on_event) : on_event_(on_event) {}
  void operator()(Event&& ev) {
    if (failure_) return;
    try {
      on_event_(std::move(ev));
    } catch (...) {
      failure_ = std::current_exception();
    }
  }
  void rethrow() {
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
  }

 private:
  const std::function<void(Event&&)>& on_event_;
  std::exception_ptr failure_;
};

// One poll of the capture through a GuardedSink; a hook's exception or a
// failed capture is thrown from here, outside libbpf.
void guarded_poll(BpfCapture& capture, const std::function<void(Event&&)>& on_event, int timeout_ms) {
  GuardedSink sink(on_event);
  capture.poll([&](Event&& ev) { sink(std::move(ev)); }, timeout_ms);
  sink.rethrow();
  if (!capture.poll_error().empty()) throw RuntimeError("capture failed: " + capture.poll_error());
}

}  // namespace

void drain_capture(BpfCapture& capture, const std::function<void(Event&&)>& on_event, bool producers_alive) {
  // One poll() stops after BpfCapture::kMaxEventsPerPoll events; a poll
  // that delivered fewer found the ring empty. Processes still running can
  // keep it full for ever: then stop after a second.
  const uint64_t deadline = monotonic_now_ns() + 1'000'000'000ull;
  for (;;) {
    uint64_t before = capture.delivered();
    guarded_poll(capture, on_event, 0);
    if (capture.delivered() - before < BpfCapture::kMaxEventsPerPoll) break;
    if (producers_alive && monotonic_now_ns() > deadline) break;
  }
  capture.report_over_budget(on_event);
}

int shell_status(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

uint64_t monotonic_now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + ts.tv_nsec;
}

void follow_running_pids(const std::vector<int32_t>& pids, const CaptureOptions& capture_options,
                         const TracedCommandHooks& hooks, std::unique_ptr<BpfCapture>* keep) {
  for (int32_t pid : pids)
    if (pid <= 0 || !process_alive(pid)) throw RuntimeError("no process with pid " + std::to_string(pid));
  std::string error;
  std::unique_ptr<BpfCapture> capture = BpfCapture::open(capture_options, &error);
  if (!capture) throw RuntimeError(error);
  // Each pid with the children it already has, as attach --pid; the ones
  // forked from now on the kernel follows. The wait below is for the named
  // pids only, as before.
  std::set<int32_t> targeted;
  for (int32_t pid : pids)
    for (int32_t p : process_tree(pid)) {
      if (!targeted.insert(p).second) continue;
      if (!capture->add_target(p, &error)) throw RuntimeError(error);
      if (hooks.on_spawn) hooks.on_spawn(p);
    }
  install_signal_handlers(/*forward_all=*/false);
  spdlog::info("following {} process{} (SIGINT or SIGTERM stops; the targets are never signalled)", targeted.size(),
               targeted.size() == 1 ? "" : "es");
  auto deliver = [&](int timeout_ms) { guarded_poll(*capture, hooks.on_event, timeout_ms); };
  while (g_stop_requests == 0) {
    deliver(100);
    if (hooks.on_tick) hooks.on_tick(monotonic_now_ns(), capture->losses());
    bool any_alive = false;
    // A zombie has ended: its parent may be waiting on us before reaping it.
    for (int32_t pid : pids) any_alive |= process_alive(pid);
    if (!any_alive) break;
  }
  bool alive = false;
  for (int32_t pid : pids) alive |= process_alive(pid);
  drain_capture(*capture, hooks.on_event, alive);
  if (hooks.on_tick) hooks.on_tick(monotonic_now_ns(), capture->losses());
  if (keep) *keep = std::move(capture);
}

CaptureOptions capture_options_for(const Config& config) {
  CaptureOptions o;
  o.ignored_fs_magic = config.ignored_fs_magic;
  return o;
}

TracedCommandResult run_traced_command(const std::vector<std::string>& argv, const CaptureOptions& capture_options,
                                       const TracedCommandHooks& hooks, std::unique_ptr<BpfCapture>* keep,
                                       const RunAs* run_as) {
  std::string error;
  std::unique_ptr<BpfCapture> capture = BpfCapture::open(capture_options, &error);
  if (!capture) throw RuntimeError(error);

  // Descendants that daemonize are reparented to us, so waitpid(-1) sees
  // the whole tree end, as the command's caller would expect, and
  // end_command() can still reach them.
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  SuspendedChild child;
  if (!child.spawn(argv, &error, {}, false, run_as)) throw RuntimeError(error);
  // After the fork: the command must not inherit our SIGPIPE disposition.
  install_signal_handlers(/*forward_all=*/true);
  capture->add_target(child.pid());

  TracedCommandResult result;
  bool child_done = false;
  auto on_reaped = [&](pid_t p, int st) {
    if (p != child.pid()) return;
    result.status = shell_status(st);
    child_done = true;
  };
  // duraudit cannot trace the command any further: say so, and end it
  // (SIGTERM, then SIGKILL after a grace) rather than leave it running
  // untraced.
  auto end_command = [&](const std::string& why) {
    bool any_alive = false;
    for (int32_t p : descendants_of(getpid())) any_alive |= process_alive(p);
    if (!any_alive) {  // the command had ended already: nothing to say
      end_descendants(getpid(), kCommandEndGrace, on_reaped);  // reaps what is left
      return;
    }
    std::fprintf(stderr, "duraudit: stopping early (%s): ending the command (SIGTERM, then SIGKILL after %llds)\n",
                 why.c_str(), static_cast<long long>(kCommandEndGrace.count() / 1000));
    DescendantsEnded ended = end_descendants(getpid(), kCommandEndGrace, on_reaped);
    if (ended.all_gone)
      std::fprintf(stderr, "duraudit: the command was ended (%zu process%s sent SIGTERM, %zu killed)\n",
                   ended.terminated, ended.terminated == 1 ? "" : "es", ended.killed);
    else
      std::fprintf(stderr, "duraudit: the command could not be ended: processes below pid %d survived SIGKILL\n",
                   static_cast<int>(getpid()));
  };

  try {
    if (hooks.on_spawn) hooks.on_spawn(child.pid());
    if (int e = child.release(); e != 0) {
      if (run_as && e == EPERM)
        std::fprintf(stderr, "duraudit: cannot run %s as %s: %s\n", argv.front().c_str(), run_as->name.c_str(),
                     strerror(e));
      else
        std::fprintf(stderr, "duraudit: %s: %s\n", argv.front().c_str(),
                     e == ENOENT ? "command not found" : strerror(e));
    }

    int handled[NSIG] = {};
    int stops_seen = 0;
    uint64_t last_tick = 0;
    bool stopped_early = false;
    for (;;) {
      guarded_poll(*capture, hooks.on_event, 100);
      uint64_t now = monotonic_now_ns();
      if (hooks.on_tick && now - last_tick >= 100'000'000ull) {
        hooks.on_tick(now, capture->losses());
        last_tick = now;
      }
      // Pass each signal on to the command, unless the kernel sent it to
      // the terminal's foreground process group, which the command is in
      // too: it has it already (one ^C is one SIGINT, not two).
      for (int sig : kForwardedSignals) {
        if (g_received[sig] == handled[sig]) continue;
        handled[sig] = g_received[sig];
        bool command_has_it = g_from_terminal[sig] && getpgid(child.pid()) == getpgrp();
        if (!child_done && !command_has_it) kill(child.pid(), sig);
      }
      if (g_stop_requests > stops_seen) {
        stops_seen = g_stop_requests;
        result.interrupted = true;
        if (stops_seen >= 2) {
          end_command(std::string("a second ") + (g_last_stop_signal == SIGINT ? "SIGINT" : "SIGTERM"));
          // Ended by our signal, whatever the command made of it.
          result.status = 128 + g_last_stop_signal;
          stopped_early = true;
          break;
        }
      }
      // Reap everything that ended; the tree is done when no child is left.
      for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, WNOHANG);
        if (p > 0) on_reaped(p, st);
        if (p <= 0) {
          if (p < 0 && errno == ECHILD && child_done) goto tree_done;
          break;
        }
      }
    }
  tree_done:
    // Every event of the tree was written before its last process was
    // reaped (or ended): emptying the ring buffer now delivers all of them.
    drain_capture(*capture, hooks.on_event, /*producers_alive=*/stopped_early && !child_done);
    if (hooks.on_tick) hooks.on_tick(monotonic_now_ns(), capture->losses());
  } catch (const std::exception& e) {
    end_command(e.what());
    throw;
  } catch (...) {
    end_command("an unknown error");
    throw;
  }
  if (keep) *keep = std::move(capture);
  return result;
}

}  // namespace duraudit
