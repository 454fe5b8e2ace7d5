// SPDX-License-Identifier: GPL-2.0-only
// Live: duraudit's capture agrees with strace about programs nobody here
// wrote. The target is `strace -f -o LOG PROGRAM ...`, traced by a capture:
// strace sees PROGRAM through ptrace, the capture through eBPF, in the same
// run. For the PROGRAM process (strace's own events are left out), file by
// file, both must tell the same story: opens with flags and results, closes,
// fsync/fdatasync/ftruncate, unlink/rename, and the first write of each
// epoch (the capture deduplicates writes in the kernel, so "was written
// between open and close/sync" is what can be compared, with the bytes of
// that first write).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "capture/failure_policy.h"
#include "live/live_harness.h"
#include "strace/strace_source.h"

namespace duraudit::live {
namespace {

namespace fs = std::filesystem;

using Stories = std::map<std::string, std::vector<std::string>>;

bool is_open(Syscall s) {
  return s == Syscall::Open || s == Syscall::Openat || s == Syscall::Openat2 || s == Syscall::Creat;
}
bool is_write(Syscall s) {
  switch (s) {
    case Syscall::Write: case Syscall::Pwrite64: case Syscall::Writev: case Syscall::Pwritev:
    case Syscall::Pwritev2: case Syscall::Fallocate: case Syscall::CopyFileRange: case Syscall::Sendfile:
      return true;
    default:
      return false;
  }
}

std::string ret_str(int64_t ret) {
  if (ret < 0 && ret > -4096) {
    const char* name = strerrorname_np(static_cast<int>(-ret));
    if (name) return std::string("-") + name;
  }
  return std::to_string(ret);
}

// Per raw path: the calls that touched that file, in order, with the writes
// reduced to the first one per epoch the way the kernel side does it (a new
// epoch after any fsync/fdatasync, ftruncate, truncate, O_TRUNC open, sync).
Stories stories(const std::vector<Event>& events) {
  Stories out;
  std::map<int32_t, std::string> fd_path;
  std::set<std::string> written;  // paths with a write reported in the current epoch
  auto add = [&](const std::string& path, std::string token) { out[path].push_back(std::move(token)); };
  for (const auto& e : events) {
    std::string r = " = " + ret_str(e.ret);
    std::string name(syscall_name(e.syscall));
    if (is_open(e.syscall)) {
      uint64_t flags = e.syscall == Syscall::Creat ? (O_WRONLY | O_CREAT | O_TRUNC) : e.flags;
      add(e.path, name + " " + open_flags_string(flags) + r);
      if (e.ret >= 0) {
        fd_path[static_cast<int32_t>(e.ret)] = e.path;
        if (flags & O_TRUNC) written.erase(e.path);
      }
      continue;
    }
    auto by_fd = [&](int32_t fd) -> const std::string* {
      auto it = fd_path.find(fd);
      return it == fd_path.end() ? nullptr : &it->second;
    };
    switch (e.syscall) {
      case Syscall::Close:
        if (auto* p = by_fd(e.fd)) add(*p, name + r);
        if (!e.failed()) fd_path.erase(e.fd);
        break;
      case Syscall::Dup: case Syscall::Dup2: case Syscall::Dup3:
        if (!e.failed())
          if (auto* p = by_fd(e.fd)) fd_path[static_cast<int32_t>(e.ret)] = *p;
        break;
      case Syscall::Fcntl:
        if (!e.failed() && (e.arg == F_DUPFD || e.arg == F_DUPFD_CLOEXEC))
          if (auto* p = by_fd(e.fd)) fd_path[static_cast<int32_t>(e.ret)] = *p;
        break;
      case Syscall::Fsync: case Syscall::Fdatasync:
        if (auto* p = by_fd(e.fd)) {
          add(*p, name + r);
          written.erase(*p);
        }
        break;
      case Syscall::Ftruncate:
        if (auto* p = by_fd(e.fd)) {
          add(*p, name + "(" + std::to_string(e.arg) + ")" + r);
          if (!e.failed()) written.erase(*p);
        }
        break;
      case Syscall::Sync: case Syscall::Syncfs:
        written.clear();
        break;
      case Syscall::Unlink: case Syscall::Unlinkat: case Syscall::Rmdir:
        add(e.path, name + r);
        break;
      case Syscall::Rename: case Syscall::Renameat: case Syscall::Renameat2:
        add(e.path, name + " (from)" + r);
        add(e.path2, name + " (to)" + r);
        break;
      case Syscall::Truncate:
        add(e.path, name + "(" + std::to_string(e.arg) + ")" + r);
        if (!e.failed()) written.clear();
        break;
      default:
        if (is_write(e.syscall) && e.ret > 0)
          if (auto* p = by_fd(e.fd); p && written.insert(*p).second) add(*p, "first write " + name + r);
        break;
    }
  }
  return out;
}

struct Comparison {
  int program_pid = 0;
  Stories captured, straced;
};

// Runs `strace -f -qq -o LOG argv...` as a traced target and returns both
// views of the process that exec'ed `argv[0]`.
Comparison run_under_strace(BpfCapture& cap, const TempDir& d, const std::vector<std::string>& argv) {
  Comparison c;
  std::string log = d / "strace.log";
  std::vector<std::string> cmd = {"strace", "-f", "-qq", "-o", log};
  cmd.insert(cmd.end(), argv.begin(), argv.end());
  auto run = run_traced(cap, cmd);
  EXPECT_TRUE(WIFEXITED(run.wait_status) && WEXITSTATUS(run.wait_status) == 0) << "status " << run.wait_status;

  // the program: the process (not strace itself) that exec'ed argv[0]
  std::vector<Event> program_events;
  for (const auto& e : run.events) {
    if (!c.program_pid && e.syscall == Syscall::Exec && e.pid != run.pid && e.path == argv[0]) c.program_pid = e.pid;
    if (c.program_pid && e.pid == c.program_pid) program_events.push_back(e);
  }
  EXPECT_NE(c.program_pid, 0) << "no exec of " << argv[0] << " seen";
  c.captured = stories(program_events);
  // Regular files, as the kernel said when they were opened: the only ones
  // whose writes the capture reports (pipes, ttys, /dev/null are not data).
  std::set<std::string> regular;
  for (const auto& e : program_events)
    if (is_open(e.syscall) && !e.failed() && e.file.mode == S_IFREG) regular.insert(e.path);

  std::string err;
  auto src = StraceSource::open(log, &err);
  EXPECT_TRUE(src) << err;
  if (!src) return c;
  std::vector<Event> straced;
  // Failed calls that change nothing never leave the kernel
  // (capture/failure_policy.h): leave them out of strace's story too.
  while (src->poll([&](Event&& e) {
    if (e.pid == c.program_pid && (!e.failed() || failure_sent(e.syscall, e.ret))) straced.push_back(std::move(e));
  }, 0)) {
  }
  EXPECT_EQ(src->unparsed_lines(), 0u);
  EXPECT_FALSE(straced.empty()) << "the strace log has no events of pid " << c.program_pid;
  c.straced = stories(straced);

  // writes to what is not a regular file are dropped by the capture in the
  // kernel: leave them out of strace's story too
  for (auto& [path, story] : c.straced)
    if (!regular.count(path))
      std::erase_if(story, [](const std::string& t) { return t.rfind("first write", 0) == 0; });
  return c;
}

void expect_same_stories(const Comparison& c, const std::string& must_cover) {
  std::set<std::string> paths;
  for (const auto& [p, _] : c.captured) paths.insert(p);
  for (const auto& [p, _] : c.straced) paths.insert(p);
  bool covered = false;
  for (const auto& p : paths) {
    SCOPED_TRACE(p);
    auto get = [&](const Stories& s) { auto it = s.find(p); return it == s.end() ? std::vector<std::string>{} : it->second; };
    EXPECT_EQ(get(c.captured), get(c.straced)) << "capture (left) and strace (right) disagree about " << p;
    if (p.rfind(must_cover, 0) == 0) covered = true;
  }
  EXPECT_TRUE(covered) << "no file under " << must_cover << " was compared";
  EXPECT_GT(paths.size(), 1u);
}

bool have(const char* tool) {
  return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

TEST(LiveVsStrace, Sqlite3CreatingATable) {
  ASSERT_TRUE(have("strace") && have("sqlite3")) << "strace and sqlite3 come from scripts/setup.sh";
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  std::string db = d / "test.db";
  auto c = run_under_strace(*cap, d, {"/usr/bin/sqlite3", db, "create table t(x); insert into t values(1);"});
  expect_same_stories(c, d.path());
  // and it is the story we expect of SQLite's rollback journal
  auto journal = c.captured[db + "-journal"];
  EXPECT_THAT(journal, ::testing::Contains(::testing::StartsWith("unlink")));
  EXPECT_THAT(c.captured[db], ::testing::Contains(::testing::StartsWith("fdatasync"))
                                  .Times(::testing::Ge(1)));
}

TEST(LiveVsStrace, Python3ReplacingAFile) {
  ASSERT_TRUE(have("strace") && fs::exists("/usr/bin/python3")) << "strace and python3 come from scripts/setup.sh";
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  std::string script =
      "import os, sys\n"
      "d = sys.argv[1]\n"
      "with open(d + '/state.json.tmp', 'w') as f:\n"
      "    f.write('{\"n\": 1}')\n"
      "    f.flush()\n"
      "    os.fsync(f.fileno())\n"
      "os.replace(d + '/state.json.tmp', d + '/state.json')\n"
      "with open(d + '/state.json', 'a') as f:\n"
      "    f.write('\\n')\n";
  auto c = run_under_strace(*cap, d, {"/usr/bin/python3", "-S", "-B", "-c", script, d.path()});
  expect_same_stories(c, d.path());
  EXPECT_EQ(c.captured[d / "state.json.tmp"],
            (std::vector<std::string>{"openat O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC = 3", "first write write = 8",
                                      "fsync = 0", "close = 0", "rename (from) = 0"}));
}

}  // namespace
}  // namespace duraudit::live
