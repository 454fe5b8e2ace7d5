// SPDX-License-Identifier: GPL-2.0-only
// Views (resolve/path_view.h, path_views.h): paths of a process in another
// mount namespace or root are qualified, `..` stays inside the view, two
// views never share a path, fork inherits the view, the origin outlives the
// process; qualifiers are stripped from text; mount tables translate a
// view's path to the host's.
#include <gtest/gtest.h>

#include "event/process_identity.h"
#include "resolve/path_view.h"
#include "resolve/path_views.h"
#include "resolver_test_events.h"

namespace duraudit {
namespace {

using namespace resolver_test;

const PathViewKey kAgent{4026531841, 0x800001, 2};
const PathViewKey kContainerA{4026532001, 0x2c, 256};
const PathViewKey kContainerB{4026532002, 0x2d, 256};

Event exec_in(int32_t pid, const std::string& path, const PathViewKey& view, uint32_t uid = 0) {
  Event ev = path_call(Syscall::Exec, pid, path);
  auto id = std::make_shared<ProcessIdentity>();
  id->view = view;
  id->uid = uid;
  id->cgroup = "/system.slice/docker-x.scope";
  ev.identity = std::move(id);
  return ev;
}

Resolver with_agent_view() { return Resolver(ResolverOptions{.default_cwd = "/", .agent_view = kAgent}); }

TEST(PathView, QualifyAndStrip) {
  EXPECT_EQ(qualify_path(0, "/a"), "/a");
  const std::string q = qualify_path(3, "/data/f");
  EXPECT_EQ(q, std::string("/\0v3/data/f", 11));
  EXPECT_EQ(view_of_path(q), 3u);
  EXPECT_EQ(seen_path(q), "/data/f");
  EXPECT_EQ(seen_path(qualify_path(3, "/")), "/");
  EXPECT_EQ(view_of_path("/data/f"), 0u);
  std::string text = "rename of " + q + " to " + qualify_path(12, "/") + ", then " + qualify_path(3, "/x");
  EXPECT_TRUE(strip_view_qualifiers(text));
  EXPECT_EQ(text, "rename of /data/f to /, then /x");
  std::string plain = "nothing to see";
  EXPECT_FALSE(strip_view_qualifiers(plain));
  // A NUL that is not a qualifier stays.
  std::string odd("/\0vx", 4);
  EXPECT_FALSE(strip_view_qualifiers(odd));
  EXPECT_EQ(odd.size(), 4u);
}

TEST(ResolverViews, ProcessesInAnotherViewGetQualifiedPathsAndTheirOrigin) {
  Resolver r = with_agent_view();
  one(r, exec_in(10, "/usr/bin/app", kContainerA, 1000));
  Event open = one(r, openat(10, "/data/f", O_WRONLY | O_CREAT, 3));
  EXPECT_EQ(view_of_path(open.abs_path), 1u);
  EXPECT_EQ(seen_path(open.abs_path), "/data/f");
  // `..` stops at the view's root.
  one(r, path_call(Syscall::Chdir, 10, "/data"));
  EXPECT_EQ(seen_path(one(r, openat(10, "../../../etc/x", O_RDONLY, 4)).abs_path), "/etc/x");
  EXPECT_EQ(view_of_path(one(r, openat(10, "../../../etc/x", O_RDONLY, 5)).abs_path), 1u);
  // The agent's own processes are not qualified.
  one(r, exec_in(11, "/bin/true", kAgent));
  EXPECT_EQ(one(r, openat(11, "/data/f", O_WRONLY, 3)).abs_path, "/data/f");

  ProcessOrigin o = r.origin_of(10);
  EXPECT_EQ(o.view, 1u);
  ASSERT_TRUE(o.identity);
  EXPECT_EQ(o.identity->uid, 1000u);
  EXPECT_EQ(o.identity->exe, "/usr/bin/app");
  EXPECT_EQ(o.identity->view, kContainerA);
  // Replay has no handles: no host path for another view.
  EXPECT_FALSE(r.host_path(open.abs_path));
  EXPECT_EQ(r.host_path("/data/f"), "/data/f");
}

TEST(ResolverViews, TwoViewsNeverShareAPath) {
  Resolver r = with_agent_view();
  one(r, exec_in(10, "/app", kContainerA));
  one(r, exec_in(20, "/app", kContainerB));
  const std::string a = one(r, openat(10, "/data/chk-1/f", O_WRONLY | O_CREAT, 3)).abs_path;
  const std::string b = one(r, openat(20, "/data/chk-1/f", O_WRONLY | O_CREAT, 3)).abs_path;
  EXPECT_NE(a, b);
  EXPECT_EQ(seen_path(a), seen_path(b));
  EXPECT_EQ(r.views(), 2u);
  // A third process in A's view shares A's paths.
  one(r, exec_in(30, "/app", kContainerA));
  EXPECT_EQ(one(r, openat(30, "/data/chk-1/f", O_RDONLY, 3)).abs_path, a);
}

TEST(ResolverViews, ForkInheritsTheViewAndExitKeepsTheOrigin) {
  Resolver r = with_agent_view();
  one(r, exec_in(10, "/app", kContainerA));
  one(r, path_call(Syscall::Chdir, 10, "/work"));
  one(r, fork_ev(10, 11));
  Event child = one(r, openat(11, "f", O_WRONLY | O_CREAT, 3));
  EXPECT_EQ(view_of_path(child.abs_path), 1u);
  EXPECT_EQ(seen_path(child.abs_path), "/work/f");
  run(r, exit_ev(11, true));
  ProcessOrigin gone = r.origin_of(11);
  EXPECT_EQ(gone.view, 1u);
  ASSERT_TRUE(gone.identity);
  EXPECT_EQ(gone.identity->cgroup, "/system.slice/docker-x.scope");
}

TEST(ResolverViews, WithoutAnAgentViewNothingIsQualified) {
  Resolver r;  // a recording made before views, or an strace log
  one(r, exec_in(10, "/app", kContainerA));
  EXPECT_EQ(one(r, openat(10, "/data/f", O_WRONLY | O_CREAT, 3)).abs_path, "/data/f");
}

TEST(MountTables, AViewsPathIsTranslatedThroughTheHostsMounts) {
  // The host: root on 8:1, /var/lib/c/merged an overlay (0:50), /srv a
  // bind of 8:1's /data.
  const auto host = parse_mountinfo(
      "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
      "40 22 0:50 / /var/lib/c/merged rw - overlay overlay rw\n"
      "41 22 8:1 /data /srv rw - ext4 /dev/sda1 rw\n"
      "42 22 0:60 / /run/odd\\040name rw - tmpfs tmpfs rw\n");
  ASSERT_EQ(host.size(), 4u);
  EXPECT_EQ(host[3].mount_point, "/run/odd name");
  EXPECT_EQ(host[0].fstype, "ext4");
  EXPECT_EQ(host[3].fstype, "tmpfs");
  // The container: the overlay is its root, a volume from the host's /data/vol.
  const auto view = parse_mountinfo(
      "100 99 0:50 / / rw - overlay overlay rw\n"
      "101 100 8:1 /data/vol /var/lib/db rw - ext4 /dev/sda1 rw\n"
      "102 100 0:70 / /tmp rw - tmpfs tmpfs rw\n"
      "garbage line\n");
  ASSERT_EQ(view.size(), 3u);
  EXPECT_EQ(translate_mount_path(view, host, "/etc/app.conf"), "/var/lib/c/merged/etc/app.conf");
  // The deepest host mount that shows the directory: /srv for /data.
  EXPECT_EQ(translate_mount_path(view, host, "/var/lib/db/base/1"), "/srv/vol/base/1");
  EXPECT_EQ(translate_mount_path(view, host, "/var/lib/db"), "/srv/vol");
  EXPECT_EQ(translate_mount_path(view, host, "/"), "/var/lib/c/merged");
  // The container's own tmpfs is nowhere on the host.
  EXPECT_FALSE(translate_mount_path(view, host, "/tmp/x"));
}

}  // namespace
}  // namespace duraudit
