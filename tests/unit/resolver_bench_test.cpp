// SPDX-License-Identifier: GPL-2.0-only
// A quick throughput measurement of the Resolver's hot path (reported, not
// asserted: timing on a shared 2-core VM is not a test verdict).
#include <gtest/gtest.h>

#include <chrono>
#include <algorithm>
#include <cstdio>
#include <utility>

#include "resolver_test_events.h"

namespace duraudit {
namespace {

using namespace resolver_test;

TEST(ResolverBench, MixedStreamThroughput) {
  Resolver r(ResolverOptions{.default_cwd = "/srv/app"});
  constexpr int kProcs = 8;
  constexpr int kFiles = 16;
  std::vector<Event> stream;
  // Steady state of a busy writer: mostly writes, some fsyncs, a few
  // open/close cycles, several processes interleaved in runs.
  for (int round = 0; round < 2000; ++round) {
    const int32_t pid = 1000 + round % kProcs;
    for (int i = 0; i < kFiles; ++i) {
      const int32_t fd = 3 + i;
      if (round < kProcs) {
        stream.push_back(openat(pid, "data/segment-" + std::to_string(i) + ".log", O_WRONLY | O_CREAT, fd,
                                AT_FDCWD, FileId{0x800001, uint64_t(pid) * 100 + i}));
        continue;
      }
      for (int k = 0; k < 8; ++k) stream.push_back(fd_call(Syscall::Write, pid, fd, 4096));
      stream.push_back(fd_call(Syscall::Fdatasync, pid, fd));
    }
    if (round >= kProcs && round % 50 == 0) {
      stream.push_back(fd_call(Syscall::Close, pid, 3));
      stream.push_back(openat(pid, "data/segment-0.log", O_WRONLY | O_APPEND, 3, AT_FDCWD,
                              FileId{0x800001, uint64_t(pid) * 100}));
    }
  }
  // Measure the way a pipeline runs: a source hands over one event at a
  // time (here a copy of a template), the resolver appends to a batch that
  // the consumer drains. The same loop without resolve() is the baseline; the
  // difference is the resolver's cost.
  constexpr size_t kBatch = 64;
#ifdef NDEBUG
  constexpr int kPasses = 10;
#else
  constexpr int kPasses = 2;  // Debug builds: keep the unit suite quick
#endif
  std::vector<Event> out;
  out.reserve(kBatch + 64);
  enum class Mode { Baseline, Resolve, ResolveBack };
  auto drive = [&](Mode mode) {
    size_t n = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (int pass = 0; pass < kPasses; ++pass) {
      for (size_t i = pass == 0 ? 0 : kProcs * kFiles; i < stream.size(); ++i) {
        switch (mode) {
          case Mode::Baseline: out.push_back(stream[i]); break;
          case Mode::Resolve: r.resolve(stream[i], out); break;
          case Mode::ResolveBack: out.push_back(stream[i]); r.resolve_back(out); break;
        }
        ++n;
        if (out.size() >= kBatch) out.clear();
      }
    }
    out.clear();
    return std::pair{n, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
  };
  const auto [nb, base_secs] = drive(Mode::Baseline);
  const auto [n, secs] = drive(Mode::ResolveBack);
  const auto [nr, resolve_secs] = drive(Mode::Resolve);
  auto mps = [&](double s) { return n / std::max(s, 1e-9) / 1e6; };
  std::printf("[ resolver ] %zu events; source copy alone %.2f M/s; with resolve_back %.2f M/s, resolver share "
              "%.0f ns/event (~%.1f M/s); with resolve() %.2f M/s, %.0f ns/event\n",
              n, mps(base_secs), mps(secs), (secs - base_secs) * 1e9 / n, mps(secs - base_secs), mps(resolve_secs),
              (resolve_secs - base_secs) * 1e9 / n);
  RecordProperty("resolver_ns_per_event", static_cast<int64_t>((secs - base_secs) * 1e9 / n));
  ASSERT_EQ(nr, n);
  ASSERT_EQ(nb, n);
  Event last = stream.back();
  auto res = run(r, last);
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res.back().file.path.rfind("/srv/app/data/segment-", 0), 0u);
  EXPECT_EQ(r.stats().unknown_fds, 0u);
}

}  // namespace
}  // namespace duraudit
