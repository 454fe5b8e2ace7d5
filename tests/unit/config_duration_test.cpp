// SPDX-License-Identifier: GPL-2.0-only
#include <gtest/gtest.h>

#include "util/duration.h"

namespace duraudit {
namespace {

TEST(ConfigDuration, ParsesUnits) {
  EXPECT_EQ(parse_duration_ns("5s"), 5'000'000'000ull);
  EXPECT_EQ(parse_duration_ns("500ms"), 500'000'000ull);
  EXPECT_EQ(parse_duration_ns("2m"), 120'000'000'000ull);
  EXPECT_EQ(parse_duration_ns("1h"), 3'600'000'000'000ull);
  EXPECT_EQ(parse_duration_ns("250us"), 250'000ull);
  EXPECT_EQ(parse_duration_ns("10ns"), 10ull);
  EXPECT_EQ(parse_duration_ns("0"), 0ull);
}

TEST(ConfigDuration, PlainNumberIsSeconds) {
  EXPECT_EQ(parse_duration_ns("5"), 5'000'000'000ull);
  EXPECT_EQ(parse_duration_ns(" 7 "), 7'000'000'000ull);
}

TEST(ConfigDuration, Fractions) {
  EXPECT_EQ(parse_duration_ns("1.5s"), 1'500'000'000ull);
  EXPECT_EQ(parse_duration_ns("0.25ms"), 250'000ull);
  EXPECT_EQ(parse_duration_ns(".5"), 500'000'000ull);
}

TEST(ConfigDuration, RejectsJunkWithAClearMessage) {
  for (const char* bad : {"", "s", "5x", "five", "-5s", "5 s s", "1.2.3s", "5sec", "99999999999999999999h"}) {
    std::string err;
    EXPECT_FALSE(parse_duration_ns(bad, &err)) << bad;
    EXPECT_NE(err.find("invalid duration"), std::string::npos) << err;
    EXPECT_NE(err.find("500ms"), std::string::npos) << "message should show accepted forms: " << err;
  }
  std::string err;
  parse_duration_ns("5sec", &err);
  EXPECT_NE(err.find("\"sec\""), std::string::npos) << err;
}

TEST(ConfigDuration, FormatRoundTrips) {
  EXPECT_EQ(format_duration_ns(5'000'000'000ull), "5s");
  EXPECT_EQ(format_duration_ns(1'500'000'000ull), "1500ms");
  EXPECT_EQ(format_duration_ns(120'000'000'000ull), "2m");
  EXPECT_EQ(format_duration_ns(0), "0s");
  for (uint64_t ns : {1ull, 999ull, 250'000ull, 3'600'000'000'000ull, 7'000'000'001ull})
    EXPECT_EQ(parse_duration_ns(format_duration_ns(ns)), ns);
}

}  // namespace
}  // namespace duraudit
