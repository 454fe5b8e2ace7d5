// SPDX-License-Identifier: GPL-2.0-only
#include "capture/wire_decoder.h"

#include <cstring>
#include <tuple>

#include "events.h"
#include "event/process_identity.h"

namespace duraudit::capture {

// The wire syscall ids are duraudit::Syscall's values (both are generated
// from event/syscall_table.def), so decoding is a cast.
#define DA_SYSCALL(id, WIRE, Enum, ...) \
  static_assert(DA_SC_##WIRE == static_cast<int>(Syscall::Enum) && DA_SC_##WIRE == id, #WIRE);
#define DA_SYSCALL_ENTER(...)
#include "event/syscall_table.def"
#undef DA_SYSCALL
#undef DA_SYSCALL_ENTER
static_assert(DA_SC_COUNT_ == static_cast<int>(Syscall::Count_));
static_assert(sizeof(da_event) == DA_EVENT_FIXED_SIZE);
static_assert(sizeof(da_stack) == DA_STACK_FIXED_SIZE);
static_assert(std::tuple_size_v<decltype(RawStack::regs)> == DA_STACK_NREGS);

namespace {

constexpr std::string_view kLossNames[] = {
    "ringbuf_full_syscall", "ringbuf_full_write", "ringbuf_full_fork", "ringbuf_full_exec",
    "ringbuf_full_exit",    "path_truncated",     "path_unreadable",   "target_map_full",
    "dedup_map_full",
    "async_stash_full",
    "mapping_busy",
    kProcessBudgetLoss,
};
static_assert(std::size(kLossNames) == DA_LOSS_COUNT_, "name every da_loss_reason");

constexpr std::string_view kStackCountNames[] = {"sent", "over_budget", "ringbuf_full", "unreadable",
                                                 "consumer_behind"};
static_assert(std::size(kStackCountNames) == DA_STACK_COUNT_, "name every da_stack_count");

// A string of `len` bytes (NUL included) at `p`; false if the NUL is missing.
bool take_string(const char* p, uint16_t len, std::string* out) {
  if (len == 0) return true;  // argument absent
  if (p[len - 1] != '\0') return false;
  out->assign(p, strnlen(p, len - 1));
  return true;
}

}  // namespace

std::string_view decode_status_name(DecodeStatus s) {
  switch (s) {
    case DecodeStatus::Ok: return "ok";
    case DecodeStatus::TooShort: return "record shorter than its header says";
    case DecodeStatus::BadType: return "unknown record type";
    case DecodeStatus::BadSyscall: return "unknown syscall id";
    case DecodeStatus::BadStrings: return "path lengths inconsistent with record size";
  }
  return "?";
}

std::string_view loss_reason_name(uint32_t reason) {
  return reason < std::size(kLossNames) ? kLossNames[reason] : "unknown";
}

uint32_t loss_reason_count() { return DA_LOSS_COUNT_; }

std::string_view stack_count_name(uint32_t what) {
  return what < std::size(kStackCountNames) ? kStackCountNames[what] : "unknown";
}

uint32_t stack_count_count() { return DA_STACK_COUNT_; }

bool wire_event_has_stack(const void* data, size_t size) {
  if (size < sizeof(da_event_head)) return false;
  da_event_head h;
  std::memcpy(&h, data, sizeof h);
  return h.flags & DA_F_STACK;
}

DecodeStatus decode_wire_stack(const void* data, size_t size, WireStack* out) {
  if (size < sizeof(da_stack)) return DecodeStatus::TooShort;
  da_stack w;
  std::memcpy(&w, data, sizeof w);
  if (w.head.type != DA_EV_STACK) return DecodeStatus::BadType;
  if (w.head.size > size || w.stack_len > DA_STACK_BYTES_MAX || sizeof(da_stack) + size_t{w.stack_len} != w.head.size)
    return DecodeStatus::TooShort;
  if (w.nregs > DA_STACK_NREGS || (w.arch != DA_ARCH_X86_64 && w.arch != DA_ARCH_ARM64)) return DecodeStatus::BadType;
  out->pid = w.pid;
  out->tid = w.tid;
  out->ts_ns = w.head.ts_ns;
  out->stack.arch = static_cast<StackArch>(w.arch);
  out->stack.nregs = w.nregs;
  out->stack.sp = w.sp;
  for (size_t i = 0; i < DA_STACK_NREGS; ++i) out->stack.regs[i] = w.regs[i];
  out->stack.bytes.assign(static_cast<const char*>(data) + sizeof(da_stack), w.stack_len);
  return DecodeStatus::Ok;
}

DecodeStatus decode_wire_event(const void* data, size_t size, Event* out) {
  if (size < sizeof(da_event)) return DecodeStatus::TooShort;
  da_event w;
  std::memcpy(&w, data, sizeof w);  // the ring buffer only guarantees 8-byte alignment
  if (w.head.size < sizeof(da_event) || w.head.size > size) return DecodeStatus::TooShort;
  if (sizeof(da_event) + size_t{w.path_len} + w.path2_len != w.head.size) return DecodeStatus::BadStrings;

  Syscall expected;
  switch (w.head.type) {
    case DA_EV_SYSCALL: expected = Syscall::Unknown; break;
    case DA_EV_FORK: expected = Syscall::Fork; break;
    case DA_EV_EXEC: expected = Syscall::Exec; break;
    case DA_EV_EXIT: expected = Syscall::Exit; break;
    case DA_EV_BUDGET: expected = Syscall::OverBudget; break;
    default: return DecodeStatus::BadType;
  }
  // Unknown, userspace-only (implicit-close) and retired ids are not sent.
  auto sc = static_cast<Syscall>(w.head.syscall);
  if (!syscall_on_wire(sc)) return DecodeStatus::BadSyscall;
  bool lifecycle = syscall_has(sc, kScTracepoint);
  if (expected == Syscall::Unknown ? lifecycle : sc != expected) return DecodeStatus::BadSyscall;

  Event e;
  e.ts_ns = w.head.ts_ns;
  e.pid = w.pid;
  e.tid = w.tid;
  e.comm.assign(w.comm, strnlen(w.comm, sizeof w.comm));
  e.syscall = sc;
  e.ret = w.ret;
  e.fd = w.fd;
  e.fd2 = w.fd2;
  e.dirfd = w.dirfd;
  e.dirfd2 = w.dirfd2;
  e.flags = w.flags;
  e.arg = w.arg;
  e.arg2 = w.arg2;
  e.bytes = w.bytes;
  e.duration_ns = w.duration_ns;
  if (w.head.flags & DA_F_FILE_VALID) {
    e.file.id.dev = w.dev;
    e.file.id.ino = w.ino;
    e.file.mode = w.mode;
    e.file.fs_magic = w.fs_magic;
  }
  e.created = w.head.flags & DA_F_CREATED;
  e.sync_write = w.head.flags & DA_F_SYNC_WRITE;
  e.by_identity = w.head.flags & DA_F_FIXED_FILE;
  e.is_thread = w.head.flags & DA_F_IS_THREAD;
  e.shares_files = w.head.flags & DA_F_SHARES_FILES;
  e.group_dead = w.head.flags & DA_F_GROUP_DEAD;
  e.stores_unseen = w.head.flags & DA_F_STORES_UNSEEN;
  e.child_pid = w.child_pid;
  e.child_tid = w.child_tid;
  if (w.head.type == DA_EV_EXEC && (w.head.flags & DA_F_IDENTITY)) {
    // bpf/events.h, "Process identity": the exec record's spare fields.
    auto id = std::make_shared<ProcessIdentity>();
    id->view = PathViewKey{w.fs_magic, w.dev, w.ino};
    id->uid = static_cast<uint32_t>(w.exit_code);
    id->cgroup_id = w.duration_ns;
    e.identity = std::move(id);
    e.duration_ns = 0;
  } else {
    e.exit_code = w.exit_code;
  }

  const char* strings = static_cast<const char*>(data) + sizeof(da_event);
  if (!take_string(strings, w.path_len, &e.path) ||
      !take_string(strings + w.path_len, w.path2_len, &e.path2))
    return DecodeStatus::BadStrings;

  *out = std::move(e);
  return DecodeStatus::Ok;
}

}  // namespace duraudit::capture
