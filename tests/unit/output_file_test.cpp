// SPDX-License-Identifier: GPL-2.0-only
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "output/output_file.h"

namespace duraudit {
namespace {

TEST(OutputFile, AWriteToAFullDeviceIsAFailureTheStreamSurvives) {
  std::string err;
  auto out = OutputFile::open("/dev/full", false, &err);
  ASSERT_TRUE(out) << err;
  out->set_report_failures(false);
  out->stream() << "a finding\n";
  out->stream().flush();
  EXPECT_TRUE(out->failed());
  EXPECT_EQ(out->first_error(), "cannot write /dev/full: No space left on device");
  EXPECT_TRUE(out->stream().good());  // a later write is still attempted
  out->stream() << "another\n" << std::flush;
  EXPECT_EQ(out->failures(), 2u);
  EXPECT_FALSE(out->finish());
}

TEST(OutputFile, WritesLargeAndSmallPiecesInOrderAndFinishes) {
  std::string path = ::testing::TempDir() + "/output_file_test.txt";
  std::string err;
  auto out = OutputFile::open(path, false, &err);
  ASSERT_TRUE(out) << err;
  std::string big(200000, 'b');
  out->stream() << "head\n" << big << "\ntail\n";
  EXPECT_TRUE(out->finish());
  EXPECT_FALSE(out->failed());
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "head\n" + big + "\ntail\n");
  // Appending reopen keeps what is there.
  auto again = OutputFile::open(path, true, &err);
  ASSERT_TRUE(again);
  again->stream() << "more\n";
  EXPECT_TRUE(again->reopen());
  again->stream() << "after\n";
  EXPECT_TRUE(again->finish());
  std::ifstream in2(path);
  std::stringstream ss2;
  ss2 << in2.rdbuf();
  EXPECT_EQ(ss2.str(), "head\n" + big + "\ntail\nmore\nafter\n");
  std::remove(path.c_str());
}

TEST(OutputFile, OpenFailureIsASentence) {
  std::string err;
  EXPECT_FALSE(OutputFile::open("/nonexistent-dir/x", false, &err));
  EXPECT_EQ(err, "cannot open output file /nonexistent-dir/x: No such file or directory");
}

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(OutputFile, TruncatesOnlyAtTheFirstWriteOrFinish) {
  std::string path = ::testing::TempDir() + "/output_file_truncate.txt";
  std::ofstream(path) << "old\n";
  std::string err;
  {
    auto out = OutputFile::open(path, false, &err);
    ASSERT_TRUE(out) << err;
    // Abandoned before writing (an exception unwinding): untouched.
  }
  EXPECT_EQ(contents(path), "old\n");
  {
    auto out = OutputFile::open(path, false, &err);
    ASSERT_TRUE(out) << err;
    EXPECT_TRUE(out->finish());  // nothing to say replaces the old contents too
  }
  EXPECT_EQ(contents(path), "");
  std::ofstream(path) << "a longer old text\n";
  {
    auto out = OutputFile::open(path, false, &err);
    ASSERT_TRUE(out) << err;
    out->stream() << "new\n";
  }
  EXPECT_EQ(contents(path), "new\n");
  std::remove(path.c_str());
}

TEST(OutputFile, AFileCreatedButNeverWrittenIsRemoved) {
  std::string path = ::testing::TempDir() + "/output_file_never_written.txt";
  std::remove(path.c_str());
  std::string err;
  {
    auto out = OutputFile::open(path, false, &err);
    ASSERT_TRUE(out) << err;
  }
  EXPECT_FALSE(std::ifstream(path).good());
}

}  // namespace
}  // namespace duraudit
