// SPDX-License-Identifier: GPL-2.0-only
// A fluent builder of RESOLVED events for engine tests: a tiny simulated
// filesystem (paths -> inode numbers) and processes with fd tables, so a
// test reads like the syscall sequence it models:
//
//   Sim sim;
//   auto tm = sim.proc(100, "taskmanager");
//   int fd = tm.open("/ckpt/chk-2/state-0");
//   tm.write(fd); tm.close(fd);
//   sim.finish();
//   EXPECT_EQ(sim.count("close-without-fsync"), 1);
//
// Time advances 1 ms per event; sim.sleep() jumps further. Files under
// /dev/shm are on tmpfs, everything else on ext4 (the injected classifier
// and the FileInfo of fd events agree).
#pragma once

#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/stat.h>

#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "engine/engine.h"
#include "engine/path_util.h"
#include "event/event.h"

namespace duraudit::test {

inline constexpr uint64_t kMs = 1'000'000ull;
inline constexpr uint64_t kSec = 1'000'000'000ull;
inline constexpr DevT kExt4Dev = (8ull << 20) | 1;
inline constexpr DevT kTmpfsDev = (0ull << 20) | 23;

inline bool on_tmpfs(const std::string& p) { return path_under(p, "/dev/shm"); }

class Sim;

class Proc {
 public:
  Proc(Sim& sim, int32_t pid, std::string comm) : sim_(&sim), pid_(pid), comm_(std::move(comm)) {}
  int32_t pid() const { return pid_; }

  // Returns the fd, or -errno.
  int open(const std::string& path, uint64_t flags = O_WRONLY | O_CREAT | O_TRUNC, uint32_t mode = 0644);
  int opendir(const std::string& path) { return open(path, O_RDONLY | O_DIRECTORY); }
  int open_tmpfile(const std::string& dir) { return open(dir, O_TMPFILE | O_WRONLY, 0600); }
  // An fd opened before the session began (attach seeds it from /proc, run
  // inherits it): no event. `fd_path` is what the fd's path reads as, e.g.
  // "PATH (deleted)" for a file unlinked before the session.
  int adopt(const std::string& path, const std::string& fd_path = "");
  Proc& write(int fd, uint64_t bytes = 100, Syscall sc = Syscall::Write);
  Proc& sync_write(int fd, uint64_t bytes = 100);
  Proc& ftruncate(int fd, uint64_t len);
  Proc& truncate(const std::string& path, uint64_t len);
  Proc& fsync(int fd, int64_t ret = 0) { return fd_call(Syscall::Fsync, fd, ret); }
  Proc& fdatasync(int fd, int64_t ret = 0) { return fd_call(Syscall::Fdatasync, fd, ret); }
  Proc& syncfs(int fd) { return fd_call(Syscall::Syncfs, fd, 0); }
  Proc& sync_file_range(int fd) { return fd_call(Syscall::SyncFileRange, fd, 0); }
  Proc& sync();
  Proc& close(int fd);
  Proc& rename(const std::string& from, const std::string& to, uint64_t flags = 0);
  // A rename that fails with `err` (-EEXIST...) and changes nothing.
  Proc& rename_failing(const std::string& from, const std::string& to, uint64_t flags, int64_t err);
  Proc& link(const std::string& from, const std::string& to);
  Proc& linkat_fd(int fd, const std::string& to);  // O_TMPFILE publishing (AT_EMPTY_PATH)
  Proc& symlink(const std::string& target, const std::string& linkpath);
  Proc& unlink(const std::string& path);
  Proc& mkdir(const std::string& path);
  Proc& bind(int fd, const std::string& path);  // an AF_UNIX socket at a path
  Proc& mkfifo(const std::string& path);         // mknodat(S_IFIFO)
  Proc& rmdir(const std::string& path);
  Proc& exit();  // implicit closes of every fd, then Exit
  // Any other call, by row: io_uring_setup, io_submit...
  Proc& call(Syscall sc, int64_t ret = 0, int fd = -1);
  // The kernel side reports this process over its event budget, with
  // `dropped` of its events dropped so far.
  Proc& over_budget(uint64_t dropped);

 private:
  friend class Sim;
  Event base(Syscall sc, int64_t ret = 0);
  FileInfo info_of(int fd) const;
  Proc& fd_call(Syscall sc, int fd, int64_t ret);
  Proc& do_close(int fd, Syscall sc, CloseReason why);

  Sim* sim_;
  int32_t pid_;
  std::string comm_;
  int next_fd_ = 3;
  std::map<int, FileInfo> fds_;
};

class Sim {
 public:
  // `source`: what kind of trace the events come from (an strace log
  // cannot show io_uring / AIO operations).
  explicit Sim(Config cfg = Config::defaults(), EngineLimits limits = {}, SourceKind source = SourceKind::Live)
      : cfg_(std::move(cfg)),
        engine_(cfg_, [this](Finding&& f) { findings.push_back(std::move(f)); },
                EngineOptions{limits,
                              [](const std::string& dir) -> uint64_t {
                                return on_tmpfs(dir) ? TMPFS_MAGIC : EXT4_SUPER_MAGIC;
                              },
                              {},
                              // A directory's inode, as stat(2) would tell.
                              [this](const std::string& dir) {
                                return FileId{on_tmpfs(dir) ? kTmpfsDev : kExt4Dev, dir_node(dir).ino};
                              },
                              source}) {}

  Proc proc(int32_t pid, std::string comm) { return Proc(*this, pid, std::move(comm)); }
  // `parent` forks a new process `child` (not a thread); with
  // `shares_files`, clone(CLONE_FILES): one fd table for both.
  Proc fork(const Proc& parent, int32_t child, std::string comm, bool shares_files = false);
  // `link` is a symlink to the directory `target` that existed before.
  Sim& symlinked_dir(const std::string& link, const std::string& target) {
    fs_[link] = dir_node(target);
    return *this;
  }

  // A file (or directory, trailing '/') that existed before the session.
  Sim& exists(const std::string& path) {
    bool dir = path.size() > 1 && path.back() == '/';
    std::string p = dir ? path.substr(0, path.size() - 1) : path;
    fs_[p] = Node{next_ino_++, static_cast<uint32_t>(dir ? S_IFDIR : S_IFREG)};
    return *this;
  }

  Sim& sleep(uint64_t ns) {
    now_ += ns;
    return *this;
  }
  // Attach mode: settle what is due by now.
  Sim& settle() {
    engine_.advance_time(now_);
    return *this;
  }
  Sim& finish() {
    engine_.finish();
    return *this;
  }
  Sim& lose(uint64_t n) {
    engine_.note_loss(n);
    return *this;
  }

  size_t count(std::string_view rule) const {
    size_t n = 0;
    for (const auto& f : findings)
      if (f.rule == rule) ++n;
    return n;
  }
  const Finding* first(std::string_view rule) const {
    for (const auto& f : findings)
      if (f.rule == rule) return &f;
    return nullptr;
  }
  const Finding* first_about(std::string_view rule, std::string_view path) const {
    for (const auto& f : findings)
      if (f.rule == rule && f.path == path) return &f;
    return nullptr;
  }
  std::string dump() const {
    std::string out;
    for (const auto& f : findings) out += f.rule + ": " + f.message + "\n";
    return out;
  }

  Engine& engine() { return engine_; }
  const Config& config() const { return cfg_; }
  std::vector<Finding> findings;

 private:
  friend class Proc;
  struct Node {
    uint64_t ino = 0;
    uint32_t mode = S_IFREG;
  };

  void feed(Event& ev) {
    ev.seq = ++seq_;
    now_ += kMs;
    ev.ts_ns = now_;
    engine_.on_event(ev);
  }
  FileInfo info(const std::string& path, const Node& n) const {
    FileInfo f;
    f.id = FileId{on_tmpfs(path) ? kTmpfsDev : kExt4Dev, n.ino};
    f.mode = n.mode;
    f.fs_magic = on_tmpfs(path) ? TMPFS_MAGIC : EXT4_SUPER_MAGIC;
    f.path = path;
    return f;
  }
  Node& dir_node(const std::string& path) {
    auto it = fs_.find(path);
    if (it == fs_.end()) it = fs_.emplace(path, Node{next_ino_++, S_IFDIR}).first;  // an ancestor that existed
    return it->second;
  }
  void move_tree(const std::string& from, const std::string& to) {
    std::vector<std::pair<std::string, Node>> moved;
    for (auto it = fs_.begin(); it != fs_.end();) {
      if (path_under(it->first, from)) {
        moved.emplace_back(to + it->first.substr(from.size()), it->second);
        it = fs_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [p, n] : moved) fs_[p] = n;
  }

  Config cfg_;
  Engine engine_;
  std::map<std::string, Node> fs_;
  uint64_t next_ino_ = 1000;
  uint64_t seq_ = 0;
  uint64_t now_ = 10 * kSec;
};

// ---------------------------------------------------------------- Proc

inline Proc Sim::fork(const Proc& parent, int32_t child, std::string comm, bool shares_files) {
  Event ev;
  ev.pid = ev.tid = parent.pid();
  ev.comm = parent.comm_;
  ev.syscall = Syscall::Fork;
  ev.ret = child;
  ev.child_pid = ev.child_tid = child;
  ev.shares_files = shares_files;
  feed(ev);
  return Proc(*this, child, std::move(comm));
}

inline Event Proc::base(Syscall sc, int64_t ret) {
  Event ev;
  ev.pid = pid_;
  ev.tid = pid_;
  ev.comm = comm_;
  ev.syscall = sc;
  ev.ret = ret;
  return ev;
}

inline FileInfo Proc::info_of(int fd) const {
  auto it = fds_.find(fd);
  return it == fds_.end() ? FileInfo{} : it->second;
}

inline int Proc::adopt(const std::string& path, const std::string& fd_path) {
  auto it = sim_->fs_.find(path);
  if (it == sim_->fs_.end()) it = sim_->fs_.emplace(path, Sim::Node{sim_->next_ino_++, S_IFREG}).first;
  int fd = next_fd_++;
  fds_[fd] = sim_->info(path, it->second);
  if (!fd_path.empty()) fds_[fd].path = fd_path;
  return fd;
}

inline int Proc::open(const std::string& path, uint64_t flags, uint32_t mode) {
  bool tmpfile = (flags & O_TMPFILE) == static_cast<uint64_t>(O_TMPFILE);
  Event ev = base(Syscall::Openat);
  ev.path = ev.abs_path = path;
  ev.flags = flags;
  ev.arg = mode;
  auto it = sim_->fs_.find(path);
  Sim::Node node;
  if (tmpfile) {
    node = Sim::Node{sim_->next_ino_++, S_IFREG};
    ev.file = sim_->info(path, node);
    ev.file.path = path + "/#" + std::to_string(node.ino);
  } else if (it != sim_->fs_.end()) {
    node = it->second;
    ev.file = sim_->info(path, node);
  } else if (flags & O_CREAT) {
    node = Sim::Node{sim_->next_ino_++, S_IFREG};
    sim_->fs_[path] = node;
    ev.created = true;
    ev.file = sim_->info(path, node);
  } else if (flags & O_DIRECTORY) {
    node = sim_->dir_node(path);  // a directory that existed before the session
    ev.file = sim_->info(path, node);
  } else {
    ev.ret = -ENOENT;
    sim_->feed(ev);
    return -ENOENT;
  }
  int fd = next_fd_++;
  ev.ret = fd;
  fds_[fd] = ev.file;
  sim_->feed(ev);
  return fd;
}

inline Proc& Proc::write(int fd, uint64_t bytes, Syscall sc) {
  Event ev = base(sc, static_cast<int64_t>(bytes));
  ev.fd = fd;
  ev.bytes = bytes;
  ev.file = info_of(fd);
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::sync_write(int fd, uint64_t bytes) {
  Event ev = base(Syscall::Write, static_cast<int64_t>(bytes));
  ev.fd = fd;
  ev.bytes = bytes;
  ev.sync_write = true;
  ev.file = info_of(fd);
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::ftruncate(int fd, uint64_t len) {
  Event ev = base(Syscall::Ftruncate);
  ev.fd = fd;
  ev.arg = len;
  ev.file = info_of(fd);
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::truncate(const std::string& path, uint64_t len) {
  Event ev = base(Syscall::Truncate);
  ev.path = ev.abs_path = path;
  ev.arg = len;
  if (auto it = sim_->fs_.find(path); it != sim_->fs_.end()) ev.file = sim_->info(path, it->second);
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::fd_call(Syscall sc, int fd, int64_t ret) {
  Event ev = base(sc, ret);
  ev.fd = fd;
  ev.file = info_of(fd);
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::sync() {
  Event ev = base(Syscall::Sync);
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::do_close(int fd, Syscall sc, CloseReason why) {
  Event ev = base(sc);
  ev.fd = fd;
  ev.closed_fd = fd;
  ev.close_reason = why;
  ev.file = info_of(fd);
  fds_.erase(fd);
  ev.last_close = true;
  for (const auto& [_, f] : fds_)
    if (f.id == ev.file.id) ev.last_close = false;
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::close(int fd) { return do_close(fd, Syscall::Close, CloseReason::Close); }

inline Proc& Proc::call(Syscall sc, int64_t ret, int fd) {
  Event ev = base(sc, ret);
  ev.fd = fd;
  if (fd >= 0) ev.file = info_of(fd);
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::over_budget(uint64_t dropped) {
  Event ev = base(Syscall::OverBudget, 0);
  ev.arg = dropped;
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::exit() {
  std::vector<int> fds;
  for (const auto& [fd, _] : fds_) fds.push_back(fd);
  for (int fd : fds) do_close(fd, Syscall::ImplicitClose, CloseReason::Exit);
  Event ev = base(Syscall::Exit);
  ev.group_dead = true;
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::rename_failing(const std::string& from, const std::string& to, uint64_t flags, int64_t err) {
  Event ev = base(Syscall::Renameat2, err);
  ev.path = ev.abs_path = from;
  ev.path2 = ev.abs_path2 = to;
  ev.flags = flags;
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::rename(const std::string& from, const std::string& to, uint64_t flags) {
  Event ev = base(Syscall::Renameat2);
  ev.path = ev.abs_path = from;
  ev.path2 = ev.abs_path2 = to;
  ev.flags = flags;
  auto& fs = sim_->fs_;
  if (!fs.count(from)) {
    ev.ret = -ENOENT;
  } else if (flags & RENAME_EXCHANGE) {
    std::swap(fs[from], fs[to]);
  } else {
    Sim::Node n = fs[from];
    fs.erase(to);
    if (n.mode == S_IFDIR) {
      sim_->move_tree(from, to);
    } else {
      fs.erase(from);
      fs[to] = n;
    }
  }
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::link(const std::string& from, const std::string& to) {
  Event ev = base(Syscall::Linkat);
  ev.path = ev.abs_path = from;
  ev.path2 = ev.abs_path2 = to;
  if (auto it = sim_->fs_.find(from); it != sim_->fs_.end())
    sim_->fs_[to] = it->second;
  else
    ev.ret = -ENOENT;
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::linkat_fd(int fd, const std::string& to) {
  Event ev = base(Syscall::Linkat);
  ev.fd = fd;
  ev.dirfd = fd;
  ev.flags = AT_EMPTY_PATH;
  ev.path2 = ev.abs_path2 = to;
  ev.file = info_of(fd);
  sim_->fs_[to] = Sim::Node{ev.file.id.ino, S_IFREG};
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::symlink(const std::string& target, const std::string& linkpath) {
  Event ev = base(Syscall::Symlinkat);
  ev.path = target;
  ev.path2 = ev.abs_path2 = linkpath;
  sim_->fs_[linkpath] = Sim::Node{sim_->next_ino_++, S_IFLNK};
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::unlink(const std::string& path) {
  Event ev = base(Syscall::Unlinkat);
  ev.path = ev.abs_path = path;
  if (!sim_->fs_.erase(path)) ev.ret = -ENOENT;
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::mkdir(const std::string& path) {
  Event ev = base(Syscall::Mkdirat);
  ev.path = ev.abs_path = path;
  ev.arg = 0755;
  if (sim_->fs_.count(path))
    ev.ret = -EEXIST;
  else
    sim_->fs_[path] = Sim::Node{sim_->next_ino_++, S_IFDIR};
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::bind(int fd, const std::string& path) {
  Event ev = base(Syscall::Bind);
  ev.fd = fd;
  ev.path = ev.abs_path = path;
  if (sim_->fs_.count(path))
    ev.ret = -EADDRINUSE;
  else
    sim_->fs_[path] = Sim::Node{sim_->next_ino_++, S_IFSOCK};
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::mkfifo(const std::string& path) {
  Event ev = base(Syscall::Mknodat);
  ev.path = ev.abs_path = path;
  ev.arg = S_IFIFO | 0644;
  if (sim_->fs_.count(path))
    ev.ret = -EEXIST;
  else
    sim_->fs_[path] = Sim::Node{sim_->next_ino_++, S_IFIFO};
  sim_->feed(ev);
  return *this;
}

inline Proc& Proc::rmdir(const std::string& path) {
  Event ev = base(Syscall::Rmdir);
  ev.path = ev.abs_path = path;
  sim_->fs_.erase(path);
  sim_->feed(ev);
  return *this;
}

}  // namespace duraudit::test
