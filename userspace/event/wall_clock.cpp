// SPDX-License-Identifier: GPL-2.0-only
#include "event/wall_clock.h"

#include <time.h>

#include <cstdio>

namespace duraudit {

namespace {

int64_t now_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

WallClock WallClock::live() {
  WallClock c;
  c.kind_ = Kind::Live;
  return c;
}

WallClock WallClock::fixed(int64_t offset_ns) {
  WallClock c;
  c.kind_ = Kind::Fixed;
  c.offset_ns_ = offset_ns;
  return c;
}

std::optional<int64_t> WallClock::offset_ns() const {
  switch (kind_) {
    case Kind::Unknown: return std::nullopt;
    case Kind::Fixed: return offset_ns_;
    case Kind::Live: break;
  }
  // Read REALTIME between two MONOTONIC reads, so a preemption between the
  // reads shows as an error of at most their gap, halved.
  int64_t m0 = now_ns(CLOCK_MONOTONIC);
  int64_t r = now_ns(CLOCK_REALTIME);
  int64_t m1 = now_ns(CLOCK_MONOTONIC);
  return r - (m0 + (m1 - m0) / 2);
}

std::string rfc3339_utc(int64_t epoch_ns) {
  int64_t secs = epoch_ns / 1'000'000'000;
  int64_t frac = epoch_ns % 1'000'000'000;
  if (frac < 0) {
    frac += 1'000'000'000;
    --secs;
  }
  time_t t = static_cast<time_t>(secs);
  tm utc{};
  gmtime_r(&t, &utc);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long long>(frac));
  return buf;
}

std::optional<int64_t> parse_rfc3339_utc(const std::string& s) {
  tm t{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &t.tm_year, &t.tm_mon, &t.tm_mday, &t.tm_hour, &t.tm_min,
                  &t.tm_sec, &consumed) != 6 || consumed != 19)
    return std::nullopt;
  size_t i = 19;
  int64_t frac = 0;
  int digits = 0;
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
      if (digits < 9) frac = frac * 10 + (s[i] - '0'), ++digits;
    if (digits == 0) return std::nullopt;
  }
  if (i + 1 != s.size() || s[i] != 'Z') return std::nullopt;
  for (; digits < 9; ++digits) frac *= 10;
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  time_t secs = timegm(&t);
  return static_cast<int64_t>(secs) * 1'000'000'000 + frac;
}

}  // namespace duraudit
