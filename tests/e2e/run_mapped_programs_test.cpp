// SPDX-License-Identifier: GPL-2.0-only
// `duraudit run` (and `replay --strace`) against real programs that write
// files through shared mappings: CPython's mmap module and LMDB with
// writemap (Debian's python3-lmdb). What they do, read under strace -f -yy:
//   python   mmap(..., PROT_READ|PROT_WRITE, MAP_SHARED, fd) on a dup of
//            the fd; m.flush() is msync(MS_SYNC); m.close() munmaps
//   LMDB     writemap: the data file is mapped shared and writable and
//            written through the map; each commit with sync=True ends in
//            msync(map, MS_SYNC) twice (the pages, then the meta page), no
//            fdatasync; sync=False (MDB_NOSYNC) never syncs. It also maps
//            lock.mdb (its reader table) shared and writable and never syncs
//            it: that is reported too, and is not what these tests judge
// Both ways: synced mappings are not close-without-fsync, unsynced ones are.
#include <fstream>

#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

constexpr const char* kPython = "/usr/bin/python3";  // Debian's: it has the lmdb module

void write_durable(const std::string& path, size_t bytes) {
  std::ofstream(path) << std::string(bytes, '\0');
  sync();  // it existed, durable, before the session
}

JsonReport read_report(const std::string& path) {
  std::ifstream in(path);
  std::string jsonl((std::istreambuf_iterator<char>(in)), {});
  return parse_report(jsonl);
}

JsonReport audit(const std::vector<std::string>& cmd) {
  ScratchDir out_dir;
  std::string out = out_dir / "findings.jsonl";
  std::vector<std::string> argv{duraudit_bin(), "run", "--format", "json", "-o", out, "--"};
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  CommandResult r = run_command(argv);
  EXPECT_EQ(r.status, 0) << "stderr:\n" << r.err;
  JsonReport rep = read_report(out);
  EXPECT_TRUE(rep.summary.is_object()) << "stderr:\n" << r.err;
  if (rep.summary.is_object()) EXPECT_EQ(rep.summary.value("events_lost", -1), 0);
  return rep;
}

// The same program under strace, its log replayed: stores are invisible
// there, so a shared writable mapping counts as written from its mmap on.
JsonReport replay_strace(const std::vector<std::string>& cmd) {
  ScratchDir logs;
  std::string log = logs / "strace.log", out = logs / "findings.jsonl";
  std::vector<std::string> argv{"strace", "-f", "-yy", "-o", log};
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  CommandResult s = run_command(argv);
  EXPECT_EQ(s.status, 0) << "strace:\n" << s.err;
  CommandResult r = run_command({duraudit_bin(), "replay", "--strace", log, "--format", "json", "-o", out});
  EXPECT_EQ(r.status, 0) << "stderr:\n" << r.err;
  return read_report(out);
}

std::vector<nlohmann::json> unsynced(const JsonReport& rep, const std::string& path) {
  std::vector<nlohmann::json> out;
  for (const auto& f : rep.of_rule("close-without-fsync"))
    if (f.value("path", "") == path) out.push_back(f);
  return out;
}

bool evidence_has(const nlohmann::json& f, const std::string& syscall, const std::string& args_part = "") {
  for (const auto& e : f.value("evidence", nlohmann::json::array()))
    if (e.value("syscall", "") == syscall && e.value("args", "").find(args_part) != std::string::npos) return true;
  return false;
}

std::vector<std::string> python_mmap(const std::string& file, bool flush) {
  return {kPython, "-c",
          "import mmap,sys\n"
          "with open(sys.argv[1], 'r+b') as f:\n"
          "    m = mmap.mmap(f.fileno(), 8192)\n"
          "    m[0:5] = b'hello'\n" +
              std::string(flush ? "    m.flush()\n" : "") + "    m.close()\n",
          file};
}

std::vector<std::string> lmdb_commit(const std::string& dir, bool sync) {
  return {kPython, "-c",
          "import lmdb,sys\n"
          "env = lmdb.open(sys.argv[1], writemap=True, sync=" + std::string(sync ? "True" : "False") +
              ", map_size=1 << 20)\n"
              "with env.begin(write=True) as txn:\n"
              "    txn.put(b'key', b'value')\n"
              "env.close()\n",
          dir};
}

TEST(RunMappedPrograms, PythonMmapFlushedIsDurable) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string file = dir / "data.bin";
  write_durable(file, 8192);
  auto rep = audit(python_mmap(file, true));
  EXPECT_TRUE(unsynced(rep, file).empty()) << rep.describe();
}

TEST(RunMappedPrograms, PythonMmapNotFlushedIsCloseWithoutFsync) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string file = dir / "data.bin";
  write_durable(file, 8192);
  auto rep = audit(python_mmap(file, false));
  auto f = unsynced(rep, file);
  ASSERT_EQ(f.size(), 1u) << rep.describe();
  EXPECT_EQ(f[0]["comm"], "python3");
  EXPECT_TRUE(evidence_has(f[0], "mmap:store")) << f[0].dump(2);
}

// An environment made (and synced) before the session: what is audited is
// one commit, whose writes are all stores into the map.
void make_lmdb_env(const std::string& dir) {
  CommandResult r = run_command(lmdb_commit(dir, true));
  ASSERT_EQ(r.status, 0) << r.err;
  sync();
}

TEST(RunMappedPrograms, LmdbWritemapWithSyncIsDurable) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  make_lmdb_env(dir.path());
  auto rep = audit(lmdb_commit(dir.path(), true));
  EXPECT_TRUE(unsynced(rep, dir / "data.mdb").empty()) << rep.describe();
}

TEST(RunMappedPrograms, LmdbWritemapWithoutSyncIsCloseWithoutFsync) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  make_lmdb_env(dir.path());
  auto rep = audit(lmdb_commit(dir.path(), false));
  auto f = unsynced(rep, dir / "data.mdb");
  ASSERT_EQ(f.size(), 1u) << rep.describe();
  // LMDB ftruncates data.mdb to the map size at every open, which is the
  // first write of the epoch (the evidence); the commit's stores follow it.
  // The Python tests are the ones where stores alone make the verdict.
  EXPECT_TRUE(evidence_has(f[0], "ftruncate") || evidence_has(f[0], "mmap:store")) << f[0].dump(2);
}

TEST(RunMappedPrograms, StraceLogsCountAMappingAsWrittenFromItsMmap) {
  DURAUDIT_REQUIRE_ROOT();  // not for strace: for a scratch dir like the others
  ScratchDir dir;
  std::string file = dir / "data.bin";
  write_durable(file, 8192);
  auto flushed = replay_strace(python_mmap(file, true));
  EXPECT_TRUE(unsynced(flushed, file).empty()) << flushed.describe();
  auto not_flushed = replay_strace(python_mmap(file, false));
  auto f = unsynced(not_flushed, file);
  ASSERT_EQ(f.size(), 1u) << not_flushed.describe();
  // The evidence says the data was assumed written, not seen written.
  EXPECT_TRUE(evidence_has(f[0], "mmap", "counted as written from this mmap")) << f[0].dump(2);

  auto lmdb_synced = replay_strace(lmdb_commit(dir / "db", true));
  EXPECT_TRUE(unsynced(lmdb_synced, dir / "db/data.mdb").empty()) << lmdb_synced.describe();
}

}  // namespace
}  // namespace duraudit::e2e
