// SPDX-License-Identifier: GPL-2.0-only
// `--format github`: every line is a GitHub workflow command of the
// documented syntax, even for file names built to break it (newlines, `%`,
// `:`, `,`, `|`, a forged `::error::`), and with $GITHUB_STEP_SUMMARY set a
// Markdown table is appended to that file.
#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "e2e/background_process.h"
#include "e2e/e2e_util.h"
#include "util/text_escape.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;

// ::error|warning|notice, optional properties name=value joined by commas
// (a value holds no raw `,` `:` CR or LF), `::`, then a one-line message. Every
// `%` starts one of GitHub's escapes: %25 %0D %0A in the message, and %3A
// %2C too in a property.
const std::regex kWorkflowCommand(
    "::(error|warning|notice)"
    "( (title|file|line|endLine|col|endColumn)=([^,:%\r\n]|%25|%0D|%0A|%3A|%2C)*"
    "(,(title|file|line|endLine|col|endColumn)=([^,:%\r\n]|%25|%0D|%0A|%3A|%2C)*)*)?"
    "::([^%\r\n]|%25|%0D|%0A)*");

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// What the runner makes of an escaped value.
std::string unescape(std::string s) {
  for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"%0D", "\r"}, {"%0A", "\n"}, {"%3A", ":"}, {"%2C", ","}, {"%25", "%"}}) {
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, 3, to);
  }
  return s;
}

// The cells of a Markdown table row, split at each `|` not escaped by a backslash.
std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < row.size(); ++i) {
    if (row[i] == '\\' && i + 1 < row.size()) {
      cur += row.substr(i, 2);
      ++i;
    } else if (row[i] == '|') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += row[i];
    }
  }
  out.push_back(cur);
  return out;  // "" before the first and after the last bar
}

const char* kHostileNames =
    "import os, sys\n"
    "for n in ['50%25 done:a,b|c\\nd\\re', 'x::error::forged%0A::error title=t::m', 'plain']:\n"
    "    open(os.path.join(sys.argv[1], n), 'w').write('a')\n";

TEST(GithubFormat, EveryLineIsAWorkflowCommandAndTheStepSummaryIsATable) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir, out;
  const std::string summary = out / "step_summary.md", annotations = out / "annotations.txt";
  std::ofstream(summary) << "an earlier step wrote this\n";
  auto r = run_command({"/usr/bin/env", "GITHUB_STEP_SUMMARY=" + summary, duraudit_bin(), "run", "--format",
                        "github", "-o", annotations, "--", "/usr/bin/python3", "-c", kHostileNames, dir.path()});
  ASSERT_EQ(r.status, 0) << r.err;

  const auto lines = lines_of(read_text(annotations));
  ASSERT_FALSE(lines.empty());
  size_t findings = 0;
  for (const auto& l : lines) {
    EXPECT_TRUE(std::regex_match(l, kWorkflowCommand)) << "not a workflow command: " << l;
    EXPECT_EQ(l.find("file="), std::string::npos) << l;  // no source location is known
    if (l.find("title=close-without-fsync") != std::string::npos) ++findings;
  }
  EXPECT_EQ(findings, 3u) << read_text(annotations);
  EXPECT_EQ(lines.back().rfind("::notice title=duraudit summary::", 0), 0u) << lines.back();

  // Decoded, the title names the file C-escaped: its newline is `\n`, its
  // `%25` stays text, the forged command is inside the title.
  const std::string hostile = dir / "50%25 done:a,b|c\nd\re";
  bool seen = false, forged = false;
  for (const auto& l : lines) {
    size_t sep = l.find("::", 2);
    std::string title = unescape(l.substr(l.find("title=") + 6, sep - l.find("title=") - 6));
    std::string message = unescape(l.substr(sep + 2));
    if (title == "close-without-fsync: " + escape_text(hostile)) {
      seen = true;
      EXPECT_THAT(message, HasSubstr("file: " + escape_text(hostile) + "  process: python3["));
      EXPECT_THAT(message, HasSubstr("\nfix: "));
    }
    forged |= title == "close-without-fsync: " + dir.path() + "/x::error::forged%0A::error title=t::m";
  }
  EXPECT_TRUE(seen) << read_text(annotations);
  EXPECT_TRUE(forged) << read_text(annotations);

  // The step summary: appended after what was there, one table row per
  // (rule, severity, file), four cells each, names escaped.
  const std::string md = read_text(summary);
  ASSERT_EQ(md.rfind("an earlier step wrote this\n### duraudit\n", 0), 0u) << md;
  const auto md_lines = lines_of(md);
  auto header = std::find(md_lines.begin(), md_lines.end(), "| rule | severity | file | count |");
  ASSERT_NE(header, md_lines.end()) << md;
  ASSERT_NE(header + 1, md_lines.end());
  EXPECT_EQ(*(header + 1), "| --- | --- | --- | ---: |");
  size_t rows = 0, close_rows = 0;
  for (auto it = header + 2; it != md_lines.end() && !it->empty(); ++it) {
    ++rows;
    auto c = cells(*it);
    ASSERT_EQ(c.size(), 6u) << *it;  // "", rule, severity, file, count, ""
    EXPECT_EQ(c[0], "");
    EXPECT_EQ(c[5], "");
    EXPECT_EQ(c[4], " 1 ") << *it;
    if (c[1] == " close-without-fsync ") {
      ++close_rows;
      EXPECT_EQ(c[2], " warning ");
    }
  }
  EXPECT_EQ(close_rows, 3u) << md;
  EXPECT_GE(rows, 4u) << md;  // and missing-dir-fsync for the directory
  EXPECT_THAT(md, HasSubstr("50%25 done:a,b\\|c\\\\nd\\\\re | 1 |")) << md;
}

// Without -o, the annotations go where run's findings go: stderr (the
// runner reads workflow commands there too); no step summary without the
// variable.
TEST(GithubFormat, AnnotationsGoToStderrUnderRun) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  auto r = run_command({"/usr/bin/env", "-u", "GITHUB_STEP_SUMMARY", duraudit_bin(), "run", "--format", "github", "--",
                        "/bin/sh", "-c", "echo out; echo a > " + (dir / "f")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "out\n");
  EXPECT_THAT(r.err, HasSubstr("::warning title=close-without-fsync%3A " + (dir / "f") + "::"));
}

TEST(GithubFormat, AStepSummaryThatCannotBeWrittenIsRefusedBeforeRunning) {
  ScratchDir dir;
  auto r = run_command({"/usr/bin/env", "GITHUB_STEP_SUMMARY=/no/such/dir/summary.md", duraudit_bin(), "run",
                        "--format", "github", "--", "touch", dir / "ran"});
  EXPECT_EQ(r.status, 125) << r.err;
  EXPECT_THAT(r.err, HasSubstr("$GITHUB_STEP_SUMMARY"));
  EXPECT_FALSE(std::filesystem::exists(dir / "ran"));
}

}  // namespace
}  // namespace duraudit::e2e
