// SPDX-License-Identifier: GPL-2.0-only
// The durability model and close-without-fsync for shared file mappings:
// stores are writes, msync(MS_SYNC) is an fdatasync of the mapped file,
// MS_ASYNC/MS_INVALIDATE make nothing durable, and the last handle on the
// file (fd or mapping) is the close that is judged. Raw events go through
// the Resolver, as in a session.
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "config/config.h"
#include "engine/engine.h"
#include "resolve/resolver.h"
#include "resolver_test_events.h"

namespace duraudit {
namespace {

using namespace resolver_test;

constexpr int32_t P = 100;
constexpr uint64_t kAddr = 0x7f0000000000;
const FileId kA{0x800001, 11};

struct Session {
  Config cfg = Config::defaults();
  std::vector<Finding> findings;
  Resolver resolver{ResolverOptions{.default_cwd = "/db"}};
  Engine engine{cfg, [this](Finding&& f) { findings.push_back(std::move(f)); },
                EngineOptions{{}, [](const std::string&) -> uint64_t { return EXT4_SUPER_MAGIC; }, {},
                              [](const std::string&) { return FileId{}; }}};
  bool live;  // the source names files (live capture) or not (strace)

  explicit Session(bool live_source) : live(live_source) {}

  void feed(Event ev) {
    if (live && ev.file.id.valid()) {
      ev.file.mode = S_IFREG;
      ev.file.fs_magic = EXT4_SUPER_MAGIC;
    }
    std::vector<Event> out;
    resolver.resolve(std::move(ev), out);
    for (const auto& e : out) engine.on_event(e);
  }
  FileId id() const { return live ? kA : FileId{}; }

  // A file whose data is durable, then mapped shared and writable.
  void open_and_map(bool close_fd_first) {
    Event o = openat(P, "/db/m.dat", O_RDWR, 3, AT_FDCWD, id());
    feed(o);
    Event m = raw(Syscall::Mmap, P, static_cast<int64_t>(kAddr));
    m.fd = 3;
    m.arg = PROT_READ | PROT_WRITE;
    m.arg2 = 8192;
    m.flags = MAP_SHARED;
    m.file.id = id();
    feed(m);
    if (close_fd_first) feed(fd_call(Syscall::Close, P, 3));
  }
  void store() {
    if (!live) return;  // strace cannot see them
    Event s = raw(Syscall::MmapStore, P, 0);
    s.arg = kAddr + 1;
    s.file.id = kA;
    feed(s);
  }
  void msync(uint64_t flags) {
    Event ev = raw(Syscall::Msync, P, 0);
    ev.arg = kAddr;
    ev.arg2 = 8192;
    ev.flags = flags;
    ev.file.id = id();
    feed(ev);
  }
  void unmap_and_close(bool fd_closed) {
    Event u = raw(Syscall::Munmap, P, 0);
    u.arg = kAddr;
    u.arg2 = 8192;
    feed(u);
    if (!fd_closed) feed(fd_call(Syscall::Close, P, 3));
  }
  size_t count(const std::string& rule) {
    engine.finish();
    size_t n = 0;
    for (const auto& f : findings) n += f.rule == rule;
    return n;
  }
};

class EngineMapping : public ::testing::TestWithParam<std::tuple<bool, bool>> {};

TEST_P(EngineMapping, MsyncSyncMakesStoresDurable) {
  auto [live, close_first] = GetParam();
  Session s(live);
  s.open_and_map(close_first);
  s.store();
  s.msync(MS_SYNC);
  s.unmap_and_close(close_first);
  EXPECT_EQ(s.count("close-without-fsync"), 0u);
}

TEST_P(EngineMapping, StoresWithoutMsyncAreCloseWithoutFsync) {
  auto [live, close_first] = GetParam();
  Session s(live);
  s.open_and_map(close_first);
  s.store();
  s.unmap_and_close(close_first);
  ASSERT_EQ(s.count("close-without-fsync"), 1u);
  const Finding& f = s.findings[0];
  EXPECT_EQ(f.path, "/db/m.dat");
  std::string evidence;
  for (const auto& e : f.evidence) evidence += e.syscall + "(" + e.args + ")\n";
  // Live: the store is the evidence; strace: the mmap, marked as assumed.
  if (live) {
    EXPECT_NE(evidence.find("mmap:store"), std::string::npos) << evidence;
  } else {
    EXPECT_NE(evidence.find("counted as written from this mmap"), std::string::npos) << evidence;
  }
  EXPECT_NE(evidence.find(close_first ? "(munmap)" : "close("), std::string::npos) << evidence;
}

TEST_P(EngineMapping, MsyncAsyncOrInvalidateMakesNothingDurable) {
  auto [live, close_first] = GetParam();
  for (uint64_t flags : {uint64_t{MS_ASYNC}, uint64_t{MS_INVALIDATE}}) {
    Session s(live);
    s.open_and_map(close_first);
    s.store();
    s.msync(flags);
    s.unmap_and_close(close_first);
    EXPECT_EQ(s.count("close-without-fsync"), 1u) << "flags " << flags;
  }
}

INSTANTIATE_TEST_SUITE_P(LiveAndStrace, EngineMapping,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param) ? "Live" : "Strace") +
                                  (std::get<1>(info.param) ? "FdClosedFirst" : "FdClosedLast");
                         });

TEST(EngineMappingStores, AStoreAfterTheSyncIsDirtyAgain) {
  Session s(true);
  s.open_and_map(false);
  s.store();
  s.msync(MS_SYNC);
  s.store();
  s.unmap_and_close(false);
  EXPECT_EQ(s.count("close-without-fsync"), 1u);
}

}  // namespace
}  // namespace duraudit
