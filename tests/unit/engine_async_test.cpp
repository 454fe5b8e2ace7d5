// SPDX-License-Identifier: GPL-2.0-only
// io_uring and Linux AIO in a source that cannot see their operations (an
// strace log): the processes that use them are async-blind, and findings
// about the files they touched are incomplete, with the reason (issue 11,
// "Offline"; docs/async-io.md). Live sources see the operations themselves:
// nothing is marked there.
#include <gtest/gtest.h>

#include <cerrno>

#include "engine/rule_catalogue.h"
#include "engine_events.h"

namespace duraudit::test {
namespace {

using namespace rule_id;

Sim strace_sim() { return Sim(Config::defaults(), {}, SourceKind::StraceLog); }

// fio --ioengine=io_uring as strace shows it: the file is opened and closed
// with io_uring_enter calls between; what they wrote or synced is unseen.
// One visible write(2) makes the close a finding, which the ring's unseen
// fsync may well have answered.
TEST(AsyncBlind, AFileTheIoUringProcessWroteIsIncomplete) {
  Sim sim = strace_sim();
  auto fio = sim.proc(123, "fio");
  fio.call(Syscall::IoUringSetup, 6);
  int fd = fio.open("/data/f");
  fio.write(fd);
  fio.call(Syscall::IoUringEnter, 1, 6);
  fio.close(fd);
  sim.finish();
  const Finding* f = sim.first(kCloseWithoutFsync);
  ASSERT_NE(f, nullptr) << sim.dump();
  EXPECT_TRUE(f->incomplete);
  EXPECT_EQ(f->incomplete_reason,
            "pid 123 (fio) used io_uring, whose operations strace cannot show: its writes and syncs through it "
            "were not seen");
  ASSERT_EQ(sim.engine().blind_processes().size(), 1u);
  EXPECT_EQ(sim.engine().blind_processes()[0].pid, 123);
  EXPECT_TRUE(sim.engine().blind_processes()[0].io_uring);
  EXPECT_FALSE(sim.engine().blind_processes()[0].aio);
}

// The file was opened and written before the ring was set up: an fd opened
// earlier is as good a target for the ring's requests.
TEST(AsyncBlind, FilesTouchedBeforeTheSetupCountToo) {
  Sim sim = strace_sim();
  auto db = sim.proc(200, "db");
  int fd = db.open("/data/wal");
  db.write(fd).close(fd);
  db.call(Syscall::IoSetup);
  db.call(Syscall::IoSubmit, 1);
  sim.finish();
  const Finding* f = sim.first(kCloseWithoutFsync);
  ASSERT_NE(f, nullptr) << sim.dump();
  EXPECT_TRUE(f->incomplete);
  EXPECT_NE(f->incomplete_reason.find("pid 200 (db) used Linux AIO"), std::string::npos) << f->incomplete_reason;
}

// Another process's file, never touched by the io_uring one, stays complete;
// a file both touched is incomplete whoever the finding names.
TEST(AsyncBlind, AnUnrelatedProcessesFileStaysComplete) {
  Sim sim = strace_sim();
  auto fio = sim.proc(123, "fio");
  auto app = sim.proc(300, "app");
  fio.call(Syscall::IoUringSetup, 6);
  int a = app.open("/data/app.log");
  app.write(a).close(a);
  int s = app.open("/data/shared");
  app.write(s).close(s);
  int r = fio.open("/data/shared", O_RDONLY);  // read (and maybe synced) through the ring
  fio.close(r);
  sim.finish();
  ASSERT_EQ(sim.count(kCloseWithoutFsync), 2u) << sim.dump();
  for (const auto& f : sim.findings) {
    if (f.rule != kCloseWithoutFsync) continue;
    if (f.path == "/data/app.log") {
      EXPECT_FALSE(f.incomplete) << f.incomplete_reason;
    } else {
      EXPECT_EQ(f.path, "/data/shared");
      EXPECT_TRUE(f.incomplete);
      EXPECT_NE(f.incomplete_reason.find("pid 123 (fio)"), std::string::npos) << f.incomplete_reason;
    }
  }
}

// A live source (and a recording of one) sees the io_uring requests as
// events of their own: io_uring_setup marks nothing.
TEST(AsyncBlind, LiveSourcesMarkNothing) {
  for (SourceKind k : {SourceKind::Live, SourceKind::Recording}) {
    Sim sim(Config::defaults(), {}, k);
    auto fio = sim.proc(123, "fio");
    fio.call(Syscall::IoUringSetup, 6);
    int fd = fio.open("/data/f");
    fio.write(fd).close(fd);
    sim.finish();
    const Finding* f = sim.first(kCloseWithoutFsync);
    ASSERT_NE(f, nullptr) << sim.dump();
    EXPECT_FALSE(f->incomplete) << f->incomplete_reason;
    EXPECT_TRUE(sim.engine().blind_processes().empty());
  }
}

// A failed setup (no io_uring in this kernel: the program falls back to
// write(2)) makes no ring: nothing is unseen.
TEST(AsyncBlind, AFailedSetupIsNotAsyncIo) {
  Sim sim = strace_sim();
  auto p = sim.proc(123, "fio");
  p.call(Syscall::IoUringSetup, -ENOSYS);
  int fd = p.open("/data/f");
  p.write(fd).close(fd);
  sim.finish();
  const Finding* f = sim.first(kCloseWithoutFsync);
  ASSERT_NE(f, nullptr) << sim.dump();
  EXPECT_FALSE(f->incomplete);
  EXPECT_TRUE(sim.engine().blind_processes().empty());
}

// A file renamed by the async-blind process: the finding about its new
// name (rename-without-fsync) is incomplete too, and so is a directory's
// missing-dir-fsync whose entries it changed.
TEST(AsyncBlind, RenamesAndDirectoryEntriesFollow) {
  Sim sim = strace_sim();
  sim.exists("/data/");
  auto p = sim.proc(123, "fio");
  p.call(Syscall::IoUringSetup, 6);
  int fd = p.open("/data/state.tmp");
  p.write(fd).close(fd);
  p.rename("/data/state.tmp", "/data/state");
  sim.finish();
  ASSERT_GE(sim.findings.size(), 1u);
  for (const auto& f : sim.findings) {
    EXPECT_TRUE(f.incomplete) << f.rule << " " << f.path;
    EXPECT_NE(f.incomplete_reason.find("used io_uring"), std::string::npos) << f.incomplete_reason;
  }
  EXPECT_GE(sim.count(kRenameWithoutFsync), 1u) << sim.dump();
}

// Processes sharing an fd table (clone(CLONE_FILES), not threads) can use
// each other's ring: the child of an io_uring process is async-blind too,
// and a parent whose CLONE_FILES child sets up a ring becomes so.
TEST(AsyncBlind, FdSharingProcessesShareTheBlindness) {
  Sim sim = strace_sim();
  auto parent = sim.proc(400, "srv");
  int fd = parent.open("/data/parent");
  parent.write(fd).close(fd);
  auto child = sim.fork(parent, 401, "srv", /*shares_files=*/true);
  child.call(Syscall::IoUringSetup, 7);
  auto other = sim.proc(500, "other");
  int o = other.open("/data/other");
  other.write(o).close(o);
  sim.finish();
  ASSERT_EQ(sim.count(kCloseWithoutFsync), 2u) << sim.dump();
  for (const auto& f : sim.findings) {
    if (f.rule != kCloseWithoutFsync) continue;
    EXPECT_EQ(f.incomplete, f.path == "/data/parent") << f.path << ": " << f.incomplete_reason;
  }
  EXPECT_EQ(sim.engine().blind_processes().size(), 2u);
}

// A process that exits takes its blindness along: a new process with the
// same pid (reused) is not async-blind, but the files the first touched
// stay marked.
TEST(AsyncBlind, AReusedPidIsNotBlind) {
  Sim sim = strace_sim();
  auto first = sim.proc(123, "fio");
  first.call(Syscall::IoUringSetup, 6);
  int fd = first.open("/data/a");
  first.write(fd).close(fd);
  first.exit();
  auto second = sim.proc(123, "cp");
  int b = second.open("/data/b");
  second.write(b).close(b);
  sim.finish();
  ASSERT_EQ(sim.count(kCloseWithoutFsync), 2u) << sim.dump();
  for (const auto& f : sim.findings) {
    if (f.rule == kCloseWithoutFsync) {
      EXPECT_EQ(f.incomplete, f.path == "/data/a") << f.path;
    }
  }
}

// Lost events and io_uring: both reasons are given.
TEST(AsyncBlind, ReasonsAddUp) {
  Sim sim = strace_sim();
  auto p = sim.proc(123, "fio");
  p.call(Syscall::IoSetup);
  p.call(Syscall::IoUringSetup, 6);
  sim.lose(3);
  int fd = p.open("/data/f");
  p.write(fd).close(fd);
  sim.finish();
  const Finding* f = sim.first(kCloseWithoutFsync);
  ASSERT_NE(f, nullptr) << sim.dump();
  EXPECT_EQ(f->incomplete_reason,
            "3 events were lost before this verdict; pid 123 (fio) used io_uring and Linux AIO, whose operations "
            "strace cannot show: its writes and syncs through them were not seen");
}

}  // namespace
}  // namespace duraudit::test
