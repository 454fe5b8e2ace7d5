// SPDX-License-Identifier: GPL-2.0-only
// `duraudit run` against real programs nobody here wrote (CPython, SQLite,
// coreutils) and the bundled demo: verdicts a storage engineer would sign,
// both ways.
#include <fstream>

#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

void write_durable(const std::string& path, const std::string& data) {
  std::ofstream(path) << data;
  sync();  // it existed, durable, before the session
}

// Findings go to a file (-o), as a user would do: the command's own stdout
// shares the terminal.
JsonReport audit(const std::vector<std::string>& cmd, int expected_status = 0,
                 std::vector<std::string> extra = {}) {
  ScratchDir out_dir;
  std::string out = out_dir / "findings.jsonl";
  std::vector<std::string> argv{duraudit_bin(), "run", "--format", "json", "-o", out};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back("--");
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  CommandResult r = run_command(argv);
  EXPECT_EQ(r.status, expected_status) << "stderr:\n" << r.err;
  std::ifstream in(out);
  std::string jsonl((std::istreambuf_iterator<char>(in)), {});
  JsonReport rep = parse_report(jsonl);
  EXPECT_TRUE(rep.summary.is_object()) << "no summary line in:\n" << r.out << "\nstderr:\n" << r.err;
  if (rep.summary.is_object()) {
    EXPECT_EQ(rep.summary.value("events_lost", -1), 0);
  }
  return rep;
}

bool has_related(const nlohmann::json& f, const std::string& path, const std::string& role) {
  for (const auto& r : f.value("related", nlohmann::json::array()))
    if (r.value("path", "") == path && r.value("role", "") == role) return true;
  return false;
}

TEST(RunRealPrograms, PythonJsonDumpOverExistingFileIsTruncateInPlaceAndUnsynced) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string cfg = dir / "config.json";
  write_durable(cfg, "{\"version\": 1}\n");
  auto rep = audit({kPython, "-c",
                    "import json,sys\n"
                    "with open(sys.argv[1], 'w') as f: json.dump({'version': 2, 'nodes': [1,2,3]}, f)\n",
                    cfg});
  EXPECT_EQ(rep.of_rule("truncate-in-place").size(), 1u) << rep.describe();
  auto unsynced = rep.of_rule("close-without-fsync");
  ASSERT_EQ(unsynced.size(), 1u) << rep.describe();
  EXPECT_EQ(unsynced[0]["path"], cfg);
  EXPECT_EQ(unsynced[0]["comm"], "python3");
  EXPECT_TRUE(rep.of_rule("rename-without-fsync").empty()) << rep.describe();
}

TEST(RunRealPrograms, PythonOsReplaceWithoutFsyncIsRenameWithoutFsync) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string target = dir / "state.json";
  write_durable(target, "{}\n");
  auto rep = audit({kPython, "-c",
                    "import os,sys\n"
                    "t = sys.argv[1]\n"
                    "with open(t + '.tmp', 'w') as f: f.write('{\"counter\": 42}')\n"
                    "os.replace(t + '.tmp', t)\n",
                    target});
  auto f = rep.of_rule("rename-without-fsync");
  ASSERT_EQ(f.size(), 1u) << rep.describe();
  EXPECT_EQ(f[0]["severity"], "error");
  EXPECT_EQ(f[0]["path"], target);
  EXPECT_TRUE(has_related(f[0], target + ".tmp", "source")) << f[0].dump();
  EXPECT_FALSE(f[0]["evidence"].empty());
}

TEST(RunRealPrograms, PythonOsReplaceWithFsyncAndDirectoryFsyncIsSilent) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string target = dir / "state.json";
  write_durable(target, "{}\n");
  auto rep = audit({kPython, "-c",
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
                    target});
  EXPECT_TRUE(rep.findings.empty()) << rep.describe();
}

TEST(RunRealPrograms, Sqlite3RollbackJournalHasNoErrors) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string db = dir / "app.db";
  std::string sql = "PRAGMA journal_mode=DELETE; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);";
  for (int i = 0; i < 20; ++i) sql += "INSERT INTO t(v) VALUES ('row " + std::to_string(i) + "');";
  auto rep = audit({"sqlite3", db, sql});
  EXPECT_TRUE(rep.at_least("error").empty()) << rep.describe();
  // The rollback journal is created and deleted at each commit: short-lived, not state.
  EXPECT_TRUE(rep.of_rule("state-deleted").empty()) << rep.describe();
}

TEST(RunRealPrograms, Sqlite3WalModeHasNoErrors) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string db = dir / "wal.db";
  std::string sql = "PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);";
  for (int i = 0; i < 20; ++i) sql += "INSERT INTO t(v) VALUES ('row " + std::to_string(i) + "');";
  auto rep = audit({"sqlite3", db, sql});
  EXPECT_TRUE(rep.at_least("error").empty()) << rep.describe();
}

TEST(RunRealPrograms, CoreutilsCpLeavesTheCopyUnsynced) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  write_durable(dir / "src", std::string(100000, 'x'));
  auto rep = audit({"cp", dir / "src", dir / "dst"});
  auto f = rep.of_rule("close-without-fsync");
  ASSERT_EQ(f.size(), 1u) << rep.describe();
  EXPECT_EQ(f[0]["path"], dir / "dst");
  EXPECT_EQ(rep.of_rule("missing-dir-fsync").size(), 1u) << rep.describe();
}

// `duraudit run -- CMD > out.txt`: out.txt is the caller's redirection, not
// a file the command chose, so it is not audited; a file the command opens
// itself still is. The same holds for a recording of it, replayed.
TEST(RunRealPrograms, TheCallersRedirectedStdoutIsNotTheCommandsFile) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string report = dir / "findings.jsonl", rec = dir / "cmd.rec";
  std::string cmd = "echo progress; echo state > " + dir / "own.txt";
  std::string shell = duraudit_bin() + " run --format json -o " + report + " -- sh -c '" + cmd + "' > " +
                      dir / "out.txt" + " 2> " + dir / "err.txt" + "; " + duraudit_bin() + " record -o " + rec +
                      " -- sh -c '" + cmd + "' > " + dir / "out2.txt" + " 2>> " + dir / "err.txt";
  CommandResult r = run_command({"sh", "-c", shell});
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream in(report);
  JsonReport live = parse_report(std::string((std::istreambuf_iterator<char>(in)), {}));
  auto f = live.of_rule("close-without-fsync");
  ASSERT_EQ(f.size(), 1u) << live.describe();
  EXPECT_EQ(f[0]["path"], dir / "own.txt");
  std::ifstream out(dir / "out.txt");
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(out)), {}), "progress\n");

  CommandResult replayed = run_command({duraudit_bin(), "replay", "--format", "json", rec});
  JsonReport rep = parse_report(replayed.out);
  auto g = rep.of_rule("close-without-fsync");
  ASSERT_EQ(g.size(), 1u) << rep.describe() << replayed.err;
  EXPECT_EQ(g[0]["path"], dir / "own.txt");
}

TEST(RunRealPrograms, CoreutilsMvOfADurableFileIsNotRenameWithoutFsync) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  write_durable(dir / "a", "durable data\n");
  auto rep = audit({"mv", dir / "a", dir / "b"});
  EXPECT_TRUE(rep.of_rule("rename-without-fsync").empty()) << rep.describe();
  // ...but the rename itself was never made durable.
  EXPECT_EQ(rep.of_rule("missing-dir-fsync").size(), 1u) << rep.describe();
}

TEST(RunRealPrograms, FlinkDemoBuggyDeletesOldCheckpointBeforeNewStateIsDurable) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  ASSERT_EQ(run_command({demo_program("flink_checkpoint"), "setup", dir.path()}).status, 0);
  sync();
  auto rep = audit({demo_program("flink_checkpoint"), "buggy", dir.path()}, 3, {"--fail-on", "error"});
  auto f = rep.of_rule("unlink-before-durable");
  ASSERT_FALSE(f.empty()) << rep.describe();
  EXPECT_EQ(f[0]["severity"], "error");
  bool names_state = false;
  for (const auto& x : f)
    for (int i = 0; i < 3; ++i)
      names_state |= has_related(x, dir / ("chk-2/state-" + std::to_string(i)), "successor");
  EXPECT_TRUE(names_state) << f[0].dump(2);
  EXPECT_EQ(f[0]["successor_evidence"], "name-pattern");
  EXPECT_EQ(rep.of_rule("close-without-fsync").size(), 3u) << rep.describe();
}

TEST(RunRealPrograms, FlinkDemoFixedIsSilent) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  ASSERT_EQ(run_command({demo_program("flink_checkpoint"), "setup", dir.path()}).status, 0);
  sync();
  auto rep = audit({demo_program("flink_checkpoint"), "fixed", dir.path()}, 0, {"--fail-on", "notice"});
  EXPECT_TRUE(rep.findings.empty()) << rep.describe();
}

}  // namespace
}  // namespace duraudit::e2e
