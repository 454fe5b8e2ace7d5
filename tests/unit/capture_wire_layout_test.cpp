// SPDX-License-Identifier: GPL-2.0-only
// The wire contract (bpf/events.h) has one layout for clang -target bpf and
// the host compiler: every offset is pinned here, and checked against the
// BTF that clang wrote into the compiled BPF object (the layout the kernel
// side really uses, not what the host compiler thinks it is).
#include <bpf/btf.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <map>
#include <string>

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
                            DA_F_PATH2_TRUNCATED, DA_F_PATH_UNREADABLE, DA_F_FIXED_FILE, DA_F_STORES_UNSEEN,
                            DA_F_STACK,         DA_F_IDENTITY};
  unsigned seen = 0;
  for (unsigned f : flags) {
    EXPECT_EQ(f & (f - 1), 0u) << f << " is not a single bit";
    EXPECT_EQ(seen & f, 0u) << f << " reused";
    seen |= f;
  }
  EXPECT_LE(seen, 0xffffu);  // head.flags is 16 bits
}

// name -> (byte offset, size) as the host compiler lays the struct out
#define MEMBER(type, field) {#field, {offsetof(type, field), sizeof(type::field)}}
const std::map<std::string, std::pair<size_t, size_t>> kEventMembers = {
    MEMBER(da_event, head),      MEMBER(da_event, pid),       MEMBER(da_event, tid),
    MEMBER(da_event, comm),      MEMBER(da_event, ret),       MEMBER(da_event, fd),
    MEMBER(da_event, fd2),       MEMBER(da_event, dirfd),     MEMBER(da_event, dirfd2),
    MEMBER(da_event, flags),     MEMBER(da_event, arg),       MEMBER(da_event, arg2),
    MEMBER(da_event, bytes),     MEMBER(da_event, dev),       MEMBER(da_event, ino),
    MEMBER(da_event, fs_magic),  MEMBER(da_event, mode),      MEMBER(da_event, exit_code),
    MEMBER(da_event, child_pid), MEMBER(da_event, child_tid), MEMBER(da_event, path_len),
    MEMBER(da_event, path2_len), MEMBER(da_event, pad0),      MEMBER(da_event, duration_ns),
};
const std::map<std::string, std::pair<size_t, size_t>> kHeadMembers = {
    MEMBER(da_event_head, type), MEMBER(da_event_head, size),  MEMBER(da_event_head, syscall),
    MEMBER(da_event_head, flags), MEMBER(da_event_head, ts_ns),
};
const std::map<std::string, std::pair<size_t, size_t>> kDirtyKeyMembers = {
    MEMBER(da_dirty_key, dev), MEMBER(da_dirty_key, ino), MEMBER(da_dirty_key, tgid), MEMBER(da_dirty_key, igen),
};
const std::map<std::string, std::pair<size_t, size_t>> kInodeKeyMembers = {
    MEMBER(da_inode_key, dev), MEMBER(da_inode_key, ino),
};
#undef MEMBER

void expect_btf_layout(const struct btf* btf, const char* name, size_t size,
                       const std::map<std::string, std::pair<size_t, size_t>>& members) {
  int id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);
  ASSERT_GT(id, 0) << "struct " << name << " not in the BPF object's BTF";
  const struct btf_type* t = btf__type_by_id(btf, id);
  EXPECT_EQ(t->size, size) << "sizeof(struct " << name << ") differs between clang -target bpf and the host";
  const struct btf_member* m = btf_members(t);
  size_t seen = 0;
  for (unsigned short i = 0; i < btf_vlen(t); ++i, ++m) {
    std::string field = btf__name_by_offset(btf, m->name_off);
    auto it = members.find(field);
    if (it == members.end()) {
      ADD_FAILURE() << name << "." << field << " is in the BPF object but not checked here";
      continue;
    }
    ++seen;
    uint32_t bits = btf_member_bit_offset(t, i);
    EXPECT_EQ(bits % 8, 0u) << name << "." << field;
    EXPECT_EQ(bits / 8, it->second.first) << name << "." << field << ": offset differs";
    EXPECT_EQ(static_cast<size_t>(btf__resolve_size(btf, m->type)), it->second.second)
        << name << "." << field << ": size differs";
  }
  EXPECT_EQ(seen, members.size()) << "struct " << name << " has members the BPF side lacks";
}

TEST(CaptureWireLayout, MatchesTheBpfObjectsBtf) {
  struct btf* btf = btf__parse_elf(DURAUDIT_TEST_BPF_OBJ, nullptr);
  ASSERT_NE(btf, nullptr) << "cannot read BTF of " << DURAUDIT_TEST_BPF_OBJ;
  expect_btf_layout(btf, "da_event", sizeof(da_event), kEventMembers);
  expect_btf_layout(btf, "da_event_head", sizeof(da_event_head), kHeadMembers);
  expect_btf_layout(btf, "da_dirty_key", sizeof(da_dirty_key), kDirtyKeyMembers);
  expect_btf_layout(btf, "da_inode_key", sizeof(da_inode_key), kInodeKeyMembers);
  // The syscall tables userspace fills before load are sized as it thinks.
  int id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
  ASSERT_GT(id, 0);
  const struct btf_type* sec = btf__type_by_id(btf, id);
  const struct btf_var_secinfo* v = btf_var_secinfos(sec);
  int tables = 0;
  for (unsigned short i = 0; i < btf_vlen(sec); ++i, ++v) {
    std::string var = btf__name_by_offset(btf, btf__type_by_id(btf, v->type)->name_off);
    if (var == "syscall_of_nr" || var == "enter_action_of_nr") {
      EXPECT_EQ(v->size, static_cast<uint32_t>(DA_NR_TABLE)) << var;
      ++tables;
    }
  }
  EXPECT_EQ(tables, 2);
  btf__free(btf);
}

}  // namespace
