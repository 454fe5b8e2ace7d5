#include "cli/traced_command.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include <set>

#include <spdlog/spdlog.h>

#include "capture/suspended_child.h"
#include "cli/errors.h"
#include "util/proc_tree.h"

namespace duraudit {

namespace {

volatile sig_atomic_t g_stop_requests = 0;
volatile sig_atomic_t g_forward_signal = 0;

void on_stop_signal(int sig) {
  g_stop_requests = g_stop_requests + 1;
  g_forward_signal = sig;
}


void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

}  // namespace

void drain_capture(BpfCapture& capture, const std::function<void(Event&&)>& on_event, bool producers_alive) {
  // One poll() stops after BpfCapture::kMaxEventsPerPoll events; a poll
  // that delivered fewer found the ring empty. Processes still running can
  // keep it full for ever: then stop after a second.
  const uint64_t deadline = monotonic_now_ns() + 1'000'000'000ull;
  for (;;) {
    uint64_t before = capture.delivered();
    capture.poll(on_event, 0);
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
  install_signal_handlers();
  auto deliver = [&](int timeout_ms) {
    capture->poll([&](Event&& ev) { hooks.on_event(std::move(ev)); }, timeout_ms);
  };
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
  // the whole tree end, as the command's caller would expect.
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  SuspendedChild child;
  if (!child.spawn(argv, &error, {}, false, run_as)) throw RuntimeError(error);
  // After the fork: the command must not inherit our SIGPIPE disposition.
  install_signal_handlers();
  capture->add_target(child.pid());
  if (hooks.on_spawn) hooks.on_spawn(child.pid());

  TracedCommandResult result;
  auto deliver = [&](int timeout_ms) {
    capture->poll([&](Event&& ev) { hooks.on_event(std::move(ev)); }, timeout_ms);
  };

  if (int e = child.release(); e != 0) {
    if (run_as && e == EPERM)
      std::fprintf(stderr, "duraudit: cannot run %s as %s: %s\n", argv.front().c_str(), run_as->name.c_str(),
                   strerror(e));
    else
      std::fprintf(stderr, "duraudit: %s: %s\n", argv.front().c_str(),
                   e == ENOENT ? "command not found" : strerror(e));
  }

  bool child_done = false;
  int forwarded = 0;
  uint64_t last_tick = 0;
  for (;;) {
    deliver(100);
    uint64_t now = monotonic_now_ns();
    if (hooks.on_tick && now - last_tick >= 100'000'000ull) {
      hooks.on_tick(now, capture->losses());
      last_tick = now;
    }
    if (g_stop_requests > forwarded) {
      // Pass SIGINT/SIGTERM on to the command; a second one stops at once.
      if (!child_done) kill(child.pid(), g_forward_signal);
      forwarded = g_stop_requests;
      result.interrupted = true;
      if (forwarded >= 2) {
        if (!child_done) result.status = 128 + g_forward_signal;
        break;
      }
    }
    // Reap everything that ended; the tree is done when no child is left.
    for (;;) {
      int st;
      pid_t p = waitpid(-1, &st, WNOHANG);
      if (p == child.pid()) {
        result.status = shell_status(st);
        child_done = true;
      }
      if (p <= 0) {
        if (p < 0 && errno == ECHILD && child_done) goto tree_done;
        break;
      }
    }
  }
tree_done:
  // Every event of the tree was written before its last process was
  // reaped: emptying the ring buffer now delivers all of them.
  // (A second signal breaks out early: then the tree may still be running.)
  drain_capture(*capture, hooks.on_event, /*producers_alive=*/forwarded >= 2);
  if (hooks.on_tick) hooks.on_tick(monotonic_now_ns(), capture->losses());
  if (keep) *keep = std::move(capture);
  return result;
}

}  // namespace duraudit
