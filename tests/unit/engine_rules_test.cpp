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

TEST(RenameWithoutFsync, FiresAtTheRename) {
  Sim sim;
  sim.exists("/repo/.git/index");
  auto p = sim.proc(20, "git");
  int fd = p.open("/repo/.git/index.lock", O_WRONLY | O_CREAT | O_EXCL);
  p.write(fd).close(fd);
  p.rename("/repo/.git/index.lock", "/repo/.git/index");
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

// ------------------------------------------------------------ unlink-before-durable

TEST(UnlinkBeforeDurable, FiresWhenReplacementDataNotDurable) {
  Sim sim;
  sim.exists("/db/old.sst");
  auto p = sim.proc(30, "db");
  int fd = p.open("/db/new.sst");
  p.write(fd).close(fd);
  p.unlink("/db/old.sst");
  ASSERT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  const Finding* f = sim.first(kUnlinkBeforeDurable);
  EXPECT_EQ(f->path, "/db/old.sst");
  EXPECT_EQ(f->severity, Severity::Error);
  EXPECT_TRUE(has_related(*f, "/db/new.sst", "replacement", "data-not-durable"));
  EXPECT_TRUE(has_related(*f, "/db/old.sst", "deleted", "durable"));
  EXPECT_EQ(f->evidence.back().syscall, "unlinkat");
}

TEST(UnlinkBeforeDurable, ReplacedByRenameFires) {
  Sim sim;
  sim.exists("/db/CURRENT");
  sim.exists("/db/data");
  auto p = sim.proc(30, "db");
  int cur = p.open("/db/CURRENT", O_RDONLY);
  p.close(cur);
  int data = p.open("/db/data", O_WRONLY);
  p.write(data);  // another file's data pending
  int fd = p.open("/db/CURRENT.tmp");
  p.write(fd).fsync(fd).close(fd);
  p.rename("/db/CURRENT.tmp", "/db/CURRENT");
  ASSERT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  EXPECT_TRUE(has_related(*sim.first(kUnlinkBeforeDurable), "/db/data", "replacement", "data-not-durable"));
  EXPECT_EQ(sim.count(kRenameWithoutFsync), 0u);
}

TEST(UnlinkBeforeDurable, SilentAfterReplacementFsyncedAndDirSynced) {
  Sim sim;
  sim.exists("/db/old.sst");
  auto p = sim.proc(30, "db");
  int fd = p.open("/db/new.sst");
  p.write(fd).fsync(fd).close(fd);
  int dfd = p.opendir("/db");
  p.fsync(dfd);
  p.unlink("/db/old.sst");
  p.fsync(dfd).close(dfd);
  sim.finish();
  EXPECT_TRUE(sim.findings.empty()) << sim.dump();
}

TEST(UnlinkBeforeDurable, EntryOnlyReplacementIsLeftToMissingDirFsync) {
  Sim sim;
  sim.exists("/db/old.sst");
  auto p = sim.proc(30, "db");
  int fd = p.open("/db/new.sst");
  p.write(fd).fsync(fd).close(fd);
  p.unlink("/db/old.sst");
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u);
  EXPECT_EQ(sim.count(kMissingDirFsync), 1u) << sim.dump();
}

TEST(UnlinkBeforeDurable, DeletingATempFileIsSilent) {
  Sim sim;
  auto p = sim.proc(30, "db");
  int other = p.open("/db/new.sst");
  p.write(other);
  int fd = p.open("/db/tmp");
  p.write(fd).close(fd);
  p.unlink("/db/tmp");  // never durable: no state lost
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
}

TEST(UnlinkBeforeDurable, OutOfScopeWritesDoNotCount) {
  Sim sim;
  sim.exists("/a/b/c/old");
  auto p = sim.proc(30, "db");
  int fd = p.open("/elsewhere/x/y");
  p.write(fd);
  p.unlink("/a/b/c/old");
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
}

TEST(UnlinkBeforeDurable, DirectoryScopeIsNarrower) {
  Config cfg = Config::defaults();
  cfg.scope = ReplacementScope::Directory;
  Sim sim(cfg);
  sim.exists("/ckpt/chk-1/state");
  auto p = sim.proc(30, "jm");
  int fd = p.open("/ckpt/chk-2/state");
  p.write(fd);
  p.unlink("/ckpt/chk-1/state");
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
}

TEST(UnlinkBeforeDurable, FilesystemScopeIsWider) {
  Config cfg = Config::defaults();
  cfg.scope = ReplacementScope::Filesystem;
  Sim sim(cfg);
  sim.exists("/a/b/c/old");
  auto p = sim.proc(30, "db");
  int fd = p.open("/elsewhere/x/y");
  p.write(fd);
  p.unlink("/a/b/c/old");
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
}

// The rule asks the model's per-directory index of dirty files, not every
// dirty file: these pin what that index must still get right.
TEST(UnlinkBeforeDurable, CountsEveryReplacementAndShowsTheNewest) {
  Sim sim;
  sim.exists("/s/a/old");
  auto p = sim.proc(30, "db");
  for (int i = 0; i < 120; ++i) {
    int fd = p.open("/s/d" + std::to_string(i % 3) + "/f" + std::to_string(i));
    p.write(fd).close(fd);
  }
  p.unlink("/s/a/old");
  ASSERT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  const Finding* f = sim.first(kUnlinkBeforeDurable);
  EXPECT_NE(f->message.find("while 120 files written"), std::string::npos) << f->message;
  EXPECT_EQ(f->related.size(), 51u);  // 50 replacements shown, and the deleted file
  EXPECT_TRUE(has_related(*f, "/s/d2/f119", "replacement", "data-not-durable"));  // the newest
  EXPECT_FALSE(has_related(*f, "/s/d0/f0", "replacement", "data-not-durable"));   // the oldest
}

TEST(UnlinkBeforeDurable, AHardLinkedReplacementIsOneFile) {
  Sim sim;
  sim.exists("/s/a/old");
  auto p = sim.proc(30, "db");
  int fd = p.open("/s/b/new");
  p.write(fd).close(fd);
  p.link("/s/b/new", "/s/c/new");
  p.unlink("/s/a/old");
  ASSERT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  EXPECT_NE(sim.first(kUnlinkBeforeDurable)->message.find("while 1 file written"), std::string::npos)
      << sim.dump();
}

TEST(UnlinkBeforeDurable, DirtyFilesMoveWithARenamedDirectory) {
  Sim sim;
  sim.exists("/s/a/old");
  sim.exists("/t/u/old");
  auto p = sim.proc(30, "db");
  p.mkdir("/s/a/x");
  int fd = p.open("/s/a/x/f");
  p.write(fd).close(fd);
  p.rename("/s/a/x", "/t/u/x");
  p.unlink("/s/a/old");  // its scope no longer holds the dirty file
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
  p.unlink("/t/u/old");  // this one's does, under its new name
  ASSERT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  EXPECT_TRUE(has_related(*sim.first(kUnlinkBeforeDurable), "/t/u/x/f", "replacement", "data-not-durable"));
}

TEST(UnlinkBeforeDurable, ReportsAgainOnlyWhenANewReplacementAppears) {
  Sim sim;
  for (const char* f : {"/s/a/o1", "/s/a/o2", "/s/a/o3"}) sim.exists(f);
  auto p = sim.proc(30, "db");
  int fd = p.open("/s/a/n1");
  p.write(fd).close(fd);
  p.unlink("/s/a/o1");
  p.unlink("/s/a/o2");  // same replacement, same directory: already said
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
  fd = p.open("/s/a/n2");
  p.write(fd).close(fd);
  p.unlink("/s/a/o3");
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 2u) << sim.dump();
}

TEST(UnlinkBeforeDurable, SyncEmptiesTheScope) {
  Sim sim;
  sim.exists("/s/a/old");
  auto p = sim.proc(30, "db");
  for (int i = 0; i < 10; ++i) {
    int fd = p.open("/s/d/f" + std::to_string(i));
    p.write(fd).close(fd);
  }
  p.sync();
  p.unlink("/s/a/old");
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
}

// ------------------------------------------------------------ missing-dir-fsync

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
