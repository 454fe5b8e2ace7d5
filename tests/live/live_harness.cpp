// SPDX-License-Identifier: GPL-2.0-only
#include "live/live_harness.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "capture/suspended_child.h"

namespace duraudit::live {

namespace fs = std::filesystem;

namespace {
// $DURAUDIT_TEST_PROGRAMS, or build/tests/programs next to this test binary
// (build/tests/live_tests) when the runner did not pass the environment.
fs::path programs_dir() {
  if (const char* p = std::getenv("DURAUDIT_TEST_PROGRAMS"); p && *p) return p;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path("tests/programs") : exe.parent_path() / "programs";
}
}  // namespace

TempDir::TempDir() {
  // Next to the test programs, in the build tree: a real filesystem.
  fs::path base = programs_dir().parent_path() / "live-tmp";
  fs::create_directories(base);
  std::string tmpl = (base / "XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string program(const std::string& name) { return (programs_dir() / name).string(); }

std::unique_ptr<BpfCapture> open_capture(const CaptureOptions& opts, std::string* why_not) {
  return BpfCapture::open(opts, why_not);
}

bool ci_requires_live() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

namespace {

struct RunSpec {
  bool add_target = true;
  bool expect_exit_event = true;
  bool poll_while_running = true;
  int timeout_s = 120;
  std::function<void(int)> before_release;
};

Run run_spawned(BpfCapture& cap, const std::vector<std::string>& argv, const RunSpec& spec) {
  const int timeout_s = spec.timeout_s;
  Run run;
  SuspendedChild child;
  std::string err;
  if (!child.spawn(argv, &err, {}, /*only_stdio=*/true)) {
    ADD_FAILURE() << err;
    return run;
  }
  run.pid = child.pid();
  if (spec.add_target && !cap.add_target(child.pid(), &err)) {
    ADD_FAILURE() << err;
    return run;
  }
  if (spec.before_release) spec.before_release(child.pid());
  if (int e = child.release()) {
    ADD_FAILURE() << "exec " << argv[0] << ": " << strerror(e);
    return run;
  }
  auto sink = [&](Event&& e) {
    if (e.syscall == Syscall::Exit && e.group_dead && e.pid == run.pid) run.saw_group_exit = true;
    run.events.push_back(std::move(e));
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  if (!spec.poll_while_running) {
    run.wait_status = child.wait();
    cap.poll(sink, 0);
    return run;
  }
  bool reaped = false;
  while (std::chrono::steady_clock::now() < deadline) {
    cap.poll(sink, 50);
    if (!reaped) {
      int st;
      if (waitpid(run.pid, &st, WNOHANG) == run.pid) {
        run.wait_status = st;
        reaped = true;
      }
    }
    if (reaped && (run.saw_group_exit || !spec.expect_exit_event)) {
      cap.poll(sink, 0);  // anything still queued
      return run;
    }
  }
  ADD_FAILURE() << "timed out after " << timeout_s << " s waiting for " << argv[0]
                << (reaped ? " (reaped, but its exit event never arrived)" : " to exit");
  if (!reaped) kill(run.pid, SIGKILL);
  return run;
}

}  // namespace

Run run_traced(BpfCapture& cap, const std::vector<std::string>& argv, int timeout_s, bool poll_while_running) {
  RunSpec spec;
  spec.timeout_s = timeout_s;
  spec.poll_while_running = poll_while_running;
  return run_spawned(cap, argv, spec);
}

Run run_untargeted(BpfCapture& cap, const std::vector<std::string>& argv, bool expect_traced,
                   const std::function<void(int pid)>& before_release, int timeout_s) {
  RunSpec spec;
  spec.add_target = false;
  spec.expect_exit_event = expect_traced;
  spec.timeout_s = timeout_s;
  spec.before_release = before_release;
  return run_spawned(cap, argv, spec);
}

std::vector<Event> after_markers(const std::vector<Event>& events) {
  std::set<int> in_prologue;  // pids between exec and BEGIN()
  std::set<int> known;        // pids that exec'ed or were forked in the stream
  std::vector<Event> out;
  for (const auto& e : events) {
    if (e.syscall == Syscall::Fork) known.insert(e.child_pid);
    if (e.syscall != Syscall::Exec && !known.count(e.pid)) continue;  // the launcher, before its exec
    known.insert(e.pid);
    if (e.syscall == Syscall::Exec) {
      in_prologue.insert(e.pid);
      out.push_back(e);
      continue;
    }
    if (in_prologue.count(e.pid)) {
      if (e.syscall == Syscall::Chdir && e.path == "." && e.ret == 0) in_prologue.erase(e.pid);  // BEGIN()
      if (e.syscall != Syscall::Exit && e.syscall != Syscall::Fork) continue;
    }
    out.push_back(e);
  }
  return out;
}

std::vector<Event> of_pid(const std::vector<Event>& events, int pid) {
  std::vector<Event> out;
  for (const auto& e : events)
    if (e.pid == pid) out.push_back(e);
  return out;
}

namespace {

std::string fd_str(int fd) { return fd == -100 ? "AT_FDCWD" : std::to_string(fd); }

std::string quoted(const std::string& path, const std::string& dir) {
  std::string p = path;
  if (!dir.empty() && p.compare(0, dir.size(), dir) == 0) p = "$D" + p.substr(dir.size());
  return "\"" + p + "\"";
}

std::string ret_str(int64_t ret) {
  if (ret < 0 && ret > -4096) {
    const char* name = strerrorname_np(static_cast<int>(-ret));
    return name ? std::string("-") + name : std::to_string(ret);
  }
  return std::to_string(ret);
}

std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }

}  // namespace

// io_uring requests and AIO iocbs, by operation: the file is `fixed` when
// the kernel named it by identity rather than by an fd.
template <typename Quote>
std::string describe_request(const Event& e, Quote q) {
  std::string file = e.by_identity && e.fd < 0 ? std::string("fixed") : std::to_string(e.fd);
  switch (syscall_op(e.syscall)) {
    case SyscallOp::Open:
      return fd_str(e.dirfd) + ", " + q(e.path) + ", " + open_flags_string(e.flags) +
             (e.by_identity ? fmt::format(", slot {}", e.fd2) : "");
    case SyscallOp::Close: return e.by_identity ? fmt::format("slot {}", e.arg) : std::to_string(e.fd);
    case SyscallOp::Write: return file + (e.flags ? ", " + hex(e.flags) : "");
    case SyscallOp::Fsync:
    case SyscallOp::SyncFileRange: return file + ", " + hex(e.flags);
    case SyscallOp::Fallocate: return file + ", len " + std::to_string(e.arg);
    case SyscallOp::Truncate: return file + ", " + std::to_string(e.arg);
    case SyscallOp::Mkdir: return fd_str(e.dirfd) + ", " + q(e.path) + ", " + fmt::format("{:o}", e.arg);
    case SyscallOp::Unlink: return fd_str(e.dirfd) + ", " + q(e.path) + ", " + hex(e.flags);
    case SyscallOp::Symlink: return q(e.path) + ", " + fd_str(e.dirfd2) + ", " + q(e.path2);
    default:
      return fd_str(e.dirfd) + ", " + q(e.path) + ", " + fd_str(e.dirfd2) + ", " + q(e.path2) + ", " + hex(e.flags);
  }
}

std::string describe(const Event& e, const std::string& dir) {
  std::string name(syscall_name(e.syscall));
  auto q = [&](const std::string& p) { return quoted(p, dir); };
  std::string args;
  switch (e.syscall) {
    case Syscall::Open:
    case Syscall::Creat:
      args = q(e.path) + ", " + open_flags_string(e.flags);
      break;
    case Syscall::Openat:
    case Syscall::Openat2:
      args = fd_str(e.dirfd) + ", " + q(e.path) + ", " + open_flags_string(e.flags);
      break;
    case Syscall::Close: case Syscall::Dup: case Syscall::Fchdir: case Syscall::Fsync:
    case Syscall::Fdatasync: case Syscall::Syncfs: case Syscall::Write: case Syscall::Pwrite64:
    case Syscall::Writev: case Syscall::Pwritev: case Syscall::Pwritev2:
      args = std::to_string(e.fd);
      break;
    case Syscall::CopyFileRange: case Syscall::Sendfile:
      args = std::to_string(e.fd) + ", from " + std::to_string(e.fd2);
      break;
    case Syscall::Fallocate:
      args = std::to_string(e.fd) + ", len " + std::to_string(e.arg);
      break;
    case Syscall::Ftruncate:
      args = std::to_string(e.fd) + ", " + std::to_string(e.arg);
      break;
    case Syscall::Truncate:
      args = q(e.path) + ", " + std::to_string(e.arg);
      break;
    case Syscall::CloseRange:
      args = std::to_string(e.fd) + ", " + std::to_string(e.fd2) + ", " + hex(e.flags);
      break;
    case Syscall::Dup2:
      args = std::to_string(e.fd) + ", " + std::to_string(e.fd2);
      break;
    case Syscall::Dup3:
      args = std::to_string(e.fd) + ", " + std::to_string(e.fd2) + ", " + open_flags_string(e.flags);
      break;
    case Syscall::Fcntl:
      args = std::to_string(e.fd) + ", " + std::to_string(e.arg) + ", " + std::to_string(e.arg2);
      break;
    case Syscall::SyncFileRange:
      args = std::to_string(e.fd) + ", " + hex(e.flags);
      break;
    case Syscall::Msync:
      args = hex(e.flags);
      break;
    case Syscall::Rename: case Syscall::Link: case Syscall::Symlink:
      args = q(e.path) + ", " + q(e.path2);
      break;
    case Syscall::Renameat:
      args = fd_str(e.dirfd) + ", " + q(e.path) + ", " + fd_str(e.dirfd2) + ", " + q(e.path2);
      break;
    case Syscall::Renameat2: case Syscall::Linkat:
      args = fd_str(e.dirfd) + ", " + q(e.path) + ", " + fd_str(e.dirfd2) + ", " + q(e.path2) + ", " + hex(e.flags);
      break;
    case Syscall::Symlinkat:
      args = q(e.path) + ", " + fd_str(e.dirfd2) + ", " + q(e.path2);
      break;
    case Syscall::Unlink: case Syscall::Rmdir: case Syscall::Chdir:
      args = q(e.path);
      break;
    case Syscall::Mkdir:
      args = q(e.path) + ", " + fmt::format("{:o}", e.arg);
      break;
    case Syscall::Unlinkat:
      args = fd_str(e.dirfd) + ", " + q(e.path) + ", " + hex(e.flags);
      break;
    case Syscall::Mkdirat:
      args = fd_str(e.dirfd) + ", " + q(e.path) + ", " + fmt::format("{:o}", e.arg);
      break;
    case Syscall::Bind:
      args = std::to_string(e.fd) + ", " + q(e.path);
      break;
    case Syscall::Mknod:
      args = q(e.path) + ", " + fmt::format("{:o}", e.arg);
      break;
    case Syscall::Mknodat:
      args = fd_str(e.dirfd) + ", " + q(e.path) + ", " + fmt::format("{:o}", e.arg);
      break;
    // Addresses differ from run to run: "addr" stands for the mapping's.
    case Syscall::Mmap:
      return fmt::format("mmap({}, {}, {}, {}) = addr", e.fd, e.arg2, hex(e.arg), hex(e.flags));
    case Syscall::Munmap:
      return fmt::format("munmap(addr, {}) = {}", e.arg2, ret_str(e.ret));
    case Syscall::MmapStore:
      return fmt::format("mmap:store({})", e.fd);
    case Syscall::Fork:
      return std::string("fork ") + (e.is_thread ? "thread" : "process") + (e.shares_files ? " shares_files" : "");
    case Syscall::Exec:
      return "exec(" + q(e.path) + ")";
    case Syscall::Exit:
      return fmt::format("exit({}){}", e.exit_code, e.group_dead ? " group_dead" : "");
    case Syscall::IoUringSetup: case Syscall::IoSetup:
      args = std::to_string(e.arg);
      break;
    default:
      if (syscall_has(e.syscall, kScNoSyscall)) args = describe_request(e, q);
      break;
  }
  std::string out = name + "(" + args + ") = " + ret_str(e.ret);
  if (e.created) out += " created";
  if (e.sync_write) out += " sync";
  return out;
}

std::vector<std::string> describe_all(const std::vector<Event>& events, const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(describe(e, dir));
  return out;
}

}  // namespace duraudit::live
