// SPDX-License-Identifier: GPL-2.0-only
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "output/fingerprint.h"
#include "output/json_sink.h"
#include "output_test_findings.h"

namespace duraudit {
namespace {

using nlohmann::json;

std::vector<json> parse_lines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(json::parse(line));  // throws on a bad line
  return out;
}

std::set<std::string> keys(const json& j) {
  std::set<std::string> k;
  for (auto it = j.begin(); it != j.end(); ++it) k.insert(it.key());
  return k;
}

TEST(OutputJsonSink, FindingHasEveryKeyOfTheSchema) {
  std::ostringstream out;
  JsonSink sink(out);
  Finding f = testing::sample_rename_finding();
  sink.on_finding(f);
  auto lines = parse_lines(out.str());
  ASSERT_EQ(lines.size(), 1u);
  const json& j = lines[0];
  EXPECT_EQ(keys(j), (std::set<std::string>{"type", "schema_version", "rule", "severity", "pid", "tid", "comm", "path", "message",
                                            "related", "evidence", "fingerprint", "fix", "replaced", "settled_ns"}));
  EXPECT_EQ(j["type"], "finding");
  EXPECT_EQ(j["schema_version"], 1);
  // A reader sees both first.
  EXPECT_EQ(out.str().rfind("{\"type\":\"finding\",\"schema_version\":1,", 0), 0u) << out.str();
  EXPECT_EQ(j["settled_ns"], 1'002'000'000);
  EXPECT_EQ(j["rule"], "rename-without-fsync");
  EXPECT_EQ(j["severity"], "error");
  EXPECT_EQ(j["pid"], 4242);
  EXPECT_EQ(j["tid"], 4243);
  EXPECT_EQ(j["comm"], "git");
  EXPECT_EQ(j["path"], "/repo/.git/index");
  EXPECT_EQ(j["message"], f.message);
  EXPECT_EQ(j["fix"], f.fix);
  EXPECT_EQ(j["replaced"], true);
  ASSERT_EQ(j["related"].size(), 1u);
  EXPECT_EQ(keys(j["related"][0]), (std::set<std::string>{"path", "role", "state"}));
  EXPECT_EQ(j["related"][0]["path"], "/repo/.git/index.lock");
  EXPECT_EQ(j["related"][0]["role"], "source");
  EXPECT_EQ(j["related"][0]["state"], "data-not-durable");
  ASSERT_EQ(j["evidence"].size(), 3u);
  const json& e = j["evidence"][2];
  EXPECT_EQ(keys(e), (std::set<std::string>{"seq", "ts_ns", "pid", "tid", "syscall", "args", "ret", "op", "file",
                                            "file2"}));
  EXPECT_EQ(e["op"], "rename");
  EXPECT_EQ(e["file"], "/repo/.git/index.lock");
  EXPECT_EQ(e["file2"], "/repo/.git/index");
  EXPECT_EQ(e["seq"], 17);
  EXPECT_EQ(e["ts_ns"], 1'002'000'000);
  EXPECT_EQ(e["pid"], 4242);
  EXPECT_EQ(e["tid"], 4242);
  EXPECT_EQ(e["syscall"], "rename");
  EXPECT_EQ(e["args"], "\"/repo/.git/index.lock\", \"/repo/.git/index\"");
  EXPECT_EQ(e["ret"], 0);
  // Fingerprint computed when the filter did not fill it.
  EXPECT_EQ(j["fingerprint"], fingerprint(f));
}

// Where and when: the host, and the wall-clock time (RFC 3339, UTC, ns) of
// the verdict and of each call, when the source's clock has a date.
TEST(OutputJsonSink, HostAndTimeWhenTheOriginIsKnown) {
  std::ostringstream out;
  JsonSink sink(out);
  Finding f = testing::sample_rename_finding();
  f.host = "node-7";
  // 2026-12-02T05:00:00Z is 1796187600 s since the epoch.
  f.wall_offset_ns = int64_t{1'796'187'600} * 1'000'000'000 - 1'000'000'000;
  sink.on_finding(f);
  json j = parse_lines(out.str()).at(0);
  EXPECT_EQ(j["host"], "node-7");
  EXPECT_EQ(j["time"], "2026-12-02T05:00:00.002000000Z");  // settled_ns 1.002 s
  EXPECT_EQ(j["evidence"][2]["time"], "2026-12-02T05:00:00.002000000Z");
  EXPECT_NE(out.str().find("\"ts_ns\":1002000000,\"time\":\"2026-12-02T05:00:00.002000000Z\""), std::string::npos)
      << "beside ts_ns: " << out.str();
  Finding unknown = testing::sample_rename_finding();
  std::ostringstream out2;
  JsonSink(out2).on_finding(unknown);
  json k = parse_lines(out2.str()).at(0);
  EXPECT_FALSE(k.contains("time"));
  EXPECT_FALSE(k.contains("host"));
  EXPECT_FALSE(k["evidence"][0].contains("time"));
}

TEST(OutputJsonSink, OptionalKeysOnlyWhenSet) {
  std::ostringstream out;
  JsonSink sink(out);
  Finding f = testing::sample_dir_finding();
  f.fingerprint = "0123456789abcdef";
  f.incomplete = true;
  f.incomplete_reason = "12 events were lost before this verdict";
  sink.on_finding(f);
  Finding bare = testing::sample_dir_finding();
  bare.entries.reset();
  bare.fix.clear();
  sink.on_finding(bare);
  auto lines = parse_lines(out.str());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["entries"], 3);
  EXPECT_EQ(lines[0]["incomplete"], true);
  EXPECT_EQ(lines[0]["incomplete_reason"], f.incomplete_reason);
  EXPECT_EQ(lines[0]["fingerprint"], "0123456789abcdef");
  EXPECT_FALSE(lines[0].contains("replaced"));
  for (const char* k : {"entries", "incomplete", "incomplete_reason", "fix", "replaced"})
    EXPECT_FALSE(lines[1].contains(k)) << k;
}

TEST(OutputJsonSink, SummaryLine) {
  std::ostringstream out;
  JsonSink sink(out);
  Summary s;
  s.count(testing::sample_rename_finding());
  s.count(testing::sample_dir_finding());
  s.count(testing::sample_dir_finding());
  s.events = 812;
  s.events_lost_by_reason = {{"ringbuf_full", 5}, {"path_truncated", 2}};
  s.processes = 3;
  s.suppressed_by_baseline = 4;
  s.suppressed_by_rules = 1;
  s.evictions = 9;
  s.incomplete = true;
  s.incomplete_reason = "7 events lost";
  sink.on_summary(s);
  auto lines = parse_lines(out.str());
  ASSERT_EQ(lines.size(), 1u);
  const json& j = lines[0];
  EXPECT_EQ(j["type"], "summary");
  EXPECT_EQ(j["findings"], (json{{"error", 1}, {"warning", 2}, {"notice", 0}}));
  EXPECT_EQ(j["events"], 812);
  EXPECT_EQ(j["events_lost"], 7);
  EXPECT_EQ(j["processes"], 3);
  EXPECT_EQ(j["events_lost_by_reason"], (json{{"ringbuf_full", 5}, {"path_truncated", 2}}));
  EXPECT_EQ(j["suppressed"], (json{{"baseline", 4}, {"rules", 1}}));
  EXPECT_EQ(j["findings_by_rule"], (json{{"rename-without-fsync", 1}, {"missing-dir-fsync", 2}}));
  EXPECT_EQ(j["evictions"], 9);
  EXPECT_EQ(j["incomplete"], true);
  EXPECT_EQ(j["incomplete_reason"], "7 events lost");
  // The documented keys (docs/output.md) come first, in their order.
  std::vector<std::string> order;
  auto ordered = summary_to_json(s);
  for (auto it = ordered.begin(); it != ordered.end(); ++it) order.push_back(it.key());
  ASSERT_GE(order.size(), 6u);
  EXPECT_EQ(std::vector<std::string>(order.begin(), order.begin() + 6),
            (std::vector<std::string>{"type", "schema_version", "findings", "events", "events_lost", "processes"}));
}

TEST(OutputJsonSink, OneObjectPerLineAndInvalidUtf8Survives) {
  std::ostringstream out;
  JsonSink sink(out);
  Finding f = testing::sample_rename_finding();
  f.path = std::string("/d/bad\xff\xfename");
  f.message = "line one\nline two";
  sink.on_finding(f);
  sink.on_summary(Summary{});
  std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  auto lines = parse_lines(text);
  EXPECT_EQ(lines[0]["message"], "line one\nline two");
  EXPECT_EQ(lines[1]["findings"]["error"], 0);
  EXPECT_EQ(lines[1]["incomplete"], false);
  EXPECT_FALSE(lines[1].contains("incomplete_reason"));
}

}  // namespace
}  // namespace duraudit
