// SPDX-License-Identifier: GPL-2.0-only
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "output/github_sink.h"
#include "output_test_findings.h"

namespace duraudit {
namespace {

TEST(OutputGithubSink, EscapingFollowsGithubsRules) {
  // Data: % CR LF; a property also : and ,.
  EXPECT_EQ(github_escape_data("50% done\r\nnext: a, b"), "50%25 done%0D%0Anext: a, b");
  EXPECT_EQ(github_escape_property("50% done\r\nnext: a, b"), "50%25 done%0D%0Anext%3A a%2C b");
  EXPECT_EQ(github_escape_data("%0A"), "%250A");  // an escape in the name stays text
  EXPECT_EQ(github_escape_property("::error::"), "%3A%3Aerror%3A%3A");
}

TEST(OutputGithubSink, MarkdownCellsShowNamesLiterally) {
  EXPECT_EQ(markdown_cell("/d/a|b"), "/d/a\\|b");
  EXPECT_EQ(markdown_cell("/d/a\nb"), "/d/a\\\\nb");  // C-escaped \n, its backslash escaped for Markdown
  EXPECT_EQ(markdown_cell("<img src=x>"), "\\<img src=x\\>");
  EXPECT_EQ(markdown_cell("*_`[x](y)"), "\\*\\_\\`\\[x\\]\\(y\\)");
  EXPECT_EQ(markdown_cell("/plain/path-1.txt"), "/plain/path-1.txt");
}

TEST(OutputGithubSink, OneCommandPerFindingBySeverity) {
  std::ostringstream out;
  GithubSink sink(out, nullptr);
  Finding f = testing::sample_rename_finding();
  f.path = "/d/a,b:c%\nforged";
  sink.on_finding(f);
  Finding w = testing::sample_dir_finding();
  sink.on_finding(w);
  Summary s;
  s.errors = 1;
  s.warnings = 1;
  s.events = 10;
  s.processes = 1;
  sink.on_summary(s);
  std::istringstream in(out.str());
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 3u) << out.str();
  EXPECT_EQ(lines[0].rfind("::error title=rename-without-fsync%3A /d/a%2Cb%3Ac%25\\nforged::", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("%0Afix: "), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1].rfind("::" + std::string(severity_name(w.severity)) + " title=", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2].rfind("::notice title=duraudit summary::2 findings (1 error, 1 warning, 0 notice)", 0), 0u)
      << lines[2];
}

// With a stack that has debug info the annotation is at the source line of
// the deciding call, relative to the checkout when it is inside it.
TEST(OutputGithubSink, AFindingWithAStackIsAnnotatedAtItsSourceLine) {
  ::setenv("GITHUB_WORKSPACE", "/src/app", 1);
  std::ostringstream out;
  GithubSink sink(out, nullptr);
  Finding f = testing::sample_rename_finding();
  f.evidence.back().stack = {{"rename", "/usr/lib/x86_64-linux-gnu/libc.so.6", "", 0, 0x10},
                             {"commit_index", "/usr/bin/app", "/src/app/lib/index.c", 212, 0x99}};
  sink.on_finding(f);
  ::unsetenv("GITHUB_WORKSPACE");
  EXPECT_EQ(out.str().rfind("::error file=lib/index.c,line=212,title=rename-without-fsync%3A ", 0), 0u) << out.str();
}

TEST(OutputGithubSink, StepSummaryTableCountsFindingsPerRuleAndFile) {
  char tmpl[] = "/tmp/duraudit-step-summary.XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  ::close(fd);
  const std::string path = tmpl;
  std::ofstream(path) << "earlier step\n";
  {
    std::string err;
    auto file = OutputFile::open(path, /*append=*/true, &err);
    ASSERT_TRUE(file) << err;
    std::ostringstream out;
    GithubSink sink(out, std::move(file));
    Finding f = testing::sample_rename_finding();
    sink.on_finding(f);
    sink.on_finding(f);
    f.path = "/d/x|y";
    sink.on_finding(f);
    Summary s;
    s.errors = 3;
    sink.on_summary(s);
    EXPECT_FALSE(sink.step_summary_failed());
  }
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  std::filesystem::remove(path);
  EXPECT_EQ(text.rfind("earlier step\n### duraudit\n", 0), 0u) << text;
  EXPECT_NE(text.find("| rule | severity | file | count |\n"), std::string::npos) << text;
  EXPECT_NE(text.find("| rename-without-fsync | error | /repo/.git/index | 2 |\n"), std::string::npos) << text;
  EXPECT_NE(text.find("| rename-without-fsync | error | /d/x\\|y | 1 |\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace duraudit
