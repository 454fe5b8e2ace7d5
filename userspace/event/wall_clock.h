// SPDX-License-Identifier: GPL-2.0-only
// Wall-clock time for events and findings (JSON `time`, docs/output.md).
//
// An event's ts_ns is the source's own clock: CLOCK_MONOTONIC live (the BPF
// side stamps records with bpf_ktime_get_ns()), the recording's monotonic
// clock on replay, strace's -ttt seconds since the epoch, or something with
// no date at all (strace -tt's time of day, -r's deltas, line numbers). A
// WallClock says how a source's ts_ns maps to UTC, when it can be known;
// when it cannot, no `time` is printed rather than a wrong one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace duraudit {

class WallClock {
 public:
  // ts_ns is this machine's CLOCK_MONOTONIC: mapped with the offset between
  // CLOCK_REALTIME and CLOCK_MONOTONIC at the moment of asking, so a
  // long-running agent follows NTP's steps and slews.
  static WallClock live();
  // ts_ns + offset_ns is ns since the Unix epoch (a recording: its start
  // wall time minus its start monotonic time; strace -ttt: 0).
  static WallClock fixed(int64_t offset_ns);
  // ts_ns has no date.
  static WallClock unknown() { return WallClock(); }

  // The offset to add to ts_ns now; none when unknown.
  std::optional<int64_t> offset_ns() const;
  bool known() const { return kind_ != Kind::Unknown; }

 private:
  enum class Kind : uint8_t { Unknown, Live, Fixed };
  Kind kind_ = Kind::Unknown;
  int64_t offset_ns_ = 0;
};

// "2026-12-02T05:30:00.123456789Z": RFC 3339, UTC, nanoseconds.
std::string rfc3339_utc(int64_t epoch_ns);
// The inverse, for RFC 3339 times in UTC ("Z") with up to 9 fractional
// digits; none when `s` is not one.
std::optional<int64_t> parse_rfc3339_utc(const std::string& s);

}  // namespace duraudit
