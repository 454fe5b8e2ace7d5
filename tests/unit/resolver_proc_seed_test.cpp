// SPDX-License-Identifier: GPL-2.0-only
// Seeding from /proc with a real child process: it chdirs into a temp
// directory, opens files there (one O_CLOEXEC) and waits. No root needed:
// a process may read its own children's /proc entries.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>

#include "resolve/proc_seed.h"
#include "resolver_test_events.h"

namespace duraudit {
namespace {

using namespace resolver_test;

// A child holding open files in a temp dir, killed when the test ends.
class HoldingChild {
 public:
  HoldingChild() {
    char tmpl[] = "/tmp/duraudit-resolver-XXXXXX";
    char* d = ::mkdtemp(tmpl);
    if (!d) return;
    dir_ = std::filesystem::canonical(d).string();
    int ready[2], hold[2];
    if (::pipe(ready) != 0 || ::pipe(hold) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      ::close(hold[1]);
      int fds[2] = {-1, -1};
      if (::chdir(dir_.c_str()) == 0) {
        fds[0] = ::open("held.txt", O_WRONLY | O_CREAT | O_APPEND, 0644);
        fds[1] = ::open("cloexec.txt", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      }
      (void)!::write(ready[1], fds, sizeof(fds));
      char c;
      (void)!::read(hold[0], &c, 1);  // until the parent closes its end
      ::_exit(0);
    }
    ::close(ready[1]);
    ::close(hold[0]);
    hold_fd_ = hold[1];
    int fds[2];
    if (::read(ready[0], fds, sizeof(fds)) == sizeof(fds)) {
      held_fd_ = fds[0];
      cloexec_fd_ = fds[1];
    }
    ::close(ready[0]);
  }
  ~HoldingChild() {
    if (hold_fd_ >= 0) ::close(hold_fd_);
    if (pid_ > 0) ::waitpid(pid_, nullptr, 0);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  bool ok() const { return pid_ > 0 && held_fd_ >= 0 && cloexec_fd_ >= 0; }
  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }
  int held_fd() const { return held_fd_; }
  int cloexec_fd() const { return cloexec_fd_; }

 private:
  pid_t pid_ = -1;
  int hold_fd_ = -1;
  int held_fd_ = -1;
  int cloexec_fd_ = -1;
  std::string dir_;
};

TEST(ResolverProcSeed, SnapshotOfARealChild) {
  HoldingChild child;
  ASSERT_TRUE(child.ok());
  ProcSnapshot snap;
  ASSERT_TRUE(read_proc_snapshot(child.pid(), snap));
  EXPECT_EQ(snap.cwd, child.dir());
  EXPECT_EQ(snap.tids, (std::vector<int32_t>{child.pid()}));
  const ProcFdSnapshot* held = nullptr;
  const ProcFdSnapshot* cx = nullptr;
  for (const auto& f : snap.fds) {
    if (f.fd == child.held_fd()) held = &f;
    if (f.fd == child.cloexec_fd()) cx = &f;
  }
  ASSERT_NE(held, nullptr);
  ASSERT_NE(cx, nullptr);
  struct stat st;
  ASSERT_EQ(::stat((child.dir() + "/held.txt").c_str(), &st), 0);
  struct statfs sfs;
  ASSERT_EQ(::statfs(child.dir().c_str(), &sfs), 0);
  EXPECT_EQ(held->file.path, child.dir() + "/held.txt");
  EXPECT_EQ(held->file.id, (FileId{kernel_dev_from_user(st.st_dev), st.st_ino}));
  EXPECT_EQ(held->file.mode, static_cast<uint32_t>(S_IFREG));
  EXPECT_EQ(held->file.fs_magic, static_cast<uint64_t>(sfs.f_type));
  EXPECT_EQ(held->open_flags & O_ACCMODE, static_cast<uint64_t>(O_WRONLY));
  EXPECT_TRUE(held->open_flags & O_APPEND);
  EXPECT_FALSE(held->cloexec);
  EXPECT_TRUE(cx->cloexec);
  EXPECT_EQ(cx->open_flags & O_ACCMODE, static_cast<uint64_t>(O_RDWR));
}

TEST(ResolverProcSeed, SeededProcessResolvesCwdFdsAndCloexec) {
  HoldingChild child;
  ASSERT_TRUE(child.ok());
  Resolver r;
  ASSERT_TRUE(r.seed_from_proc(child.pid()));
  const int32_t pid = child.pid();
  EXPECT_EQ(one(r, openat(pid, "new.txt", O_RDONLY, 90)).abs_path, child.dir() + "/new.txt");
  Event w = one(r, fd_call(Syscall::Write, pid, child.held_fd(), 5));
  EXPECT_EQ(w.file.path, child.dir() + "/held.txt");
  EXPECT_TRUE(w.file.known());
  EXPECT_NE(w.file.fs_magic, 0u);
  auto out = run(r, raw(Syscall::Exec, pid));
  std::vector<int32_t> closed;
  for (const auto& e : out)
    if (e.syscall == Syscall::ImplicitClose) closed.push_back(e.closed_fd);
  EXPECT_NE(std::find(closed.begin(), closed.end(), child.cloexec_fd()), closed.end());
  EXPECT_EQ(std::find(closed.begin(), closed.end(), child.held_fd()), closed.end());
}

// A launched command's fds 0-2 are its caller's stdio (a shell's
// `> out.txt`): events through them, their dups and a forked child's copies
// say so; its other inherited fds, and the same fds of an attached process,
// do not.
TEST(ResolverProcSeed, LaunchedCommandsStdioIsMarkedUnaudited) {
  ProcSnapshot snap;
  snap.cwd = "/work";
  auto fd = [](int32_t n, std::string path, uint64_t ino) {
    ProcFdSnapshot f;
    f.fd = n;
    f.file.path = std::move(path);
    f.file.id = {kernel_dev_from_user(0x801), ino};
    f.file.mode = S_IFREG;
    f.open_flags = O_WRONLY;
    return f;
  };
  snap.fds = {fd(1, "/work/out.txt", 11), fd(2, "/work/err.txt", 12), fd(7, "/work/state", 13)};
  ProcSnapshot launched = snap;
  prepare_launched_snapshot(launched);
  EXPECT_TRUE(launched.launched);

  Resolver r;
  r.seed(100, launched);
  EXPECT_TRUE(one(r, fd_call(Syscall::Write, 100, 1, 5)).file.unaudited);
  EXPECT_TRUE(one(r, fd_call(Syscall::Write, 100, 2, 5)).file.unaudited);
  EXPECT_FALSE(one(r, fd_call(Syscall::Write, 100, 7, 5)).file.unaudited);
  run(r, dup2(100, 1, 9));
  EXPECT_TRUE(one(r, fd_call(Syscall::Write, 100, 9, 5)).file.unaudited);
  run(r, fork_ev(100, 101));
  EXPECT_TRUE(one(r, fd_call(Syscall::Write, 101, 1, 5)).file.unaudited);

  Resolver attached;
  attached.seed(200, snap);
  EXPECT_FALSE(one(attached, fd_call(Syscall::Write, 200, 1, 5)).file.unaudited);
}

TEST(ResolverProcSeed, OptionSeedsUnknownProcessesOnFirstSight) {
  HoldingChild child;
  ASSERT_TRUE(child.ok());
  Resolver r(ResolverOptions{.seed_from_proc = true});
  Event w = one(r, fd_call(Syscall::Fsync, child.pid(), child.held_fd()));
  EXPECT_EQ(w.file.path, child.dir() + "/held.txt");
  EXPECT_EQ(r.stats().unknown_fds, 0u);
}

TEST(ResolverProcSeed, GoneProcess) {
  Resolver r;
  EXPECT_FALSE(r.seed_from_proc(INT_MAX - 1));
  Resolver seeding(ResolverOptions{.seed_from_proc = true, .default_cwd = "/fallback"});
  EXPECT_EQ(one(seeding, openat(INT_MAX - 1, "x", O_RDONLY, 3)).abs_path, "/fallback/x");
}

}  // namespace
}  // namespace duraudit
