// SPDX-License-Identifier: GPL-2.0-only
#include <gtest/gtest.h>

#include <sstream>

#include "event/loss_text.h"
#include "output/text_sink.h"
#include "output_test_findings.h"

namespace duraudit {
namespace {

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

TEST(OutputTextSink, FindingHasHeadlineEvidenceRelatedAndFix) {
  std::ostringstream out;
  TextSink sink(out, /*color=*/false);
  sink.on_finding(testing::sample_rename_finding());
  std::string t = out.str();
  EXPECT_TRUE(contains(t, "error rename-without-fsync  /repo/.git/index  git[4242]")) << t;
  EXPECT_TRUE(contains(t, "published by rename before its data was fsynced")) << t;
  EXPECT_TRUE(contains(t, "+0.000ms")) << t;
  EXPECT_TRUE(contains(t, "openat(\"/repo/.git/index.lock\", O_WRONLY|O_CREAT|O_EXCL) = 3")) << t;
  EXPECT_TRUE(contains(t, "+0.250ms")) << t;
  EXPECT_TRUE(contains(t, "+2.000ms")) << t;
  EXPECT_TRUE(contains(t, "rename(\"/repo/.git/index.lock\", \"/repo/.git/index\") = 0")) << t;
  EXPECT_TRUE(contains(t, "source       /repo/.git/index.lock  (data-not-durable)")) << t;
  EXPECT_TRUE(contains(t, "fix: fsync the temporary file")) << t;
  EXPECT_FALSE(contains(t, "\033[")) << "ANSI escape with colour off";
}

TEST(OutputTextSink, EvidenceOrderAndFailedCalls) {
  std::ostringstream out;
  TextSink sink(out, false);
  Finding f = testing::sample_rename_finding();
  f.evidence.push_back({18, 1'003'000'000, 5000, 5000, "fsync", "3", -5, "fsync", "/repo/.git/index", ""});
  sink.on_finding(f);
  std::string t = out.str();
  EXPECT_TRUE(contains(t, "fsync(3) = -1 EIO  [pid 5000]")) << t;
  EXPECT_LT(t.find("openat("), t.find("rename("));
  EXPECT_LT(t.find("rename("), t.find("fsync("));
}

TEST(OutputTextSink, ColourOnlyWhenAsked) {
  std::ostringstream out;
  TextSink sink(out, /*color=*/true);
  sink.on_finding(testing::sample_rename_finding());
  EXPECT_TRUE(contains(out.str(), "\033[1;31merror\033[0m"));
}

TEST(OutputTextSink, SummaryTable) {
  std::ostringstream out;
  TextSink sink(out, false);
  Summary s;
  s.count(testing::sample_rename_finding());
  s.count(testing::sample_dir_finding());
  s.events = 812;
  s.processes = 3;
  s.suppressed_by_baseline = 2;
  s.suppressed_by_rules = 1;
  sink.on_summary(s);
  std::string t = out.str();
  EXPECT_TRUE(contains(t, "findings          2 (1 error, 1 warning, 0 notice)")) << t;
  EXPECT_TRUE(contains(t, "rename-without-fsync  1")) << t;
  EXPECT_TRUE(contains(t, "missing-dir-fsync     1")) << t;
  EXPECT_TRUE(contains(t, "events            812")) << t;
  EXPECT_TRUE(contains(t, "events lost       0")) << t;
  EXPECT_TRUE(contains(t, "processes         3")) << t;
  EXPECT_TRUE(contains(t, "2 by baseline, 1 by rules files")) << t;
  EXPECT_FALSE(contains(t, "incomplete data")) << t;
  EXPECT_FALSE(contains(t, "\033["));
}

TEST(OutputTextSink, LostEventsAreLoud) {
  std::ostringstream out;
  TextSink sink(out, false);
  Summary s;
  s.events_lost_by_reason = {{"ringbuf_full", 40}};
  sink.on_summary(s);
  std::string t = out.str();
  EXPECT_TRUE(contains(t, "events lost       40 (ringbuf_full: 40)")) << t;
  EXPECT_TRUE(contains(t, "WARNING: results are incomplete (findings may be missing or wrong): 40 events were lost "
                          "(ring buffer full: 40). Trace fewer processes or raise the ring buffer size")) << t;
}

TEST(OutputTextSink, UnparsedStraceLinesDoNotBlameTheRingBuffer) {
  std::ostringstream out;
  TextSink sink(out, false);
  Summary s;
  s.events_lost_by_reason = {{"strace_unparsed_lines", 1}};
  s.incomplete = true;
  s.incomplete_reason = describe_losses(s.events_lost_by_reason, {{"strace_unparsed_lines", "line 7 of app.strace"}});
  sink.on_summary(s);
  std::string t = out.str();
  EXPECT_TRUE(contains(t, "WARNING: results are incomplete (findings may be missing or wrong): 1 line of the strace "
                          "log could not be parsed (line 7 of app.strace).\n")) << t;
  EXPECT_FALSE(contains(t, "ring buffer")) << t;
  EXPECT_EQ(t.find("WARNING"), t.rfind("WARNING")) << "one warning line: " << t;
}

// A process over its own event budget is named on its own row; its
// dropped events are not the session's losses, so no warning blames them on
// the ring buffer, and nothing says the session's verdicts are incomplete.
TEST(OutputTextSink, AProcessOverItsBudgetIsNamedNotCountedAsSessionLoss) {
  std::ostringstream out;
  TextSink sink(out, false);
  Summary s;
  s.events_lost_by_reason = {{std::string(kProcessBudgetLoss), 5000}};
  s.over_budget.push_back(OverBudgetProcess{42, "flood\x1b", 5000});
  sink.on_summary(s);
  std::string t = out.str();
  EXPECT_TRUE(contains(t, "over budget       pid 42 (flood\\x1b): 5000 events dropped")) << t;
  EXPECT_FALSE(contains(t, "WARNING")) << t;
  EXPECT_EQ(describe_losses(s.events_lost_by_reason), "");
}

TEST(OutputTextSink, IncompleteFindingSaysSo) {
  std::ostringstream out;
  TextSink sink(out, false);
  Finding f = testing::sample_dir_finding();
  f.incomplete = true;
  f.incomplete_reason = "state for this directory was evicted";
  sink.on_finding(f);
  EXPECT_TRUE(contains(out.str(), "incomplete: state for this directory was evicted")) << out.str();
  EXPECT_TRUE(contains(out.str(), "3 directory entries not durable")) << out.str();
}

TEST(OutputTextSink, ResolveColor) {
  EXPECT_EQ(resolve_color("always", -1), true);
  EXPECT_EQ(resolve_color("never", 1), false);
  EXPECT_EQ(resolve_color("auto", -1), false);  // not a terminal
  EXPECT_EQ(resolve_color("sometimes", 1), std::nullopt);
}

}  // namespace
}  // namespace duraudit
