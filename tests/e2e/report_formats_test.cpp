// SPDX-License-Identifier: GPL-2.0-only
// Several outputs in one run (--json, --sarif, --junit, --html beside the
// main one), --format with every name of the format table, and `duraudit
// report` rendering a saved JSON run: each describes the same findings.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "e2e/background_process.h"
#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;
namespace fs = std::filesystem;

std::string hostile_log() { return source_dir() + "/tests/data/reports/hostile_names.strace"; }

std::vector<std::string> matches(const std::string& text, const std::string& pattern) {
  std::vector<std::string> out;
  std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1].str());
  return out;
}

std::multiset<std::string> fingerprints_of_json(const std::string& jsonl) {
  std::multiset<std::string> fps;
  for (const auto& f : parse_report(jsonl).findings) fps.insert(f["fingerprint"].get<std::string>());
  return fps;
}

std::multiset<std::string> fingerprints_of_sarif(const std::string& text) {
  std::multiset<std::string> fps;
  json log = json::parse(text);
  for (const auto& r : log["runs"][0]["results"]) fps.insert(r["partialFingerprints"]["duraudit/v1"].get<std::string>());
  return fps;
}

std::multiset<std::string> fingerprints_of_html(const std::string& text) {
  auto v = matches(text, "fingerprint <code>([0-9a-f]{16})</code>");
  return {v.begin(), v.end()};
}

std::set<std::string> fingerprints_of_junit(const std::string& text) {
  auto v = matches(text, "<testcase name=\"[^\"]*\\[([0-9a-f]{16})\\]\"");
  return {v.begin(), v.end()};
}

// The four files of one run, and the fingerprints in them agree.
void expect_same_findings(const ScratchDir& dir, size_t expected) {
  const std::string j = read_text(dir / "f.jsonl"), s = read_text(dir / "f.sarif"), x = read_text(dir / "f.xml"),
                    h = read_text(dir / "f.html");
  auto fj = fingerprints_of_json(j);
  ASSERT_EQ(fj.size(), expected) << j;
  EXPECT_EQ(fingerprints_of_sarif(s), fj);
  EXPECT_EQ(fingerprints_of_html(h), fj);
  EXPECT_EQ(fingerprints_of_junit(x), std::set<std::string>(fj.begin(), fj.end()));
  EXPECT_EQ(matches(h, "(<section class=\"finding )").size(), expected);
}

std::vector<std::string> four_outputs(const ScratchDir& dir) {
  return {"--json", dir / "f.jsonl", "--sarif", dir / "f.sarif", "--junit", dir / "f.xml", "--html", dir / "f.html"};
}

void expect_well_formed_xml(const std::string& path) {
  std::string xmllint = find_tool("xmllint");
  ASSERT_FALSE(xmllint.empty()) << "xmllint is missing: run scripts/setup.sh (libxml2-utils)";
  auto r = run_command({xmllint, "--noout", "--schema", source_dir() + "/tests/data/junit/junit-10.xsd", path});
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST(ReportFormats, OneRunWritesFourFilesAboutTheSameFindings) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string demo = demo_program("flink_checkpoint"), work = dir / "ckpt";
  ASSERT_EQ(run_command({demo, "setup", work}).status, 0);
  std::vector<std::string> args = {duraudit_bin(), "run", "--fail-on", "error", "-o", dir / "main.txt"};
  for (auto& a : four_outputs(dir)) args.push_back(a);
  for (auto a : {"--", "DEMO", "buggy", "WORK"}) args.push_back(a);
  args[args.size() - 3] = demo;
  args.back() = work;
  auto r = run_command(args);
  ASSERT_EQ(r.status, 3) << r.err;
  expect_same_findings(dir, parse_report(read_text(dir / "f.jsonl")).findings.size());
  EXPECT_GE(parse_report(read_text(dir / "f.jsonl")).findings.size(), 2u);
  // What the report draws from: each call's op and file, the verdict's time.
  for (const auto& f : parse_report(read_text(dir / "f.jsonl")).findings) {
    EXPECT_TRUE(f.contains("settled_ns")) << f.dump();
    for (const auto& e : f["evidence"]) {
      EXPECT_FALSE(e.value("op", "").empty()) << e.dump();
      EXPECT_THAT(e.value("file", ""), HasSubstr(work)) << e.dump();
    }
  }
  EXPECT_THAT(read_text(dir / "main.txt"), HasSubstr("unlink-before-durable"));
  expect_well_formed_xml(dir / "f.xml");
  // --fail-on error: the unlink-before-durable case is a failure.
  EXPECT_THAT(read_text(dir / "f.xml"), HasSubstr("<failure type=\"error\""));

  // report renders the saved run into the page --html wrote, byte for byte.
  auto rep = run_command({duraudit_bin(), "report", dir / "f.jsonl", "-o", dir / "again.html"});
  ASSERT_EQ(rep.status, 0) << rep.err;
  EXPECT_EQ(read_text(dir / "again.html"), read_text(dir / "f.html"));
  auto sarif = run_command({duraudit_bin(), "report", "--format", "sarif", dir / "f.jsonl"});
  ASSERT_EQ(sarif.status, 0) << sarif.err;
  EXPECT_EQ(sarif.out, read_text(dir / "f.sarif"));
}

TEST(ReportFormats, ReplayWritesThemTooAndEscapesHostileNames) {
  ScratchDir dir;
  std::vector<std::string> args = {duraudit_bin(), "replay", "--strace", hostile_log(), "--fail-on", "warning"};
  for (auto& a : four_outputs(dir)) args.push_back(a);
  auto r = run_command(args);
  ASSERT_EQ(r.status, 3) << r.err;
  expect_same_findings(dir, 4);
  const std::string h = read_text(dir / "f.html"), x = read_text(dir / "f.xml");
  for (const std::string& doc : {h, x}) {
    EXPECT_THAT(doc, Not(HasSubstr("<img")));
    EXPECT_THAT(doc, Not(HasSubstr("<script")));
    EXPECT_THAT(doc, Not(HasSubstr("\x1b")));
    EXPECT_THAT(doc, Not(HasSubstr("\xff")));
  }
  EXPECT_THAT(h, HasSubstr("&lt;img src=x onerror=alert(1)&gt;"));
  expect_well_formed_xml(dir / "f.xml");
  json sarif = json::parse(read_text(dir / "f.sarif"));
  std::set<std::string> uris;
  for (const auto& res : sarif["runs"][0]["results"])
    uris.insert(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].get<std::string>());
  EXPECT_TRUE(uris.count("file:///data/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E")) << sarif.dump(1);
}

TEST(ReportFormats, FormatAcceptsEveryNameForTheMainOutput) {
  for (const std::string fmt : {"text", "json", "sarif", "junit", "html"}) {
    auto r = run_command({duraudit_bin(), "replay", "--strace", hostile_log(), "--format", fmt});
    ASSERT_EQ(r.status, 0) << fmt << ": " << r.err;
    EXPECT_FALSE(r.out.empty()) << fmt;
    if (fmt == "sarif") EXPECT_EQ(json::parse(r.out)["version"], "2.1.0");
    if (fmt == "junit") EXPECT_THAT(r.out, HasSubstr("<testsuites"));
    if (fmt == "html") EXPECT_THAT(r.out, HasSubstr("<!DOCTYPE html>"));
  }
  auto bad = run_command({duraudit_bin(), "replay", "--strace", hostile_log(), "--format", "yaml"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.err, HasSubstr("--format must be text, json, github, sarif, junit or html (got 'yaml')"));
}

TEST(ReportFormats, OutputPathsAreCheckedBeforeTheSessionRuns) {
  ScratchDir dir;
  const std::string precious = dir / "precious";
  std::ofstream(precious) << "keep\n";
  // One file named twice.
  auto twice = run_command({duraudit_bin(), "replay", "--strace", hostile_log(), "-o", precious, "--sarif", precious});
  EXPECT_EQ(twice.status, 2);
  EXPECT_THAT(twice.err, HasSubstr("-o and --sarif both name " + precious));
  EXPECT_EQ(read_text(precious), "keep\n");
  // A side file that cannot be opened: nothing runs, the other outputs stay as they were.
  auto bad = run_command({duraudit_bin(), "replay", "--strace", hostile_log(), "--json", precious, "--html",
                          dir / "no-such-dir/r.html"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.err, HasSubstr("--html: cannot open output file " + (dir / "no-such-dir/r.html")));
  EXPECT_EQ(read_text(precious), "keep\n");
  // Under run, before the command starts: it never runs (125: duraudit's
  // own failure, not the command's).
  auto run = run_command({duraudit_bin(), "run", "--junit", dir / "no-such-dir/r.xml", "--", "/bin/sh", "-c",
                          "echo ran > " + (dir / "ran")});
  EXPECT_EQ(run.status, 125) << run.err;
  EXPECT_FALSE(fs::exists(dir / "ran"));
}

TEST(ReportFormats, HelpListsEveryFormat) {
  for (const std::string cmd : {"run", "replay", "attach"}) {
    auto r = run_command({duraudit_bin(), cmd, "--help"});
    ASSERT_EQ(r.status, 0);
    for (const char* flag : {"--json", "--sarif", "--junit", "--html"}) EXPECT_THAT(r.out, HasSubstr(flag)) << cmd;
    EXPECT_THAT(r.out, HasSubstr("text | json | github | sarif | junit | html")) << cmd;
    EXPECT_THAT(r.out, HasSubstr("also write SARIF 2.1.0 (code scanning) to FILE")) << cmd;
  }
  auto top = run_command({duraudit_bin(), "--help"});
  EXPECT_THAT(top.out, HasSubstr("report FINDINGS.jsonl"));
  EXPECT_THAT(top.out, HasSubstr("--format text|json|github|sarif|junit|html"));
  EXPECT_THAT(top.out, HasSubstr("--json FILE  --sarif FILE  --junit FILE  --html FILE"));
}

TEST(ReportFormats, ReportRefusesWhatIsNotASavedRun) {
  ScratchDir dir;
  std::ofstream(dir / "text.txt") << "error close-without-fsync /d/a\n";
  auto r = run_command({duraudit_bin(), "report", dir / "text.txt"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr(dir / "text.txt" + ":1: not JSON"));
  auto missing = run_command({duraudit_bin(), "report", dir / "none.jsonl"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_THAT(missing.err, HasSubstr("cannot read " + (dir / "none.jsonl")));
  auto nothing = run_command({duraudit_bin(), "report"});
  EXPECT_EQ(nothing.status, 2);
  // From stdin, a run cut short still renders, marked incomplete.
  auto cut = run_command({duraudit_bin(), "report", "-"}, "");
  EXPECT_EQ(cut.status, 0) << cut.err;
  EXPECT_THAT(cut.out, HasSubstr("no summary line"));
}

}  // namespace
}  // namespace duraudit::e2e
