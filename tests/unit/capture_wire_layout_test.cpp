// The wire contract (bpf/events.h) has one layout for clang -target bpf and
// the host compiler: every offset is pinned here.
#include <gtest/gtest.h>

#include <cstddef>

#include "events.h"

namespace {

#define AT(field, off) static_assert(offsetof(da_event, field) == off, #field " moved")
static_assert(sizeof(da_event_head) == 16);
static_assert(offsetof(da_event_head, type) == 0);
static_assert(offsetof(da_event_head, size) == 2);
static_assert(offsetof(da_event_head, syscall) == 4);
static_assert(offsetof(da_event_head, flags) == 6);
static_assert(offsetof(da_event_head, ts_ns) == 8);
AT(head, 0);
AT(pid, 16);
AT(tid, 20);
AT(comm, 24);
AT(ret, 40);
AT(fd, 48);
AT(fd2, 52);
AT(dirfd, 56);
AT(dirfd2, 60);
AT(flags, 64);
AT(arg, 72);
AT(arg2, 80);
AT(bytes, 88);
AT(dev, 96);
AT(ino, 104);
AT(fs_magic, 112);
AT(mode, 120);
AT(exit_code, 124);
AT(child_pid, 128);
AT(child_tid, 132);
AT(path_len, 136);
AT(path2_len, 138);
AT(pad0, 140);
AT(duration_ns, 144);
#undef AT
static_assert(sizeof(da_event) == DA_EVENT_FIXED_SIZE);
static_assert(DA_EVENT_FIXED_SIZE % 8 == 0, "strings start 8-byte aligned");
static_assert(DA_EVENT_MAX_SIZE < 65536, "head.size is 16 bits");
static_assert(sizeof(da_dirty_key) == 24, "hash key without implicit padding");
static_assert(sizeof(da_inode_key) == 16);

TEST(CaptureWireLayout, FlagsAreDistinctBits) {
  const unsigned flags[] = {DA_F_FILE_VALID,    DA_F_CREATED,         DA_F_SYNC_WRITE, DA_F_DEDUP,
                            DA_F_IS_THREAD,     DA_F_SHARES_FILES,    DA_F_GROUP_DEAD, DA_F_PATH_TRUNCATED,
                            DA_F_PATH2_TRUNCATED, DA_F_PATH_UNREADABLE};
  unsigned seen = 0;
  for (unsigned f : flags) {
    EXPECT_EQ(f & (f - 1), 0u) << f << " is not a single bit";
    EXPECT_EQ(seen & f, 0u) << f << " reused";
    seen |= f;
  }
  EXPECT_LE(seen, 0xffffu);  // head.flags is 16 bits
}

}  // namespace
