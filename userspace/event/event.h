// SPDX-License-Identifier: GPL-2.0-only
// The normalized event: the one type every event source produces (ring buffer,
// recording, strace log) and every later stage consumes (resolver, durability
// model, rules, `trace` output).
//
// Pipeline:  source --Event(raw)--> Resolver --Event(resolved)--> Model --> Rules
//
// A source fills the "raw" fields: what the syscall was called with, what it
// returned, and, where the kernel told us, the identity of the file touched.
// The Resolver (userspace/resolve) fills the "resolved" fields: absolute paths,
// the file behind an fd, and synthetic identities when the source had none; it
// also emits the implicit closes that exec (CLOEXEC) and exit cause.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "event/syscall_table.h"

namespace duraudit {

struct ProcessIdentity;  // event/process_identity.h
struct RawStack;      // stack/raw_stack.h
struct UnwoundStack;  // stack/unwound_stack.h

// The syscalls (and kernel lifecycle points) duraudit understands: enum
// Syscall, one enumerator per row of the syscall table (syscall_table.def).
// Names are the user-facing syscall names printed in traces and evidence.
std::string_view syscall_name(Syscall s);
Syscall syscall_from_name(std::string_view name);  // names and aliases; Unknown if not ours

// Kernel-encoded device number (MAJOR << 20 | MINOR), as in struct super_block
// s_dev. /proc and stat(2) values are converted with kernel_dev_from_user().
using DevT = uint64_t;
DevT kernel_dev_from_user(uint64_t st_dev);

struct FileId {
  DevT dev = 0;
  uint64_t ino = 0;
  // A source without inode identities (strace) gets synthetic ones from the
  // Resolver: dev == kSyntheticDev, ino unique per distinct file.
  static constexpr DevT kSyntheticDev = ~DevT{0};
  // Identities the durability model makes itself for a file it learns of
  // without one (a hard link to a file never opened in the session).
  static constexpr DevT kModelDev = ~DevT{0} - 1;
  bool valid() const { return ino != 0; }
  bool operator==(const FileId&) const = default;
};

struct FileIdHash {
  size_t operator()(const FileId& f) const noexcept {
    return std::hash<uint64_t>{}(f.ino * 0x9E3779B97F4A7C15ull ^ f.dev);
  }
};

// What we know about the file an event touched.
struct FileInfo {
  FileId id;
  uint32_t mode = 0;       // S_IFMT bits (S_IFREG, S_IFDIR, ...); 0 if unknown
  uint64_t fs_magic = 0;   // superblock magic (EXT4_SUPER_MAGIC, TMPFS_MAGIC...); 0 if unknown
  std::string path;        // absolute path, filled by the Resolver
  // O_TMPFILE file not yet given a name (linkat): `path` is the directory it
  // was created in, not the file's name. Set by the Resolver.
  bool unnamed = false;
  // Set by the Resolver for an fd the command inherited from whoever started
  // duraudit (a shell's `> out.txt`): the engine does not audit it.
  bool unaudited = false;
  bool known() const { return id.valid(); }
};

// Why an fd was closed (for Close / ImplicitClose).
// Unmap, ExecUnmap, ExitUnmap: the last shared mapping of a file went away
// (munmap/mremap, exec, exit) and no fd of the process refers to it: the
// process's last handle on the file, like the close of its last fd.
enum class CloseReason : uint8_t { Close, CloseRange, Exec, Exit, DupOver, Unmap, ExecUnmap, ExitUnmap };

struct Event {
  // ---- header (every event) ----
  uint64_t seq = 0;    // position in the stream, assigned by the source, from 1
  uint64_t ts_ns = 0;  // monotonic ns (CLOCK_MONOTONIC for live capture)
  int32_t pid = 0;     // tgid
  int32_t tid = 0;
  std::string comm;
  Syscall syscall = Syscall::Unknown;
  int64_t ret = 0;     // return value; a failed call has ret = -errno
  bool failed() const { return ret < 0; }

  // ---- raw arguments, as passed (meaning depends on syscall) ----
  int32_t fd = -1;          // fd argument (write, fsync, close, dup oldfd, fchdir, fcntl, syncfs, ftruncate...); close_range: first
  int32_t fd2 = -1;         // dup2/dup3 newfd, close_range last, copy_file_range/sendfile: the fd written to is `fd`, source fd2
  int32_t dirfd = -100;     // AT_FDCWD unless an *at call said otherwise; olddirfd for rename/link
  int32_t dirfd2 = -100;    // newdirfd for rename/link/symlinkat
  std::string path;         // pathname / oldpath, as passed (may be relative); symlink: linkpath is path2, target is `path`
  std::string path2;        // newpath for rename/link/symlink
  uint64_t flags = 0;       // open flags, renameat2 flags, unlinkat/linkat flags, clone flags, close_range flags, dup3 flags, sync_file_range flags, msync flags
  uint64_t arg = 0;         // open mode, fcntl cmd, truncate/fallocate length
  uint64_t arg2 = 0;        // fcntl arg
  uint64_t bytes = 0;       // write family: bytes written since the file last became durable (at least this call's)

  // Kernel-observed facts (live capture; strace leaves them unset).
  FileInfo file;            // open: the opened file; fd-based calls: the fd's file; resolved by the Resolver if unset
  bool created = false;     // open: this call created the file
  bool sync_write = false;  // write through an O_SYNC/O_DSYNC fd: durable at once
  // io_uring: the kernel named the file by identity, not by an fd (`fd` is
  // -1): the SQE's fd is gone at completion, or it was a registered (fixed)
  // file. An open or close of a fixed slot: `fd2` (open) / `arg` (close) is
  // the slot, and no fd of the process changes.
  bool by_identity = false;
  // Sync calls (fsync, fdatasync, sync, syncfs, sync_file_range, msync): how
  // long the call took, entry to return, for duraudit_sync_duration_seconds.
  // 0 when unknown (strace logs, old recordings, a call already running when
  // tracing began).
  uint64_t duration_ns = 0;
  // Mmap: stores into this mapping cannot be seen (a strace log; live
  // capture without the page-fault tracepoints): the mapping counts as
  // written from the mmap on, until synced.
  bool stores_unseen = false;

  // The user stack at the call (live capture with stacks on, recordings of
  // it; docs/stacks.md): as the kernel copied it, then unwound by the
  // pipeline's StackTracker, which drops the raw copy.
  std::shared_ptr<const RawStack> raw_stack;
  std::shared_ptr<const UnwoundStack> stack;

  // Process lifecycle (Fork / Exec / Exit)
  int32_t child_pid = 0;    // Fork: new tgid (== pid for a thread)
  int32_t child_tid = 0;    // Fork: new tid
  bool is_thread = false;   // Fork: CLONE_THREAD
  bool shares_files = false;// Fork: CLONE_FILES (fd table shared)
  bool group_dead = false;  // Exit: last thread of the process
  int32_t exit_code = 0;    // Exit: wait status style (code << 8 | signal)
  // Exec: who the new image runs as and what it sees (mount namespace,
  // root, uid, cgroup), when the source knows; null otherwise.
  std::shared_ptr<const ProcessIdentity> identity;

  // ---- resolved (filled by the Resolver) ----
  std::string abs_path;     // `path` made absolute against cwd/dirfd, normalized
  std::string abs_path2;    // `path2` likewise
  CloseReason close_reason = CloseReason::Close;  // Close / ImplicitClose
  bool last_close = false;  // Close/ImplicitClose: after it, no fd of this process refers to the same file (inode)
  int32_t closed_fd = -1;   // ImplicitClose / CloseRange: the fd that went away
};

// An Mmap event that made a MAP_SHARED (or MAP_SHARED_VALIDATE), PROT_WRITE
// mapping of a file: the only mappings whose stores change a file. Live
// capture sends no others; strace logs show every mmap.
bool maps_file_shared_writable(const Event& ev);

// "O_WRONLY|O_CREAT" etc. for traces and evidence.
std::string open_flags_string(uint64_t flags);

}  // namespace duraudit
