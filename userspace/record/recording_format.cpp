// SPDX-License-Identifier: GPL-2.0-only
#include "record/recording_format.h"

#include <bit>
#include <cstring>

#include "record/byte_codec.h"
#include "stack/raw_stack.h"

namespace duraudit {

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big);

void encode_event_payload(const Event& ev, std::string& out) {
  ByteWriter w(out);
  w.u64(ev.ts_ns);
  w.i32(ev.pid);
  w.i32(ev.tid);
  w.u16(static_cast<uint16_t>(ev.syscall));
  w.u64(static_cast<uint64_t>(ev.ret));
  w.i32(ev.fd);
  w.i32(ev.fd2);
  w.i32(ev.dirfd);
  w.i32(ev.dirfd2);
  w.u64(ev.flags);
  w.u64(ev.arg);
  w.u64(ev.arg2);
  w.u64(ev.bytes);
  w.u64(ev.file.id.dev);
  w.u64(ev.file.id.ino);
  w.u32(ev.file.mode);
  w.u64(ev.file.fs_magic);
  w.i32(ev.child_pid);
  w.i32(ev.child_tid);
  w.i32(ev.exit_code);
  uint8_t bits = (ev.created ? 1 : 0) | (ev.sync_write ? 2 : 0) | (ev.is_thread ? 4 : 0) |
                 (ev.shares_files ? 8 : 0) | (ev.group_dead ? 16 : 0) | (ev.by_identity ? 32 : 0) |
                 (ev.stores_unseen ? 64 : 0);
  w.u8(bits);
  w.str(ev.comm);
  w.str(ev.path);
  w.str(ev.path2);
  w.u64(ev.duration_ns);  // appended after version 1's fields: old readers ignore it
  // Version 2: the raw user stack, when the event has one.
  if (const RawStack* st = ev.raw_stack.get()) {
    w.u8(1);
    w.u16(static_cast<uint16_t>(st->arch));
    w.u16(st->nregs);
    w.u64(st->sp);
    for (uint16_t i = 0; i < st->nregs && i < st->regs.size(); ++i) w.u64(st->regs[i]);
    w.u32(static_cast<uint32_t>(st->bytes.size()));
    out.append(st->bytes);
  } else {
    w.u8(0);
  }
  if (ev.identity) encode_identity(ev.identity.get(), out);  // appended later: absent reads none
}

bool decode_event_payload(std::string_view payload, Event* ev) {
  ByteReader r(payload);
  Event e;
  uint16_t sc = 0;
  uint64_t ret = 0;
  uint8_t bits = 0;
  bool ok = r.u64(e.ts_ns) && r.i32(e.pid) && r.i32(e.tid) && r.u16(sc) && r.u64(ret) && r.i32(e.fd) &&
            r.i32(e.fd2) && r.i32(e.dirfd) && r.i32(e.dirfd2) && r.u64(e.flags) && r.u64(e.arg) && r.u64(e.arg2) &&
            r.u64(e.bytes) && r.u64(e.file.id.dev) && r.u64(e.file.id.ino) && r.u32(e.file.mode) &&
            r.u64(e.file.fs_magic) && r.i32(e.child_pid) && r.i32(e.child_tid) && r.i32(e.exit_code) && r.u8(bits) &&
            r.str(e.comm) && r.str(e.path) && r.str(e.path2);
  if (!ok) return false;
  // Fields appended later: absent from older recordings, which read 0.
  if (r.remaining() >= sizeof(uint64_t)) r.u64(e.duration_ns);
  uint8_t has_stack = 0;
  if (r.remaining() >= 1 && r.u8(has_stack) && has_stack == 1) {
    auto st = std::make_shared<RawStack>();
    uint16_t arch = 0;
    uint32_t len = 0;
    if (!(r.u16(arch) && r.u16(st->nregs) && r.u64(st->sp)) || st->nregs > st->regs.size()) return false;
    for (uint16_t i = 0; i < st->nregs; ++i)
      if (!r.u64(st->regs[i])) return false;
    if (!r.u32(len) || !r.bytes(st->bytes, len)) return false;
    st->arch = static_cast<StackArch>(arch);
    e.raw_stack = std::move(st);
  }
  // Bytes a later version appended (or a cut identity) are ignored.
  if (r.remaining() >= 1 && !decode_identity(r, &e.identity)) e.identity.reset();
  // A syscall number from a newer duraudit reads as Unknown.
  e.syscall = sc < static_cast<uint16_t>(Syscall::Count_) ? static_cast<Syscall>(sc) : Syscall::Unknown;
  e.ret = static_cast<int64_t>(ret);
  e.created = bits & 1;
  e.sync_write = bits & 2;
  e.is_thread = bits & 4;
  e.shares_files = bits & 8;
  e.group_dead = bits & 16;
  e.by_identity = bits & 32;
  e.stores_unseen = bits & 64;  // a later bit: older recordings have it clear
  *ev = std::move(e);
  return true;
}

void encode_path_view(const std::optional<PathViewKey>& view, std::string& out) {
  ByteWriter w(out);
  w.u8(view ? 1 : 0);
  if (!view) return;
  w.u64(view->mnt_ns);
  w.u64(view->root_dev);
  w.u64(view->root_ino);
}

bool decode_path_view(ByteReader& r, std::optional<PathViewKey>* view) {
  view->reset();
  uint8_t known = 0;
  if (r.remaining() == 0) return true;  // older recordings
  if (!r.u8(known)) return false;
  if (known != 1) return known == 0;
  PathViewKey k;
  if (!(r.u64(k.mnt_ns) && r.u64(k.root_dev) && r.u64(k.root_ino))) return false;
  *view = k;
  return true;
}

void encode_identity(const ProcessIdentity* id, std::string& out) {
  ByteWriter w(out);
  w.u8(id ? 1 : 0);
  if (!id) return;
  encode_path_view(id->view, out);
  w.u8(id->uid ? 1 : 0);
  w.u32(id->uid.value_or(0));
  w.u64(id->cgroup_id);
  w.str(id->cgroup);
  w.str(id->container_id);
  w.str(id->pod_uid);
  w.str(id->exe);
}

bool decode_identity(ByteReader& r, std::shared_ptr<const ProcessIdentity>* out) {
  uint8_t known = 0;
  out->reset();
  if (!r.u8(known)) return false;
  if (known != 1) return known == 0;
  auto id = std::make_shared<ProcessIdentity>();
  std::optional<PathViewKey> view;
  uint8_t has_uid = 0;
  uint32_t uid = 0;
  if (!(decode_path_view(r, &view) && r.u8(has_uid) && r.u32(uid) && r.u64(id->cgroup_id) && r.str(id->cgroup) &&
        r.str(id->container_id) && r.str(id->pod_uid) && r.str(id->exe)))
    return false;
  if (view) id->view = *view;
  if (has_uid) id->uid = uid;
  *out = std::move(id);
  return true;
}

void encode_seed_payload(const ProcessSeed& seed, std::string& out) {
  ByteWriter w(out);
  const ProcSnapshot& snap = seed.snapshot;
  w.i32(seed.pid);
  w.str(snap.cwd);
  w.u32(static_cast<uint32_t>(snap.fds.size()));
  for (const auto& fd : snap.fds) {
    w.i32(fd.fd);
    w.str(fd.file.path);
    w.u64(fd.open_flags);
    w.u8(fd.cloexec ? 1 : 0);
    w.u64(fd.file.id.dev);
    w.u64(fd.file.id.ino);
    w.u32(fd.file.mode);
    w.u64(fd.file.fs_magic);
  }
  w.u32(static_cast<uint32_t>(snap.tids.size()));
  for (int32_t tid : snap.tids) w.i32(tid);
  w.u8(snap.launched ? 1 : 0);
  if (snap.identity) encode_identity(snap.identity.get(), out);
}

bool decode_seed_payload(std::string_view payload, ProcessSeed* seed) {
  ByteReader r(payload);
  ProcessSeed s;
  uint32_t nfds = 0, ntids = 0;
  if (!(r.i32(s.pid) && r.str(s.snapshot.cwd) && r.u32(nfds))) return false;
  // Each fd takes at least 39 bytes: a count the payload cannot hold is
  // corruption, not a reason to reserve gigabytes.
  if (nfds > r.remaining() / 39) return false;
  s.snapshot.fds.reserve(nfds);
  for (uint32_t i = 0; i < nfds; ++i) {
    ProcFdSnapshot fd;
    uint8_t cloexec = 0;
    if (!(r.i32(fd.fd) && r.str(fd.file.path) && r.u64(fd.open_flags) && r.u8(cloexec) && r.u64(fd.file.id.dev) &&
          r.u64(fd.file.id.ino) && r.u32(fd.file.mode) && r.u64(fd.file.fs_magic)))
      return false;
    fd.cloexec = cloexec != 0;
    s.snapshot.fds.push_back(std::move(fd));
  }
  if (!r.u32(ntids) || ntids > r.remaining() / 4) return false;
  s.snapshot.tids.resize(ntids);
  for (auto& tid : s.snapshot.tids)
    if (!r.i32(tid)) return false;
  uint8_t bits = 0;
  if (r.remaining() >= 1 && r.u8(bits)) s.snapshot.launched = (bits & 1) != 0;  // absent in older recordings
  if (r.remaining() >= 1 && !decode_identity(r, &s.snapshot.identity)) s.snapshot.identity.reset();
  *seed = std::move(s);
  return true;
}

}  // namespace duraudit
