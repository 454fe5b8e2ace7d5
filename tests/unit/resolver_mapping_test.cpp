// SPDX-License-Identifier: GPL-2.0-only
// Shared writable file mappings: the mapping table (ranges, splits, moves)
// and what the Resolver makes of mmap/munmap/mremap, stores and msync: a
// mapping holds its file like an fd, and the last handle going (fd or
// mapping) is the close the rules judge.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "resolve/mapping_table.h"
#include "resolve/path_registry.h"
#include "resolver_test_events.h"

namespace duraudit {
namespace {

using namespace resolver_test;

constexpr int32_t P = 100;
constexpr uint64_t kAddr = 0x7f0000000000;
const FileId kA{0x800001, 11};
const FileId kB{0x800001, 12};

// ---- MappingTable ----

OpenFileRef file_of(PathRegistry& reg, FileId id) {
  auto f = std::make_shared<OpenFile>(&reg);
  f->id = id;
  return f;
}

TEST(MappingTable, PartialUnmapSplitsAndTheLastPieceReleasesTheFile) {
  PathRegistry reg;
  MappingTable t;
  std::vector<OpenFileRef> gone;
  t.map(kAddr, 3 * 4096, file_of(reg, kA), gone);
  EXPECT_TRUE(gone.empty());
  t.unmap(kAddr + 4096, 4096, gone);  // the middle page: two pieces left
  EXPECT_TRUE(gone.empty());
  EXPECT_EQ(t.size(), 2u);
  EXPECT_NE(t.at(kAddr), nullptr);
  EXPECT_EQ(t.at(kAddr + 4096), nullptr);
  EXPECT_NE(t.at(kAddr + 2 * 4096 + 17), nullptr);
  EXPECT_EQ(t.at(kAddr + 3 * 4096), nullptr);
  t.unmap(kAddr, 100, gone);  // rounds up to the page
  EXPECT_TRUE(gone.empty());
  EXPECT_TRUE(t.refers_to(kA));
  t.unmap(kAddr, 3 * 4096, gone);  // over the hole too, as munmap allows
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0]->id, kA);
  EXPECT_FALSE(t.refers_to(kA));
  EXPECT_EQ(t.size(), 0u);
}

TEST(MappingTable, MappingOverAnotherReplacesItAndRemapMoves) {
  PathRegistry reg;
  MappingTable t;
  std::vector<OpenFileRef> gone;
  t.map(kAddr, 4096, file_of(reg, kA), gone);
  t.map(kAddr, 4096, file_of(reg, kB), gone);  // MAP_FIXED over it
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0]->id, kA);
  gone.clear();
  EXPECT_EQ(t.at(kAddr)->file->id, kB);
  // mremap grows and moves it: the file is not released on the way.
  t.remap(kAddr, 4096, kAddr + 0x100000, 2 * 4096, false, gone);
  EXPECT_TRUE(gone.empty());
  EXPECT_EQ(t.at(kAddr), nullptr);
  ASSERT_NE(t.at(kAddr + 0x100000 + 4096), nullptr);
  EXPECT_EQ(t.at(kAddr + 0x100000 + 4096)->file->id, kB);
  ASSERT_NE(t.find_file(kB), nullptr);
  EXPECT_EQ(t.find_file(kA), nullptr);
  // Nothing mapped at the old address: nothing happens.
  t.remap(kAddr, 4096, kAddr + 0x200000, 4096, false, gone);
  EXPECT_EQ(t.size(), 1u);
  t.clear(gone);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0]->id, kB);
}

// ---- Resolver ----

Event mmap_ev(int32_t pid, int32_t fd, uint64_t len, int64_t addr, uint64_t prot = PROT_READ | PROT_WRITE,
              uint64_t flags = MAP_SHARED, FileId id = {}) {
  Event ev = raw(Syscall::Mmap, pid, addr);
  ev.fd = fd;
  ev.arg = prot;
  ev.arg2 = len;
  ev.flags = flags;
  ev.file.id = id;
  if (id.valid()) ev.file.mode = S_IFREG;
  return ev;
}

Event munmap_ev(int32_t pid, uint64_t addr, uint64_t len, int64_t ret = 0) {
  Event ev = raw(Syscall::Munmap, pid, ret);
  ev.arg = addr;
  ev.arg2 = len;
  return ev;
}

Event store_ev(int32_t pid, uint64_t addr, FileId id) {
  Event ev = raw(Syscall::MmapStore, pid, 0);
  ev.arg = addr;
  ev.file.id = id;
  ev.file.mode = S_IFREG;
  return ev;
}

Event msync_ev(int32_t pid, uint64_t addr, uint64_t len, uint64_t flags, FileId id = {}) {
  Event ev = raw(Syscall::Msync, pid, 0);
  ev.arg = addr;
  ev.arg2 = len;
  ev.flags = flags;
  ev.file.id = id;
  return ev;
}

TEST(ResolverMapping, AMappingKeepsTheFileOpenPastTheCloseOfItsFd) {
  Resolver r;
  one(r, openat(P, "/db/m.dat", O_RDWR, 3, AT_FDCWD, kA));
  Event m = one(r, mmap_ev(P, 3, 8192, kAddr, PROT_READ | PROT_WRITE, MAP_SHARED, kA));
  EXPECT_EQ(m.file.path, "/db/m.dat");
  EXPECT_FALSE(m.stores_unseen);  // live: the stores are reported
  Event c = one(r, fd_call(Syscall::Close, P, 3));
  EXPECT_FALSE(c.last_close) << "the mapping still holds the file";

  // A store names the file by identity only: the mapping names it.
  Event s = one(r, store_ev(P, kAddr + 10, kA));
  EXPECT_EQ(s.file.path, "/db/m.dat");
  EXPECT_EQ(s.fd, -1);
  Event ms = one(r, msync_ev(P, kAddr, 8192, MS_SYNC, kA));
  EXPECT_EQ(ms.file.path, "/db/m.dat");

  // The last mapping going is the last close.
  auto out = run(r, munmap_ev(P, kAddr, 8192));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].syscall, Syscall::ImplicitClose);
  EXPECT_EQ(out[0].close_reason, CloseReason::Unmap);
  EXPECT_TRUE(out[0].last_close);
  EXPECT_EQ(out[0].fd, -1);
  EXPECT_EQ(out[0].file.id, kA);
  EXPECT_EQ(out[0].file.path, "/db/m.dat");
  EXPECT_EQ(out[0].seq, out[1].seq);
  EXPECT_EQ(out[1].syscall, Syscall::Munmap);
  EXPECT_EQ(out[1].file.path, "/db/m.dat");
}

TEST(ResolverMapping, UnmapWithTheFdStillOpenLeavesTheCloseToTheFd) {
  Resolver r;
  one(r, openat(P, "/db/m.dat", O_RDWR, 3, AT_FDCWD, kA));
  one(r, mmap_ev(P, 3, 4096, kAddr, PROT_READ | PROT_WRITE, MAP_SHARED, kA));
  one(r, mmap_ev(P, 3, 4096, kAddr + 0x10000, PROT_READ | PROT_WRITE, MAP_SHARED, kA));
  EXPECT_EQ(run(r, munmap_ev(P, kAddr, 4096)).size(), 1u);           // another mapping is left
  EXPECT_EQ(run(r, munmap_ev(P, kAddr + 0x10000, 4096)).size(), 1u); // the fd is left
  EXPECT_TRUE(one(r, fd_call(Syscall::Close, P, 3)).last_close);
}

TEST(ResolverMapping, PrivateReadOnlyAndFailedMappingsHoldNothing) {
  Resolver r;
  one(r, openat(P, "/lib/x.so", O_RDONLY, 3, AT_FDCWD, kA));
  one(r, mmap_ev(P, 3, 4096, kAddr, PROT_READ, MAP_PRIVATE));
  one(r, mmap_ev(P, 3, 4096, kAddr + 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE));
  one(r, mmap_ev(P, 3, 4096, kAddr + 0x2000, PROT_READ, MAP_SHARED));
  one(r, mmap_ev(P, 3, 4096, -ENOMEM));
  EXPECT_TRUE(one(r, fd_call(Syscall::Close, P, 3)).last_close);
}

TEST(ResolverMapping, ExitAndExecDropMappingsBeforeFds) {
  Resolver r;
  one(r, openat(P, "/db/a", O_RDWR, 3, AT_FDCWD, kA));
  one(r, openat(P, "/db/b", O_RDWR | O_CLOEXEC, 4, AT_FDCWD, kB));
  one(r, mmap_ev(P, 3, 4096, kAddr, PROT_READ | PROT_WRITE, MAP_SHARED, kA));
  one(r, mmap_ev(P, 4, 4096, kAddr + 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED, kB));
  one(r, fd_call(Syscall::Close, P, 3));  // a: held by its mapping only
  // exec: the mapping of a is the last handle (ExecUnmap); b's mapping goes
  // too, but its CLOEXEC fd is then the last one.
  Event ex = raw(Syscall::Exec, P);
  ex.path = "/bin/next";
  auto out = run(r, ex);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].close_reason, CloseReason::ExecUnmap);
  EXPECT_EQ(out[0].file.id, kA);
  EXPECT_TRUE(out[0].last_close);
  EXPECT_EQ(out[1].close_reason, CloseReason::Exec);
  EXPECT_EQ(out[1].file.id, kB);
  EXPECT_TRUE(out[1].last_close);
  EXPECT_EQ(out[2].syscall, Syscall::Exec);

  // A forked child inherits the mappings; its exit releases them.
  one(r, openat(P, "/db/a", O_RDWR, 3, AT_FDCWD, kA));
  one(r, mmap_ev(P, 3, 4096, kAddr, PROT_READ | PROT_WRITE, MAP_SHARED, kA));
  one(r, fork_ev(P, 200));
  one(r, fd_call(Syscall::Close, 200, 3));
  auto ch = run(r, exit_ev(200, true));
  ASSERT_EQ(ch.size(), 2u);
  EXPECT_EQ(ch[0].close_reason, CloseReason::ExitUnmap);
  EXPECT_EQ(ch[0].pid, 200);
  EXPECT_TRUE(ch[0].last_close);
  // The parent's exit: its mapping goes first (not last: fd 3 is open),
  // then fd 3 is the last close.
  auto pe = run(r, exit_ev(P, true));
  ASSERT_EQ(pe.size(), 2u);
  EXPECT_EQ(pe[0].close_reason, CloseReason::Exit);
  EXPECT_EQ(pe[0].file.id, kA);
  EXPECT_TRUE(pe[0].last_close);
}

TEST(ResolverMapping, StraceMmapCountsAsWrittenAndMsyncResolvesByAddress) {
  // strace: no identities; the mapping is found from mmap's result.
  Resolver r(ResolverOptions{.default_cwd = "/w"});
  Event o = one(r, openat(P, "m.dat", O_RDWR | O_CREAT, 3));
  ASSERT_TRUE(o.file.id.valid());  // synthetic
  Event m = one(r, mmap_ev(P, 3, 4096, kAddr));
  EXPECT_TRUE(m.stores_unseen);
  EXPECT_EQ(m.file.id, o.file.id);
  Event ms = one(r, msync_ev(P, kAddr + 100, 4096, MS_SYNC));
  EXPECT_EQ(ms.file.id, o.file.id);
  EXPECT_EQ(ms.file.path, "/w/m.dat");
  Event other = one(r, msync_ev(P, kAddr + 0x100000, 4096, MS_SYNC));
  EXPECT_FALSE(other.file.id.valid());  // nothing mapped there

  // mremap moves the mapping; msync at the new address finds it.
  Event mr = raw(Syscall::Mremap, P, static_cast<int64_t>(kAddr + 0x200000));
  mr.arg = kAddr;
  mr.arg2 = 4096;
  mr.bytes = 8192;
  mr.flags = MREMAP_MAYMOVE;
  EXPECT_EQ(run(r, mr).size(), 1u);
  EXPECT_EQ(one(r, msync_ev(P, kAddr + 0x200000 + 5000, 10, MS_SYNC)).file.id, o.file.id);
  EXPECT_FALSE(one(r, msync_ev(P, kAddr, 10, MS_SYNC)).file.id.valid());
}

}  // namespace
}  // namespace duraudit
