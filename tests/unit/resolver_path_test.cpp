// SPDX-License-Identifier: GPL-2.0-only
#include <gtest/gtest.h>

#include "resolve/path_normalize.h"
#include "resolve/path_registry.h"
#include "resolve/synthetic_inodes.h"

namespace duraudit {
namespace {

std::string res(std::string_view base, std::string_view rel) {
  std::string out;
  resolve_path(base, rel, out);
  return out;
}

TEST(ResolverPathNormalize, FoldsDotsAndSlashes) {
  EXPECT_EQ(res("/home/u", "a.txt"), "/home/u/a.txt");
  EXPECT_EQ(res("/home/u", "./a//b/./c"), "/home/u/a/b/c");
  EXPECT_EQ(res("/home/u", "../v/x"), "/home/v/x");
  EXPECT_EQ(res("/home/u", "../../../../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(res("/", "x"), "/x");
  EXPECT_EQ(res("/", ".."), "/");
  EXPECT_EQ(res("/home/u", "/abs//p/../q/"), "/abs/q");
  EXPECT_EQ(res("/home/u", "dir/"), "/home/u/dir");
  EXPECT_EQ(res("/home/u", ""), "/home/u");
  EXPECT_EQ(res("/home/u", "."), "/home/u");
  EXPECT_EQ(res("/a", "b/.."), "/a");
  EXPECT_EQ(normalize_path("//x///y/."), "/x/y");
  EXPECT_EQ(res("/a", "...") , "/a/...");
}

TEST(ResolverPathNormalize, UnderAndRebase) {
  EXPECT_TRUE(path_is_under("/a/b", "/a"));
  EXPECT_TRUE(path_is_under("/a", "/a"));
  EXPECT_FALSE(path_is_under("/ab", "/a"));
  EXPECT_TRUE(path_is_under("/x", "/"));
  EXPECT_EQ(rebase_path("/a/x/y", "/a", "/b/c"), "/b/c/x/y");
  EXPECT_EQ(rebase_path("/a", "/a", "/b"), "/b");
}

TEST(ResolverPathRegistry, RenameMovesExactAndSubtreeOnly) {
  PathRegistry reg;
  TrackedPath f(&reg), sub(&reg), deep(&reg), sibling_dash(&reg), sibling_dot(&reg);
  reg.assign(f, "/d");
  reg.assign(sub, "/d/x");
  reg.assign(deep, "/d/x/y/z");
  reg.assign(sibling_dash, "/d-x");
  reg.assign(sibling_dot, "/d.txt");
  reg.rename("/d", "/e");
  EXPECT_EQ(f.str(), "/e");
  EXPECT_EQ(sub.str(), "/e/x");
  EXPECT_EQ(deep.str(), "/e/x/y/z");
  EXPECT_EQ(sibling_dash.str(), "/d-x");
  EXPECT_EQ(sibling_dot.str(), "/d.txt");
  // Still followed after the move.
  reg.rename("/e/x/y", "/w");
  EXPECT_EQ(deep.str(), "/w/z");
  EXPECT_EQ(reg.size(), 5u);
}

TEST(ResolverPathRegistry, ReplacedTargetAndUnlinkFreezePaths) {
  PathRegistry reg;
  TrackedPath a(&reg), b(&reg);
  reg.assign(a, "/tmp/new");
  reg.assign(b, "/tmp/old");
  reg.rename("/tmp/new", "/tmp/old");  // b's file was replaced
  EXPECT_EQ(a.str(), "/tmp/old");
  EXPECT_EQ(b.str(), "/tmp/old");
  EXPECT_FALSE(b.tracked());
  reg.rename("/tmp/old", "/tmp/final");
  EXPECT_EQ(a.str(), "/tmp/final");
  EXPECT_EQ(b.str(), "/tmp/old");
  reg.forget("/tmp/final", false);
  EXPECT_FALSE(a.tracked());
  reg.rename("/tmp/final", "/tmp/other");
  EXPECT_EQ(a.str(), "/tmp/final");
  EXPECT_EQ(reg.size(), 0u);
}

TEST(ResolverPathRegistry, ExchangeSwapsNames) {
  PathRegistry reg;
  TrackedPath a(&reg), b(&reg), under_a(&reg);
  reg.assign(a, "/a");
  reg.assign(b, "/b");
  reg.assign(under_a, "/a/f");
  reg.exchange("/a", "/b");
  EXPECT_EQ(a.str(), "/b");
  EXPECT_EQ(b.str(), "/a");
  EXPECT_EQ(under_a.str(), "/b/f");
}

TEST(ResolverPathRegistry, DestroyedPathLeavesIndex) {
  PathRegistry reg;
  {
    TrackedPath a(&reg);
    reg.assign(a, "/a");
    EXPECT_EQ(reg.size(), 1u);
  }
  EXPECT_EQ(reg.size(), 0u);
  TrackedPath s(&reg);
  reg.assign(s, "socket:[123]");  // not a path: stored, not followed
  EXPECT_EQ(reg.size(), 0u);
  EXPECT_EQ(s.str(), "socket:[123]");
}

TEST(ResolverSyntheticInodes, BindRenameLinkUnbind) {
  SyntheticInodes syn;
  auto a = syn.bind_new("/d/a", 0).id;
  auto b = syn.bind_new("/d/sub/b", 0).id;
  EXPECT_EQ(a.dev, FileId::kSyntheticDev);
  EXPECT_NE(a, b);
  syn.rename("/d", "/e");
  EXPECT_EQ(syn.find("/d/a"), nullptr);
  ASSERT_NE(syn.find("/e/a"), nullptr);
  EXPECT_EQ(syn.find("/e/a")->id, a);
  EXPECT_EQ(syn.find("/e/sub/b")->id, b);
  syn.bind("/e/hard", *syn.find("/e/a"));
  syn.unbind("/e/a", false);
  EXPECT_EQ(syn.find("/e/hard")->id, a);
  syn.unbind("/e/sub", true);
  EXPECT_EQ(syn.find("/e/sub/b"), nullptr);
  EXPECT_EQ(syn.size(), 1u);
}

}  // namespace
}  // namespace duraudit
