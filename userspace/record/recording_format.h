// SPDX-License-Identifier: GPL-2.0-only
// The duraudit recording format (`duraudit record -o FILE`, read back by
// `duraudit replay FILE`). Binary, little-endian, versioned:
//
//   file     := header record* trailer?
//   header   := magic "DURAUDIT" (8 bytes)
//               u16 version (kRecordingVersion)
//               u32 body_len, then body_len bytes:
//                 u64 start_wall_ns (CLOCK_REALTIME), u64 start_mono_ns (CLOCK_MONOTONIC),
//                 str host, str kernel_release,
//                 view (appended later): the recorder's own mount namespace and root
//               (a reader skips body bytes it does not know: later versions may append)
//   record   := u32 len, u8 type, (len - 1) payload bytes
//   type 1   := event (below)
//   type 2   := trailer: u64 events, u32 n, n * (str reason, u64 count)   — loss counters
//   type 3   := process seed (below): the state /proc showed of an initial
//               target before its first event. Written right after the
//               header, before any event; added within version 1 (readers
//               that predate it skip it as an unknown type).
//   str      := u16 len, len bytes (no terminator)
//
// Event payload, in this order (the raw fields a source fills; the
// Resolver's abs_path/abs_path2/close_reason/last_close/closed_fd and
// file.path are not stored — replay resolves again):
//   u64 ts_ns, i32 pid, i32 tid, u16 syscall, i64 ret,
//   i32 fd, i32 fd2, i32 dirfd, i32 dirfd2, u64 flags, u64 arg, u64 arg2, u64 bytes,
//   u64 file.dev, u64 file.ino, u32 file.mode, u64 file.fs_magic,
//   i32 child_pid, i32 child_tid, i32 exit_code,
//   u8 bits (1 created, 2 sync_write, 4 is_thread, 8 shares_files, 16 group_dead),
//   str comm, str path, str path2,
//   u64 duration_ns (appended later; a payload without it reads 0)
//   u8 has_stack (version 2; absent reads 0), and when 1 the raw user stack
//   (stack/raw_stack.h): u16 arch, u16 nregs, u64 sp, nregs * u64 regs
//   (DWARF numbering), u32 len, len bytes of stack from sp. With it, the Exec and PROT_EXEC Mmap
//   events (bpf/events.h) say where each binary was loaded, so replay unwinds
//   and symbolizes from the binaries on the replaying machine.
//   identity (appended after the stack; absent reads none): an Exec's
//   event/process_identity.h
// seq is not stored: a reader numbers events from 1 as every source does.
//
//   view     := u8 known, and when 1: u64 mnt_ns, u64 root_dev, u64 root_ino
//   identity := u8 known, and when 1: view (its u8 included), u8 has_uid, u32 uid,
//               u64 cgroup_id, str cgroup, str container_id, str pod_uid, str exe
// Process seed payload (resolve/proc_seed.h's ProcSnapshot of one process):
//   i32 pid, str cwd (empty: unknown), u32 nfds, nfds * fd, u32 ntids, ntids * i32 tid,
//   u8 bits (1 launched: ProcSnapshot::launched; appended later, absent reads 0),
//   identity (appended later; absent reads none)
//   fd := i32 fd, str path (readlink text), u64 open_flags (without O_CLOEXEC),
//         u8 cloexec, u64 dev, u64 ino, u32 mode, u64 fs_magic
// A reader ignores payload bytes past the fields it knows (forward
// compatible appends) and skips records of unknown type.
//
// Every record is length-prefixed, so a recorder killed mid-write leaves a
// file that replays up to its last complete record; a file without a trailer
// (or ending inside a record) reads as truncated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "event/event.h"
#include "event/process_identity.h"
#include "record/byte_codec.h"
#include "resolve/proc_seed.h"

namespace duraudit {

inline constexpr char kRecordingMagic[8] = {'D', 'U', 'R', 'A', 'U', 'D', 'I', 'T'};
// Version 2 added the raw stacks; a reader reads every version from
// kRecordingOldestVersion on (version 1 files are version 2 files without
// stacks).
inline constexpr uint16_t kRecordingVersion = 2;
inline constexpr uint16_t kRecordingOldestVersion = 1;
inline constexpr uint8_t kRecordEvent = 1;
inline constexpr uint8_t kRecordTrailer = 2;
inline constexpr uint8_t kRecordProcessSeed = 3;
// A record longer than this is corruption, not data (paths are < 64 KiB each).
inline constexpr uint32_t kMaxRecordLen = 1u << 20;

// The `view` and `identity` fields above.
void encode_path_view(const std::optional<PathViewKey>& view, std::string& out);
bool decode_path_view(ByteReader& r, std::optional<PathViewKey>* view);
void encode_identity(const ProcessIdentity* id, std::string& out);
bool decode_identity(ByteReader& r, std::shared_ptr<const ProcessIdentity>* id);

// Appends the event payload (without the u32 len / u8 type prefix).
void encode_event_payload(const Event& ev, std::string& out);
// Decodes an event payload; false if it is shorter than the fields require.
bool decode_event_payload(std::string_view payload, Event* ev);

// An initial target's state before its first event: `record` writes one per
// target, replay applies it to the Resolver (Resolver::seed) so relative
// paths and inherited fds resolve as they did live.
struct ProcessSeed {
  int32_t pid = 0;
  ProcSnapshot snapshot;
};

void encode_seed_payload(const ProcessSeed& seed, std::string& out);
// False if the payload is shorter than its counts say.
bool decode_seed_payload(std::string_view payload, ProcessSeed* seed);

}  // namespace duraudit
