// SPDX-License-Identifier: GPL-2.0-only
// The JSON output contract (docs/output.md "JSON output contract (v1)"):
// every line has schema_version 1; findings say where (host) and when
// (`time`, RFC 3339 UTC) when the source knows, and never a wrong time when
// it does not. The schema itself is checked on every line the e2e suite
// reads (json_schema_e2e_lines).
#include <sys/utsname.h>
#include <time.h>

#include <fstream>

#include "e2e/e2e_util.h"
#include "event/wall_clock.h"

namespace duraudit::e2e {
namespace {

using nlohmann::json;

int64_t wall_now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

std::string node_name() {
  utsname u{};
  uname(&u);
  return u.nodename;
}

// Each finding's and call's `time` lies within [from, to].
void expect_times_within(const JsonReport& r, int64_t from, int64_t to) {
  ASSERT_FALSE(r.findings.empty());
  for (const auto& f : r.findings) {
    ASSERT_TRUE(f.contains("time")) << f.dump();
    auto t = parse_rfc3339_utc(f["time"].get<std::string>());
    ASSERT_TRUE(t) << f["time"];
    EXPECT_GE(*t, from) << f.dump();
    EXPECT_LE(*t, to) << f.dump();
    for (const auto& e : f["evidence"]) {
      auto et = parse_rfc3339_utc(e.value("time", ""));
      ASSERT_TRUE(et) << e.dump();
      EXPECT_GE(*et, from) << e.dump();
      EXPECT_LE(*et, to) << e.dump();
    }
  }
}

TEST(JsonContract, RunAndReplayOfItsRecordingSayWhereAndWhen) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string script = "echo data > " + dir / "f";
  int64_t before = wall_now_ns();
  auto r = run_command({duraudit_bin(), "run", "--format", "json", "-o", dir / "run.jsonl", "--", "/bin/sh", "-c",
                        script});
  int64_t after = wall_now_ns();
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream in(dir / "run.jsonl");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  JsonReport live = parse_report(text);
  ASSERT_FALSE(live.findings.empty()) << text;
  EXPECT_EQ(live.summary["schema_version"], 1);
  for (const auto& f : live.findings) {
    EXPECT_EQ(f["schema_version"], 1);
    EXPECT_EQ(f["host"], node_name());
  }
  expect_times_within(live, before, after);

  before = wall_now_ns();
  auto rec = run_command({duraudit_bin(), "record", "-o", dir / "t.rec", "--", "/bin/sh", "-c", script});
  after = wall_now_ns();
  ASSERT_EQ(rec.status, 0) << rec.err;
  auto rep = run_command({duraudit_bin(), "replay", dir / "t.rec", "--format", "json"});
  ASSERT_EQ(rep.status, 0) << rep.err;
  JsonReport replay = parse_report(rep.out);
  for (const auto& f : replay.findings) EXPECT_EQ(f["host"], node_name());
  // The recording's clock, not the replay's: its times are when it ran.
  expect_times_within(replay, before, after);
}

TEST(JsonContract, AnStraceLogHasTimeOnlyWithEpochStamps) {
  ScratchDir dir;
  auto write = [&](const std::string& name, const std::string& stamp1, const std::string& stamp2) {
    std::ofstream(dir / name) << "100 " << stamp1 << " openat(AT_FDCWD, \"/d/f\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3\n"
                              << "100 " << stamp1 << " write(3, \"x\", 1) = 1\n"
                              << "100 " << stamp2 << " close(3) = 0\n";
  };
  write("ttt.strace", "1796187600.000100", "1796187600.250000");
  write("tt.strace", "05:00:00.000100", "05:00:00.250000");
  auto ttt = run_command({duraudit_bin(), "replay", "--strace", dir / "ttt.strace", "--format", "json"});
  ASSERT_EQ(ttt.status, 0) << ttt.err;
  JsonReport a = parse_report(ttt.out);
  ASSERT_FALSE(a.findings.empty()) << ttt.out;
  EXPECT_FALSE(a.findings[0].contains("host")) << "an strace log does not say where it was made";
  EXPECT_EQ(a.findings[0]["evidence"].back()["time"], "2026-12-02T05:00:00.250000000Z");
  auto tt = run_command({duraudit_bin(), "replay", "--strace", dir / "tt.strace", "--format", "json"});
  ASSERT_EQ(tt.status, 0) << tt.err;
  JsonReport b = parse_report(tt.out);
  ASSERT_FALSE(b.findings.empty()) << tt.out;
  EXPECT_FALSE(b.findings[0].contains("time")) << "-tt has no date: no time rather than a wrong one";
  EXPECT_FALSE(b.findings[0]["evidence"][0].contains("time"));
}

TEST(JsonContract, TraceEventsAndRulesCarryTheVersion) {
  auto rules = run_command({duraudit_bin(), "rules", "list", "--format", "json"});
  ASSERT_EQ(rules.status, 0) << rules.err;
  std::istringstream in(rules.out);
  size_t n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    json j = parse_output_line(line);
    EXPECT_EQ(j["type"], "rule");
    EXPECT_EQ(j["schema_version"], 1);
  }
  EXPECT_GE(n, 8u);
}

TEST(JsonContract, TraceEventsAreTimedOnTheWallClock) {
  DURAUDIT_REQUIRE_ROOT();
  int64_t before = wall_now_ns();
  auto r = run_command({duraudit_bin(), "trace", "--format", "json", "--", "/bin/true"});
  int64_t after = wall_now_ns();
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream in(r.out);
  size_t n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    json j = parse_output_line(line);
    EXPECT_EQ(j["schema_version"], 1) << line;
    auto t = parse_rfc3339_utc(j.value("time", ""));
    ASSERT_TRUE(t) << line;
    EXPECT_GE(*t, before) << line;
    EXPECT_LE(*t, after) << line;
  }
  EXPECT_GT(n, 0u);
}

TEST(JsonContract, ReportRefusesAnotherSchemaVersion) {
  ScratchDir dir;
  std::ofstream(dir / "v2.jsonl") << "{\"type\":\"summary\",\"schema_version\":2}\n";
  auto r = run_command({duraudit_bin(), "report", dir / "v2.jsonl", "--format", "json"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("schema version 2; this duraudit reads version 1"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace duraudit::e2e
