// SPDX-License-Identifier: GPL-2.0-only
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "output/baseline.h"
#include "output/finding_filter.h"
#include "output/fingerprint.h"
#include "output_test_findings.h"

namespace duraudit {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "duraudit-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(OutputBaseline, RoundTrip) {
  TempDir dir;
  Baseline b;
  Finding a = testing::sample_rename_finding();
  Finding c = testing::sample_dir_finding();
  b.add(a);
  b.add(c);
  b.add(a);  // duplicates fold
  EXPECT_EQ(b.size(), 2u);
  std::string err;
  {
    std::ofstream out(dir.file("base.jsonl"));
    b.write(out);
  }

  Baseline read;
  ASSERT_TRUE(Baseline::load(dir.file("base.jsonl"), read, err)) << err;
  EXPECT_EQ(read.size(), 2u);
  EXPECT_TRUE(read.contains(fingerprint(a)));
  EXPECT_TRUE(read.contains(fingerprint(c)));
  EXPECT_FALSE(read.contains("0000000000000000"));

  // Human-readable, stable file: rewriting what was read gives the same bytes.
  std::ostringstream first, second;
  b.write(first);
  read.write(second);
  EXPECT_EQ(first.str(), second.str());
  EXPECT_NE(first.str().find("\"rule\":\"rename-without-fsync\""), std::string::npos);
  EXPECT_NE(first.str().find("\"path\":\"/repo/.git/index\""), std::string::npos);
}

TEST(OutputBaseline, MatchesANextRunWithDifferentRunSpecificParts) {
  Baseline b;
  Finding f = testing::sample_rename_finding();
  f.path = "/ckpt/chk-1216/_metadata";
  b.add(f);
  f.path = "/ckpt/chk-1217/_metadata";
  f.pid = 999;
  EXPECT_TRUE(b.contains(fingerprint(f)));
}

TEST(OutputBaseline, BadFileNamesFileAndLine) {
  TempDir dir;
  std::string path = dir.file("bad.jsonl");
  write_file(path,
             "# accepted findings\n"
             "{\"fingerprint\":\"0123456789abcdef\",\"rule\":\"x\"}\n"
             "\n"
             "{\"fingerprint\":\"nothex\"}\n");
  Baseline b;
  std::string err;
  EXPECT_FALSE(Baseline::load(path, b, err));
  EXPECT_EQ(err.rfind(path + ":4: ", 0), 0u) << err;
  EXPECT_NE(err.find("fingerprint"), std::string::npos) << err;

  write_file(path, "{\"fingerprint\":\"0123456789abcdef\"}\nnot json at all\n");
  EXPECT_FALSE(Baseline::load(path, b, err));
  EXPECT_EQ(err.rfind(path + ":2: ", 0), 0u) << err;

  EXPECT_FALSE(Baseline::load(dir.file("missing.jsonl"), b, err));
  EXPECT_NE(err.find("missing.jsonl: cannot read baseline"), std::string::npos) << err;
}

TEST(OutputBaseline, FilterCountsBaselineSuppressions) {
  Config cfg = Config::defaults();
  Baseline b;
  b.add(testing::sample_rename_finding());
  FindingFilter filter(cfg, &b);
  Finding known = testing::sample_rename_finding();
  Finding fresh = testing::sample_dir_finding();
  EXPECT_EQ(filter.apply(known), FindingFilter::Verdict::SuppressedByBaseline);
  Finding known2 = testing::sample_rename_finding();
  EXPECT_EQ(filter.apply(known2), FindingFilter::Verdict::SuppressedByBaseline);
  EXPECT_EQ(filter.apply(fresh), FindingFilter::Verdict::Report);
  EXPECT_EQ(filter.suppressed_by_baseline(), 2u);
  EXPECT_EQ(filter.suppressed_by_rules(), 0u);
  EXPECT_EQ(fresh.fingerprint, fingerprint(fresh));
}

}  // namespace
}  // namespace duraudit
