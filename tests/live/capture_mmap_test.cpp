// SPDX-License-Identifier: GPL-2.0-only
// Live: shared writable file mappings. The kernel side sends the mmap with
// the file's identity, the first store into it per write epoch (a write
// fault, user or kernel mode), msync with the file mapped in its range, and
// munmap; the engine, fed the same stream, judges close-without-fsync at the
// last handle on the file (fd or mapping).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <fmt/format.h>
#include <sys/wait.h>

#include "config/config.h"
#include "engine/engine.h"
#include "live/live_harness.h"
#include "resolve/resolver.h"

namespace duraudit::live {
namespace {

using ::testing::ElementsAreArray;

int exit_code(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

// The program's events from its open of m.dat on, each as
// "kind fd path ino=<same|other|-> ret", with the mapping's address as
// "addr" and store addresses as offsets into it. Paths come from the
// Resolver (stores and msync name the file by identity only).
struct Seen {
  std::vector<std::string> lines;
  std::vector<Event> resolved;
};

Seen run_mode(BpfCapture& cap, const TempDir& d, const std::vector<std::string>& args, int* status) {
  std::vector<std::string> argv = {program("mmap_store"), d.path()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto run = run_traced(cap, argv);
  *status = run.wait_status;
  Seen out;
  Resolver resolver;
  for (auto& e : run.events) resolver.resolve(e, out.resolved);
  auto mine = of_pid(after_markers(out.resolved), run.pid);
  FileId file;
  uint64_t addr = 0;
  for (const auto& e : mine) {
    if (e.syscall == Syscall::Openat && e.path == d / "m.dat") file = e.file.id;
    if (!file.valid() || e.syscall == Syscall::Exit) continue;
    if (e.syscall == Syscall::ImplicitClose && e.close_reason == CloseReason::Exit) continue;  // stdio
    if (e.syscall == Syscall::Mmap) addr = static_cast<uint64_t>(e.ret);
    std::string ino = !e.file.id.valid() ? "-" : e.file.id == file ? "same" : "other";
    std::string path = e.file.path == d / "m.dat" ? "$D/m.dat" : e.file.path;
    std::string ret = e.syscall == Syscall::Mmap ? (e.ret == static_cast<int64_t>(addr) ? "addr" : "?")
                                                 : std::to_string(e.ret);
    std::string what(syscall_name(e.syscall));
    if (e.syscall == Syscall::MmapStore) what += fmt::format("+{}", e.arg - addr);
    if (e.syscall == Syscall::Msync) what += (e.flags & MS_SYNC) ? "(MS_SYNC)" : "(MS_ASYNC)";
    if (e.syscall == Syscall::ImplicitClose) what += e.close_reason == CloseReason::Unmap ? "(munmap)" : "(?)";
    out.lines.push_back(fmt::format("{} fd={} {} ino={} = {}", what, e.fd, path, ino, ret));
  }
  return out;
}

// close-without-fsync findings about m.dat when the engine is fed `events`.
size_t unsynced_closes(const std::vector<Event>& resolved, const std::string& path) {
  Config cfg = Config::defaults();
  std::vector<Finding> findings;
  Engine engine(cfg, [&](Finding&& f) { findings.push_back(std::move(f)); });
  for (const auto& e : resolved) engine.on_event(e);
  engine.finish();
  size_t n = 0;
  for (const auto& f : findings) n += f.rule == "close-without-fsync" && f.path == path;
  return n;
}

TEST(LiveMmap, StoresAndMsyncSyncAreSeenAndMakeTheDataDurable) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  int status = 0;
  auto seen = run_mode(*cap, d, {"msync-sync"}, &status);
  ASSERT_EQ(exit_code(status), 0);
  EXPECT_THAT(seen.lines, ElementsAreArray(std::vector<std::string>{
      "openat fd=-1 $D/m.dat ino=same = 3",
      "write fd=3 $D/m.dat ino=same = 8192",
      "fsync fd=3 $D/m.dat ino=same = 0",
      "mmap fd=3 $D/m.dat ino=same = addr",
      "mmap:store+0 fd=-1 $D/m.dat ino=same = 0",
      "msync(MS_SYNC) fd=-1 $D/m.dat ino=same = 0",
      // msync wrote the page back and write-protected it: the next store
      // faults again, in a new epoch, and is reported
      "mmap:store+1 fd=-1 $D/m.dat ino=same = 0",
      "msync(MS_SYNC) fd=-1 $D/m.dat ino=same = 0",
      "munmap fd=-1 $D/m.dat ino=same = 0",
      "close fd=3 $D/m.dat ino=same = 0",
  }));
  EXPECT_EQ(unsynced_closes(seen.resolved, d / "m.dat"), 0u);
}

TEST(LiveMmap, MsyncAsyncMakesNothingDurable) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  int status = 0;
  auto seen = run_mode(*cap, d, {"msync-async"}, &status);
  ASSERT_EQ(exit_code(status), 0);
  EXPECT_THAT(seen.lines, ElementsAreArray(std::vector<std::string>{
      "openat fd=-1 $D/m.dat ino=same = 3",
      "write fd=3 $D/m.dat ino=same = 8192",
      "fsync fd=3 $D/m.dat ino=same = 0",
      "mmap fd=3 $D/m.dat ino=same = addr",
      "mmap:store+0 fd=-1 $D/m.dat ino=same = 0",
      "msync(MS_ASYNC) fd=-1 $D/m.dat ino=same = 0",  // no new epoch: the next store is deduplicated
      "msync(MS_ASYNC) fd=-1 $D/m.dat ino=same = 0",
      "munmap fd=-1 $D/m.dat ino=same = 0",
      "close fd=3 $D/m.dat ino=same = 0",
  }));
  EXPECT_EQ(unsynced_closes(seen.resolved, d / "m.dat"), 1u);
}

TEST(LiveMmap, StoresWithoutMsyncAfterTheFdWasClosed) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  int status = 0;
  auto seen = run_mode(*cap, d, {"none", "close-first"}, &status);
  ASSERT_EQ(exit_code(status), 0);
  EXPECT_THAT(seen.lines, ElementsAreArray(std::vector<std::string>{
      "openat fd=-1 $D/m.dat ino=same = 3",
      "write fd=3 $D/m.dat ino=same = 8192",
      "fsync fd=3 $D/m.dat ino=same = 0",
      "mmap fd=3 $D/m.dat ino=same = addr",
      "close fd=3 $D/m.dat ino=same = 0",        // not the last handle: the mapping holds the file
      "mmap:store+0 fd=-1 $D/m.dat ino=same = 0",  // the store on the second page is deduplicated
      "implicit-close(munmap) fd=-1 $D/m.dat ino=same = 0",
      "munmap fd=-1 $D/m.dat ino=same = 0",
  }));
  for (const auto& e : seen.resolved) {
    if (e.syscall == Syscall::Close && e.file.path == d / "m.dat") {
      EXPECT_FALSE(e.last_close);
    }
  }
  EXPECT_EQ(unsynced_closes(seen.resolved, d / "m.dat"), 1u);
}

TEST(LiveMmap, KernelStoresIntoTheMappingAreSeen) {
  // read(2) into the mapping: the kernel's copy_to_user takes the write fault.
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  int status = 0;
  auto seen = run_mode(*cap, d, {"kernel-store"}, &status);
  ASSERT_EQ(exit_code(status), 0);
  EXPECT_THAT(seen.lines, ElementsAreArray(std::vector<std::string>{
      "openat fd=-1 $D/m.dat ino=same = 5",
      "write fd=5 $D/m.dat ino=same = 8192",
      "fsync fd=5 $D/m.dat ino=same = 0",
      "mmap fd=5 $D/m.dat ino=same = addr",
      "mmap:store+0 fd=-1 $D/m.dat ino=same = 0",
      "munmap fd=-1 $D/m.dat ino=same = 0",
      "close fd=5 $D/m.dat ino=same = 0",
  }));
  EXPECT_EQ(unsynced_closes(seen.resolved, d / "m.dat"), 1u);
}

}  // namespace
}  // namespace duraudit::live
