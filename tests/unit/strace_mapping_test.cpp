// SPDX-License-Identifier: GPL-2.0-only
// strace lines of the mapping calls decode to what the Resolver needs to
// follow a shared writable mapping: prot, flags, fd, length and the address
// mmap returned; msync's address and length; mremap's new length.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include "event/event.h"
#include "strace/strace_decode.h"
#include "strace/strace_line.h"

namespace duraudit {
namespace {

Event decode(std::string_view name, std::string_view text) {
  StraceCall call;
  std::string err;
  EXPECT_TRUE(parse_strace_call(text, &call, &err)) << err;
  Event ev;
  EXPECT_EQ(decode_strace_call(name, call, &ev, &err, nullptr), StraceDecode::Event) << err;
  return ev;
}

TEST(StraceMapping, MmapMsyncMunmapMremap) {
  Event m = decode("mmap", "NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, 3</data/m.dat>, 0) = 0x7f47923f4000");
  EXPECT_EQ(m.syscall, Syscall::Mmap);
  EXPECT_EQ(m.fd, 3);
  EXPECT_EQ(m.arg, static_cast<uint64_t>(PROT_READ | PROT_WRITE));
  EXPECT_EQ(m.arg2, 8192u);
  EXPECT_EQ(m.flags, static_cast<uint64_t>(MAP_SHARED));
  EXPECT_EQ(m.ret, 0x7f47923f4000);
  EXPECT_TRUE(maps_file_shared_writable(m));

  Event lib = decode("mmap", "0x7f1000, 24576, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3</lib/x.so>, "
                             "0x4000) = 0x7f1000");
  EXPECT_FALSE(maps_file_shared_writable(lib));
  Event anon = decode("mmap", "NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0) = 0x7f2000");
  EXPECT_FALSE(maps_file_shared_writable(anon));

  Event s = decode("msync", "0x7f47923f4000, 8192, MS_SYNC) = 0");
  EXPECT_EQ(s.arg, 0x7f47923f4000u);
  EXPECT_EQ(s.arg2, 8192u);
  EXPECT_EQ(s.flags, static_cast<uint64_t>(MS_SYNC));

  Event u = decode("munmap", "0x7f47923f4000, 8192) = 0");
  EXPECT_EQ(u.syscall, Syscall::Munmap);
  EXPECT_EQ(u.arg, 0x7f47923f4000u);
  EXPECT_EQ(u.arg2, 8192u);

  Event r = decode("mremap", "0x7f47923f4000, 8192, 16384, MREMAP_MAYMOVE) = 0x7f4792000000");
  EXPECT_EQ(r.syscall, Syscall::Mremap);
  EXPECT_EQ(r.arg, 0x7f47923f4000u);
  EXPECT_EQ(r.arg2, 8192u);
  EXPECT_EQ(r.bytes, 16384u);
  EXPECT_EQ(r.flags, static_cast<uint64_t>(MREMAP_MAYMOVE));
  EXPECT_EQ(r.ret, 0x7f4792000000);
}

}  // namespace
}  // namespace duraudit
