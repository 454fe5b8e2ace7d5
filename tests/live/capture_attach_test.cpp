// SPDX-License-Identifier: GPL-2.0-only
// Live: the attach target selections decided in the kernel: --comm (a
// process started after the capture opened, and one already running),
// --cgroup (a cgroup v2 subtree), --all.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <sys/stat.h>

#include "capture/suspended_child.h"
#include "live/live_harness.h"

namespace duraudit::live {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;

std::vector<std::string> described_of(const std::vector<Event>& events, int pid, const std::string& dir) {
  return describe_all(of_pid(events, pid), dir);
}

// The child a Fork event of `pid` created, or 0.
int forked_child(const std::vector<Event>& events, int pid) {
  for (const auto& e : events)
    if (e.pid == pid && e.syscall == Syscall::Fork && !e.is_thread) return e.child_pid;
  return 0;
}

bool exited_ok(int wait_status) { return WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0; }

TEST(LiveAttach, CommCatchesAProcessStartedLaterAndItsChildren) {
  CaptureOptions options;
  options.comms = {"fork_child"};
  LIVE_CAPTURE_WITH_OR_RETURN(cap, options);
  TempDir d;
  // started after the capture opened, not added as a target: its exec matches
  auto run = run_untargeted(*cap, {program("fork_child"), d.path()}, /*expect_traced=*/true);
  ASSERT_TRUE(exited_ok(run.wait_status));
  auto ev = after_markers(run.events);
  EXPECT_THAT(described_of(ev, run.pid, d.path()),
              Contains("openat(AT_FDCWD, \"$D/parent.txt\", O_WRONLY|O_CREAT) = 3 created"));
  int child = forked_child(ev, run.pid);
  ASSERT_NE(child, 0);
  EXPECT_THAT(described_of(ev, child, d.path()),
              Contains("openat(AT_FDCWD, \"$D/child.txt\", O_WRONLY|O_CREAT|O_TRUNC) = 3 created"));

  // another comm: nothing at all
  auto other = run_untargeted(*cap, {program("exit_noclose"), d.path()}, /*expect_traced=*/false);
  EXPECT_EQ(WEXITSTATUS(other.wait_status), 7);
  EXPECT_THAT(described_of(other.events, other.pid, d.path()), ::testing::IsEmpty());
  for (const auto& e : other.events) EXPECT_NE(e.comm, "exit_noclose") << describe(e, d.path());
}

TEST(LiveAttach, CommFindsProcessesAlreadyRunning) {
  TempDir d;
  SuspendedChild waiting;
  std::string err;
  ASSERT_TRUE(waiting.spawn({program("awaits_go"), d.path()}, &err, {}, true)) << err;
  ASSERT_EQ(waiting.release(), 0);  // running before the capture exists

  CaptureOptions options;
  options.comms = {"awaits_go"};
  LIVE_CAPTURE_WITH_OR_RETURN(cap, options);
  EXPECT_THAT(cap->comm_matches_at_open(), Contains(waiting.pid()));
  std::ofstream(d / "go").put('1');

  std::vector<Event> events;
  bool exited = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!exited && std::chrono::steady_clock::now() < deadline)
    cap->poll([&](Event&& e) {
      if (e.pid == waiting.pid() && e.syscall == Syscall::Exit && e.group_dead) exited = true;
      events.push_back(std::move(e));
    }, 50);
  EXPECT_TRUE(exited_ok(waiting.wait()));
  ASSERT_TRUE(exited) << "the exit of the already-running process never arrived";
  EXPECT_THAT(described_of(events, waiting.pid(), d.path()),
              ::testing::IsSupersetOf({"openat(AT_FDCWD, \"$D/late.txt\", O_WRONLY|O_CREAT) = 3 created",
                                       "write(3) = 4", "close(3) = 0", "exit(0) group_dead"}));
}

TEST(LiveAttach, CommNamesTheKernelCannotMatchAreRejected) {
  CaptureOptions options;
  options.comms = {"a-name-longer-than-15"};
  std::string err;
  EXPECT_EQ(BpfCapture::open(options, &err), nullptr);
  EXPECT_THAT(err, HasSubstr("first 15 characters"));
  EXPECT_THAT(err, HasSubstr("--comm a-name-longer-t"));
}

// Where cgroup v2 is mounted ("/sys/fs/cgroup", or ".../unified" on hybrid
// systems), or empty.
std::string cgroup2_mount() {
  std::ifstream mounts("/proc/mounts");
  std::string dev, dir, type, rest;
  while (mounts >> dev >> dir >> type && std::getline(mounts, rest))
    if (type == "cgroup2") return dir;
  return {};
}

// A cgroup made for one test (with a child cgroup below it), removed after.
class TestCgroup {
 public:
  explicit TestCgroup(const std::string& mount) {
    for (int i = 0; i < 100 && path_.empty(); ++i) {
      std::string candidate = fmt::format("{}/duraudit-test-{}-{}", mount, getpid(), i);
      if (::mkdir(candidate.c_str(), 0755) == 0) path_ = candidate;
    }
    if (!path_.empty() && ::mkdir(inner().c_str(), 0755) != 0) error_ = strerror(errno);
  }
  ~TestCgroup() {
    if (path_.empty()) return;
    ::rmdir(inner().c_str());
    ::rmdir(path_.c_str());
  }
  bool ok() const { return !path_.empty() && error_.empty(); }
  const std::string& path() const { return path_; }
  std::string inner() const { return path_ + "/inner"; }
  static void move(const std::string& cgroup, int pid) {
    std::ofstream procs(cgroup + "/cgroup.procs");
    procs << pid << std::flush;
    ASSERT_TRUE(procs.good()) << "cannot move " << pid << " into " << cgroup;
  }

 private:
  std::string path_, error_;
};

TEST(LiveAttach, CgroupSeesOnlyProcessesInItsSubtree) {
  std::string mount = cgroup2_mount();
  if (mount.empty()) {
    if (ci_requires_live()) FAIL() << "no cgroup2 mount in /proc/mounts";
    GTEST_SKIP() << "no cgroup2 mount in /proc/mounts";
  }
  TestCgroup cg(mount);
  if (!cg.ok()) {
    if (ci_requires_live()) FAIL() << "cannot create a cgroup under " << mount;
    GTEST_SKIP() << "cannot create a cgroup under " << mount << " (not root?)";
  }
  CaptureOptions options;
  options.cgroup_path = cg.path();
  LIVE_CAPTURE_WITH_OR_RETURN(cap, options);
  TempDir d;

  // in a cgroup BELOW the one given, moved there before it runs
  auto run = run_untargeted(*cap, {program("fork_child"), d.path()}, /*expect_traced=*/true,
                            [&](int pid) { TestCgroup::move(cg.inner(), pid); });
  ASSERT_TRUE(exited_ok(run.wait_status));
  auto ev = after_markers(run.events);
  EXPECT_THAT(described_of(ev, run.pid, d.path()),
              Contains("openat(AT_FDCWD, \"$D/parent.txt\", O_WRONLY|O_CREAT) = 3 created"));
  int child = forked_child(ev, run.pid);
  ASSERT_NE(child, 0);
  EXPECT_THAT(described_of(ev, child, d.path()), Contains("write(3) = 10"));
  // nothing but the cgroup's processes
  for (const auto& e : run.events)
    EXPECT_TRUE(e.pid == run.pid || e.pid == child) << e.pid << " " << e.comm << ": " << describe(e, d.path());

  // outside the cgroup: nothing
  auto other = run_untargeted(*cap, {program("exit_noclose"), d.path()}, /*expect_traced=*/false);
  EXPECT_EQ(WEXITSTATUS(other.wait_status), 7);
  EXPECT_THAT(described_of(other.events, other.pid, d.path()), ::testing::IsEmpty());
}

TEST(LiveAttach, CgroupPathMustBeACgroupV2Directory) {
  std::string err;
  CaptureOptions options;
  options.cgroup_path = "/proc";
  EXPECT_EQ(BpfCapture::open(options, &err), nullptr);
  EXPECT_THAT(err, HasSubstr("--cgroup /proc: not a cgroup v2 directory"));
  options.cgroup_path = "/nonexistent/duraudit";
  EXPECT_EQ(BpfCapture::open(options, &err), nullptr);
  EXPECT_THAT(err, HasSubstr("--cgroup /nonexistent/duraudit: cannot open it"));
  options.cgroup_path = "/proc/self/comm";
  EXPECT_EQ(BpfCapture::open(options, &err), nullptr);
  EXPECT_THAT(err, HasSubstr("not a directory"));
}

TEST(LiveAttach, AllSeesAnyProcessButItself) {
  CaptureOptions options;
  options.trace_all = true;
  LIVE_CAPTURE_WITH_OR_RETURN(cap, options);
  TempDir d;
  auto run = run_untargeted(*cap, {program("exit_noclose"), d.path()}, /*expect_traced=*/true);
  EXPECT_EQ(WEXITSTATUS(run.wait_status), 7);
  EXPECT_THAT(described_of(after_markers(run.events), run.pid, d.path()),
              ::testing::IsSupersetOf({"openat(AT_FDCWD, \"$D/left-open.txt\", O_WRONLY|O_CREAT) = 3 created",
                                       "write(3) = 4", "exit(1792) group_dead"}));
  for (const auto& e : run.events) EXPECT_NE(e.pid, getpid()) << "duraudit's own process is never traced";
}

}  // namespace
}  // namespace duraudit::live
