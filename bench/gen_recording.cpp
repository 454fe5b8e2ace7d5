// SPDX-License-Identifier: GPL-2.0-only
// Writes a synthetic duraudit recording for the engine benchmarks: the events
// a live capture of a busy multi-process writer would produce, with raw fields
// only (as the ring buffer delivers them) so replay exercises the whole
// userspace pipeline: Resolver -> durability model -> rules -> findings.
//
// usage:
//   gen_recording mix EVENTS OUT        realistic mix over many processes and files
//   gen_recording open-files N OUT      one process holding N files open (memory per file)
//   gen_recording processes N OUT       N live processes, each with one open file (memory per process)
//
// The mix, per "transaction" of a worker process (64 processes in turn,
// objects spread over 16 directories): the write-temp, fsync, rename pattern
//   openat(O_CREAT) tmp; write; fsync (1 in 256 forgets); close;
//   rename tmp -> name; every 2nd: open dir, fsync it, close;
//   unlink the object of 8 transactions ago;
// plus an append to a long-lived per-process log (opened once; fdatasync'd
// every 16 transactions). About 8.6 events per transaction.
// Most writes arrive deduplicated (one event per inode per durability epoch),
// as the kernel side sends them.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "event/event.h"
#include "record/recording_writer.h"

using namespace duraudit;

namespace {

constexpr uint64_t kDev = (259u << 20) | 1;  // an ext4 on nvme0n1p1
constexpr uint64_t kExt4Magic = 0xEF53;
constexpr uint32_t kReg = 0100000, kDir = 0040000;
constexpr uint64_t kOWrOnly = 01, kOCreat = 0100, kOTrunc = 01000, kOAppend = 02000, kODir = 0200000,
                   kORdOnly = 0, kOCloexec = 02000000;

struct Gen {
  RecordingWriter w;
  uint64_t seq = 0, ts = 1'000'000'000, next_ino = 1000, count = 0;

  Event base(int pid, Syscall sc, int64_t ret) {
    Event e;
    e.seq = ++seq;
    ts += 700;  // ~1.4M events/s of "kernel time"
    e.ts_ns = ts;
    e.pid = pid;
    e.tid = pid;
    e.comm = "worker";
    e.syscall = sc;
    e.ret = ret;
    return e;
  }
  void put(const Event& e) {
    if (!w.append(e)) {
      std::fprintf(stderr, "gen_recording: %s\n", w.error().c_str());
      std::exit(1);
    }
    ++count;
  }
  void file(Event& e, uint64_t ino, uint32_t mode) {
    e.file.id = {kDev, ino};
    e.file.mode = mode;
    e.file.fs_magic = kExt4Magic;
  }
  void fork(int parent, int child) {
    Event e = base(parent, Syscall::Fork, child);
    e.child_pid = child;
    e.child_tid = child;
    put(e);
  }
  void exit(int pid) {
    Event e = base(pid, Syscall::Exit, 0);
    e.group_dead = true;
    put(e);
  }
  void openat(int pid, const std::string& path, uint64_t flags, int fd, uint64_t ino, uint32_t mode, bool created) {
    Event e = base(pid, Syscall::Openat, fd);
    e.path = path;
    e.flags = flags;
    e.arg = 0644;
    e.created = created;
    file(e, ino, mode);
    put(e);
  }
  void write(int pid, int fd, uint64_t ino, uint64_t bytes) {
    Event e = base(pid, Syscall::Write, bytes);
    e.fd = fd;
    e.bytes = bytes;
    file(e, ino, kReg);
    put(e);
  }
  void sync(int pid, Syscall sc, int fd, uint64_t ino, uint32_t mode) {
    Event e = base(pid, sc, 0);
    e.fd = fd;
    file(e, ino, mode);
    put(e);
  }
  void close(int pid, int fd) {
    Event e = base(pid, Syscall::Close, 0);
    e.fd = fd;
    put(e);
  }
  void rename(int pid, const std::string& from, const std::string& to) {
    Event e = base(pid, Syscall::Rename, 0);
    e.path = from;
    e.path2 = to;
    put(e);
  }
  void unlink(int pid, const std::string& path, int64_t ret) {
    Event e = base(pid, Syscall::Unlink, ret);
    e.path = path;
    put(e);
  }
};

int usage() {
  std::fprintf(stderr,
               "usage: gen_recording mix EVENTS OUT | open-files N OUT | processes N OUT\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return usage();
  std::string mode = argv[1];
  uint64_t n = std::strtoull(argv[2], nullptr, 10);
  Gen g;
  std::string err;
  if (!g.w.open(argv[3], &err) || !g.w.write_local_header(&err)) {
    std::fprintf(stderr, "gen_recording: %s\n", err.c_str());
    return 1;
  }
  const int root = 100;
  if (mode == "open-files") {
    // One process opens N distinct files and writes each; none is closed.
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t ino = g.next_ino++;
      int fd = 3 + static_cast<int>(i);
      g.openat(root, "/data/d" + std::to_string(i % 256) + "/f" + std::to_string(i), kOWrOnly | kOCreat, fd, ino,
               kReg, true);
      g.write(root, fd, ino, 4096);
    }
  } else if (mode == "processes") {
    // N processes forked from root, each with one file open; none exits.
    for (uint64_t i = 0; i < n; ++i) {
      int pid = root + 1 + static_cast<int>(i);
      g.fork(root, pid);
      uint64_t ino = g.next_ino++;
      g.openat(pid, "/data/p/log" + std::to_string(pid), kOWrOnly | kOCreat | kOAppend, 3, ino, kReg, true);
    }
  } else if (mode == "mix") {
    constexpr int kProcs = 64, kDirs = 16;
    std::vector<uint64_t> log_ino(kProcs), dir_ino(kDirs);
    std::vector<uint64_t> txn(kProcs, 0);
    for (int d = 0; d < kDirs; ++d) dir_ino[d] = g.next_ino++;
    for (int p = 0; p < kProcs; ++p) {
      int pid = root + 1 + p;
      g.fork(root, pid);
      log_ino[p] = g.next_ino++;
      g.openat(pid, "/var/log/app/worker" + std::to_string(p) + ".log", kOWrOnly | kOCreat | kOAppend, 3, log_ino[p],
               kReg, true);
    }
    int p = 0;
    while (g.count < n) {
      int pid = root + 1 + p;
      uint64_t t = txn[p]++;
      auto obj = [&](uint64_t k) {
        return "/data/store" + std::to_string((k + p) % kDirs) + "/obj-" + std::to_string(p) + "-" + std::to_string(k);
      };
      std::string name = obj(t), tmp = name + ".tmp";
      int d = static_cast<int>((t + p) % kDirs);
      uint64_t ino = g.next_ino++;
      g.openat(pid, tmp, kOWrOnly | kOCreat | kOTrunc | kOCloexec, 4, ino, kReg, true);
      g.write(pid, 4, ino, 8192);
      if (t % 256 != 255) g.sync(pid, Syscall::Fsync, 4, ino, kReg);  // 1 in 256 forgets: a finding
      g.close(pid, 4);
      g.rename(pid, tmp, name);
      if (t % 2 == 1) {  // batched directory sync
        g.openat(pid, "/data/store" + std::to_string(d), kORdOnly | kODir, 5, dir_ino[d], kDir, false);
        g.sync(pid, Syscall::Fsync, 5, dir_ino[d], kDir);
        g.close(pid, 5);
      }
      if (t >= 8) g.unlink(pid, obj(t - 8), 0);  // expire old objects
      // the process's log: one (deduplicated) write per epoch, synced every 16
      g.write(pid, 3, log_ino[p], 128);
      if (t % 16 == 15) g.sync(pid, Syscall::Fdatasync, 3, log_ino[p], kReg);
      p = (p + 1) % kProcs;
    }
    for (int q = 0; q < kProcs; ++q) {
      g.close(root + 1 + q, 3);
      g.exit(root + 1 + q);
    }
  } else {
    return usage();
  }
  if (!g.w.close({}, &err)) {
    std::fprintf(stderr, "gen_recording: %s\n", err.c_str());
    return 1;
  }
  std::printf("%llu\n", static_cast<unsigned long long>(g.count));
  return 0;
}
