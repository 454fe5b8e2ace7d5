// SPDX-License-Identifier: GPL-2.0-only
// Wall-clock time for JSON `time` (event/wall_clock.h): RFC 3339 in UTC
// with nanoseconds, read back exactly; a live clock maps CLOCK_MONOTONIC
// stamps to now.
#include <gtest/gtest.h>

#include <time.h>

#include "event/wall_clock.h"

namespace duraudit {
namespace {

TEST(WallClock, Rfc3339IsUtcWithNanosecondsAndReadsBack) {
  EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00.000000000Z");
  const int64_t t = int64_t{1'796'187'600} * 1'000'000'000 + 123'456'789;
  EXPECT_EQ(rfc3339_utc(t), "2026-12-02T05:00:00.123456789Z");
  EXPECT_EQ(parse_rfc3339_utc(rfc3339_utc(t)), t);
  EXPECT_EQ(parse_rfc3339_utc("2026-12-02T05:00:00.5Z"), int64_t{1'796'187'600} * 1'000'000'000 + 500'000'000);
  EXPECT_EQ(parse_rfc3339_utc("2026-12-02T05:00:00Z"), int64_t{1'796'187'600} * 1'000'000'000);
  for (const char* bad : {"", "2026-12-02", "2026-12-02T05:00:00", "2026-12-02T05:00:00.Z",
                          "2026-12-02T05:00:00+01:00", "2026-12-02T05:00:00.1Zjunk"})
    EXPECT_FALSE(parse_rfc3339_utc(bad)) << bad;
}

TEST(WallClock, LiveMapsMonotonicStampsToNow) {
  timespec m{}, r{};
  clock_gettime(CLOCK_MONOTONIC, &m);
  clock_gettime(CLOCK_REALTIME, &r);
  const int64_t mono = int64_t{m.tv_sec} * 1'000'000'000 + m.tv_nsec;
  const int64_t real = int64_t{r.tv_sec} * 1'000'000'000 + r.tv_nsec;
  auto off = WallClock::live().offset_ns();
  ASSERT_TRUE(off);
  EXPECT_LT(std::llabs(mono + *off - real), 50'000'000) << "within 50 ms of CLOCK_REALTIME";
  EXPECT_EQ(WallClock::fixed(42).offset_ns(), 42);
  EXPECT_FALSE(WallClock::unknown().offset_ns());
  EXPECT_FALSE(WallClock::unknown().known());
}

}  // namespace
}  // namespace duraudit
