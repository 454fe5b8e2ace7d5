// SPDX-License-Identifier: GPL-2.0-only
// Offline audits give the live verdicts (issue 4, docs/offline.md).
//
// strace equivalence: each workload runs once, as
//   duraudit run --format json -o live.jsonl -- strace FLAGS -o LOG CMD...
// so the live capture and strace see the very same execution; then
//   duraudit replay --strace LOG --format json
// must report the same findings about the workload's files (rule,
// severity, comm, path, related paths and roles; pid, evidence and times
// differ by nature). strace's own log lives in another directory, so the
// live findings about it (comm "strace") fall outside the comparison.
//
// Record round trip: the workload runs under `duraudit run`, then again
// (same paths, fresh files) under `duraudit record`; replaying the recording
// must give the live findings.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>

#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

void write_durable(const std::string& path, const std::string& data) {
  std::ofstream(path) << data;
  sync();  // it existed, durable, before the session
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// A finding as the comparison sees it: one line, related sorted.
std::string comparable(const nlohmann::json& f) {
  std::vector<std::string> rel;
  for (const auto& r : f.value("related", nlohmann::json::array()))
    rel.push_back(r.value("path", "") + ":" + r.value("role", ""));
  std::sort(rel.begin(), rel.end());
  std::string s = f.value("rule", "") + " " + f.value("severity", "") + " comm=" + f.value("comm", "") + " " +
                  f.value("path", "");
  for (const auto& r : rel) s += " [" + r + "]";
  return s;
}

bool under(const std::string& path, const std::string& dir) {
  return path == dir || path.rfind(dir + "/", 0) == 0;
}

// The findings about files in `dir`, sorted.
std::vector<std::string> findings_in(const JsonReport& rep, const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& f : rep.findings)
    if (under(f.value("path", ""), dir)) out.push_back(comparable(f));
  std::sort(out.begin(), out.end());
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += "  " + x + "\n";
  return s.empty() ? "  (none)\n" : s;
}

JsonReport read_report(const std::string& path, const CommandResult& r) {
  JsonReport rep = parse_report(slurp(path));
  EXPECT_TRUE(rep.summary.is_object()) << "no summary in " << path << "\nstderr:\n" << r.err;
  return rep;
}

// ---- workloads ----

struct Workload {
  std::string name;
  // Prepares `dir` outside any trace (files that existed before) and
  // returns the command to audit.
  std::function<std::vector<std::string>(const std::string& dir)> prepare;
  int status = 0;
};

std::string sqlite_sql(const std::string& mode) {
  std::string sql = "PRAGMA journal_mode=" + mode + "; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);";
  for (int i = 0; i < 5; ++i) sql += "INSERT INTO t(v) VALUES ('row " + std::to_string(i) + "');";
  return sql;
}

std::vector<Workload> workloads() {
  std::vector<Workload> w;
  auto program = [&](const std::string& name, std::vector<std::string> extra = {}, int status = 0) {
    w.push_back({"prog_" + name,
                 [name, extra](const std::string& dir) {
                   std::vector<std::string> cmd{test_program(name), dir};
                   cmd.insert(cmd.end(), extra.begin(), extra.end());
                   return cmd;
                 },
                 status});
  };
  program("relative_paths");
  program("misc_ops");
  program("renames");
  program("fork_child");
  program("exit_noclose", {}, 7);  // exit_group(7) with the file still open
  program("threads_write");
  program("tmpfile_link");
  program("vectored_writes");
  program("dup_close");
  program("failures");
  program("many_ops", {"20"});
  program("write_storm", {"200"});
  w.push_back({"prog_exec_cloexec", [](const std::string& dir) {
                 return std::vector<std::string>{test_program("exec_cloexec"), dir, test_program("exec_target")};
               }});
  for (std::string mode : {"buggy", "fixed"}) {
    w.push_back({"flink_" + mode, [mode](const std::string& dir) {
                   EXPECT_EQ(run_command({demo_program("flink_checkpoint"), "setup", dir}).status, 0);
                   sync();
                   return std::vector<std::string>{demo_program("flink_checkpoint"), mode, dir};
                 }});
  }
  w.push_back({"sqlite3_rollback", [](const std::string& dir) {
                 return std::vector<std::string>{"sqlite3", dir + "/app.db", sqlite_sql("DELETE")};
               }});
  w.push_back({"sqlite3_wal", [](const std::string& dir) {
                 return std::vector<std::string>{"sqlite3", dir + "/wal.db", sqlite_sql("WAL")};
               }});
  w.push_back({"python_json_dump", [](const std::string& dir) {
                 write_durable(dir + "/config.json", "{\"version\": 1}\n");
                 return std::vector<std::string>{
                     kPython, "-c",
                     "import json,sys\n"
                     "with open(sys.argv[1], 'w') as f: json.dump({'version': 2, 'nodes': [1,2,3]}, f)\n",
                     dir + "/config.json"};
               }});
  w.push_back({"python_replace_nofsync", [](const std::string& dir) {
                 write_durable(dir + "/state.json", "{}\n");
                 return std::vector<std::string>{kPython, "-c",
                                                 "import os,sys\n"
                                                 "t = sys.argv[1]\n"
                                                 "with open(t + '.tmp', 'w') as f: f.write('{\"counter\": 42}')\n"
                                                 "os.replace(t + '.tmp', t)\n",
                                                 dir + "/state.json"};
               }});
  w.push_back({"python_replace_fsync", [](const std::string& dir) {
                 write_durable(dir + "/state.json", "{}\n");
                 return std::vector<std::string>{kPython, "-c",
                                                 "import os,sys\n"
                                                 "t = sys.argv[1]\n"
                                                 "with open(t + '.tmp', 'w') as f:\n"
                                                 "    f.write('{\"counter\": 42}')\n"
                                                 "    f.flush()\n"
                                                 "    os.fsync(f.fileno())\n"
                                                 "os.replace(t + '.tmp', t)\n"
                                                 "d = os.open(os.path.dirname(t), os.O_RDONLY | os.O_DIRECTORY)\n"
                                                 "os.fsync(d)\n"
                                                 "os.close(d)\n",
                                                 dir + "/state.json"};
               }});
  w.push_back({"coreutils_mv", [](const std::string& dir) {
                 write_durable(dir + "/a", "durable data\n");
                 return std::vector<std::string>{"mv", dir + "/a", dir + "/b"};
               }});
  w.push_back({"coreutils_cp", [](const std::string& dir) {
                 write_durable(dir + "/src", std::string(100000, 'x'));
                 return std::vector<std::string>{"cp", dir + "/src", dir + "/dst"};
               }});
  w.push_back({"coreutils_install", [](const std::string& dir) {
                 write_durable(dir + "/src", "#!/bin/sh\necho hi\n");
                 return std::vector<std::string>{"install", "-m", "644", dir + "/src", dir + "/dst"};
               }});
  return w;
}

// ---- strace flag sets ----

struct FlagSet {
  std::string name;
  std::vector<std::string> flags;
  bool per_pid = false;  // -ff: LOG is a prefix of LOG.PID files
};

std::vector<FlagSet> flag_sets() {
  return {{"f", {"-f"}},
          {"f_tt_yy", {"-f", "-tt", "-yy"}},
          {"ff", {"-ff"}, true},
          {"f_ttt_T_xx", {"-f", "-ttt", "-T", "-xx"}}};
}

// Where replay of an strace log differs from the live run for a reason the
// log itself imposes (docs/offline.md, "What strace cannot tell"): the live
// findings, transformed into what replay must report.
std::vector<std::string> expected_from_strace(const std::string& workload, const std::string& dir,
                                              std::vector<std::string> live) {
  if (workload == "python_json_dump") {
    // open(path, 'w') is O_WRONLY|O_CREAT|O_TRUNC on a file that existed.
    // strace does not say whether O_CREAT created it, and the log has not
    // seen the path before: replay counts it as created. So the truncation
    // of an existing file (truncate-in-place) becomes the creation of a new
    // one, whose directory entry was never fsynced (missing-dir-fsync).
    const std::string cfg = dir + "/config.json";
    std::vector<std::string> out;
    for (auto& f : live)
      if (f.rfind("truncate-in-place ", 0) != 0) out.push_back(f);
    out.push_back("missing-dir-fsync warning comm=python3 " + dir + " [" + cfg + ":source] [" + dir + ":directory]");
    std::sort(out.begin(), out.end());
    EXPECT_EQ(out.size(), live.size()) << "the live run should have had truncate-in-place on " << cfg;
    return out;
  }
  return live;
}

void PrintTo(const Workload& w, std::ostream* os) { *os << w.name; }
void PrintTo(const FlagSet& f, std::ostream* os) { *os << f.name; }

class StraceEquivalence : public ::testing::TestWithParam<std::tuple<Workload, FlagSet>> {};

TEST_P(StraceEquivalence, ReplayedFindingsEqualLiveFindings) {
  DURAUDIT_REQUIRE_ROOT();
  const auto& [work, flags] = GetParam();
  // The workload's files in SCRATCH/job/data, strace's log in SCRATCH/logs:
  // outside the scope (the grandparent's subtree) of every workload file, so
  // strace writing its log cannot stand in for a "replacement" live.
  ScratchDir scratch;
  const std::string dir = scratch / "job/data", logs = scratch / "logs";
  std::filesystem::create_directories(dir);
  std::filesystem::create_directories(logs);
  sync();
  std::vector<std::string> cmd = work.prepare(dir);
  std::string log = logs + "/trace.log";

  std::vector<std::string> argv{duraudit_bin(), "run", "--format", "json", "-o", logs + "/live.jsonl", "--", "strace"};
  argv.insert(argv.end(), flags.flags.begin(), flags.flags.end());
  argv.insert(argv.end(), {"-o", log});
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  CommandResult live_run = run_command(argv);
  ASSERT_EQ(live_run.status, work.status) << "stderr:\n" << live_run.err;
  JsonReport live = read_report(logs + "/live.jsonl", live_run);
  ASSERT_EQ(live.summary.value("events_lost", -1), 0) << "live capture lost events: no ground truth";

  CommandResult replay_run =
      run_command({duraudit_bin(), "replay", "--strace", log, "--format", "json", "-o", logs + "/replay.jsonl"});
  ASSERT_EQ(replay_run.status, 0) << "stderr:\n" << replay_run.err;
  JsonReport replay = read_report(logs + "/replay.jsonl", replay_run);
  EXPECT_EQ(replay.summary.value("incomplete", true), false) << replay.summary.dump();
  EXPECT_EQ(replay_run.err.find("unparsed line"), std::string::npos) << replay_run.err;

  auto want = expected_from_strace(work.name, dir, findings_in(live, dir));
  auto got = findings_in(replay, dir);
  std::cout << "[ compared ] " << work.name << " strace " << flags.name << ": " << want.size() << " findings\n";
  EXPECT_EQ(got, want) << "live, with the documented strace differences applied:\n"
                       << joined(want) << "replayed:\n"
                       << joined(got);
}

std::string param_name(const ::testing::TestParamInfo<StraceEquivalence::ParamType>& info) {
  return std::get<0>(info.param).name + "__" + std::get<1>(info.param).name;
}

INSTANTIATE_TEST_SUITE_P(Workloads, StraceEquivalence,
                         ::testing::Combine(::testing::ValuesIn(workloads()), ::testing::ValuesIn(flag_sets())),
                         param_name);

// ---- record -> replay ----

Workload workload_named(const std::string& name) {
  for (auto& w : workloads())
    if (w.name == name) return w;
  ADD_FAILURE() << "no workload " << name;
  return {};
}

// Empties `dir` (keeping the directory itself) for the workload's second run.
void reset_dir(const std::string& dir) {
  for (const auto& e : std::filesystem::directory_iterator(dir)) std::filesystem::remove_all(e.path());
  sync();
}

class RecordRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(RecordRoundTrip, ReplayOfTheRecordingEqualsTheLiveRun) {
  DURAUDIT_REQUIRE_ROOT();
  Workload work = workload_named(GetParam());
  ScratchDir dir, out;

  std::vector<std::string> cmd = work.prepare(dir.path());
  std::vector<std::string> argv{duraudit_bin(), "run", "--format", "json", "-o", out / "live.jsonl", "--"};
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  CommandResult live_run = run_command(argv);
  ASSERT_EQ(live_run.status, work.status) << live_run.err;
  JsonReport live = read_report(out / "live.jsonl", live_run);

  reset_dir(dir.path());
  cmd = work.prepare(dir.path());
  argv = {duraudit_bin(), "record", "-o", out / "trace.rec", "--"};
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  CommandResult rec = run_command(argv);
  ASSERT_EQ(rec.status, work.status) << rec.err;

  CommandResult replay_run =
      run_command({duraudit_bin(), "replay", out / "trace.rec", "--format", "json", "-o", out / "replay.jsonl"});
  ASSERT_EQ(replay_run.status, 0) << replay_run.err;
  JsonReport replay = read_report(out / "replay.jsonl", replay_run);
  EXPECT_EQ(replay.summary.value("incomplete", true), false) << replay.summary.dump();

  auto want = findings_in(live, dir.path());
  auto got = findings_in(replay, dir.path());
  std::cout << "[ compared ] " << GetParam() << " record: " << want.size() << " findings\n";
  // prog_relative_paths publishes a.txt unsynced and deletes it before the
  // session ends: nothing is left for a crash to lose, so no finding.
  EXPECT_FALSE(want.empty() && GetParam() != "flink_fixed" && GetParam() != "python_replace_fsync" &&
               GetParam() != "prog_relative_paths")
      << "the workload should have findings to compare";
  EXPECT_EQ(got, want) << "live:\n" << joined(want) << "replayed:\n" << joined(got);
}

INSTANTIATE_TEST_SUITE_P(Workloads, RecordRoundTrip,
                         ::testing::Values("flink_buggy", "flink_fixed", "python_json_dump", "python_replace_nofsync",
                                           "python_replace_fsync", "sqlite3_rollback", "sqlite3_wal",
                                           "prog_relative_paths", "prog_exec_cloexec", "coreutils_cp"));

// A recorded relative path resolves against the recorded cwd, not the
// replayer's: the process seed carries it.
TEST(RecordReplay, RelativePathsResolveAgainstTheRecordedCwd) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir, out;
  // The command starts in `dir` (it inherits our cwd) and only ever uses a
  // relative path: nothing in the event stream names `dir`.
  std::string here = std::filesystem::current_path().string();
  ASSERT_EQ(chdir(dir.path().c_str()), 0);
  CommandResult rec = run_command(
      {duraudit_bin(), "record", "-o", out / "trace.rec", "--", kPython, "-c", "open('rel.txt', 'w').write('x')"});
  ASSERT_EQ(chdir(here.c_str()), 0);
  ASSERT_EQ(rec.status, 0) << rec.err;
  // Replayed from another directory, with --cwd pointing elsewhere too.
  CommandResult r = run_command({duraudit_bin(), "replay", out / "trace.rec", "--cwd", "/nonexistent", "--format",
                                 "json", "-o", out / "replay.jsonl"});
  ASSERT_EQ(r.status, 0) << r.err;
  JsonReport rep = read_report(out / "replay.jsonl", r);
  auto unsynced = rep.of_rule("close-without-fsync");
  ASSERT_EQ(unsynced.size(), 1u) << rep.describe();
  EXPECT_EQ(unsynced[0]["path"], dir / "rel.txt");
  auto dirs = rep.of_rule("missing-dir-fsync");
  ASSERT_EQ(dirs.size(), 1u) << rep.describe();
  EXPECT_EQ(dirs[0]["path"], dir.path());
}

JsonReport replay_json(const std::string& file, CommandResult* r, const std::vector<std::string>& extra = {}) {
  ScratchDir out;
  std::vector<std::string> argv{duraudit_bin(), "replay", file, "--format", "json", "-o", out / "r.jsonl"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  *r = run_command(argv);
  return parse_report(slurp(out / "r.jsonl"));
}

TEST(RecordReplay, TruncatedRecordingReplaysToItsLastCompleteEventAndSaysSo) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir, out;
  Workload work = workload_named("flink_buggy");
  std::vector<std::string> argv{duraudit_bin(), "record", "-o", out / "trace.rec", "--"};
  auto cmd = work.prepare(dir.path());
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  ASSERT_EQ(run_command(argv).status, 0);
  std::string bytes = slurp(out / "trace.rec");
  ASSERT_GT(bytes.size(), 2000u);
  // Cut in the middle of the file: almost surely inside an event record.
  std::string cut = out / "cut.rec";
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2 + 3);

  CommandResult r;
  JsonReport rep = replay_json(cut, &r);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("is truncated"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("up to the last complete one"), std::string::npos) << r.err;
  ASSERT_TRUE(rep.summary.is_object()) << r.err;
  EXPECT_EQ(rep.summary.value("incomplete", false), true) << rep.summary.dump();
  EXPECT_NE(rep.summary.value("incomplete_reason", "").find("truncated"), std::string::npos) << rep.summary.dump();
  EXPECT_GT(rep.summary.value("events", 0), 0);
}

TEST(RecordReplay, AFileThatIsNotARecordingIsAClearErrorWithExitOne) {
  ScratchDir out;
  std::string f = out / "notes.txt";
  std::ofstream(f) << "openat(AT_FDCWD, \"x\", O_RDONLY) = 3\n";
  CommandResult r = run_command({duraudit_bin(), "replay", f});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find(f + " is not a duraudit recording"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("duraudit replay --strace"), std::string::npos) << r.err;
}

// ---- strace logs: stdin, garbage, filtering ----

TEST(StraceReplay, ReadsTheLogFromStdin) {
  std::string log =
      "100 openat(AT_FDCWD</data>, \"state.tmp\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3</data/state.tmp>\n"
      "100 write(3</data/state.tmp>, \"x\", 1) = 1\n"
      "100 close(3</data/state.tmp>) = 0\n"
      "100 rename(\"/data/state.tmp\", \"/data/state\") = 0\n"
      "100 +++ exited with 0 +++\n";
  CommandResult r = run_command({duraudit_bin(), "replay", "--strace", "-", "--format", "json"}, log);
  EXPECT_EQ(r.status, 0) << r.err;
  JsonReport rep = parse_report(r.out);
  auto f = rep.of_rule("rename-without-fsync");
  ASSERT_EQ(f.size(), 1u) << rep.describe();
  EXPECT_EQ(f[0]["path"], "/data/state");
}

// --grace makes the trace's own clock settle verdicts, as attach does live:
// a file still dirty 5 s after its close is reported even though it was
// deleted later; without --grace the deletion (by the end) answers it.
TEST(StraceReplay, GraceSettlesByTheTraceClock) {
  std::string log =
      "100 1700000000.000000 openat(AT_FDCWD, \"/data/scratch\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3\n"
      "100 1700000000.000100 write(3, \"x\", 1) = 1\n"
      "100 1700000000.000200 close(3) = 0\n"
      "100 1700000010.000000 unlink(\"/data/scratch\") = 0\n"
      "100 1700000010.000100 +++ exited with 0 +++\n";
  CommandResult whole = run_command({duraudit_bin(), "replay", "--strace", "-", "--format", "json"}, log);
  EXPECT_EQ(whole.status, 0) << whole.err;
  EXPECT_EQ(parse_report(whole.out).of_rule("close-without-fsync").size(), 0u) << whole.out;

  CommandResult timed =
      run_command({duraudit_bin(), "replay", "--strace", "-", "--grace", "5s", "--format", "json"}, log);
  EXPECT_EQ(timed.status, 0) << timed.err;  // a warning: below the default --fail-on
  JsonReport rep = parse_report(timed.out);
  auto f = rep.of_rule("close-without-fsync");
  ASSERT_EQ(f.size(), 1u) << rep.describe();
  EXPECT_EQ(f[0]["path"], "/data/scratch");
  EXPECT_NE(f[0]["message"].get<std::string>().find("5 s later"), std::string::npos) << f[0].dump();
}

TEST(StraceReplay, GarbageLinesAreCountedAndQuotedWithLineNumbers) {
  ScratchDir out;
  std::string f = out / "mixed.log";
  std::ofstream(f) << "100 openat(AT_FDCWD, \"/data/a\", O_WRONLY|O_CREAT, 0644) = 3\n"
                   << "this is not strace output\n"
                   << "100 write(3, \"abc\", 3) = 3\n"
                   << "100 openat(AT_FDCWD, \"/data/b\", O_WRONLY\n"  // cut mid-line
                   << "%%% garbage %%%\n"
                   << "100 close(3) = 0\n"
                   << "100 +++ exited with 0 +++\n";
  CommandResult r;
  JsonReport rep = replay_json(f, &r, {"--strace"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find(f + ":2: unparsed line"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("this is not strace output"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(f + ":4: unparsed line"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(f + ":5: unparsed line"), std::string::npos) << r.err;
  // The replay completed: the rest of the log was audited.
  EXPECT_EQ(rep.of_rule("close-without-fsync").size(), 1u) << rep.describe();
  EXPECT_EQ(rep.summary.value("events_lost", 0), 3) << rep.summary.dump();
}

TEST(StraceReplay, FilteredLiveLogSaysWritesWereAssumed) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir, logs;
  std::string log = logs / "filtered.log";
  std::string target = dir / "state.json";
  write_durable(target, "{}\n");
  CommandResult s = run_command({"strace", "-f", "-e", "trace=openat,close,rename", "-o", log, kPython, "-c",
                                 "import os,sys\n"
                                 "t = sys.argv[1]\n"
                                 "with open(t + '.tmp', 'w') as f: f.write('{\"counter\": 42}')\n"
                                 "os.replace(t + '.tmp', t)\n",
                                 target});
  ASSERT_EQ(s.status, 0) << s.err;
  CommandResult r;
  JsonReport rep = replay_json(log, &r, {"--strace"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("assumed written"), std::string::npos) << r.err;
  ASSERT_TRUE(rep.summary.is_object());
  EXPECT_EQ(rep.summary.value("incomplete", false), true);
  EXPECT_NE(rep.summary.value("incomplete_reason", "").find("assumed written"), std::string::npos)
      << rep.summary.dump();
  // The verdict the unfiltered log gives survives the assumption.
  auto f = rep.of_rule("rename-without-fsync");
  ASSERT_EQ(f.size(), 1u) << rep.describe();
  EXPECT_EQ(f[0]["path"], target);
}

// ---- strace logs of io_uring and Linux AIO programs (issue 11) ----

// fio writing its file through io_uring (or Linux AIO), under strace -f: the
// log shows io_uring_setup and io_uring_enter (io_setup, io_submit...),
// never the writes or syncs they carry. The replay says so once on stderr
// and marks the findings about fio's file incomplete, with the reason; a
// file only the shell wrote, with write(2), stays a complete finding.
struct AsyncEngine {
  const char* label;
  const char* engine;  // fio --ioengine
  const char* setup;   // the call the log must show
  const char* uses;    // how the reason names it
};

void PrintTo(const AsyncEngine& e, std::ostream* os) { *os << e.label; }

class StraceAsyncIo : public ::testing::TestWithParam<AsyncEngine> {};

TEST_P(StraceAsyncIo, FindingsAboutItsFilesAreIncompleteAndTheReplaySaysSoOnce) {
  DURAUDIT_REQUIRE_ROOT();  // strace -f, as the other live logs here
  const AsyncEngine& e = GetParam();
  if (!std::filesystem::exists("/usr/bin/fio")) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL() << "fio is missing (scripts/setup.sh installs it)";
    GTEST_SKIP() << "fio is not installed";
  }
  ScratchDir dir, logs;
  const std::string file = dir / "f", other = dir / "other", log = logs / "fio.log";
  const std::string fio = std::string("fio --name=x --ioengine=") + e.engine +
                          " --rw=write --bs=4k --size=64k --fsync=0 --filename=" + file;
  CommandResult s = run_command(
      {"strace", "-f", "-o", log, "/bin/sh", "-c", fio + " >/dev/null && echo unsynced > " + other});
  ASSERT_EQ(s.status, 0) << s.out << s.err;
  const std::string text = slurp(log);
  ASSERT_NE(text.find(std::string(e.setup) + "("), std::string::npos) << "no " << e.setup << " in the log";

  CommandResult r;
  JsonReport rep = replay_json(log, &r, {"--strace"});
  EXPECT_NE(r.status, 1) << r.err;
  EXPECT_NE(r.status, 2) << r.err;
  // The notice, once.
  const std::string notice = "warning: strace cannot see io_uring or Linux AIO operations; pid ";
  size_t at = r.err.find(notice);
  ASSERT_NE(at, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(notice, at + 1), std::string::npos) << "said more than once:\n" << r.err;
  EXPECT_NE(r.err.find(std::string("(fio) used ") + e.uses), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("findings about its files are marked incomplete"), std::string::npos) << r.err;

  auto about = [&](const nlohmann::json& f, const std::string& p) {
    if (f.value("path", "") == p) return true;
    for (const auto& rel : f.value("related", nlohmann::json::array()))
      if (rel.value("path", "") == p) return true;
    return false;
  };
  size_t fio_findings = 0, other_findings = 0;
  for (const auto& f : rep.findings) {
    if (about(f, file)) {
      ++fio_findings;
      EXPECT_EQ(f.value("incomplete", false), true) << f.dump();
      const std::string why = f.value("incomplete_reason", "");
      EXPECT_NE(why.find(std::string("(fio) used ") + e.uses + ", whose operations strace cannot show"),
                std::string::npos)
          << f.dump();
    } else if (f.value("path", "") == other) {
      ++other_findings;
      EXPECT_FALSE(f.value("incomplete", false)) << "the shell's own file: " << f.dump();
    }
  }
  // fio creates and preallocates its file with fallocate(2) (visible) and
  // never fsyncs it (--fsync=0): close-without-fsync at least.
  EXPECT_GE(fio_findings, 1u) << rep.describe();
  EXPECT_GE(other_findings, 1u) << rep.describe();
  ASSERT_TRUE(rep.summary.is_object());
  EXPECT_EQ(rep.summary.value("incomplete", false), true) << rep.summary.dump();
  EXPECT_NE(rep.summary.value("incomplete_reason", "").find("strace cannot see io_uring or Linux AIO operations"),
            std::string::npos)
      << rep.summary.dump();

  // The text report says it under the finding.
  CommandResult t = run_command({duraudit_bin(), "replay", "--strace", log});
  EXPECT_NE(t.out.find("incomplete: pid "), std::string::npos) << t.out;
  EXPECT_NE(t.out.find(std::string("used ") + e.uses + ", whose operations strace cannot show"), std::string::npos)
      << t.out;
}

INSTANTIATE_TEST_SUITE_P(Engines, StraceAsyncIo,
                         ::testing::Values(AsyncEngine{"io_uring", "io_uring", "io_uring_setup", "io_uring"},
                                           AsyncEngine{"libaio", "libaio", "io_setup", "Linux AIO"}),
                         [](const auto& info) { return std::string(info.param.label); });

// The same program in a recording would carry the operations: only strace
// logs are marked. A log with no io_uring or AIO call says nothing.
TEST(StraceReplay, ALogWithoutAsyncIoSaysNothingAboutIt) {
  std::string log =
      "100 openat(AT_FDCWD, \"/data/a\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3\n"
      "100 write(3, \"x\", 1) = 1\n"
      "100 close(3) = 0\n"
      "100 +++ exited with 0 +++\n";
  CommandResult r = run_command({duraudit_bin(), "replay", "--strace", "-", "--format", "json"}, log);
  EXPECT_EQ(r.err.find("io_uring"), std::string::npos) << r.err;
  JsonReport rep = parse_report(r.out);
  ASSERT_EQ(rep.of_rule("close-without-fsync").size(), 1u) << rep.describe();
  EXPECT_FALSE(rep.of_rule("close-without-fsync")[0].value("incomplete", false));
}

// Many io_uring processes: a few are named, then how many more.
TEST(StraceReplay, TheNoticeNamesAFewProcessesThenCountsTheRest) {
  std::string log;
  for (int pid = 100; pid < 106; ++pid) {
    std::string p = std::to_string(pid);
    if (pid > 100) log += "100 clone(child_stack=NULL, flags=SIGCHLD) = " + p + "\n";
    log += p + " io_uring_setup(8, {flags=0}) = 3<anon_inode:[io_uring]>\n";
    log += p + " io_uring_enter(3<anon_inode:[io_uring]>, 1, 1, IORING_ENTER_GETEVENTS, NULL, 8) = 1\n";
  }
  CommandResult r = run_command({duraudit_bin(), "replay", "--strace", "-", "--format", "json"}, log);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("pid 100 (?) used io_uring, pid 101 (?) used io_uring, pid 102 (?) used io_uring and 3 more: "
                       "findings about their files are marked incomplete"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("unparsed"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace duraudit::e2e
