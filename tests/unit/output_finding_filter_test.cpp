// SPDX-License-Identifier: GPL-2.0-only
#include <gtest/gtest.h>

#include "output/finding_filter.h"
#include "output_test_findings.h"

namespace duraudit {
namespace {

using V = FindingFilter::Verdict;

Suppression sup(std::string rule, std::string path, std::string comm) {
  return Suppression{std::move(rule), std::move(path), std::move(comm), "accepted", "test:1"};
}

TEST(OutputFindingFilter, SuppressionByRule) {
  Config cfg = Config::defaults();
  cfg.suppressions.push_back(sup("missing-dir-fsync", "", ""));
  FindingFilter filter(cfg, nullptr);
  Finding dir = testing::sample_dir_finding();
  Finding ren = testing::sample_rename_finding();
  EXPECT_EQ(filter.apply(dir), V::SuppressedByRules);
  ASSERT_NE(filter.last_suppression(), nullptr);
  EXPECT_EQ(filter.last_suppression()->origin, "test:1");
  EXPECT_EQ(filter.apply(ren), V::Report);
  EXPECT_EQ(filter.suppressed_by_rules(), 1u);
}

TEST(OutputFindingFilter, SuppressionByPathGlob) {
  Config cfg = Config::defaults();
  cfg.suppressions.push_back(sup("*", "/var/cache/**", ""));
  FindingFilter filter(cfg, nullptr);
  Finding dir = testing::sample_dir_finding();  // /var/cache/apt
  Finding ren = testing::sample_rename_finding();
  EXPECT_EQ(filter.apply(dir), V::SuppressedByRules);
  EXPECT_EQ(filter.apply(ren), V::Report);
}

TEST(OutputFindingFilter, SuppressionByComm) {
  Config cfg = Config::defaults();
  cfg.suppressions.push_back(sup("*", "", "git"));
  FindingFilter filter(cfg, nullptr);
  Finding ren = testing::sample_rename_finding();  // comm git
  Finding dir = testing::sample_dir_finding();     // comm apt
  EXPECT_EQ(filter.apply(ren), V::SuppressedByRules);
  EXPECT_EQ(filter.apply(dir), V::Report);
}

TEST(OutputFindingFilter, AllFieldsMustMatch) {
  Config cfg = Config::defaults();
  cfg.suppressions.push_back(sup("missing-dir-fsync", "/var/cache/**", "dpkg"));  // wrong comm
  FindingFilter filter(cfg, nullptr);
  Finding dir = testing::sample_dir_finding();
  EXPECT_EQ(filter.apply(dir), V::Report);
  EXPECT_TRUE(suppression_matches(sup("missing-dir-fsync", "/var/cache/**", "apt"), dir));
  EXPECT_FALSE(suppression_matches(sup("rename-without-fsync", "/var/cache/**", "apt"), dir));
  EXPECT_FALSE(suppression_matches(sup("*", "/var/lib/**", "apt"), dir));
}

TEST(OutputFindingFilter, PathIncludeExclude) {
  Config cfg = Config::defaults();
  cfg.include_paths = {"/repo/**"};
  FindingFilter filter(cfg, nullptr);
  Finding ren = testing::sample_rename_finding();  // /repo/.git/index
  Finding dir = testing::sample_dir_finding();     // /var/cache/apt
  EXPECT_EQ(filter.apply(ren), V::Report);
  EXPECT_EQ(filter.apply(dir), V::SuppressedByRules);
  EXPECT_EQ(filter.last_suppression(), nullptr);  // excluded by path, not a suppression
  cfg.exclude_paths = {"/repo/.git/**"};
  Finding ren2 = testing::sample_rename_finding();
  EXPECT_EQ(filter.apply(ren2), V::SuppressedByRules);
  EXPECT_EQ(filter.suppressed_by_rules(), 2u);
}

TEST(OutputFindingFilter, EffectiveSeverityAndDisabledRules) {
  Config cfg = Config::defaults();
  cfg.rules["missing-dir-fsync"].severity = Severity::Error;
  cfg.rules["rename-without-fsync"].enabled = false;
  FindingFilter filter(cfg, nullptr);
  Finding dir = testing::sample_dir_finding();
  Finding ren = testing::sample_rename_finding();
  EXPECT_EQ(filter.apply(dir), V::Report);
  EXPECT_EQ(dir.severity, Severity::Error);
  EXPECT_EQ(filter.apply(ren), V::DisabledRule);
  EXPECT_EQ(filter.suppressed_by_rules(), 0u);
  EXPECT_FALSE(ren.fingerprint.empty());
}

TEST(OutputFindingFilter, RulesSuppressionWinsOverBaseline) {
  Config cfg = Config::defaults();
  cfg.suppressions.push_back(sup("*", "", "git"));
  Baseline b;
  b.add(testing::sample_rename_finding());
  FindingFilter filter(cfg, &b);
  Finding ren = testing::sample_rename_finding();
  EXPECT_EQ(filter.apply(ren), V::SuppressedByRules);
  EXPECT_EQ(filter.suppressed_by_baseline(), 0u);
  EXPECT_EQ(filter.suppressed_by_rules(), 1u);
}

}  // namespace
}  // namespace duraudit
