// SPDX-License-Identifier: GPL-2.0-only
// The syscall table (syscall_table.def) as C++: one SyscallInfo per
// operation, built at compile time, and the family / operation predicates
// every stage dispatches on. See syscall_table.def for the columns and the
// rules for changing the table, docs/syscall-table.md for the why.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace duraudit {

// Coarse grouping of operations (the "family").
enum class SyscallFamily : uint8_t { Other, Open, FdTable, Write, Sync, Namespace, Cwd, Lifecycle };

// The semantic operation: variants of one call (open/openat/openat2/creat,
// rename/renameat/renameat2...) share it, and handlers switch on it.
enum class SyscallOp : uint8_t {
  None,
  Open,
  Close,  // close and the Resolver's implicit closes
  CloseRange,
  Dup,
  Fcntl,
  Write,      // writes the caller's data (write, pwrite64, writev, pwritev, pwritev2)
  Truncate,   // ftruncate, truncate
  Fallocate,
  Copy,       // copy_file_range, sendfile: fd written from fd2
  Fsync,      // fsync, fdatasync
  Sync,
  Syncfs,
  SyncFileRange,
  Msync,
  Rename,
  Link,
  Symlink,
  Unlink,     // unlink, unlinkat (AT_REMOVEDIR: an rmdir)
  Mkdir,
  Rmdir,
  Chdir,
  Fchdir,
  Fork,
  Exec,
  Exit,
  Bind,   // bind(2) of an AF_UNIX socket at a path: a name that is a socket
  Mknod,  // mknod, mknodat (mkfifo): a name that is a fifo, device or socket
  AsyncSetup,  // io_uring_setup, io_setup: the process does asynchronous I/O
  AsyncIo,     // io_uring_enter, io_submit, io_getevents...: operations strace cannot see
  Mmap,        // a shared writable file mapping: a handle on the file, like an fd
  Munmap,
  Mremap,
  OverBudget,  // the kernel dropped events of a process over its budget (not a syscall)
};

// Traits (the table's last column).
inline constexpr uint32_t kScTimed = 1u << 0;
inline constexpr uint32_t kScDataWrite = 1u << 1;
inline constexpr uint32_t kScSyncFlag = 1u << 2;
inline constexpr uint32_t kScBytes = 1u << 3;
inline constexpr uint32_t kScSynthetic = 1u << 4;
inline constexpr uint32_t kScTracepoint = 1u << 5;
inline constexpr uint32_t kScRetired = 1u << 6;
inline constexpr uint32_t kScNoSyscall = 1u << 7;
inline constexpr uint32_t kScOffline = 1u << 8;

// At which syscall argument (0-based) each Event field is found; -1: not an
// argument of this call. `need`: arguments a well-formed strace line has.
struct SyscallArgs {
  int8_t need = 0;
  int8_t fd = -1, fd2 = -1, dirfd = -1, path = -1, dirfd2 = -1, path2 = -1;
  int8_t flags = -1;
  int8_t mode = -1;  // -> Event::arg, parsed as a mode / flag word
  int8_t arg = -1;   // -> Event::arg, a number
  int8_t arg2 = -1;  // -> Event::arg2
};

// The operation's name in JSON evidence ("op": "write", "fsync",
// "sync_file_range", "rename"...); "" for None. Stable: consumers (the HTML
// report) classify evidence by it.
constexpr std::string_view syscall_op_name(SyscallOp op) {
  switch (op) {
    case SyscallOp::None: return "";
    case SyscallOp::Open: return "open";
    case SyscallOp::Close: return "close";
    case SyscallOp::CloseRange: return "close_range";
    case SyscallOp::Dup: return "dup";
    case SyscallOp::Fcntl: return "fcntl";
    case SyscallOp::Write: return "write";
    case SyscallOp::Truncate: return "truncate";
    case SyscallOp::Fallocate: return "fallocate";
    case SyscallOp::Copy: return "copy";
    case SyscallOp::Fsync: return "fsync";
    case SyscallOp::Sync: return "sync";
    case SyscallOp::Syncfs: return "syncfs";
    case SyscallOp::SyncFileRange: return "sync_file_range";
    case SyscallOp::Msync: return "msync";
    case SyscallOp::Rename: return "rename";
    case SyscallOp::Link: return "link";
    case SyscallOp::Symlink: return "symlink";
    case SyscallOp::Unlink: return "unlink";
    case SyscallOp::Mkdir: return "mkdir";
    case SyscallOp::Rmdir: return "rmdir";
    case SyscallOp::Chdir: return "chdir";
    case SyscallOp::Fchdir: return "fchdir";
    case SyscallOp::Fork: return "fork";
    case SyscallOp::Exec: return "exec";
    case SyscallOp::Exit: return "exit";
    case SyscallOp::Bind: return "bind";
    case SyscallOp::Mknod: return "mknod";
    case SyscallOp::AsyncSetup: return "async_setup";
    case SyscallOp::AsyncIo: return "async_io";
    case SyscallOp::Mmap: return "mmap";
    case SyscallOp::Munmap: return "munmap";
    case SyscallOp::Mremap: return "mremap";
    case SyscallOp::OverBudget: return "over_budget";
  }
  return "";
}

// The syscalls (and kernel lifecycle points) duraudit understands, one
// enumerator per row of the table; the values are the wire / recording ids.
enum class Syscall : uint16_t {
#define DA_SYSCALL(id, WIRE, Enum, ...) Enum = id,
#define DA_SYSCALL_ENTER(...)
#include "event/syscall_table.def"
#undef DA_SYSCALL
#undef DA_SYSCALL_ENTER
  Count_
};

struct SyscallInfo {
  Syscall syscall;
  std::string_view wire;     // DA_SC_<wire> in bpf/events.h
  std::string_view name;     // user-facing; the kernel's name for a row with a syscall number
  SyscallFamily family;
  SyscallOp op;
  int16_t nr_x86_64;         // -1: none
  int16_t nr_arm64;
  std::string_view aliases;  // space separated
  SyscallArgs args;
  uint32_t traits;
  constexpr bool has(uint32_t t) const { return (traits & t) != 0; }
};

namespace syscall_table_detail {
#define DA_ARGS(...) SyscallArgs{__VA_ARGS__}
#define DA_SYSCALL(id, WIRE, Enum, name, fam, op, x86, arm, aliases, args, traits) \
  SyscallInfo{Syscall::Enum, #WIRE, name, SyscallFamily::fam, SyscallOp::op, x86, arm, aliases, args, traits},
#define DA_SYSCALL_ENTER(...)
inline constexpr SyscallInfo kRows[] = {
#include "event/syscall_table.def"
};
#undef DA_SYSCALL
#undef DA_SYSCALL_ENTER
#undef DA_ARGS
}  // namespace syscall_table_detail

inline constexpr size_t kSyscallCount = static_cast<size_t>(Syscall::Count_);
static_assert(std::size(syscall_table_detail::kRows) == kSyscallCount,
              "syscall ids must be dense: 0, 1, 2, ... in table order");

constexpr bool syscall_rows_in_id_order() {
  for (size_t i = 0; i < kSyscallCount; ++i)
    if (static_cast<size_t>(syscall_table_detail::kRows[i].syscall) != i) return false;
  return true;
}
static_assert(syscall_rows_in_id_order(), "rows are appended in id order; ids are never reused");

// The table itself, indexed by id.
inline constexpr const auto& kSyscallTable = syscall_table_detail::kRows;

constexpr const SyscallInfo& syscall_info(Syscall s) {
  auto i = static_cast<size_t>(s);
  return kSyscallTable[i < kSyscallCount ? i : 0];
}
constexpr SyscallFamily syscall_family(Syscall s) { return syscall_info(s).family; }
constexpr SyscallOp syscall_op(Syscall s) { return syscall_info(s).op; }
constexpr bool syscall_has(Syscall s, uint32_t trait) { return syscall_info(s).has(trait); }

// A row the kernel side can send (not synthetic, offline-only, Unknown or retired).
constexpr bool syscall_on_wire(Syscall s) {
  return s != Syscall::Unknown && static_cast<size_t>(s) < kSyscallCount &&
         !syscall_has(s, kScSynthetic | kScRetired | kScOffline);
}
// Carried out by io_uring or Linux AIO (requests, iocbs, and the calls that
// set them up or submit them): the part of a program's I/O a strace log
// cannot show.
constexpr bool is_async_io_syscall(Syscall s) {
  SyscallOp op = syscall_op(s);
  return op == SyscallOp::AsyncSetup || op == SyscallOp::AsyncIo ||
         (syscall_has(s, kScNoSyscall) && s != Syscall::MmapStore);
}

// Does the call carry a flags word in Event::flags (renameat2's, unlinkat's,
// linkat's...)? A row with a flags argument, or a request (io_uring's
// renameat/unlinkat/linkat take the same flags as the syscalls).
constexpr bool syscall_has_flags(Syscall s) {
  return syscall_info(s).args.flags >= 0 || syscall_has(s, kScNoSyscall);
}

// Family predicates.
constexpr bool is_open_syscall(Syscall s) { return syscall_family(s) == SyscallFamily::Open; }
// The write family: a successful call makes data dirty (writes, copies,
// truncations, fallocate).
constexpr bool is_write_syscall(Syscall s) { return syscall_family(s) == SyscallFamily::Write; }
constexpr bool is_sync_syscall(Syscall s) { return syscall_family(s) == SyscallFamily::Sync; }
constexpr bool is_namespace_syscall(Syscall s) { return syscall_family(s) == SyscallFamily::Namespace; }
constexpr bool is_lifecycle_syscall(Syscall s) { return syscall_family(s) == SyscallFamily::Lifecycle; }

// Every row of a family / with an operation, in id order (rules' interests).
inline std::vector<Syscall> syscalls_in(SyscallFamily f) {
  std::vector<Syscall> out;
  for (const auto& r : kSyscallTable)
    if (r.family == f && !r.has(kScRetired)) out.push_back(r.syscall);
  return out;
}
inline std::vector<Syscall> syscalls_of(SyscallOp op) {
  std::vector<Syscall> out;
  for (const auto& r : kSyscallTable)
    if (r.op == op && !r.has(kScRetired)) out.push_back(r.syscall);
  return out;
}
template <typename... Ops>
std::vector<Syscall> syscalls_of(SyscallOp first, Ops... rest) {
  std::vector<Syscall> out = syscalls_of(first);
  for (SyscallOp op : {rest...}) {
    auto more = syscalls_of(op);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

// This architecture's syscall number of a row or hook; -1 if it has none.
constexpr int host_syscall_nr(int16_t x86_64, int16_t arm64) {
#if defined(__x86_64__)
  (void)arm64;
  return x86_64;
#elif defined(__aarch64__)
  (void)x86_64;
  return arm64;
#else
#error "syscall_table.def knows x86_64 and arm64 syscall numbers only"
#endif
}

}  // namespace duraudit
