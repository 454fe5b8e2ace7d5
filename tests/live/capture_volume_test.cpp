// SPDX-License-Identifier: GPL-2.0-only
// Live: write deduplication under a storm, zero loss at volume with the
// default ring buffer, counted loss with a tiny one, and silence from
// processes nobody asked to trace.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include "live/live_harness.h"

extern char** environ;

namespace duraudit::live {
namespace {

int exit_code(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

uint64_t ringbuf_losses(const LossCounters& l) {
  uint64_t n = 0;
  for (const auto& [reason, v] : l)
    if (reason.rfind("ringbuf_full", 0) == 0) n += v;
  return n;
}

TEST(LiveVolume, WriteStormYieldsOneWriteEventPerSyncEpoch) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("write_storm"), d.path(), "100000"});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  EXPECT_EQ(describe_all(ev, d.path()), (std::vector<std::string>{
      std::string("exec(\"") + program("write_storm") + "\")",
      "openat(AT_FDCWD, \"$D/storm\", O_WRONLY|O_CREAT|O_TRUNC) = 3 created",
      "write(3) = 1",   // 100000 writes, one event
      "fsync(3) = 0",
      "write(3) = 1",   // the next epoch: one more
      "close(3) = 0",
      "exit(0) group_dead",
  }));
  EXPECT_EQ(total_lost(cap->losses()), 0u);
}

TEST(LiveVolume, TwoHundredThousandFileOperationsLoseNothing) {
  LIVE_CAPTURE_OR_RETURN(cap);  // default ring buffer
  TempDir d;
  constexpr int kIterations = 50000;  // x4 operations
  auto run = run_traced(*cap, {program("many_ops"), d.path(), std::to_string(kIterations)}, 300);
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  // exec, open(dir), 4 per iteration, close(dir), exit
  EXPECT_EQ(ev.size(), 4u * kIterations + 4);
  auto losses = cap->losses();
  EXPECT_EQ(total_lost(losses), 0u);
  // seq numbers are dense and ordered from 1
  for (size_t i = 0; i < run.events.size(); ++i) ASSERT_EQ(run.events[i].seq, i + 1);
  RecordProperty("events", static_cast<int>(run.events.size()));
  std::printf("[ measured ] many_ops %d ops: %zu events delivered, %llu lost\n", 4 * kIterations,
              run.events.size(), static_cast<unsigned long long>(total_lost(losses)));
}

TEST(LiveVolume, TinyRingBufferLossIsCountedExactly) {
  TempDir d;
  constexpr int kIterations = 5000;
  size_t lossless_events = 0;
  {
    LIVE_CAPTURE_OR_RETURN(cap);
    auto run = run_traced(*cap, {program("many_ops"), d.path(), std::to_string(kIterations)});
    ASSERT_EQ(exit_code(run.wait_status), 0);
    ASSERT_EQ(total_lost(cap->losses()), 0u);
    lossless_events = run.events.size();
  }
  CaptureOptions tiny_options;
  tiny_options.ringbuf_bytes = 16 * 4096;
  LIVE_CAPTURE_WITH_OR_RETURN(tiny, tiny_options);
  // Nobody reads until the program has exited: the ring overflows.
  auto run = run_traced(*tiny, {program("many_ops"), d.path(), std::to_string(kIterations)}, 120, false);
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto losses = tiny->losses();
  EXPECT_GT(losses["ringbuf_full_syscall"], 0u);
  // Every event is either delivered or counted as lost. The reference is a
  // separate run of the same program, whose own event count varies by one
  // between runs under load (seen in CI: 20009 vs 20010), so allow that
  // much; a loss that went uncounted would miss by thousands.
  size_t accounted = run.events.size() + ringbuf_losses(losses);
  EXPECT_NEAR(static_cast<double>(accounted), static_cast<double>(lossless_events), 2.0);
  std::printf("[ measured ] tiny ring (64 KiB): %zu delivered, %llu counted lost, %zu expected\n",
              run.events.size(), static_cast<unsigned long long>(ringbuf_losses(losses)), lossless_events);
}

// A backlog larger than one poll's budget comes out over several polls, none
// of which delivers more than the budget: attach's loop gets control back
// (grace-period verdicts, metrics, signals) however fast events arrive.
TEST(LiveVolume, OnePollDeliversAtMostItsBudgetAndTheBacklogDrains) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  constexpr int kIterations = 5000;  // ~20000 events, about five budgets
  // Nobody reads until the program has exited: the whole run is a backlog,
  // of which run_traced's single poll gets exactly one budget.
  auto run = run_traced(*cap, {program("many_ops"), d.path(), std::to_string(kIterations)}, 120, false);
  ASSERT_EQ(exit_code(run.wait_status), 0);
  ASSERT_EQ(total_lost(cap->losses()), 0u);
  EXPECT_EQ(run.events.size(), BpfCapture::kMaxEventsPerPoll);
  std::vector<Event> all = std::move(run.events);
  size_t polls = 1;
  while (polls < 1000) {
    size_t n = 0;
    cap->poll([&](Event&& e) { all.push_back(std::move(e)); ++n; }, 0);
    ++polls;
    ASSERT_LE(n, BpfCapture::kMaxEventsPerPoll);
    if (n == 0) break;
  }
  EXPECT_GT(polls, 4u);
  // Nothing lost or reordered between polls.
  EXPECT_EQ(of_pid(after_markers(all), run.pid).size(), 4u * kIterations + 4);
  for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i].seq, i + 1);
}

TEST(LiveVolume, UntracedProcessProducesNoEvents) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  std::string prog = program("many_ops");
  std::string dir = d.path();
  char* argv[] = {prog.data(), dir.data(), const_cast<char*>("2000"), nullptr};
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, prog.c_str(), nullptr, nullptr, argv, environ), 0);
  int st = 0;
  ASSERT_EQ(waitpid(pid, &st, 0), pid);
  ASSERT_EQ(exit_code(st), 0);
  std::vector<Event> seen;
  cap->poll([&](Event&& e) { seen.push_back(std::move(e)); }, 100);
  EXPECT_TRUE(seen.empty()) << seen.size() << " events, first: " << describe(seen[0], dir);
}

}  // namespace
}  // namespace duraudit::live
