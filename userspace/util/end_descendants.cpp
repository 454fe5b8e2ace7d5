// SPDX-License-Identifier: GPL-2.0-only
#include "util/end_descendants.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <set>
#include <vector>

#include "util/proc_tree.h"

namespace duraudit {

namespace {

// Reaps every child that has ended (our own, and orphans reparented to us).
void reap(const std::function<void(pid_t, int)>& on_reaped) {
  for (;;) {
    int st;
    pid_t p = waitpid(-1, &st, WNOHANG);
    if (p <= 0) return;
    if (on_reaped) on_reaped(p, st);
  }
}

std::vector<int32_t> alive_below(pid_t root) {
  std::vector<int32_t> out;
  for (int32_t p : descendants_of(root))
    if (process_alive(p)) out.push_back(p);
  return out;
}

void nap() {
  timespec ts{0, 20'000'000};  // 20 ms
  nanosleep(&ts, nullptr);
}

}  // namespace

DescendantsEnded end_descendants(pid_t root, std::chrono::milliseconds grace,
                                 const std::function<void(pid_t, int)>& on_reaped) {
  using Clock = std::chrono::steady_clock;
  DescendantsEnded r;
  std::set<int32_t> termed;
  const auto kill_at = Clock::now() + grace;
  // SIGTERM to each process (forked later ones too) until the grace ends or
  // none is left.
  for (;;) {
    reap(on_reaped);
    auto alive = alive_below(root);
    if (alive.empty()) return r;
    for (int32_t p : alive)
      if (termed.insert(p).second && kill(p, SIGTERM) == 0) ++r.terminated;
    if (Clock::now() >= kill_at) break;
    nap();
  }
  // SIGKILL to whatever is left; a few seconds bound the loop should a
  // process be unkillable (stuck in the kernel).
  std::set<int32_t> killed;
  const auto give_up = Clock::now() + std::chrono::seconds(5);
  for (;;) {
    reap(on_reaped);
    auto alive = alive_below(root);
    if (alive.empty()) return r;
    if (Clock::now() >= give_up) {
      r.all_gone = false;
      return r;
    }
    for (int32_t p : alive)
      if (kill(p, SIGKILL) == 0 && killed.insert(p).second) ++r.killed;
    nap();
  }
}

}  // namespace duraudit
