// SPDX-License-Identifier: GPL-2.0-only
// The real-world sequences the product exists for (docs/rules.md): FLINK-36421,
// fluent-bit's $INDEX, SQLite's rollback journal.
#include <gtest/gtest.h>

#include "engine/rule_catalogue.h"
#include "engine_events.h"

namespace duraudit::test {
namespace {

using namespace rule_id;

bool has_related(const Finding& f, const std::string& path, const std::string& role) {
  for (const auto& r : f.related)
    if (r.path == path && r.role == role) return true;
  return false;
}

// Task manager writes chk-2/state-0 (with or without fsync) and closes it;
// the job manager writes, fsyncs and renames chk-2/_metadata, then deletes
// the previous checkpoint chk-1, which existed before the session.
void flink_checkpoint(Sim& sim, bool tm_fsyncs) {
  const std::string job = "/flink/checkpoints/job-1";
  sim.exists(job + "/").exists(job + "/chk-1/").exists(job + "/chk-1/state-0").exists(job + "/chk-1/_metadata");
  auto tm = sim.proc(100, "taskmanager");
  auto jm = sim.proc(200, "jobmanager");
  jm.mkdir(job + "/chk-2");
  int s = tm.open(job + "/chk-2/state-0");
  tm.write(s, 1 << 20);
  if (tm_fsyncs) tm.fsync(s);
  tm.close(s);
  int m = jm.open(job + "/chk-2/_metadata.tmp");
  jm.write(m).fsync(m).close(m);
  jm.rename(job + "/chk-2/_metadata.tmp", job + "/chk-2/_metadata");
  jm.unlink(job + "/chk-1/state-0");
  jm.unlink(job + "/chk-1/_metadata");
  jm.rmdir(job + "/chk-1");
}

TEST(Flink36421, UnsyncedStateThenOldCheckpointDeletedFires) {
  Sim sim;
  flink_checkpoint(sim, false);
  sim.finish();
  ASSERT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  const Finding* f = sim.first(kUnlinkBeforeDurable);
  EXPECT_EQ(f->pid, 200);
  EXPECT_EQ(f->comm, "jobmanager");
  EXPECT_EQ(f->path, "/flink/checkpoints/job-1/chk-1/state-0");
  EXPECT_TRUE(has_related(*f, "/flink/checkpoints/job-1/chk-2/state-0", "successor"));
  EXPECT_EQ(f->successor_evidence, "name-pattern");
  EXPECT_TRUE(has_related(*f, "/flink/checkpoints/job-1/chk-1/state-0", "deleted"));
  // The metadata was fsynced: it is not a data-not-durable replacement.
  EXPECT_FALSE(has_related(*f, "/flink/checkpoints/job-1/chk-2/_metadata", "successor"));
  // The evidence shows the task manager's write and the job manager's unlink.
  bool tm_write = false;
  for (const auto& e : f->evidence)
    if (e.pid == 100 && e.syscall == "write") tm_write = true;
  EXPECT_TRUE(tm_write);
  EXPECT_EQ(sim.count(kRenameWithoutFsync), 0u);
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 1u);
  EXPECT_EQ(sim.count(kStateDeleted), 0u) << sim.dump();  // chk-2 replaces chk-1
}

TEST(Flink36421, WithFsyncBeforeCloseDoesNotFire) {
  Sim sim;
  flink_checkpoint(sim, true);
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 0u);
  EXPECT_EQ(sim.count(kRenameWithoutFsync), 0u);
  EXPECT_EQ(sim.count(kStateDeleted), 0u);
  // No directory was fsynced: that is still worth a warning, on its own rule.
  EXPECT_GE(sim.count(kMissingDirFsync), 1u);
}

// fluent-bit's S3 output: the $INDEX counter in store/sequence/index_metadata/
// is rewritten with O_TRUNC and no fsync while running; at shutdown the
// sequence/ tree is removed, so every restart starts from 0 again.
void fluent_bit_run(Sim& sim, bool counter_existed) {
  const std::string seq = "/var/fluent-bit/s3/store/sequence";
  sim.exists("/var/fluent-bit/s3/store/");
  auto fb = sim.proc(300, "fluent-bit");
  if (counter_existed) {
    sim.exists(seq + "/").exists(seq + "/index_metadata/").exists(seq + "/index_metadata/index_file");
  } else {
    fb.mkdir(seq).mkdir(seq + "/index_metadata");
    int fd = fb.open(seq + "/index_metadata/index_file");
    fb.write(fd, 2).close(fd);
  }
  sim.sleep(2 * kSec);
  int fd = fb.open(seq + "/index_metadata/index_file", O_WRONLY | O_CREAT | O_TRUNC);
  fb.write(fd, 2).close(fd);
  sim.sleep(10 * kSec).settle();  // fluent-bit keeps running
  // Graceful shutdown: the sequence tree is removed.
  fb.unlink(seq + "/index_metadata/index_file");
  fb.rmdir(seq + "/index_metadata");
  fb.rmdir(seq);
  fb.exit();
  sim.finish();
}

TEST(FluentBitIndex, CounterThatExistedBeforeIsDestroyed) {
  Sim sim;
  fluent_bit_run(sim, true);
  EXPECT_EQ(sim.count(kTruncateInPlace), 1u) << sim.dump();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 1u);
  ASSERT_EQ(sim.count(kStateDeleted), 1u);
  const Finding* f = sim.first(kStateDeleted);
  EXPECT_EQ(f->path, "/var/fluent-bit/s3/store/sequence");
  EXPECT_EQ(f->severity, Severity::Notice);
  EXPECT_TRUE(has_related(*f, "/var/fluent-bit/s3/store/sequence/index_metadata/index_file", "deleted"));
}

TEST(FluentBitIndex, CounterCreatedInSessionThatLivedLongEnoughIsState) {
  Sim sim;
  fluent_bit_run(sim, false);
  EXPECT_EQ(sim.count(kStateDeleted), 1u) << sim.dump();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 1u);
  // Created this session: rewriting it is not truncating a pre-existing file.
  EXPECT_EQ(sim.count(kTruncateInPlace), 0u);
}

TEST(FluentBitIndex, ShortLivedCounterIsNotState) {
  Config cfg = Config::defaults();
  cfg.state_min_age_ns = 60 * kSec;
  Sim sim(cfg);
  fluent_bit_run(sim, false);
  EXPECT_EQ(sim.count(kStateDeleted), 0u) << sim.dump();
}

// SQLite in rollback-journal mode: each commit creates db-journal, writes
// and fsyncs it, writes and fsyncs the database, then deletes the journal.
TEST(SqliteRollbackJournal, JournalIsNotState) {
  Sim sim;
  sim.exists("/data/app.db");
  auto sq = sim.proc(400, "sqlite3");
  int db = sq.open("/data/app.db", O_RDWR | O_CREAT);
  for (int commit = 0; commit < 3; ++commit) {
    int j = sq.open("/data/app.db-journal", O_RDWR | O_CREAT);
    sq.write(j, 512).fsync(j);
    int dfd = sq.opendir("/data");
    sq.fsync(dfd).close(dfd);
    sq.write(db, 4096).fsync(db);
    sq.close(j);
    sq.unlink("/data/app.db-journal");
    sim.sleep(100 * kMs);
  }
  sq.close(db);
  sim.finish();
  EXPECT_EQ(sim.count(kStateDeleted), 0u) << sim.dump();
  for (const auto& f : sim.findings) EXPECT_NE(f.severity, Severity::Error) << f.rule << ": " << f.message;
}

}  // namespace
}  // namespace duraudit::test
