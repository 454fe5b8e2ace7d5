// SPDX-License-Identifier: GPL-2.0-only
// The document formats (SARIF, JUnit, HTML), their escaping of hostile
// names, the timeline the HTML report draws, and reading a saved JSON run
// back (duraudit report).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "output/finding_timeline.h"
#include "output/fingerprint.h"
#include "output/html_report.h"
#include "output/json_line.h"
#include "output/json_sink.h"
#include "output/junit_sink.h"
#include "output/markup_escape.h"
#include "output/report_formats.h"
#include "output/saved_run.h"
#include "output/sarif_sink.h"
#include "output_test_findings.h"

namespace duraudit {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

// A name a traced process could choose: markup, quotes, a newline, ESC,
// a byte that is not UTF-8, and U+FFFE (valid UTF-8, not an XML character).
const std::string kHostile = "/d/<img src=x onerror=alert(1)>&\"'\n\x1b[31m\xff\xef\xbf\xbe";

EvidenceEvent event(uint64_t seq, uint64_t ts, std::string syscall, std::string op, std::string file,
                    std::string args = "", int64_t ret = 0, std::string file2 = "") {
  EvidenceEvent e;
  e.seq = seq;
  e.ts_ns = ts;
  e.pid = e.tid = 10;
  e.syscall = std::move(syscall);
  e.args = std::move(args);
  e.ret = ret;
  e.op = std::move(op);
  e.file = std::move(file);
  e.file2 = std::move(file2);
  return e;
}

Finding close_finding(const std::string& path) {
  Finding f;
  f.rule = "close-without-fsync";
  f.severity = Severity::Warning;
  f.pid = f.tid = 10;
  f.comm = "app";
  f.path = path;
  f.message = path + " was written and closed without fsync";
  f.fix = "fsync before close";
  f.evidence = {event(1, 1'000'000, "openat", "open", path, "O_WRONLY|O_CREAT", 3),
                event(2, 2'000'000, "write", "write", path, "3, 5 bytes", 5),
                event(3, 3'000'000, "close", "close", path, "3")};
  f.ts_ns = 9'000'000;
  return f;
}

TEST(MarkupEscape, HostileNamesCannotOpenMarkupOrCarryForbiddenCharacters) {
  std::string s = markup_name(kHostile);
  EXPECT_EQ(s.find('<'), std::string::npos);
  EXPECT_EQ(s.find('>'), std::string::npos);
  EXPECT_EQ(s.find('"'), std::string::npos);
  EXPECT_EQ(s.find('\''), std::string::npos);
  EXPECT_EQ(s.find('\n'), std::string::npos);
  EXPECT_EQ(s.find('\x1b'), std::string::npos);
  EXPECT_EQ(s.find("\xef\xbf\xbe"), std::string::npos);
  EXPECT_EQ(s, "/d/&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;\\n\\x1b[31m\\xff\\xef\\xbf\\xbe");
  // Composed text keeps its own newlines; control characters do not pass.
  EXPECT_EQ(markup_escape("a\nb\x01<"), "a\nb\\x01&lt;");
}

TEST(MarkupEscape, FileUrisPercentEncodeEveryByteThatIsNotUnreserved) {
  EXPECT_EQ(file_uri("/data/ckpt/chk-2/state-0"), "file:///data/ckpt/chk-2/state-0");
  EXPECT_EQ(file_uri("/d/a b#c?d%e\n\xff"), "file:///d/a%20b%23c%3Fd%25e%0A%FF");
  EXPECT_EQ(file_uri("/d/caf\xc3\xa9"), "file:///d/caf%C3%A9");
}

TEST(SarifSink, ResultsCarryTheFindingAndTheRunItsSummary) {
  std::ostringstream out;
  Config cfg = Config::defaults();
  SarifSink sink(out, cfg);
  Finding f = testing::sample_rename_finding();
  f.evidence[0].file = "/repo/.git/index.lock";
  sink.on_finding(f);
  Summary s;
  s.count(f);
  s.events = 812;
  sink.on_summary(s);
  json log = json::parse(out.str());
  EXPECT_EQ(log["version"], "2.1.0");
  const json& run = log["runs"][0];
  const json& driver = run["tool"]["driver"];
  EXPECT_EQ(driver["name"], "duraudit");
  ASSERT_TRUE(driver["rules"].is_array());
  bool found = false;
  for (const auto& r : driver["rules"])
    if (r["id"] == "rename-without-fsync") {
      found = true;
      EXPECT_EQ(r["defaultConfiguration"]["level"], "error");
      EXPECT_THAT(r["helpUri"].get<std::string>(), HasSubstr("docs/rules.md#rename-without-fsync"));
      EXPECT_FALSE(r["shortDescription"]["text"].get<std::string>().empty());
      EXPECT_FALSE(r["fullDescription"]["text"].get<std::string>().empty());
    }
  EXPECT_TRUE(found);
  ASSERT_EQ(run["results"].size(), 1u);
  const json& res = run["results"][0];
  EXPECT_EQ(res["ruleId"], "rename-without-fsync");
  EXPECT_EQ(res["level"], "error");
  EXPECT_EQ(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "file:///repo/.git/index");
  EXPECT_EQ(res["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "file:///repo/.git/index.lock");
  EXPECT_EQ(res["partialFingerprints"]["duraudit/v1"], fingerprint(f));
  const json& steps = res["codeFlows"][0]["threadFlows"][0]["locations"];
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[2]["location"]["message"]["text"], "rename(\"/repo/.git/index.lock\", \"/repo/.git/index\") = 0");
  EXPECT_EQ(run["properties"]["events"], 812);
  EXPECT_EQ(run["properties"]["incomplete"], false);
}

TEST(SarifSink, NoticesAreNotesAndHostileNamesStayValidJson) {
  std::ostringstream out;
  SarifSink sink(out, Config::defaults());
  Finding f = close_finding(kHostile);
  f.severity = Severity::Notice;
  sink.on_finding(f);
  sink.on_summary(Summary{});
  json log = json::parse(out.str());  // throws on invalid UTF-8
  const json& res = log["runs"][0]["results"][0];
  EXPECT_EQ(res["level"], "note");
  EXPECT_EQ(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "file:///d/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%26%22%27%0A%1B%5B31m%FF%EF%BF%BE");
}

// With a stack that has debug info, the result is at the program's source
// line (where it can be fixed), the file that can lose data a related
// location, and each step of the code flow at its own call's line.
TEST(SarifSink, AResultWithAStackIsAtTheSourceLineOfTheDecidingCall) {
  std::ostringstream out;
  SarifSink sink(out, Config::defaults());
  Finding f = close_finding("/d/state");
  const StackFrame libc{"close", "/usr/lib/x86_64-linux-gnu/libc.so.6", "", 0, 0x10};
  const StackFrame save{"save_state", "/opt/app/bin/app", "/src/app/state.c", 57, 0x1234};
  const StackFrame main_fr{"main", "/opt/app/bin/app", "/src/app/main.c", 91, 0x1300};
  f.evidence.front().stack = {libc, {"open_state", "/opt/app/bin/app", "/src/app/state.c", 40, 0x1200}, main_fr};
  f.evidence.back().stack = {libc, save, main_fr};
  sink.on_finding(f);
  sink.on_summary(Summary{});
  const json res = json::parse(out.str())["runs"][0]["results"][0];
  const json& at = res["locations"][0]["physicalLocation"];
  EXPECT_EQ(at["artifactLocation"]["uri"], "file:///src/app/state.c");
  EXPECT_EQ(at["region"]["startLine"], 57);
  const json& rel = res["relatedLocations"].back();
  EXPECT_EQ(rel["physicalLocation"]["artifactLocation"]["uri"], "file:///d/state");
  EXPECT_EQ(rel["message"]["text"], "the file that can lose data");
  const json& steps = res["codeFlows"][0]["threadFlows"][0]["locations"];
  EXPECT_EQ(steps.front()["location"]["physicalLocation"]["region"]["startLine"], 40);
  // A step without a stack stays at its file.
  EXPECT_EQ(steps[1]["location"]["physicalLocation"]["artifactLocation"]["uri"], "file:///d/state");
}

TEST(JunitSink, ASuitePerRuleACasePerFingerprintFailuresFromFailOn) {
  Config cfg = Config::defaults();
  std::ostringstream out;
  JunitSink sink(out, cfg, Severity::Error);
  Finding err = testing::sample_rename_finding();
  Finding warn = close_finding("/d/a");
  Finding warn_again = close_finding("/d/a");  // same fingerprint: the same test case
  sink.on_finding(err);
  sink.on_finding(warn);
  sink.on_finding(warn_again);
  sink.on_summary(Summary{});
  const std::string x = out.str();
  EXPECT_THAT(x, HasSubstr("<testsuites name=\"duraudit\" tests=\"2\" failures=\"1\" errors=\"0\""));
  EXPECT_THAT(x, HasSubstr("<testsuite name=\"rename-without-fsync\" tests=\"1\" failures=\"1\" errors=\"0\" "
                           "skipped=\"0\" time=\"0\">"));
  EXPECT_THAT(x, HasSubstr("<testsuite name=\"close-without-fsync\" tests=\"1\" failures=\"0\""));
  EXPECT_THAT(x, HasSubstr("<testcase name=\"/repo/.git/index [" + fingerprint(err) + "]\""));
  EXPECT_THAT(x, HasSubstr("<failure type=\"error\""));
  EXPECT_THAT(x, HasSubstr("<system-out>2 findings with this fingerprint"));
  EXPECT_THAT(x, HasSubstr("<testsuite name=\"state-deleted\" tests=\"0\""));  // every rule has its suite
}

TEST(JunitSink, HostileNamesAreEscaped) {
  std::ostringstream out;
  JunitSink sink(out, Config::defaults(), Severity::Warning);
  sink.on_finding(close_finding(kHostile));
  sink.on_summary(Summary{});
  const std::string x = out.str();
  EXPECT_THAT(x, Not(HasSubstr("<img")));
  EXPECT_THAT(x, Not(HasSubstr("\x1b")));
  EXPECT_THAT(x, Not(HasSubstr("\xff")));
  EXPECT_THAT(x, Not(HasSubstr("\xef\xbf\xbe")));
  EXPECT_THAT(x, HasSubstr("&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;\\n\\x1b[31m\\xff"));
}

TEST(FindingTimeline, AFileClosedUnsyncedIsNeverDurableAndTheCloseDecides) {
  Timeline t = build_timeline(close_finding("/d/a"));
  ASSERT_EQ(t.lanes.size(), 1u);
  EXPECT_TRUE(t.lanes[0].has_window);
  EXPECT_EQ(t.lanes[0].dirty_ns, 2'000'000u);  // the first write
  EXPECT_FALSE(t.lanes[0].durable_ns);
  EXPECT_EQ(t.start_ns, 1'000'000u);
  EXPECT_EQ(t.end_ns, 9'000'000u);  // the verdict
  ASSERT_TRUE(t.decided);
  EXPECT_EQ(*t.decided, 2u);  // the close
  EXPECT_EQ(t.lanes[0].events.size(), 3u);
}

TEST(FindingTimeline, AWindowTheProgramClosedEndsAtItsSync) {
  Finding f;
  f.rule = "unlink-before-durable";
  f.severity = Severity::Warning;
  f.path = "/d/old";
  f.related = {{"/d/new", "successor", "durable"}, {"/d/old", "deleted", "durable"}};
  f.evidence = {event(1, 100, "write", "write", "/d/new", "3, 4 bytes", 4), event(2, 200, "unlink", "unlink", "/d/old"),
                event(3, 500, "fsync", "fsync", "/d/new", "3")};
  f.closed_by = f.evidence[2];
  f.window_ns = 300;
  Timeline t = build_timeline(f);
  ASSERT_EQ(t.lanes.size(), 2u);  // /d/old once
  EXPECT_EQ(t.lanes[0].path, "/d/old");
  EXPECT_EQ(t.lanes[1].path, "/d/new");
  ASSERT_TRUE(t.lanes[1].has_window);
  EXPECT_EQ(t.lanes[1].dirty_ns, 100u);
  ASSERT_TRUE(t.lanes[1].durable_ns);
  EXPECT_EQ(*t.lanes[1].durable_ns, 500u);
  ASSERT_TRUE(t.decided);
  EXPECT_EQ(*t.decided, 1u);  // the unlink, not the later fsync
}

TEST(HtmlReport, SelfContainedEscapedAndDrawsEachWindow) {
  std::ostringstream out;
  HtmlReportSink sink(out);
  sink.on_finding(close_finding(kHostile));
  Summary s;
  s.warnings = 1;
  sink.on_summary(s);
  const std::string h = out.str();
  EXPECT_THAT(h, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(h, HasSubstr("default-src 'none'"));
  EXPECT_THAT(h, Not(HasSubstr("<img")));
  EXPECT_THAT(h, Not(HasSubstr("<script")));
  EXPECT_THAT(h, Not(HasSubstr("http://")));
  EXPECT_THAT(h, Not(HasSubstr("https://")));
  EXPECT_THAT(h, HasSubstr("data-windows=\"1\" data-never-durable=\"1\""));
  EXPECT_THAT(h, HasSubstr("class=\"window never-durable\""));
  EXPECT_THAT(h, HasSubstr("class=\"decided\""));
  EXPECT_THAT(h, HasSubstr("never durable"));
}

TEST(SavedRun, AFindingReadBackIsTheFindingWritten) {
  Finding f = close_finding("/d/n\xff\\x");
  f.related = {{"/d/dir", "directory", "entry-not-durable"}};
  f.closed_by = f.evidence[1];
  f.window_ns = 77;
  f.incomplete = true;
  f.incomplete_reason = "2 events were lost before this verdict";
  f.fingerprint = fingerprint(f);
  f.host = "node-7";
  f.wall_offset_ns = int64_t{1'796'187'600} * 1'000'000'000;
  f.evidence.back().stack = {{"close", "/usr/lib/x86_64-linux-gnu/libc.so.6", "", 0, 0x10},
                             {"save_state", "/opt/app", "/src/state.c", 57, 0x1234}};
  Summary s;
  s.count(f);
  s.events = 5;
  s.over_budget.push_back(OverBudgetProcess{9, "flood", 1234});
  s.stacks = {{"sent", 3}, {"unwound", 2}};
  s.events_lost_by_reason["ringbuf_full"] = 2;
  std::ostringstream out;
  JsonSink sink(out);
  sink.on_finding(f);
  sink.on_summary(s);

  std::istringstream in(out.str());
  std::vector<Finding> back;
  Summary sback;
  std::string err;
  ASSERT_TRUE(read_saved_run(in, "run.jsonl", [&](Finding&& g) { back.push_back(std::move(g)); }, sback, &err)) << err;
  ASSERT_EQ(back.size(), 1u);
  // The same JSON both ways is the same finding, field for field.
  EXPECT_EQ(json_line(finding_to_json(back[0])), json_line(finding_to_json(f)));
  EXPECT_EQ(json_line(summary_to_json(sback)), json_line(summary_to_json(s)));
  EXPECT_EQ(back[0].path, "/d/n\xff\\x");  // the bytes, decoded
}

TEST(SavedRun, BadLinesNameTheFileAndLine) {
  std::string err;
  Summary s;
  auto none = [](Finding&&) {};
  std::istringstream not_json("{\"type\":\"summary\"}\nhello\n");
  EXPECT_FALSE(read_saved_run(not_json, "f.jsonl", none, s, &err));
  EXPECT_THAT(err, HasSubstr("f.jsonl:2: not JSON"));
  std::istringstream no_rule("{\"type\":\"finding\",\"severity\":\"error\"}\n");
  EXPECT_FALSE(read_saved_run(no_rule, "f.jsonl", none, s, &err));
  EXPECT_THAT(err, HasSubstr("f.jsonl:1: a finding without \"rule\""));
  std::istringstream v2("{\"type\":\"summary\",\"schema_version\":2}\n");
  EXPECT_FALSE(read_saved_run(v2, "f.jsonl", none, s, &err));
  EXPECT_THAT(err, HasSubstr("f.jsonl:1: JSON output of schema version 2; this duraudit reads version 1"));
  std::istringstream cut("");
  Summary s2;
  EXPECT_TRUE(read_saved_run(cut, "f.jsonl", none, s2, &err));
  EXPECT_TRUE(s2.incomplete);
}

TEST(ReportFormats, OneTableNamesEveryFormat) {
  EXPECT_EQ(report_format_names(), "text, json, github, sarif, junit or html");
  for (const auto& f : report_formats()) {
    EXPECT_EQ(find_report_format(f.name), &f);
    std::ostringstream out;
    Config cfg = Config::defaults();
    ReportContext ctx;
    ctx.config = &cfg;
    auto sink = f.make(out, ctx);
    ASSERT_TRUE(sink) << f.name;
    sink->on_finding(close_finding("/d/a"));
    sink->on_summary(Summary{});
    EXPECT_FALSE(out.str().empty()) << f.name;
  }
  EXPECT_EQ(find_report_format("yaml"), nullptr);
}

}  // namespace
}  // namespace duraudit
