// SPDX-License-Identifier: GPL-2.0-only
#include <gtest/gtest.h>

#include "output/finding_reporter.h"
#include "output_test_findings.h"

namespace duraudit {
namespace {

struct RecordingSink : FindingSink {
  std::vector<Finding> findings;
  std::vector<Summary> summaries;
  void on_finding(const Finding& f) override { findings.push_back(f); }
  void on_summary(const Summary& s) override { summaries.push_back(s); }
};

TEST(OutputFindingReporter, FiltersCountsRecordsAndFansOut) {
  Config cfg = Config::defaults();
  cfg.suppressions.push_back(Suppression{"missing-dir-fsync", "/var/cache/**", "", "rebuilt", "t:1"});
  Baseline accepted;
  Finding old = testing::sample_rename_finding();
  old.path = "/repo/old";
  accepted.add(old);
  Baseline record;
  RecordingSink a, b;
  FindingReporter rep(cfg, &accepted, {&a, &b}, &record);

  EXPECT_TRUE(rep.report(testing::sample_rename_finding()));  // reported
  EXPECT_FALSE(rep.report(old));                              // baseline
  EXPECT_FALSE(rep.report(testing::sample_dir_finding()));    // suppression
  Finding notice = testing::sample_dir_finding();
  notice.rule = "state-deleted";
  notice.path = "/srv/x";
  EXPECT_TRUE(rep.report(notice));
  EXPECT_EQ(a.findings.size(), 2u);
  EXPECT_EQ(b.findings.size(), 2u);
  EXPECT_EQ(a.findings[1].severity, Severity::Notice);  // effective severity from the config
  EXPECT_FALSE(a.findings[0].fingerprint.empty());

  rep.summary().events = 100;
  rep.finish();
  ASSERT_EQ(a.summaries.size(), 1u);
  const Summary& s = a.summaries[0];
  EXPECT_EQ(s.errors, 1u);
  EXPECT_EQ(s.notices, 1u);
  EXPECT_EQ(s.warnings, 0u);
  EXPECT_EQ(s.suppressed_by_baseline, 1u);
  EXPECT_EQ(s.suppressed_by_rules, 1u);
  EXPECT_EQ(s.events, 100u);
  // The recorded baseline holds the reported and the already-accepted ones.
  EXPECT_EQ(record.size(), 3u);
  EXPECT_TRUE(record.contains(a.findings[0].fingerprint));
}

TEST(OutputFindingReporter, FailOn) {
  Config cfg = Config::defaults();
  RecordingSink sink;
  FindingReporter rep(cfg, nullptr, {&sink});
  EXPECT_FALSE(rep.fails(Severity::Notice));
  rep.report(testing::sample_dir_finding());  // warning
  EXPECT_EQ(rep.max_severity(), Severity::Warning);
  EXPECT_FALSE(rep.fails(Severity::None));
  EXPECT_TRUE(rep.fails(Severity::Notice));
  EXPECT_TRUE(rep.fails(Severity::Warning));
  EXPECT_FALSE(rep.fails(Severity::Error));
}

}  // namespace
}  // namespace duraudit
