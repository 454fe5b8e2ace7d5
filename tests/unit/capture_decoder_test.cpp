// SPDX-License-Identifier: GPL-2.0-only
// Wire record -> Event decoding, without a kernel.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "capture/wire_decoder.h"
#include "events.h"

namespace duraudit::capture {
namespace {

std::vector<char> record(const da_event& fixed, const std::string& p1 = {}, bool has_p1 = false,
                         const std::string& p2 = {}, bool has_p2 = false) {
  da_event e = fixed;
  e.path_len = has_p1 ? p1.size() + 1 : 0;
  e.path2_len = has_p2 ? p2.size() + 1 : 0;
  e.head.size = sizeof e + e.path_len + e.path2_len;
  std::vector<char> buf(e.head.size);
  std::memcpy(buf.data(), &e, sizeof e);
  if (has_p1) std::memcpy(buf.data() + sizeof e, p1.c_str(), p1.size() + 1);
  if (has_p2) std::memcpy(buf.data() + sizeof e + e.path_len, p2.c_str(), p2.size() + 1);
  return buf;
}

da_event base(uint16_t type, uint16_t sc) {
  da_event e{};
  e.head.type = type;
  e.head.syscall = sc;
  e.head.ts_ns = 123456789;
  e.pid = 42;
  e.tid = 43;
  std::strcpy(e.comm, "writer");
  e.fd = e.fd2 = -1;
  e.dirfd = e.dirfd2 = -100;
  return e;
}

TEST(CaptureDecoder, OpenatWithFileIdentityAndCreated) {
  da_event w = base(DA_EV_SYSCALL, DA_SC_OPENAT);
  w.dirfd = 5;
  w.flags = 0101;  // O_WRONLY|O_CREAT
  w.arg = 0644;
  w.ret = 3;
  w.dev = (8u << 20) | 1;
  w.ino = 777;
  w.fs_magic = 0xEF53;
  w.mode = 0100000;
  w.head.flags = DA_F_FILE_VALID | DA_F_CREATED;
  auto buf = record(w, "rel/a.txt", true);
  Event e;
  ASSERT_EQ(decode_wire_event(buf.data(), buf.size(), &e), DecodeStatus::Ok);
  EXPECT_EQ(e.syscall, Syscall::Openat);
  EXPECT_EQ(e.ts_ns, 123456789u);
  EXPECT_EQ(e.pid, 42);
  EXPECT_EQ(e.tid, 43);
  EXPECT_EQ(e.comm, "writer");
  EXPECT_EQ(e.dirfd, 5);
  EXPECT_EQ(e.path, "rel/a.txt");
  EXPECT_TRUE(e.path2.empty());
  EXPECT_EQ(e.flags, 0101u);
  EXPECT_EQ(e.arg, 0644u);
  EXPECT_EQ(e.ret, 3);
  EXPECT_EQ(e.file.id, (FileId{(8u << 20) | 1, 777}));
  EXPECT_EQ(e.file.fs_magic, 0xEF53u);
  EXPECT_EQ(e.file.mode, 0100000u);
  EXPECT_TRUE(e.created);
  EXPECT_FALSE(e.sync_write);
  EXPECT_EQ(e.seq, 0u);  // the source numbers events
}

TEST(CaptureDecoder, FileIdentityOnlyWhenValid) {
  da_event w = base(DA_EV_SYSCALL, DA_SC_OPENAT);
  w.ret = -2;
  w.ino = 99;  // garbage without DA_F_FILE_VALID
  auto buf = record(w, "missing", true);
  Event e;
  ASSERT_EQ(decode_wire_event(buf.data(), buf.size(), &e), DecodeStatus::Ok);
  EXPECT_FALSE(e.file.known());
  EXPECT_TRUE(e.failed());
}

TEST(CaptureDecoder, TwoPathsIncludingAnEmptyOne) {
  da_event w = base(DA_EV_SYSCALL, DA_SC_LINKAT);
  w.dirfd = 3;
  w.flags = 0x1000;
  auto buf = record(w, "", true, "/d/published", true);
  Event e;
  ASSERT_EQ(decode_wire_event(buf.data(), buf.size(), &e), DecodeStatus::Ok);
  EXPECT_EQ(e.syscall, Syscall::Linkat);
  EXPECT_EQ(e.path, "");
  EXPECT_EQ(e.path2, "/d/published");
  EXPECT_EQ(e.flags, 0x1000u);
}

TEST(CaptureDecoder, WriteFlagsAndBytes) {
  da_event w = base(DA_EV_SYSCALL, DA_SC_PWRITEV2);
  w.fd = 4;
  w.ret = 4096;
  w.bytes = 4096;
  w.head.flags = DA_F_FILE_VALID | DA_F_DEDUP | DA_F_SYNC_WRITE;
  w.ino = 5;
  auto buf = record(w);
  Event e;
  ASSERT_EQ(decode_wire_event(buf.data(), buf.size(), &e), DecodeStatus::Ok);
  EXPECT_EQ(e.syscall, Syscall::Pwritev2);
  EXPECT_EQ(e.bytes, 4096u);
  EXPECT_TRUE(e.sync_write);
  EXPECT_FALSE(e.created);
}

TEST(CaptureDecoder, Lifecycle) {
  da_event f = base(DA_EV_FORK, DA_SC_FORK);
  f.child_pid = 42;
  f.child_tid = 50;
  f.head.flags = DA_F_IS_THREAD | DA_F_SHARES_FILES;
  auto buf = record(f);
  Event e;
  ASSERT_EQ(decode_wire_event(buf.data(), buf.size(), &e), DecodeStatus::Ok);
  EXPECT_EQ(e.syscall, Syscall::Fork);
  EXPECT_TRUE(e.is_thread);
  EXPECT_TRUE(e.shares_files);
  EXPECT_EQ(e.child_tid, 50);

  da_event x = base(DA_EV_EXIT, DA_SC_EXIT);
  x.exit_code = 3 << 8;
  x.head.flags = DA_F_GROUP_DEAD;
  buf = record(x);
  ASSERT_EQ(decode_wire_event(buf.data(), buf.size(), &e), DecodeStatus::Ok);
  EXPECT_EQ(e.syscall, Syscall::Exit);
  EXPECT_TRUE(e.group_dead);
  EXPECT_EQ(e.exit_code, 768);

  da_event ex = base(DA_EV_EXEC, DA_SC_EXEC);
  buf = record(ex, "/usr/bin/true", true);
  ASSERT_EQ(decode_wire_event(buf.data(), buf.size(), &e), DecodeStatus::Ok);
  EXPECT_EQ(e.syscall, Syscall::Exec);
  EXPECT_EQ(e.path, "/usr/bin/true");
}

TEST(CaptureDecoder, RejectsMalformedRecords) {
  Event e;
  da_event w = base(DA_EV_SYSCALL, DA_SC_UNLINK);
  auto buf = record(w, "x", true);
  EXPECT_EQ(decode_wire_event(buf.data(), sizeof(da_event) - 1, &e), DecodeStatus::TooShort);
  EXPECT_EQ(decode_wire_event(buf.data(), buf.size() - 1, &e), DecodeStatus::TooShort);

  auto bad = buf;
  reinterpret_cast<da_event*>(bad.data())->head.type = 99;
  EXPECT_EQ(decode_wire_event(bad.data(), bad.size(), &e), DecodeStatus::BadType);

  bad = buf;
  reinterpret_cast<da_event*>(bad.data())->head.syscall = DA_SC_COUNT_;
  EXPECT_EQ(decode_wire_event(bad.data(), bad.size(), &e), DecodeStatus::BadSyscall);
  bad = buf;
  reinterpret_cast<da_event*>(bad.data())->head.syscall = DA_SC_FORK;  // lifecycle id in a syscall record
  EXPECT_EQ(decode_wire_event(bad.data(), bad.size(), &e), DecodeStatus::BadSyscall);

  bad = buf;
  bad.back() = 'x';  // string without its NUL
  EXPECT_EQ(decode_wire_event(bad.data(), bad.size(), &e), DecodeStatus::BadStrings);

  bad = buf;
  reinterpret_cast<da_event*>(bad.data())->path2_len = 1;  // lengths exceed the record
  EXPECT_EQ(decode_wire_event(bad.data(), bad.size(), &e), DecodeStatus::BadStrings);
}

TEST(CaptureDecoder, LossReasonsHaveNames) {
  EXPECT_EQ(loss_reason_count(), static_cast<uint32_t>(DA_LOSS_COUNT_));
  EXPECT_EQ(loss_reason_name(DA_LOSS_RINGBUF_FULL_WRITE), "ringbuf_full_write");
  EXPECT_EQ(loss_reason_name(DA_LOSS_PATH_TRUNCATED), "path_truncated");
  EXPECT_EQ(loss_reason_name(DA_LOSS_COUNT_), "unknown");
}

}  // namespace
}  // namespace duraudit::capture
