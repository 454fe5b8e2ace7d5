// SPDX-License-Identifier: GPL-2.0-only
// Every rule of the catalogue, both ways: sequences that must fire (with
// related files and roles) and correct sequences that must stay silent.
#include <gtest/gtest.h>

#include <cerrno>

#include "engine/rule_catalogue.h"
#include "engine_events.h"

namespace duraudit::test {
namespace {

using namespace rule_id;

bool has_related(const Finding& f, const std::string& path, const std::string& role, const std::string& state) {
  for (const auto& r : f.related)
    if (r.path == path && r.role == role && r.state == state) return true;
  return false;
}

// ------------------------------------------------------------ close-without-fsync

TEST(CloseWithoutFsync, FiresWhenStillDirtyAfterGrace) {
  Sim sim;
  sim.exists("/d/");
  auto p = sim.proc(10, "app");
  int fd = p.open("/d/out.dat");
  p.write(fd).close(fd);
  sim.sleep(6 * kSec).settle();
  ASSERT_EQ(sim.count(kCloseWithoutFsync), 1u) << sim.dump();
  const Finding* f = sim.first(kCloseWithoutFsync);
  EXPECT_EQ(f->path, "/d/out.dat");
  EXPECT_EQ(f->pid, 10);
  EXPECT_EQ(f->comm, "app");
  EXPECT_EQ(f->severity, Severity::Warning);
  EXPECT_FALSE(f->fix.empty());
  EXPECT_TRUE(has_related(*f, "/d/out.dat", "source", "data-not-durable"));
  ASSERT_EQ(f->evidence.size(), 3u);  // open, first write, close
  EXPECT_EQ(f->evidence[0].syscall, "openat");
  EXPECT_EQ(f->evidence[1].syscall, "write");
  EXPECT_EQ(f->evidence[2].syscall, "close");
  EXPECT_TRUE(f->fingerprint.empty());
}

TEST(CloseWithoutFsync, WaitsForTheGracePeriod) {
  Sim sim;
  auto p = sim.proc(10, "app");
  int fd = p.open("/d/out.dat");
  p.write(fd).close(fd);
  sim.sleep(1 * kSec).settle();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 0u);
  sim.finish();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 1u);
}

TEST(CloseWithoutFsync, ImplicitCloseAtExitCounts) {
  Sim sim;
  auto p = sim.proc(10, "app");
  int fd = p.open("/d/out.dat");
  p.write(fd).exit();
  sim.finish();
  ASSERT_EQ(sim.count(kCloseWithoutFsync), 1u);
  EXPECT_EQ(sim.first(kCloseWithoutFsync)->evidence.back().syscall, "implicit-close");
}

TEST(CloseWithoutFsync, OncePerProcessAndFile) {
  Sim sim;
  auto p = sim.proc(10, "app");
  for (int i = 0; i < 3; ++i) {
    int fd = p.open("/d/out.dat");
    p.write(fd).close(fd);
    sim.sleep(6 * kSec).settle();
  }
  sim.finish();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 1u);
}

TEST(CloseWithoutFsync, NotTheLastCloseWaits) {
  Sim sim;
  auto p = sim.proc(10, "app");
  int fd = p.open("/d/out.dat");
  int fd2 = p.open("/d/out.dat", O_RDONLY);
  p.write(fd).close(fd);
  p.fsync(fd2).close(fd2);
  sim.finish();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 0u) << sim.dump();
}

TEST(CloseWithoutFsync, SilentWithFsyncBeforeClose) {
  Sim sim;
  auto p = sim.proc(10, "app");
  int fd = p.open("/d/out.dat");
  p.write(fd).fsync(fd).close(fd);
  sim.finish();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 0u);
}

TEST(CloseWithoutFsync, SilentWriteCloseReopenFsyncWithinGrace) {
  Sim sim;
  auto p = sim.proc(10, "app");
  int fd = p.open("/d/out.dat");
  p.write(fd).close(fd);
  sim.sleep(2 * kSec);
  int fd2 = p.open("/d/out.dat", O_RDONLY);
  p.fsync(fd2).close(fd2);
  sim.sleep(10 * kSec).settle().finish();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 0u) << sim.dump();
}

TEST(CloseWithoutFsync, SilentFdatasync) {
  Sim sim;
  auto p = sim.proc(10, "app");
  int fd = p.open("/d/out.dat");
  p.write(fd).fdatasync(fd).close(fd);
  sim.finish();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 0u);
}

TEST(CloseWithoutFsync, SilentAfterSync) {
  Sim sim;
  auto p = sim.proc(10, "app");
  int fd = p.open("/d/out.dat");
  p.write(fd).close(fd);
  p.sync();
  sim.finish();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 0u);
  EXPECT_EQ(sim.count(kMissingDirFsync), 0u) << sim.dump();
}

TEST(CloseWithoutFsync, SilentAfterSyncfsOfItsFilesystem) {
  Sim sim;
  auto p = sim.proc(10, "app");
  int fd = p.open("/d/out.dat");
  p.write(fd).close(fd);
  int dfd = p.opendir("/d");
  p.syncfs(dfd).close(dfd);
  sim.finish();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 0u);
  EXPECT_EQ(sim.count(kMissingDirFsync), 0u) << sim.dump();
}

TEST(CloseWithoutFsync, SyncfsOfAnotherFilesystemDoesNotCount) {
  Sim sim;
  auto p = sim.proc(10, "app");
  int fd = p.open("/d/out.dat");
  p.write(fd).close(fd);
  int other = p.opendir("/dev/shm");
  p.syncfs(other);
  sim.finish();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 1u);
}

TEST(CloseWithoutFsync, SilentWithOSyncWrites) {
  Sim sim;
  auto p = sim.proc(10, "app");
  int fd = p.open("/d/out.dat", O_WRONLY | O_CREAT | O_SYNC);
  p.sync_write(fd).close(fd);
  sim.finish();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 0u);
}

TEST(CloseWithoutFsync, SilentForDeletedTempFile) {
  Sim sim;
  auto p = sim.proc(10, "app");
  int fd = p.open("/d/scratch.tmp");
  p.write(fd).close(fd);
  p.unlink("/d/scratch.tmp");
  sim.finish();
  EXPECT_TRUE(sim.findings.empty()) << sim.dump();
}

// attach: an fd opened before the session (seeded from /proc) is the only
// way the engine learns the file's name. Written and closed without fsync,
// it must be flagged, not mistaken for a deleted file.
TEST(CloseWithoutFsync, FiresForAnFdOpenedBeforeTheSession) {
  Sim sim;
  sim.exists("/d/").exists("/d/held.log");
  auto p = sim.proc(10, "app");
  int fd = p.adopt("/d/held.log");
  p.write(fd).close(fd);
  sim.sleep(6 * kSec).settle();
  ASSERT_EQ(sim.count(kCloseWithoutFsync), 1u) << sim.dump();
  EXPECT_EQ(sim.first(kCloseWithoutFsync)->path, "/d/held.log");
}

TEST(CloseWithoutFsync, SilentForAnFdOpenedBeforeTheSessionAndFsynced) {
  Sim sim;
  sim.exists("/d/").exists("/d/held.log");
  auto p = sim.proc(10, "app");
  int fd = p.adopt("/d/held.log");
  p.write(fd).fsync(fd).close(fd);
  sim.sleep(6 * kSec).settle().finish();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 0u) << sim.dump();
}

// A file unlinked before the session, still open: /proc reads "PATH (deleted)".
// It has no name to lose, so it needs no durability.
TEST(CloseWithoutFsync, SilentForAnFdOnAFileDeletedBeforeTheSession) {
  Sim sim;
  sim.exists("/d/");
  auto p = sim.proc(10, "app");
  int fd = p.adopt("/d/scratch", "/d/scratch (deleted)");
  p.write(fd).close(fd);
  sim.sleep(6 * kSec).settle().finish();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 0u) << sim.dump();
}

TEST(CloseWithoutFsync, OnlyTheWriterIsBlamed) {
  Sim sim;
  auto w = sim.proc(10, "writer");
  auto r = sim.proc(11, "reader");
  int fd = w.open("/d/out.dat");
  w.write(fd);
  int rfd = r.open("/d/out.dat", O_RDONLY);
  r.close(rfd);
  w.close(fd);
  sim.finish();
  ASSERT_EQ(sim.count(kCloseWithoutFsync), 1u);
  EXPECT_EQ(sim.first(kCloseWithoutFsync)->pid, 10);
}

// ------------------------------------------------------------ rename-without-fsync

TEST(RenameWithoutFsync, FiresWhenTheDataNeverBecomesDurable) {
  Sim sim;
  sim.exists("/repo/.git/index");
  auto p = sim.proc(20, "git");
  int fd = p.open("/repo/.git/index.lock", O_WRONLY | O_CREAT | O_EXCL);
  p.write(fd).close(fd);
  p.rename("/repo/.git/index.lock", "/repo/.git/index");
  sim.finish();
  ASSERT_EQ(sim.count(kRenameWithoutFsync), 1u) << sim.dump();
  const Finding* f = sim.first(kRenameWithoutFsync);
  EXPECT_EQ(f->path, "/repo/.git/index");
  EXPECT_EQ(f->severity, Severity::Error);
  EXPECT_TRUE(has_related(*f, "/repo/.git/index.lock", "source", "data-not-durable"));
  // The engine never saw /repo/.git/index itself: whether it was replaced is unknown.
  EXPECT_FALSE(f->replaced.has_value());
}

TEST(RenameWithoutFsync, ReplacedTrueWhenTargetKnown) {
  Sim sim;
  sim.exists("/d/cfg");
  auto p = sim.proc(20, "app");
  int old = p.open("/d/cfg", O_RDONLY);
  p.close(old);
  int fd = p.open("/d/cfg.tmp");
  p.write(fd).close(fd);
  p.rename("/d/cfg.tmp", "/d/cfg");
  sim.finish();
  ASSERT_EQ(sim.count(kRenameWithoutFsync), 1u);
  EXPECT_EQ(sim.first(kRenameWithoutFsync)->replaced, std::optional<bool>(true));
  EXPECT_EQ(sim.first(kRenameWithoutFsync)->evidence.back().args, "\"/d/cfg.tmp\" -> \"/d/cfg\"");
}

TEST(RenameWithoutFsync, ReplacedOmittedWhenTargetUnknown) {
  Sim sim;
  auto p = sim.proc(20, "app");
  int fd = p.open("/d/cfg.tmp");
  p.write(fd).close(fd);
  p.rename("/d/cfg.tmp", "/d/cfg");
  sim.finish();
  ASSERT_EQ(sim.count(kRenameWithoutFsync), 1u);
  EXPECT_FALSE(sim.first(kRenameWithoutFsync)->replaced.has_value());
}

TEST(RenameWithoutFsync, ReplacedFalseWhenTargetKnownAbsent) {
  Sim sim;
  auto p = sim.proc(20, "app");
  p.mkdir("/d/new");
  int fd = p.open("/d/new/cfg.tmp");
  p.write(fd).close(fd);
  p.rename("/d/new/cfg.tmp", "/d/new/cfg");
  sim.finish();
  ASSERT_EQ(sim.count(kRenameWithoutFsync), 1u);
  EXPECT_EQ(sim.first(kRenameWithoutFsync)->replaced, std::optional<bool>(false));
}

TEST(RenameWithoutFsync, SilentWithFsyncBeforeRenameAndDirFsync) {
  Sim sim;
  sim.exists("/d/cfg");
  auto p = sim.proc(20, "app");
  int fd = p.open("/d/cfg.tmp");
  p.write(fd).fsync(fd).close(fd);
  p.rename("/d/cfg.tmp", "/d/cfg");
  int dfd = p.opendir("/d");
  p.fsync(dfd).close(dfd);
  sim.finish();
  EXPECT_TRUE(sim.findings.empty()) << sim.dump();
}

TEST(RenameWithoutFsync, FdatasyncOnDirectoryFdCountsAsDirSync) {
  Sim sim;
  auto p = sim.proc(20, "app");
  int fd = p.open("/d/cfg.tmp");
  p.write(fd).fdatasync(fd).close(fd);
  p.rename("/d/cfg.tmp", "/d/cfg");
  int dfd = p.opendir("/d");
  p.fdatasync(dfd).close(dfd);
  sim.finish();
  EXPECT_TRUE(sim.findings.empty()) << sim.dump();
}

TEST(RenameWithoutFsync, TmpfileLinkatWithoutFsyncFires) {
  Sim sim;
  auto p = sim.proc(20, "app");
  int fd = p.open_tmpfile("/d");
  p.write(fd);
  p.linkat_fd(fd, "/d/published");
  p.close(fd);
  sim.finish();
  ASSERT_EQ(sim.count(kRenameWithoutFsync), 1u) << sim.dump();
  EXPECT_EQ(sim.first(kRenameWithoutFsync)->path, "/d/published");
  EXPECT_EQ(sim.first(kRenameWithoutFsync)->replaced, std::optional<bool>(false));
}

TEST(RenameWithoutFsync, TmpfileFsyncLinkatIsSilent) {
  Sim sim;
  auto p = sim.proc(20, "app");
  int fd = p.open_tmpfile("/d");
  p.write(fd).fsync(fd);
  p.linkat_fd(fd, "/d/published");
  p.close(fd);
  int dfd = p.opendir("/d");
  p.fsync(dfd).close(dfd);
  sim.finish();
  EXPECT_TRUE(sim.findings.empty()) << sim.dump();
}

TEST(RenameWithoutFsync, UnwrittenTmpfileNeverClosedNamedIsSilent) {
  Sim sim;
  auto p = sim.proc(20, "app");
  int fd = p.open_tmpfile("/d");
  p.write(fd).close(fd);  // never linked: gone with its last fd
  sim.finish();
  EXPECT_TRUE(sim.findings.empty()) << sim.dump();
}

TEST(RenameWithoutFsync, ExchangeChecksBothSides) {
  Sim sim;
  sim.exists("/d/a");
  auto p = sim.proc(20, "app");
  int fd = p.open("/d/b");
  p.write(fd).close(fd);
  int fa = p.open("/d/a", O_RDONLY);
  p.close(fa);
  p.rename("/d/b", "/d/a", RENAME_EXCHANGE);
  sim.finish();
  ASSERT_EQ(sim.count(kRenameWithoutFsync), 1u);
  EXPECT_EQ(sim.first(kRenameWithoutFsync)->path, "/d/a");
}

TEST(RenameWithoutFsync, FailedRenameIsIgnored) {
  Sim sim;
  auto p = sim.proc(20, "app");
  p.rename("/d/missing", "/d/x");
  sim.finish();
  EXPECT_TRUE(sim.findings.empty()) << sim.dump();
}

TEST(RenameWithoutFsync, WindowClosedByTheProgramIsAWarningWithClosedBy) {
  Sim sim;
  auto p = sim.proc(20, "initdb");
  int fd = p.open("/pg/global/pg_control.tmp");
  p.write(fd);
  p.rename("/pg/global/pg_control.tmp", "/pg/global/pg_control");
  sim.sleep(3 * kMs);
  p.fsync(fd).close(fd);  // the program's own fsync closes the window
  sim.finish();
  ASSERT_EQ(sim.count(kRenameWithoutFsync), 1u) << sim.dump();
  const Finding* f = sim.first(kRenameWithoutFsync);
  EXPECT_EQ(f->severity, Severity::Warning);
  ASSERT_TRUE(f->window_ns.has_value());
  EXPECT_GE(*f->window_ns, 3 * kMs);
  EXPECT_LT(*f->window_ns, 10 * kMs);
  ASSERT_TRUE(f->closed_by.has_value());
  EXPECT_EQ(f->closed_by->syscall, "fsync");
  EXPECT_FALSE(f->closed_unsynced);
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 0u);
}

TEST(RenameWithoutFsync, ASyncOfEverythingLaterClosesEveryWindow) {
  Sim sim;
  auto p = sim.proc(20, "initdb");
  for (int i = 0; i < 9; ++i) {
    std::string n = "/pg/base/1/" + std::to_string(1000 + i);
    int fd = p.open(n + ".tmp");
    p.write(fd).close(fd);
    p.rename(n + ".tmp", n);
  }
  p.sync();
  sim.finish();
  EXPECT_EQ(sim.count(kRenameWithoutFsync), 9u) << sim.dump();
  for (const auto& f : sim.findings) {
    if (f.rule != kRenameWithoutFsync) continue;
    EXPECT_EQ(f.severity, Severity::Warning);
    ASSERT_TRUE(f.closed_by.has_value());
    EXPECT_EQ(f.closed_by->syscall, "sync");
  }
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 0u);
}

TEST(RenameWithoutFsync, UnderAttachTheWindowMustCloseWithinTheGracePeriod) {
  Sim sim;
  auto p = sim.proc(20, "app");
  int fd = p.open("/d/state.tmp");
  p.write(fd);
  p.rename("/d/state.tmp", "/d/state");
  sim.sleep(6 * kSec).settle();  // due: still not durable
  p.fsync(fd).close(fd);
  sim.finish();
  ASSERT_EQ(sim.count(kRenameWithoutFsync), 1u) << sim.dump();
  EXPECT_EQ(sim.first(kRenameWithoutFsync)->severity, Severity::Error);
  EXPECT_FALSE(sim.first(kRenameWithoutFsync)->window_ns.has_value());
}

TEST(RenameWithoutFsync, TheUnsyncedDataIsOneFindingNotTwo) {
  Sim sim;
  auto p = sim.proc(20, "app");
  int fd = p.open("/d/cfg.tmp");
  p.write(fd).close(fd);
  p.rename("/d/cfg.tmp", "/d/cfg");
  sim.finish();
  ASSERT_EQ(sim.count(kRenameWithoutFsync), 1u) << sim.dump();
  EXPECT_TRUE(sim.first(kRenameWithoutFsync)->closed_unsynced);
  EXPECT_NE(sim.first(kRenameWithoutFsync)->message.find("closed without fsync"), std::string::npos);
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 0u) << sim.dump();
}

TEST(RenameWithoutFsync, WithTheRuleOffTheCloseIsStillReported) {
  Config cfg = Config::defaults();
  cfg.rules[std::string(kRenameWithoutFsync)].enabled = false;
  Sim sim(cfg);
  auto p = sim.proc(20, "app");
  int fd = p.open("/d/cfg.tmp");
  p.write(fd).close(fd);
  p.rename("/d/cfg.tmp", "/d/cfg");
  sim.finish();
  EXPECT_EQ(sim.count(kRenameWithoutFsync), 0u);
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 1u) << sim.dump();
}

TEST(RenameWithoutFsync, AFailedNoReplaceRenameProvesTheTargetExisted) {
  Sim sim;
  auto p = sim.proc(20, "mv");
  int fd = p.open("/d/src");
  p.write(fd).close(fd);
  p.rename_failing("/d/src", "/d/dst", RENAME_NOREPLACE, -EEXIST);
  p.rename("/d/src", "/d/dst");
  sim.finish();
  ASSERT_EQ(sim.count(kRenameWithoutFsync), 1u) << sim.dump();
  EXPECT_EQ(sim.first(kRenameWithoutFsync)->replaced, std::optional<bool>(true));
}

// ------------------------------------------------------------ unlink-before-durable

// Checkpoint generations: chk-2/state-0 succeeds chk-1/state-0 by name.
TEST(UnlinkBeforeDurable, NamePatternSuccessorNotDurableFires) {
  Sim sim;
  sim.exists("/ckpt/chk-1/state-0");
  auto p = sim.proc(30, "jm");
  int fd = p.open("/ckpt/chk-2/state-0");
  p.write(fd).close(fd);
  p.unlink("/ckpt/chk-1/state-0");
  sim.finish();
  ASSERT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  const Finding* f = sim.first(kUnlinkBeforeDurable);
  EXPECT_EQ(f->path, "/ckpt/chk-1/state-0");
  EXPECT_EQ(f->severity, Severity::Error);
  EXPECT_EQ(f->successor_evidence, "name-pattern");
  EXPECT_TRUE(has_related(*f, "/ckpt/chk-2/state-0", "successor", "data-not-durable"));
  EXPECT_TRUE(has_related(*f, "/ckpt/chk-1/state-0", "deleted", "durable"));
  EXPECT_FALSE(f->window_ns.has_value());
}

TEST(UnlinkBeforeDurable, NamePatternSuccessorFsyncedFirstIsSilent) {
  Sim sim;
  sim.exists("/ckpt/chk-1/state-0");
  auto p = sim.proc(30, "jm");
  int fd = p.open("/ckpt/chk-2/state-0");
  p.write(fd).fsync(fd).close(fd);
  p.unlink("/ckpt/chk-1/state-0");
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
}

TEST(UnlinkBeforeDurable, ASiblingGenerationInTheSameDirectoryIsNoEvidence) {
  // WAL segments, relation files: the same folded name in the same
  // directory is a neighbour, not the next generation.
  Sim sim;
  sim.exists("/pg/base/5/16384");
  auto p = sim.proc(30, "postgres");
  int fd = p.open("/pg/base/5/16390");
  p.write(fd).close(fd);
  p.unlink("/pg/base/5/16384");
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
}

TEST(UnlinkBeforeDurable, UnrelatedDirtyNeighboursAreNoSuccessors) {
  Sim sim;
  sim.exists("/db/old.sst");
  auto p = sim.proc(30, "db");
  int log = p.open("/db/app.log");
  p.write(log);
  int fd = p.open("/db/new.sst");
  p.write(fd).close(fd);
  p.unlink("/db/old.sst");
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
}

// gzip f: read f, write f.gz, close both, unlink f.
TEST(UnlinkBeforeDurable, DataFlowCopyThenDeleteFires) {
  Sim sim;
  sim.exists("/d/f");
  auto p = sim.proc(30, "gzip");
  int in = p.open("/d/f", O_RDONLY);
  int out = p.open("/d/f.gz", O_WRONLY | O_CREAT | O_EXCL);
  p.write(out).close(out).close(in);
  p.unlink("/d/f");
  sim.finish();
  ASSERT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  const Finding* f = sim.first(kUnlinkBeforeDurable);
  EXPECT_EQ(f->successor_evidence, "data-flow");
  EXPECT_TRUE(has_related(*f, "/d/f.gz", "successor", "data-not-durable"));
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 1u);  // f.gz's own finding stays
  EXPECT_EQ(sim.count(kStateDeleted), 0u);       // f lives on as f.gz
}

TEST(UnlinkBeforeDurable, DataFlowSuccessorFsyncedBeforeTheDeleteIsSilent) {
  Sim sim;
  sim.exists("/d/f");
  auto p = sim.proc(30, "gzip");
  int in = p.open("/d/f", O_RDONLY);
  int out = p.open("/d/f.gz", O_WRONLY | O_CREAT | O_EXCL);
  p.write(out).fsync(out).close(out).close(in);
  int dfd = p.opendir("/d");
  p.fsync(dfd);
  p.unlink("/d/f");
  p.fsync(dfd).close(dfd);
  sim.finish();
  EXPECT_TRUE(sim.findings.empty()) << sim.dump();
}

// cp a b; rm a: the reader and the deleter are two children of one shell.
TEST(UnlinkBeforeDurable, DataFlowAcrossOneProcessFamilyFires) {
  Sim sim;
  sim.exists("/src/a");
  auto sh = sim.proc(40, "sh");
  auto cp = sim.fork(sh, 41, "cp");
  int in = cp.open("/src/a", O_RDONLY);
  int out = cp.open("/dst/x/b");
  cp.write(out).close(out).close(in);
  auto rm = sim.fork(sh, 42, "rm");
  rm.unlink("/src/a");
  sim.finish();
  ASSERT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  EXPECT_EQ(sim.first(kUnlinkBeforeDurable)->successor_evidence, "data-flow");
  EXPECT_TRUE(has_related(*sim.first(kUnlinkBeforeDurable), "/dst/x/b", "successor", "data-not-durable"));
}

TEST(UnlinkBeforeDurable, DataFlowFromAnUnrelatedProcessIsNoEvidence) {
  Sim sim;
  sim.exists("/src/a");
  auto cp = sim.proc(41, "cp");
  int in = cp.open("/src/a", O_RDONLY);
  int out = cp.open("/dst/b");
  cp.write(out).close(out).close(in);
  auto rm = sim.proc(42, "cleaner");
  rm.unlink("/src/a");
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
}

// A daemon read its config long ago and writes logs and data since: only a
// file it wrote while reading, or the first one after, carries its data.
TEST(UnlinkBeforeDurable, DataFlowCountsOnlyWhatWasWrittenFromTheRead) {
  Sim sim;
  sim.exists("/srv/config");
  auto p = sim.proc(30, "daemon");
  int in = p.open("/srv/config", O_RDONLY);
  p.close(in);
  int first = p.open("/srv/cache/first");
  p.write(first).fsync(first).close(first);
  int later = p.open("/srv/data/later");
  p.write(later).close(later);
  p.unlink("/srv/config");
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
}

// vim's default save: rename f -> f~, write and fsync a new f, delete f~.
// The swap file it keeps writing is never the successor.
TEST(UnlinkBeforeDurable, EditorBackupWithSwapFileIsSilent) {
  Sim sim;
  sim.exists("/w/f");
  auto p = sim.proc(30, "vim");
  int swp = p.open("/w/.f.swp", O_RDWR | O_CREAT | O_EXCL);
  int in = p.open("/w/f", O_RDONLY);
  p.close(in);
  p.write(swp);
  p.rename("/w/f", "/w/f~");
  int out = p.open("/w/f", O_WRONLY | O_CREAT | O_TRUNC);
  p.write(out).fsync(out).close(out);
  p.unlink("/w/f~");
  p.close(swp);
  p.unlink("/w/.f.swp");
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
  EXPECT_EQ(sim.count(kRenameWithoutFsync), 0u) << sim.dump();
}

// install: unlink dst/f, create it again, write, no fsync.
TEST(UnlinkBeforeDurable, SamePathCreatedAgainUnsyncedFires) {
  Sim sim;
  sim.exists("/dst/f");
  auto p = sim.proc(30, "install");
  p.unlink("/dst/f");
  int fd = p.open("/dst/f", O_WRONLY | O_CREAT | O_EXCL);
  p.write(fd).close(fd);
  sim.finish();
  ASSERT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  const Finding* f = sim.first(kUnlinkBeforeDurable);
  EXPECT_EQ(f->successor_evidence, "same-path");
  EXPECT_EQ(f->severity, Severity::Error);
  EXPECT_TRUE(has_related(*f, "/dst/f", "successor", "data-not-durable"));
}

TEST(UnlinkBeforeDurable, SamePathCreatedAgainAndFsyncedIsAWarningWithItsWindow) {
  Sim sim;
  sim.exists("/dst/f");
  auto p = sim.proc(30, "install");
  p.unlink("/dst/f");
  int fd = p.open("/dst/f", O_WRONLY | O_CREAT | O_EXCL);
  p.write(fd).fsync(fd).close(fd);
  sim.finish();
  ASSERT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  const Finding* f = sim.first(kUnlinkBeforeDurable);
  EXPECT_EQ(f->severity, Severity::Warning);
  ASSERT_TRUE(f->window_ns.has_value());
  EXPECT_EQ(*f->window_ns, 3 * kMs);  // unlink, open, write, fsync: 1 ms each
  ASSERT_TRUE(f->closed_by.has_value());
  EXPECT_EQ(f->closed_by->syscall, "fsync");
}

TEST(UnlinkBeforeDurable, APathCreatedAgainAfterTheGracePeriodIsNotASuccessor) {
  Sim sim;
  sim.exists("/dst/f");
  auto p = sim.proc(30, "app");
  p.unlink("/dst/f");
  sim.sleep(6 * kSec).settle();
  int fd = p.open("/dst/f");
  p.write(fd).close(fd);
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
}

// current renamed away, new renamed to current, the old tree removed.
TEST(UnlinkBeforeDurable, DirectorySwapFires) {
  Sim sim;
  sim.exists("/s/current/").exists("/s/current/data");
  auto p = sim.proc(30, "deployer");
  p.mkdir("/s/next");
  int fd = p.open("/s/next/data");
  p.write(fd).close(fd);
  p.rename("/s/current", "/s/old");
  p.rename("/s/next", "/s/current");
  p.unlink("/s/old/data");
  p.rmdir("/s/old");
  sim.finish();
  ASSERT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  const Finding* f = sim.first(kUnlinkBeforeDurable);
  EXPECT_EQ(f->successor_evidence, "directory-swap");
  EXPECT_TRUE(has_related(*f, "/s/current/data", "successor", "data-not-durable"));
  EXPECT_EQ(sim.count(kStateDeleted), 0u) << sim.dump();
}

TEST(UnlinkBeforeDurable, DirectorySwapWithTheNewTreeFsyncedIsSilent) {
  Sim sim;
  sim.exists("/s/current/").exists("/s/current/data");
  auto p = sim.proc(30, "deployer");
  p.mkdir("/s/next");
  int fd = p.open("/s/next/data");
  p.write(fd).fsync(fd).close(fd);
  p.rename("/s/current", "/s/old");
  p.rename("/s/next", "/s/current");
  p.unlink("/s/old/data");
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
}

// The atomic save of docs/rules.md, with the program's log unsynced nearby.
TEST(UnlinkBeforeDurable, RenameOverADurableFileIsNotThisRule) {
  Sim sim;
  sim.exists("/app/state");
  auto p = sim.proc(30, "app");
  int log = p.open("/app/app.log");
  p.write(log).close(log);
  int cur = p.open("/app/state", O_RDONLY);
  p.close(cur);
  int fd = p.open("/app/state.tmp");
  p.write(fd).fsync(fd).close(fd);
  p.rename("/app/state.tmp", "/app/state");
  int dfd = p.opendir("/app");
  p.fsync(dfd).close(dfd);
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
  EXPECT_EQ(sim.count(kRenameWithoutFsync), 0u) << sim.dump();
  ASSERT_EQ(sim.count(kCloseWithoutFsync), 1u) << sim.dump();
  EXPECT_EQ(sim.first(kCloseWithoutFsync)->path, "/app/app.log");
}

TEST(UnlinkBeforeDurable, ASuccessorDeletedBeforeTheVerdictIsNoSuccessor) {
  Sim sim;
  sim.exists("/d/f");
  auto p = sim.proc(30, "tool");
  int in = p.open("/d/f", O_RDONLY);
  int out = p.open("/d/f.part");
  p.write(out).close(out).close(in);
  p.unlink("/d/f");
  p.unlink("/d/f.part");
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
}

TEST(UnlinkBeforeDurable, AFileWithAnotherHardLinkIsNotDeleted) {
  Sim sim;
  sim.exists("/d/f");
  auto p = sim.proc(30, "sh");
  p.link("/d/f", "/d/g");  // f was never opened: the model gives it an identity
  int in = p.open("/d/g", O_RDONLY);
  int out = p.open("/d/g.gz");
  p.write(out).close(out).close(in);
  p.unlink("/d/f");
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
  EXPECT_EQ(sim.count(kStateDeleted), 0u) << sim.dump();
}

TEST(UnlinkBeforeDurable, DeletingATempFileIsSilent) {
  Sim sim;
  auto p = sim.proc(30, "db");
  int fd = p.open("/db/tmp");
  p.write(fd).close(fd);
  int other = p.open("/db/tmp.gz");
  p.write(other);
  p.unlink("/db/tmp");  // never durable: no state lost
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
}

TEST(UnlinkBeforeDurable, EmptyingACheckpointDirectoryIsOneFinding) {
  Sim sim;
  for (int i = 0; i < 3; ++i) sim.exists("/ckpt/chk-1/state-" + std::to_string(i));
  auto p = sim.proc(30, "jm");
  for (int i = 0; i < 3; ++i) {
    int fd = p.open("/ckpt/chk-2/state-" + std::to_string(i));
    p.write(fd).close(fd);
  }
  for (int i = 0; i < 3; ++i) p.unlink("/ckpt/chk-1/state-" + std::to_string(i));
  p.rmdir("/ckpt/chk-1");
  sim.finish();
  ASSERT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  const Finding* f = sim.first(kUnlinkBeforeDurable);
  EXPECT_NE(f->message.find("(and 2 more)"), std::string::npos) << f->message;
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(has_related(*f, "/ckpt/chk-2/state-" + std::to_string(i), "successor", "data-not-durable"));
}

TEST(UnlinkBeforeDurable, ASyncLaterClosesTheWindow) {
  Sim sim;
  sim.exists("/ckpt/chk-1/state-0");
  auto p = sim.proc(30, "jm");
  int fd = p.open("/ckpt/chk-2/state-0");
  p.write(fd).close(fd);
  p.unlink("/ckpt/chk-1/state-0");
  p.sync();
  sim.finish();
  ASSERT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  EXPECT_EQ(sim.first(kUnlinkBeforeDurable)->severity, Severity::Warning);
  EXPECT_EQ(sim.first(kUnlinkBeforeDurable)->closed_by->syscall, "sync");
}

// ------------------------------------------------------------ missing-dir-fsync

TEST(MissingDirFsync, ADirectoryFsyncedThroughASymlinkCounts) {
  Sim sim;
  sim.exists("/real/");
  sim.symlinked_dir("/link", "/real");
  auto p = sim.proc(40, "app");
  int fd = p.open("/real/a");
  p.write(fd).fsync(fd).close(fd);
  int dfd = p.opendir("/link");  // the same directory, by another path
  p.fsync(dfd).close(dfd);
  sim.finish();
  EXPECT_EQ(sim.count(kMissingDirFsync), 0u) << sim.dump();
}

TEST(MissingDirFsync, FiresPerDirectoryWithEntryCount) {
  Sim sim;
  auto p = sim.proc(40, "app");
  for (const char* n : {"/d/a", "/d/b", "/d/c"}) {
    int fd = p.open(n);
    p.write(fd).fsync(fd).close(fd);
  }
  sim.finish();
  ASSERT_EQ(sim.count(kMissingDirFsync), 1u) << sim.dump();
  const Finding* f = sim.first(kMissingDirFsync);
  EXPECT_EQ(f->path, "/d");
  EXPECT_EQ(f->entries, std::optional<uint64_t>(3));
  EXPECT_TRUE(has_related(*f, "/d", "directory", "entry-not-durable"));
  EXPECT_TRUE(has_related(*f, "/d/a", "source", "entry-not-durable"));
  EXPECT_TRUE(has_related(*f, "/d/c", "source", "entry-not-durable"));
  EXPECT_EQ(f->severity, Severity::Warning);
}

TEST(MissingDirFsync, SilentWithDirectoryFsync) {
  Sim sim;
  auto p = sim.proc(40, "app");
  int fd = p.open("/d/a");
  p.write(fd).fsync(fd).close(fd);
  int dfd = p.opendir("/d");
  p.fsync(dfd);
  sim.finish();
  EXPECT_TRUE(sim.findings.empty()) << sim.dump();
}

TEST(MissingDirFsync, BatchedDirectorySyncWithinGraceIsSilent) {
  Sim sim;
  auto p = sim.proc(40, "app");
  int fd = p.open("/d/a");
  p.write(fd).fsync(fd).close(fd);
  sim.sleep(3 * kSec).settle();
  int dfd = p.opendir("/d");
  p.fsync(dfd);
  sim.sleep(10 * kSec).settle().finish();
  EXPECT_TRUE(sim.findings.empty()) << sim.dump();
}

TEST(MissingDirFsync, OneFindingPerWindow) {
  Sim sim;
  auto p = sim.proc(40, "app");
  int fd = p.open("/d/a");
  p.fsync(fd).close(fd);
  sim.sleep(6 * kSec).settle();
  EXPECT_EQ(sim.count(kMissingDirFsync), 1u);
  sim.sleep(6 * kSec).settle();
  EXPECT_EQ(sim.count(kMissingDirFsync), 1u);  // same entry: not again
  int fd2 = p.open("/d/b");
  p.fsync(fd2).close(fd2);
  sim.finish();
  EXPECT_EQ(sim.count(kMissingDirFsync), 2u);
  EXPECT_EQ(sim.findings.back().entries, std::optional<uint64_t>(1));
}

TEST(MissingDirFsync, CreateThenUnlinkCancels) {
  Sim sim;
  auto p = sim.proc(40, "app");
  int fd = p.open("/d/lock");
  p.close(fd);
  p.unlink("/d/lock");
  sim.finish();
  EXPECT_TRUE(sim.findings.empty()) << sim.dump();
}

TEST(MissingDirFsync, TempRenamedIntoPlaceCountsOnlyTheFinalName) {
  Sim sim;
  auto p = sim.proc(40, "app");
  int fd = p.open("/d/x.tmp");
  p.write(fd).fsync(fd).close(fd);
  p.rename("/d/x.tmp", "/d/x");
  sim.finish();
  ASSERT_EQ(sim.count(kMissingDirFsync), 1u);
  EXPECT_EQ(sim.first(kMissingDirFsync)->entries, std::optional<uint64_t>(1));
  EXPECT_TRUE(has_related(*sim.first(kMissingDirFsync), "/d/x", "source", "entry-not-durable"));
}

TEST(MissingDirFsync, NewDirectoryNeedsItsParentSynced) {
  Sim sim;
  auto p = sim.proc(40, "app");
  p.mkdir("/d/sub");
  int fd = p.open("/d/sub/f");
  p.write(fd).fsync(fd).close(fd);
  int sfd = p.opendir("/d/sub");
  p.fsync(sfd).close(sfd);
  sim.finish();
  ASSERT_EQ(sim.count(kMissingDirFsync), 1u) << sim.dump();
  EXPECT_EQ(sim.first(kMissingDirFsync)->path, "/d");
  EXPECT_TRUE(has_related(*sim.first(kMissingDirFsync), "/d/sub", "source", "entry-not-durable"));
}

TEST(MissingDirFsync, RemovedDirectoriesDoNotCount) {
  Sim sim;
  sim.exists("/d/old/");
  sim.exists("/d/old/f");
  auto p = sim.proc(40, "app");
  p.mkdir("/d/tmpdir");
  int fd = p.open("/d/tmpdir/x");
  p.close(fd);
  p.unlink("/d/tmpdir/x");
  p.rmdir("/d/tmpdir");
  sim.finish();
  EXPECT_TRUE(sim.findings.empty()) << sim.dump();
}

TEST(MissingDirFsync, SymlinkAndLinkAreEntries) {
  Sim sim;
  auto p = sim.proc(40, "app");
  int fd = p.open("/d/f");
  p.write(fd).fsync(fd).close(fd);
  int dfd = p.opendir("/d");
  p.fsync(dfd);
  p.symlink("f", "/d/current");
  p.link("/d/f", "/d/f.bak");
  sim.finish();
  ASSERT_EQ(sim.count(kMissingDirFsync), 1u) << sim.dump();
  EXPECT_EQ(sim.first(kMissingDirFsync)->entries, std::optional<uint64_t>(2));
}

// ------------------------------------------------------------ truncate-in-place

TEST(TruncateInPlace, OTruncOfExistingFileThenWrite) {
  Sim sim;
  sim.exists("/etc/app.json");
  auto p = sim.proc(50, "python3");
  int fd = p.open("/etc/app.json", O_WRONLY | O_CREAT | O_TRUNC);
  p.write(fd).close(fd);
  ASSERT_EQ(sim.count(kTruncateInPlace), 1u) << sim.dump();
  const Finding* f = sim.first(kTruncateInPlace);
  EXPECT_EQ(f->path, "/etc/app.json");
  EXPECT_EQ(f->severity, Severity::Warning);
  ASSERT_EQ(f->evidence.size(), 2u);
  EXPECT_EQ(f->evidence[0].syscall, "openat");
  EXPECT_EQ(f->evidence[1].syscall, "write");
  sim.finish();
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 1u);
}

TEST(TruncateInPlace, FtruncateToZeroThenWrite) {
  Sim sim;
  sim.exists("/var/counter");
  auto p = sim.proc(50, "app");
  int fd = p.open("/var/counter", O_RDWR);
  p.ftruncate(fd, 0).write(fd).fsync(fd).close(fd);
  EXPECT_EQ(sim.count(kTruncateInPlace), 1u) << sim.dump();
}

TEST(TruncateInPlace, NewFileIsNotTruncatedInPlace) {
  Sim sim;
  auto p = sim.proc(50, "app");
  int fd = p.open("/var/new", O_WRONLY | O_CREAT | O_TRUNC);
  p.write(fd).fsync(fd).close(fd);
  EXPECT_EQ(sim.count(kTruncateInPlace), 0u);
}

TEST(TruncateInPlace, TruncateWithoutRewriteIsSilent) {
  Sim sim;
  sim.exists("/var/log/app.log");
  auto p = sim.proc(50, "app");
  p.truncate("/var/log/app.log", 0);
  int fd = p.open("/var/log/app.log", O_WRONLY | O_TRUNC);
  p.close(fd);
  EXPECT_EQ(sim.count(kTruncateInPlace), 0u);
}

TEST(TruncateInPlace, StateMadeDurableEarlierInTheSessionArms) {
  Sim sim;
  auto p = sim.proc(50, "daemon");
  int fd = p.open("/var/lib/d/state");
  p.write(fd).fsync(fd).close(fd);
  int dfd = p.opendir("/var/lib/d");
  p.fsync(dfd).close(dfd);
  sim.sleep(6 * kSec);  // past state_min_age
  fd = p.open("/var/lib/d/state", O_WRONLY | O_TRUNC);
  p.write(fd).close(fd);
  sim.finish();
  EXPECT_EQ(sim.count(kTruncateInPlace), 1u) << sim.dump();
}

TEST(TruncateInPlace, AYoungSessionFileIsScratchNotState) {
  Sim sim;
  auto p = sim.proc(50, "app");
  int fd = p.open("/d/scratch");
  p.write(fd).fsync(fd).close(fd);
  fd = p.open("/d/scratch", O_WRONLY | O_TRUNC);
  p.write(fd).close(fd);
  sim.finish();
  EXPECT_EQ(sim.count(kTruncateInPlace), 0u) << sim.dump();
}

TEST(TruncateInPlace, AnUnsyncedFileHoldsNoDurableStateToLose) {
  Sim sim;
  sim.exists("/d/f");
  auto p = sim.proc(50, "app");
  int fd = p.open("/d/f", O_WRONLY);
  p.write(fd).close(fd);  // dirty now: what a truncation would destroy was never durable
  fd = p.open("/d/f", O_WRONLY | O_TRUNC);
  p.write(fd).close(fd);
  sim.finish();
  EXPECT_EQ(sim.count(kTruncateInPlace), 0u) << sim.dump();
}

// SQLite journal_mode=TRUNCATE: the synced truncation is the commit; the next
// transaction writes the journal again.
TEST(TruncateInPlace, ASyncedTruncationEndsATransaction) {
  Sim sim;
  sim.exists("/db/x.db-journal");
  auto p = sim.proc(50, "sqlite3");
  int j = p.open("/db/x.db-journal", O_RDWR);
  for (int txn = 0; txn < 3; ++txn) {
    p.write(j).fsync(j);
    p.ftruncate(j, 0).fsync(j);
  }
  p.close(j);
  sim.finish();
  EXPECT_EQ(sim.count(kTruncateInPlace), 0u) << sim.dump();
}

TEST(TruncateInPlace, ATruncationLeftEmptyUntilALaterUseIsNotARewrite) {
  Sim sim;
  sim.exists("/d/queue");
  auto p = sim.proc(50, "app");
  int fd = p.open("/d/queue", O_WRONLY | O_TRUNC);
  p.close(fd);
  fd = p.open("/d/queue", O_WRONLY | O_APPEND);
  p.write(fd).close(fd);
  sim.finish();
  EXPECT_EQ(sim.count(kTruncateInPlace), 0u) << sim.dump();
}

TEST(TruncateInPlace, NonZeroLengthIsNotATruncationToEmpty) {
  Sim sim;
  sim.exists("/var/db");
  auto p = sim.proc(50, "app");
  int fd = p.open("/var/db", O_RDWR);
  p.ftruncate(fd, 4096).write(fd).fsync(fd).close(fd);
  EXPECT_EQ(sim.count(kTruncateInPlace), 0u);
}

// ------------------------------------------------------------ fsync-error-ignored

TEST(FsyncErrorIgnored, RetryAfterEioFires) {
  Sim sim;
  auto p = sim.proc(60, "postgres");
  int fd = p.open("/pg/base/1");
  p.write(fd).fsync(fd, -EIO).fsync(fd);
  ASSERT_EQ(sim.count(kFsyncErrorIgnored), 1u) << sim.dump();
  const Finding* f = sim.first(kFsyncErrorIgnored);
  EXPECT_EQ(f->severity, Severity::Error);
  EXPECT_EQ(f->path, "/pg/base/1");
  ASSERT_EQ(f->evidence.size(), 2u);
  EXPECT_EQ(f->evidence[0].ret, -EIO);
}

TEST(FsyncErrorIgnored, WriteAfterEnospcFires) {
  Sim sim;
  auto p = sim.proc(60, "app");
  int fd = p.open("/d/f");
  p.write(fd).fdatasync(fd, -ENOSPC).write(fd);
  EXPECT_EQ(sim.count(kFsyncErrorIgnored), 1u) << sim.dump();
}

TEST(FsyncErrorIgnored, EinvalAndEbadfAreNotDataLoss) {
  Sim sim;
  auto p = sim.proc(60, "app");
  int fd = p.open("/d/f");
  p.write(fd).fsync(fd, -EINVAL).fsync(fd).fsync(fd, -EBADF).write(fd);
  EXPECT_EQ(sim.count(kFsyncErrorIgnored), 0u);
}

TEST(FsyncErrorIgnored, GivingUpIsSilent) {
  Sim sim;
  auto p = sim.proc(60, "app");
  int fd = p.open("/d/f");
  p.write(fd).fsync(fd, -EIO).close(fd);
  p.exit();
  EXPECT_EQ(sim.count(kFsyncErrorIgnored), 0u);
}

// ------------------------------------------------------------ state-deleted

TEST(StateDeleted, PreexistingFileDeletedAndNotReplaced) {
  Sim sim;
  sim.exists("/var/lib/app/state.db");
  auto p = sim.proc(70, "app");
  p.unlink("/var/lib/app/state.db");
  sim.finish();
  ASSERT_EQ(sim.count(kStateDeleted), 1u) << sim.dump();
  const Finding* f = sim.first(kStateDeleted);
  EXPECT_EQ(f->severity, Severity::Notice);
  EXPECT_EQ(f->path, "/var/lib/app/state.db");
  EXPECT_TRUE(has_related(*f, "/var/lib/app/state.db", "deleted", "durable"));
}

TEST(StateDeleted, ReplacedAtTheSamePathIsSilent) {
  Sim sim;
  sim.exists("/var/lib/app/state.db");
  auto p = sim.proc(70, "app");
  p.unlink("/var/lib/app/state.db");
  int fd = p.open("/var/lib/app/state.db");
  p.write(fd).fsync(fd).close(fd);
  sim.finish();
  EXPECT_EQ(sim.count(kStateDeleted), 0u) << sim.dump();
}

TEST(StateDeleted, ReplacedInScopeIsSilent) {
  Sim sim;
  sim.exists("/ckpt/chk-1/_metadata");
  auto p = sim.proc(70, "jm");
  int fd = p.open("/ckpt/chk-2/_metadata");
  p.write(fd).fsync(fd).close(fd);
  p.unlink("/ckpt/chk-1/_metadata");
  sim.finish();
  EXPECT_EQ(sim.count(kStateDeleted), 0u) << sim.dump();
}

TEST(StateDeleted, LockAndPidFilesAreNotState) {
  Sim sim;
  sim.exists("/run/app/app.pid").exists("/data/LOCK").exists("/data/x.lock");
  auto p = sim.proc(60, "app");
  p.unlink("/run/app/app.pid").unlink("/data/LOCK").unlink("/data/x.lock");
  sim.finish();
  EXPECT_EQ(sim.count(kStateDeleted), 0u) << sim.dump();
}

TEST(StateDeleted, AMoveAcrossFilesystemsIsNotStateDestroyed) {
  Sim sim;
  sim.exists("/home/u/a/b/file");
  auto p = sim.proc(60, "mv");
  int in = p.open("/home/u/a/b/file", O_RDONLY);
  int out = p.open("/mnt/xfs/file");
  p.write(out).close(out).close(in);
  p.unlink("/home/u/a/b/file");
  sim.finish();
  EXPECT_EQ(sim.count(kStateDeleted), 0u) << sim.dump();
  ASSERT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  EXPECT_EQ(sim.first(kUnlinkBeforeDurable)->successor_evidence, "data-flow");
}

TEST(StateDeleted, ShortLivedFileIsNotState) {
  Sim sim;
  auto p = sim.proc(70, "app");
  int fd = p.open("/var/lib/app/tmp");
  p.write(fd).fsync(fd).close(fd);
  sim.sleep(1 * kSec);
  p.unlink("/var/lib/app/tmp");
  sim.finish();
  EXPECT_EQ(sim.count(kStateDeleted), 0u) << sim.dump();
}

TEST(StateDeleted, FileOlderThanStateMinAgeIsState) {
  Sim sim;
  auto p = sim.proc(70, "app");
  int fd = p.open("/var/lib/app/counter");
  p.write(fd).fsync(fd).close(fd);
  sim.sleep(6 * kSec);
  p.unlink("/var/lib/app/counter");
  sim.finish();
  EXPECT_EQ(sim.count(kStateDeleted), 1u) << sim.dump();
}

TEST(StateDeleted, WaitsForTheGracePeriodInAttachMode) {
  Sim sim;
  sim.exists("/var/lib/app/state.db");
  auto p = sim.proc(70, "app");
  p.unlink("/var/lib/app/state.db");
  sim.sleep(2 * kSec).settle();
  EXPECT_EQ(sim.count(kStateDeleted), 0u);
  sim.sleep(4 * kSec).settle();
  EXPECT_EQ(sim.count(kStateDeleted), 1u);
}

TEST(StateDeleted, TreeRemovalIsOneFinding) {
  Sim sim;
  sim.exists("/srv/q/");
  sim.exists("/srv/q/a/");
  sim.exists("/srv/q/a/1");
  sim.exists("/srv/q/a/2");
  sim.exists("/srv/q/b/");
  sim.exists("/srv/q/b/3");
  auto p = sim.proc(70, "rm");
  p.unlink("/srv/q/a/1").unlink("/srv/q/a/2").rmdir("/srv/q/a");
  p.unlink("/srv/q/b/3").rmdir("/srv/q/b").rmdir("/srv/q");
  sim.finish();
  ASSERT_EQ(sim.count(kStateDeleted), 1u) << sim.dump();
  const Finding* f = sim.first(kStateDeleted);
  EXPECT_EQ(f->path, "/srv/q");
  EXPECT_EQ(f->related.size(), 3u);
  EXPECT_TRUE(has_related(*f, "/srv/q/a/2", "deleted", "durable"));
  EXPECT_EQ(f->evidence.back().syscall, "rmdir");
}

// ------------------------------------------------------------ sync-file-range-only

TEST(SyncFileRangeOnly, FiresWhenNeverFullySynced) {
  Sim sim;
  auto p = sim.proc(80, "rocks");
  int fd = p.open("/db/000012.log");
  p.write(fd).sync_file_range(fd).close(fd);
  sim.finish();
  ASSERT_EQ(sim.count(kSyncFileRangeOnly), 1u) << sim.dump();
  EXPECT_EQ(sim.first(kSyncFileRangeOnly)->severity, Severity::Notice);
  EXPECT_EQ(sim.first(kSyncFileRangeOnly)->evidence.front().syscall, "sync_file_range");
}

TEST(SyncFileRangeOnly, SilentWhenFollowedByFdatasync) {
  Sim sim;
  auto p = sim.proc(80, "rocks");
  int fd = p.open("/db/000012.log");
  p.write(fd).sync_file_range(fd).fdatasync(fd).close(fd);
  sim.finish();
  EXPECT_EQ(sim.count(kSyncFileRangeOnly), 0u);
}

TEST(SyncFileRangeOnly, SilentWhenSyncedAfterCloseWithinGrace) {
  Sim sim;
  auto p = sim.proc(80, "rocks");
  int fd = p.open("/db/000012.log");
  p.write(fd).sync_file_range(fd).close(fd);
  sim.sleep(1 * kSec);
  p.sync();
  sim.sleep(10 * kSec).settle().finish();
  EXPECT_EQ(sim.count(kSyncFileRangeOnly), 0u) << sim.dump();
}

}  // namespace
}  // namespace duraudit::test
