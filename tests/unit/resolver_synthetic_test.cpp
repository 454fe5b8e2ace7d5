// SPDX-License-Identifier: GPL-2.0-only
// Synthetic identities for sources without inode numbers (strace logs).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "resolver_test_events.h"

namespace duraudit {
namespace {

using namespace resolver_test;

constexpr int32_t P = 100;

// An strace-style open: no FileInfo from the source.
Event sopen(std::string path, uint64_t flags, int64_t fd) { return openat(P, std::move(path), flags, fd); }

TEST(ResolverSynthetic, SamePathSameIdDistinctPathsDistinctIds) {
  Resolver r;
  Event a = one(r, sopen("/d/a", O_RDONLY, 3));
  Event a2 = one(r, sopen("/d/./a", O_WRONLY, 4));
  Event b = one(r, sopen("/d/b", O_RDONLY, 5));
  EXPECT_EQ(a.file.id.dev, FileId::kSyntheticDev);
  EXPECT_TRUE(a.file.known());
  EXPECT_EQ(a.file.id, a2.file.id);
  EXPECT_NE(a.file.id, b.file.id);
  EXPECT_FALSE(one(r, fd_call(Syscall::Close, P, 3)).last_close);  // fd 4 is the same file
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 4, 1)).file.id, a.file.id);
  // Failed opens get no identity.
  EXPECT_FALSE(one(r, sopen("/d/missing", O_RDONLY, -ENOENT)).file.known());
}

TEST(ResolverSynthetic, OnlyWhenTheSourceGaveNoIdentity) {
  Resolver r;
  Event live = openat(P, "/x", O_WRONLY | O_CREAT, 3, AT_FDCWD, FileId{0x800001, 77});
  live = one(r, live);
  EXPECT_EQ(live.file.id, (FileId{0x800001, 77}));
  EXPECT_FALSE(live.created);  // the kernel said it was not created
  // Path-based calls of a live session get no synthetic ids.
  Event mk = one(r, path_call(Syscall::Mkdir, P, "/newdir"));
  EXPECT_FALSE(mk.file.known());
}

TEST(ResolverSynthetic, CreatedPolicy) {
  Resolver r;
  EXPECT_TRUE(one(r, sopen("/new", O_WRONLY | O_CREAT | O_EXCL, 3)).created);
  EXPECT_FALSE(one(r, sopen("/new", O_WRONLY | O_CREAT, 4)).created);  // bound: exists
  EXPECT_TRUE(one(r, sopen("/never-seen", O_WRONLY | O_CREAT | O_TRUNC, 5)).created);
  EXPECT_FALSE(one(r, sopen("/plain", O_RDONLY, 6)).created);
  EXPECT_FALSE(one(r, sopen("/plain", O_WRONLY | O_CREAT, 7)).created);
  Event before = one(r, sopen("/gone", O_RDONLY, 8));
  one(r, path_call(Syscall::Unlink, P, "/gone"));
  Event again = one(r, sopen("/gone", O_WRONLY | O_CREAT, 9));
  EXPECT_TRUE(again.created);
  EXPECT_NE(again.file.id, before.file.id);
  // O_EXCL success means a new file even if we thought the name was bound.
  Event excl = one(r, sopen("/plain", O_WRONLY | O_CREAT | O_EXCL, 10));
  EXPECT_TRUE(excl.created);
  Event creat = raw(Syscall::Creat, P, 11);
  creat.path = "/via-creat";
  EXPECT_TRUE(one(r, creat).created);
}

TEST(ResolverSynthetic, RenameMovesTheBindingAndFillsTheEvent) {
  Resolver r;
  Event tmp = one(r, sopen("/d/f.tmp", O_WRONLY | O_CREAT, 3));
  Event old = one(r, sopen("/d/f", O_RDONLY, 4));
  Event rn = one(r, rename_ev(P, "/d/f.tmp", "/d/f"));
  EXPECT_EQ(rn.file.id, tmp.file.id);
  EXPECT_EQ(rn.file.path, "/d/f.tmp");
  EXPECT_EQ(one(r, sopen("/d/f", O_RDONLY, 5)).file.id, tmp.file.id);
  EXPECT_NE(tmp.file.id, old.file.id);
  Event fresh = one(r, sopen("/d/f.tmp", O_WRONLY | O_CREAT, 6));
  EXPECT_TRUE(fresh.created);
  EXPECT_NE(fresh.file.id, tmp.file.id);
  // Failed renames change nothing.
  one(r, rename_ev(P, "/d/f", "/elsewhere", -EXDEV));
  EXPECT_EQ(one(r, sopen("/d/f", O_RDONLY, 7)).file.id, tmp.file.id);
}

TEST(ResolverSynthetic, DirectoryRenameMovesTheSubtree) {
  Resolver r;
  Event a = one(r, sopen("/ckpt/chk-1/a", O_WRONLY | O_CREAT, 3));
  Event b = one(r, sopen("/ckpt/chk-1/sub/b", O_WRONLY | O_CREAT, 4));
  Event sib = one(r, sopen("/ckpt/chk-10/a", O_WRONLY | O_CREAT, 5));
  Event d = one(r, sopen("/ckpt/chk-1", O_RDONLY | O_DIRECTORY, 6));
  EXPECT_EQ(d.file.mode, static_cast<uint32_t>(S_IFDIR));
  one(r, rename_ev(P, "/ckpt/chk-1", "/ckpt/chk-2"));
  EXPECT_EQ(one(r, sopen("/ckpt/chk-2/a", O_RDONLY, 7)).file.id, a.file.id);
  EXPECT_EQ(one(r, sopen("/ckpt/chk-2/sub/b", O_RDONLY, 8)).file.id, b.file.id);
  EXPECT_EQ(one(r, sopen("/ckpt/chk-2", O_RDONLY | O_DIRECTORY, 9)).file.id, d.file.id);
  EXPECT_EQ(one(r, sopen("/ckpt/chk-10/a", O_RDONLY, 10)).file.id, sib.file.id);
  EXPECT_NE(one(r, sopen("/ckpt/chk-1/a", O_RDONLY, 11)).file.id, a.file.id);
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 3, 1)).file.path, "/ckpt/chk-2/a");
}

TEST(ResolverSynthetic, RenameExchangeSwaps) {
  Resolver r;
  Event a = one(r, sopen("/a", O_RDONLY, 3));
  Event b = one(r, sopen("/b", O_RDONLY, 4));
  Event x = rename_ev(P, "/a", "/b", 0, Syscall::Renameat2);
  x.flags = 1u << 1;  // RENAME_EXCHANGE
  one(r, x);
  EXPECT_EQ(one(r, sopen("/a", O_RDONLY, 5)).file.id, b.file.id);
  EXPECT_EQ(one(r, sopen("/b", O_RDONLY, 6)).file.id, a.file.id);
  EXPECT_EQ(one(r, fd_call(Syscall::Write, P, 3, 1)).file.path, "/b");
}

TEST(ResolverSynthetic, LinkAddsANameUnlinkRemovesOne) {
  Resolver r;
  Event f = one(r, sopen("/f", O_WRONLY | O_CREAT, 3));
  Event ln = one(r, rename_ev(P, "/f", "/hard", 0, Syscall::Link));
  EXPECT_EQ(ln.file.id, f.file.id);
  Event un = one(r, path_call(Syscall::Unlink, P, "/f"));
  EXPECT_EQ(un.file.id, f.file.id);
  EXPECT_EQ(one(r, sopen("/hard", O_RDONLY, 4)).file.id, f.file.id);
  EXPECT_NE(one(r, sopen("/f", O_RDONLY, 5)).file.id, f.file.id);
  // A link of a file we never opened names it (pre-existing) in both places.
  Event ln2 = one(r, rename_ev(P, "/pre", "/pre2", 0, Syscall::Link));
  EXPECT_TRUE(ln2.file.known());
  EXPECT_EQ(one(r, sopen("/pre2", O_RDONLY, 6)).file.id, ln2.file.id);
  // rmdir drops the directory and anything we still had below it.
  one(r, sopen("/dir/x", O_RDONLY, 7));
  Event rm = path_call(Syscall::Unlinkat, P, "/dir");
  rm.flags = AT_REMOVEDIR;
  one(r, rm);
  EXPECT_TRUE(one(r, sopen("/dir/x", O_WRONLY | O_CREAT, 8)).created);
}

TEST(ResolverSynthetic, TmpfileGetsAnIdAndLinkatNamesIt) {
  Resolver r;
  Event o = one(r, sopen("/d", O_TMPFILE | O_WRONLY, 3));
  EXPECT_TRUE(o.file.known());
  EXPECT_TRUE(o.file.unnamed);
  EXPECT_EQ(o.file.mode, static_cast<uint32_t>(S_IFREG));
  EXPECT_FALSE(o.created);
  Event ln = raw(Syscall::Linkat, P);
  ln.dirfd = 3;
  ln.flags = AT_EMPTY_PATH;
  ln.path2 = "/d/name";
  ln = one(r, ln);
  EXPECT_EQ(ln.file.id, o.file.id);
  EXPECT_EQ(ln.file.path, "/d/name");
  EXPECT_EQ(one(r, sopen("/d/name", O_RDONLY, 4)).file.id, o.file.id);
}

TEST(ResolverSynthetic, PathCallsAfterStraceOpens) {
  Resolver r;
  one(r, sopen("/x", O_RDONLY, 3));  // marks the session as identity-less
  Event mk = one(r, path_call(Syscall::Mkdir, P, "/newdir"));
  EXPECT_TRUE(mk.file.known());
  EXPECT_EQ(mk.file.mode, static_cast<uint32_t>(S_IFDIR));
  EXPECT_EQ(one(r, sopen("/newdir", O_RDONLY | O_DIRECTORY, 4)).file.id, mk.file.id);
  Event tr = one(r, path_call(Syscall::Truncate, P, "/existing"));
  EXPECT_TRUE(tr.file.known());
  EXPECT_EQ(one(r, sopen("/existing", O_WRONLY, 5)).file.id, tr.file.id);
}

}  // namespace
}  // namespace duraudit
