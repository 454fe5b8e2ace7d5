// SPDX-License-Identifier: GPL-2.0-only
// Source attribution (docs/stacks.md): a finding names the function, and
// with debug info the file:line, that made the deciding call, for programs
// built the way release code is (-O2 -fomit-frame-pointer, with and without
// -g, stripped, and with frame pointers), through a shared library and from
// a thread; real Debian programs show frames inside their own binaries.
#include <fstream>
#include <sstream>

#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using nlohmann::json;

std::string stack_program(const std::string& variant) {
  return test_program("stacks/" + variant + "/stack_main");
}

std::string base(const std::string& path) {
  auto s = path.rfind('/');
  return s == std::string::npos ? path : path.substr(s + 1);
}

std::string str(const json& v) { return v.is_string() ? v.get<std::string>() : std::string(); }
int line_of(const json& frame) { return frame["line"].is_number() ? frame["line"].get<int>() : 0; }

// The line of stack_lib.c marked DECIDING(mark).
int deciding_line(const std::string& mark) {
  std::ifstream in(source_dir() + "/tests/programs/stacks/stack_lib.c");
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.find("DECIDING(" + mark + ")") != std::string::npos) return n;
  ADD_FAILURE() << "no DECIDING(" << mark << ") in stack_lib.c";
  return -1;
}

JsonReport audit(const std::vector<std::string>& cmd, const std::vector<std::string>& extra = {},
                 const std::string& sub = "run") {
  ScratchDir out_dir;
  std::string out = out_dir / "findings.jsonl";
  std::vector<std::string> argv{duraudit_bin(), sub, "--format", "json", "-o", out};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back("--");
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  CommandResult r = run_command(argv);
  EXPECT_EQ(r.status, 0) << "stderr:\n" << r.err;
  std::ifstream in(out);
  std::string jsonl((std::istreambuf_iterator<char>(in)), {});
  return parse_report(jsonl);
}

// The evidence entry of `f` for `syscall` (the last one).
json evidence_of(const json& f, const std::string& syscall) {
  json found;
  for (const auto& e : f.value("evidence", json::array()))
    if (e.value("syscall", "") == syscall) found = e;
  return found;
}

// Frames from the first one outside the C library.
std::vector<json> program_frames(const json& evidence) {
  std::vector<json> out;
  bool in_program = false;
  for (const auto& fr : evidence.value("stack", json::array())) {
    std::string m = base(str(fr["module"]));
    if (!in_program && (m.rfind("libc.so", 0) == 0 || m.rfind("ld-linux", 0) == 0)) continue;
    in_program = true;
    out.push_back(fr);
  }
  return out;
}

struct Case {
  std::string mode, rule, syscall, function, path;
};

const Case kCases[] = {
    {"close", "close-without-fsync", "close", "save_state", "state"},
    {"rename", "rename-without-fsync", "rename", "publish_state", "state"},
    {"unlink", "unlink-before-durable", "unlink", "replace_state", "old"},
};

class StacksTest : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

TEST_P(StacksTest, FindingNamesTheFunctionAndLineOfTheDecidingCall) {
  DURAUDIT_REQUIRE_ROOT();
  const auto& [variant, threaded] = GetParam();
  const bool debug_info = variant == "g" || variant == "fp";
  for (const Case& c : kCases) {
    SCOPED_TRACE(variant + " " + c.mode + (threaded ? " from a thread" : " from main"));
    ScratchDir dir;
    std::vector<std::string> cmd{stack_program(variant), c.mode, dir.path()};
    if (threaded) cmd.push_back("thread");
    JsonReport rep = audit(cmd);
    json finding;
    for (const auto& f : rep.of_rule(c.rule))
      if (f.value("path", "") == dir / c.path) finding = f;
    ASSERT_TRUE(finding.is_object()) << rep.describe();
    json ev = evidence_of(finding, c.syscall);
    ASSERT_TRUE(ev.is_object()) << finding.dump(2);
    auto frames = program_frames(ev);
    ASSERT_GE(frames.size(), 3u) << ev.dump(2);
    // The function that made the call, in the shared library.
    EXPECT_EQ(str(frames[0]["function"]), c.function) << ev.dump(2);
    EXPECT_EQ(base(str(frames[0]["module"])), "libstack_lib.so") << ev.dump(2);
    EXPECT_TRUE(frames[0]["offset"].is_string());
    if (debug_info) {
      EXPECT_EQ(base(str(frames[0]["file"])), "stack_lib.c") << ev.dump(2);
      EXPECT_EQ(line_of(frames[0]), deciding_line(c.mode)) << ev.dump(2);
    } else {
      EXPECT_TRUE(frames[0]["file"].is_null()) << ev.dump(2);
    }
    // Its callers, in the executable: named unless it was stripped.
    EXPECT_EQ(base(str(frames[1]["module"])), "stack_main") << ev.dump(2);
    if (variant != "stripped") {
      EXPECT_EQ(str(frames[1]["function"]), "run_mode") << ev.dump(2);
      EXPECT_EQ(str(frames[2]["function"]), threaded ? "worker" : "main") << ev.dump(2);
    } else {
      EXPECT_TRUE(frames[1]["function"].is_null()) << ev.dump(2);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Builds, StacksTest,
                         ::testing::Combine(::testing::Values("nog", "g", "stripped", "fp"), ::testing::Bool()),
                         [](const auto& info) {
                           return std::get<0>(info.param) + (std::get<1>(info.param) ? "_thread" : "_main");
                         });

TEST(Stacks, FramePointerBuildGivesTheSameFrames) {
  DURAUDIT_REQUIRE_ROOT();
  auto functions = [](const std::string& variant) {
    ScratchDir dir;
    JsonReport rep = audit({stack_program(variant), "close", dir.path()});
    std::vector<std::string> out;
    for (const auto& f : rep.of_rule("close-without-fsync"))
      for (const auto& fr : program_frames(evidence_of(f, "close")))
        out.push_back(str(fr["function"]) + ":" + std::to_string(line_of(fr)));
    return out;
  };
  auto omitted = functions("g"), kept = functions("fp");
  ASSERT_GE(omitted.size(), 3u);
  EXPECT_EQ(std::vector<std::string>(omitted.begin(), omitted.begin() + 3),
            std::vector<std::string>(kept.begin(), std::min(kept.end(), kept.begin() + 3)));
}

TEST(Stacks, TextShowsTheDecidingCallsTopFrames) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  // Text findings to stdout (-o -): under run they go to stderr by default.
  CommandResult r =
      run_command({duraudit_bin(), "run", "--color", "never", "-o", "-", "--", stack_program("g"), "close", dir.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string expected = "at save_state (stack_lib.c:" + std::to_string(deciding_line("close")) +
                         ") \u2190 run_mode (stack_main.c:";
  // Under the close, the deciding call of close-without-fsync.
  auto close_line = r.out.find(dir.path() + "/state>) = 0\n");
  ASSERT_NE(close_line, std::string::npos) << r.out;
  ASSERT_NE(r.out.rfind("close(", close_line), std::string::npos);
  auto at = r.out.find('\n', close_line) + 1;
  EXPECT_EQ(r.out.substr(at, r.out.find('\n', at) - at).find(expected) != std::string::npos, true) << r.out;
}

TEST(Stacks, OffLeavesEvidenceWithoutStacks) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  JsonReport rep = audit({stack_program("g"), "close", dir.path()}, {"--stacks=off"});
  ASSERT_FALSE(rep.of_rule("close-without-fsync").empty()) << rep.describe();
  for (const auto& f : rep.findings)
    for (const auto& e : f["evidence"]) EXPECT_FALSE(e.contains("stack")) << e.dump();
  EXPECT_FALSE(rep.summary.contains("stacks"));
}

TEST(Stacks, BadValuesStopRunBeforeTheCommand) {
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"--stacks=maybe"}, {"--stack-size", "10"}, {"--stack-size", "1000000"}, {"--stack-rate", "-1"}}) {
    std::vector<std::string> argv{duraudit_bin(), "run"};
    argv.insert(argv.end(), bad.begin(), bad.end());
    argv.insert(argv.end(), {"--", "true"});
    CommandResult r = run_command(argv);
    EXPECT_EQ(r.status, 125) << bad[0] << ": " << r.err;  // run's own failures: its statuses are the command's
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(Stacks, PerProcessBudgetCapsTheStacksSent) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  // 400 writable opens, renames and unlinks: 1200 stacks asked for, a burst
  // of 256 allowed at --stack-rate 1.
  JsonReport rep = audit({test_program("many_ops"), dir.path(), "400"}, {"--stack-rate", "1"});
  ASSERT_TRUE(rep.summary.contains("stacks")) << rep.summary.dump();
  const json& st = rep.summary["stacks"];
  EXPECT_LE(st.value("sent", 0), 260) << st.dump();
  EXPECT_GT(st.value("over_budget", 0), 900) << st.dump();
  EXPECT_EQ(rep.summary.value("events_lost", -1), 0);
}

TEST(Stacks, RecordThenReplayKeepsTheStacks) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string rec = dir / "trace.dar";
  ScratchDir work;
  CommandResult r = run_command({duraudit_bin(), "record", "-o", rec, "--", stack_program("g"), "close", work.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_command({duraudit_bin(), "replay", "--format", "json", rec});
  ASSERT_EQ(r.status, 0) << r.err;
  JsonReport rep = parse_report(r.out);
  auto fs = rep.of_rule("close-without-fsync");
  ASSERT_EQ(fs.size(), 1u) << rep.describe();
  auto frames = program_frames(evidence_of(fs[0], "close"));
  ASSERT_FALSE(frames.empty()) << fs[0].dump(2);
  EXPECT_EQ(str(frames[0]["function"]), "save_state");
  EXPECT_EQ(line_of(frames[0]), deciding_line("close"));
}

// Debian's gzip: stripped, no frame pointers, no debug info installed. Its
// close of f.gz shows frames inside /usr/bin/gzip (module+offset).
TEST(Stacks, RealGzipShowsFramesInItsOwnBinary) {
  DURAUDIT_REQUIRE_ROOT();
  std::string gzip = find_tool("gzip");
  DURAUDIT_REQUIRE_TOOL(gzip, "gzip");
  ScratchDir dir;
  std::ofstream(dir / "f") << std::string(10000, 'x');
  sync();
  JsonReport rep = audit({gzip, "-k", dir / "f"});
  json found;
  for (const auto& f : rep.of_rule("close-without-fsync"))
    if (f.value("path", "") == dir / "f.gz") found = f;
  ASSERT_TRUE(found.is_object()) << rep.describe();
  auto frames = program_frames(evidence_of(found, "close"));
  ASSERT_FALSE(frames.empty()) << found.dump(2);
  EXPECT_EQ(base(str(frames[0]["module"])), "gzip") << found.dump(2);
  EXPECT_GE(frames.size(), 2u) << found.dump(2);
}

// Debian's sqlite3 with synchronous=OFF (it never fsyncs): the close of the
// database shows frames inside libsqlite3 and the sqlite3 shell, both
// stripped (module+offset where no exported symbol covers the address).
TEST(Stacks, RealSqliteShowsFramesInItsLibraryAndShell) {
  DURAUDIT_REQUIRE_ROOT();
  std::string sqlite = find_tool("sqlite3");
  DURAUDIT_REQUIRE_TOOL(sqlite, "sqlite3");
  ScratchDir dir;
  JsonReport rep = audit({sqlite, dir / "db",
                          "PRAGMA synchronous=OFF; CREATE TABLE t(x); INSERT INTO t VALUES (randomblob(5000));"});
  json found;
  for (const auto& f : rep.of_rule("close-without-fsync"))
    if (f.value("path", "") == dir / "db") found = f;
  ASSERT_TRUE(found.is_object()) << rep.describe();
  auto frames = program_frames(evidence_of(found, "close"));
  ASSERT_GE(frames.size(), 2u) << found.dump(2);
  bool in_library = false, in_shell = false;
  for (const auto& fr : frames) {
    in_library |= base(str(fr["module"])).rfind("libsqlite3", 0) == 0;
    in_shell |= base(str(fr["module"])) == "sqlite3";
  }
  EXPECT_TRUE(in_library) << found.dump(2);
  EXPECT_TRUE(in_shell) << found.dump(2);
}

// CPython: the write of a file shows the interpreter's own frames, named
// from the symbols it exports.
TEST(Stacks, RealPythonShowsInterpreterFrames) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  JsonReport rep = audit({"/usr/bin/python3", "-c", "open(__import__('sys').argv[1], 'w').write('x')", dir / "out"});
  json found;
  for (const auto& f : rep.of_rule("close-without-fsync"))
    if (f.value("path", "") == dir / "out") found = f;
  ASSERT_TRUE(found.is_object()) << rep.describe();
  auto frames = program_frames(evidence_of(found, "close"));
  ASSERT_GE(frames.size(), 3u) << found.dump(2);
  bool python_function = false;
  for (const auto& fr : frames)
    if (base(str(fr["module"])).rfind("python3", 0) == 0 && str(fr["function"]).find("Py") != std::string::npos)
      python_function = true;
  EXPECT_TRUE(python_function) << found.dump(2);
}

}  // namespace
}  // namespace duraudit::e2e
