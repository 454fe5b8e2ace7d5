// SPDX-License-Identifier: GPL-2.0-only
// Engine plumbing: loss, eviction under tiny caps, configuration (disabled
// rules, severity overrides, ignored filesystems), evidence formatting.
#include <gtest/gtest.h>

#include "engine/rule_catalogue.h"
#include "engine_events.h"
#include "event/event_format.h"

namespace duraudit::test {
namespace {

using namespace rule_id;

TEST(EngineLoss, NoteLossMarksLaterFindingsIncomplete) {
  Sim sim;
  auto p = sim.proc(1, "app");
  int a = p.open("/d/a.tmp");
  p.write(a).close(a);
  p.rename("/d/a.tmp", "/d/a");
  sim.sleep(6 * kSec).settle();  // its verdict is due before the loss
  sim.lose(42);
  int b = p.open("/d/b.tmp");
  p.write(b).close(b);
  p.rename("/d/b.tmp", "/d/b");
  sim.finish();
  std::vector<Finding> renames;
  for (const auto& f : sim.findings)
    if (f.rule == kRenameWithoutFsync) renames.push_back(f);
  ASSERT_EQ(renames.size(), 2u) << sim.dump();
  EXPECT_FALSE(renames[0].incomplete);
  EXPECT_TRUE(renames[1].incomplete);
  EXPECT_NE(renames[1].incomplete_reason.find("42"), std::string::npos);
}

TEST(EngineLimits, EvictionUnderTinyCapsIsCountedAndSafe) {
  EngineLimits limits;
  limits.max_inodes = 4;
  limits.max_pending_dir_entries = 3;
  Sim sim(Config::defaults(), limits);
  auto p = sim.proc(1, "app");
  std::vector<int> fds;
  for (int i = 0; i < 20; ++i) {
    int fd = p.open("/d/f" + std::to_string(i));
    p.write(fd);
    fds.push_back(fd);
    if (i % 3 == 0) p.rename("/d/f" + std::to_string(i), "/d/g" + std::to_string(i));
    if (i % 4 == 0) p.unlink("/d/f" + std::to_string(i));
  }
  for (int fd : fds) p.close(fd);
  p.mkdir("/d/sub").rmdir("/d/sub");
  sim.finish();
  EngineStats s = sim.engine().stats();
  EXPECT_GT(s.evictions, 0u);
  EXPECT_LE(s.tracked_files, 4u);
  EXPECT_EQ(s.findings, sim.findings.size());
  EXPECT_GT(s.events, 40u);
  // Closes of evicted dirty inodes are verdicts on evicted state: incomplete.
  for (const auto& f : sim.findings)
    if (f.rule == kCloseWithoutFsync && f.incomplete) SUCCEED();
}

TEST(EngineLimits, CloseVerdictOnEvictedInodeIsIncomplete) {
  EngineLimits limits;
  limits.max_inodes = 1;
  Sim sim(Config::defaults(), limits);
  auto p = sim.proc(1, "app");
  int a = p.open("/d/a");
  p.write(a).close(a);  // pending verdict on /d/a
  int b = p.open("/d/b");  // evicts /d/a
  p.close(b);
  sim.finish();
  ASSERT_EQ(sim.count(kCloseWithoutFsync), 1u) << sim.dump();
  EXPECT_TRUE(sim.first(kCloseWithoutFsync)->incomplete);
  EXPECT_GT(sim.engine().stats().evictions, 0u);
}

TEST(EngineConfig, DisabledRulesStaySilent) {
  Config cfg = Config::defaults();
  cfg.rules[std::string(kRenameWithoutFsync)].enabled = false;
  cfg.rules[std::string(kCloseWithoutFsync)].enabled = false;
  Sim sim(cfg);
  auto p = sim.proc(1, "app");
  int a = p.open("/d/a.tmp");
  p.write(a).close(a);
  p.rename("/d/a.tmp", "/d/a");
  sim.finish();
  EXPECT_EQ(sim.count(kRenameWithoutFsync), 0u);
  EXPECT_EQ(sim.count(kCloseWithoutFsync), 0u);
  EXPECT_EQ(sim.count(kMissingDirFsync), 1u);
}

TEST(EngineConfig, SeverityOverrideApplies) {
  Config cfg = Config::defaults();
  cfg.rules[std::string(kCloseWithoutFsync)].severity = Severity::Error;
  Sim sim(cfg);
  auto p = sim.proc(1, "app");
  int a = p.open("/d/a");
  p.write(a).close(a);
  sim.finish();
  ASSERT_EQ(sim.count(kCloseWithoutFsync), 1u);
  EXPECT_EQ(sim.first(kCloseWithoutFsync)->severity, Severity::Error);
}

TEST(EngineConfig, IgnoredFilesystemsStaySilent) {
  Sim sim;
  sim.exists("/dev/shm/q/old");
  auto p = sim.proc(1, "app");
  int a = p.open("/dev/shm/q/a.tmp");
  p.write(a).close(a);
  p.rename("/dev/shm/q/a.tmp", "/dev/shm/q/a");
  int t = p.open("/dev/shm/q/b");
  p.write(t);
  p.unlink("/dev/shm/q/old");
  p.mkdir("/dev/shm/q/dir");
  sim.sleep(10 * kSec);
  sim.finish();
  EXPECT_TRUE(sim.findings.empty()) << sim.dump();
}

TEST(EngineConfig, GracePeriodIsConfigurable) {
  Config cfg = Config::defaults();
  cfg.grace_ns = 100 * kMs;
  Sim sim(cfg);
  auto p = sim.proc(1, "app");
  int a = p.open("/d/a");
  p.write(a).fsync(a).close(a);
  sim.sleep(200 * kMs).settle();
  EXPECT_EQ(sim.count(kMissingDirFsync), 1u);
}

TEST(EventFormat, ArgsReadLikeStrace) {
  Event open;
  open.syscall = Syscall::Openat;
  open.abs_path = "/d/f.tmp";
  open.flags = O_WRONLY | O_CREAT | O_TRUNC;
  open.arg = 0644;
  EXPECT_EQ(format_event_args(open), "\"/d/f.tmp\", O_WRONLY|O_CREAT|O_TRUNC, 0644");

  Event close;
  close.syscall = Syscall::Close;
  close.fd = 3;
  close.file.path = "/d/f.tmp";
  EXPECT_EQ(format_event_args(close), "3</d/f.tmp>");

  Event ren;
  ren.syscall = Syscall::Renameat2;
  ren.abs_path = "/d/a";
  ren.abs_path2 = "/d/b";
  EXPECT_EQ(format_event_args(ren), "\"/d/a\" -> \"/d/b\"");
  ren.flags = RENAME_NOREPLACE;
  EXPECT_EQ(format_event_args(ren), "\"/d/a\" -> \"/d/b\", RENAME_NOREPLACE");

  Event rm;
  rm.syscall = Syscall::Unlinkat;
  rm.abs_path = "/d/x";
  rm.flags = AT_REMOVEDIR;
  EXPECT_EQ(format_event_args(rm), "\"/d/x\", AT_REMOVEDIR");

  Event w;
  w.syscall = Syscall::Pwrite64;
  w.fd = 4;
  w.file.path = "/d/f";
  w.bytes = 4096;
  w.seq = 7;
  w.ts_ns = 99;
  w.pid = 5;
  w.tid = 6;
  w.ret = 4096;
  EvidenceEvent e = make_evidence(w);
  EXPECT_EQ(e.syscall, "pwrite64");
  EXPECT_EQ(e.args, "4</d/f>, 4096 bytes");
  EXPECT_EQ(e.seq, 7u);
  EXPECT_EQ(e.ts_ns, 99u);
  EXPECT_EQ(e.pid, 5);
  EXPECT_EQ(e.tid, 6);
  EXPECT_EQ(e.ret, 4096);
}

TEST(FsClassifier, StatfsClassifierFindsAnExistingAncestor) {
  FsClassifier c = make_statfs_classifier();
  EXPECT_NE(c("/"), 0u);
  EXPECT_EQ(c("/proc/self/does/not/exist"), c("/proc"));
}

}  // namespace
}  // namespace duraudit::test
