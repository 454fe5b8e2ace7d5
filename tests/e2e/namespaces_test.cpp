// SPDX-License-Identifier: GPL-2.0-only
// Containers and chroots (docs/production.md, "Containers"): a finding
// names the file as its process saw it, says where that is for the host
// (host_path) and which mount namespace the process was in (mnt_ns), and
// files of two mount namespaces are never taken for each other, even at
// the same path. A process in a cgroup laid out as a containerd container
// under kubepods gets container_id and pod_uid.
//
// The scripts run for about a second: a view's host path is read through
// handles taken in /proc when duraudit reads the view's first exec, which
// with stacks on can be some hundreds of milliseconds after it happened
// while the first stacks are symbolized; a container's processes live
// longer than a bare `sh -c` does (docs/production.md says what a view
// gone before that gets).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "e2e/attach_session.h"
#include "e2e/background_process.h"
#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using nlohmann::json;

uint64_t own_mnt_ns() {
  char buf[64] = {};
  ssize_t n = readlink("/proc/self/ns/mnt", buf, sizeof buf - 1);
  return n > 5 ? std::strtoull(buf + 5, nullptr, 10) : 0;  // "mnt:[N]"
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// A directory a shell can chroot into: /bin/sh and the libraries it needs,
// copied (not bind-mounted: the chroot must share the host's mount table).
std::string make_chroot(const ScratchDir& dir) {
  const std::string root = dir / "root";
  namespace fs = std::filesystem;
  fs::create_directories(root + "/etc");
  const std::string sh = fs::canonical("/bin/sh").string();
  auto ldd = run_command({"/usr/bin/ldd", sh});
  std::vector<std::string> files = {sh};
  std::istringstream lines(ldd.out);
  std::string line;
  while (std::getline(lines, line)) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    size_t slash = line.find('/');
    if (slash == std::string::npos) continue;
    files.push_back(line.substr(slash, line.find(' ', slash) - slash));
  }
  for (const auto& f : files) {
    fs::create_directories(root + fs::path(f).parent_path().string());
    fs::copy_file(f, root + f, fs::copy_options::overwrite_existing);  // follows /lib64's symlink
  }
  fs::create_directories(root + "/bin");
  if (!fs::exists(root + "/bin/sh")) fs::copy_file(sh, root + "/bin/sh");
  return root;
}

JsonReport run_json(const ScratchDir& dir, const std::vector<std::string>& command) {
  std::vector<std::string> argv = {duraudit_bin(), "run", "--format", "json", "-o", dir / "out.jsonl", "--"};
  argv.insert(argv.end(), command.begin(), command.end());
  auto r = run_command(argv);
  EXPECT_TRUE(r.status == 0 || r.status == 1) << r.err;
  std::ifstream in(dir / "out.jsonl");
  return parse_report(std::string((std::istreambuf_iterator<char>(in)), {}));
}

TEST(Namespaces, ChrootFindingsSayThePathAsSeenAndWhereItIsForTheHost) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string root = make_chroot(dir);
  auto report = run_json(dir, {"/usr/sbin/chroot", root, "/bin/sh", "-c",
                               // (no sleep(1) in the chroot: the shell counts instead)
                               "echo 'key = 1' > /etc/inside_chroot.conf; i=0; "
                               "while [ $i -lt 600000 ]; do i=$((i+1)); done"});
  auto about = report.about("/etc/inside_chroot.conf");
  ASSERT_FALSE(about.empty()) << report.describe();
  for (const auto& f : about) {
    EXPECT_EQ(f.value("host_path", ""), root + "/etc/inside_chroot.conf") << f.dump();
    EXPECT_EQ(f.value("mnt_ns", uint64_t{0}), own_mnt_ns()) << f.dump();  // a chroot shares the namespace
    EXPECT_EQ(f.value("exe", ""), "/bin/sh") << f.dump();
    EXPECT_EQ(f.value("uid", -1), 0) << f.dump();
  }
  // The directory whose entry was never synced is the chroot's /etc, not the host's.
  for (const auto& f : report.of_rule("missing-dir-fsync")) {
    EXPECT_NE(f["path"], "/") << f.dump();
    if (f["path"] == "/etc") EXPECT_EQ(f.value("host_path", ""), root + "/etc") << f.dump();
  }
  // No finding names the file by its host path as if the process had.
  for (const auto& f : report.findings)
    EXPECT_EQ(f["path"].get<std::string>().rfind(root, 0), std::string::npos) << f.dump();
}

// attach to a process already in its chroot: what /proc says of it (its
// cwd, as the host names it) is taken into its view.
TEST(Namespaces, AttachSeesARunningChrootInItsOwnView) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string root = make_chroot(dir);
  std::filesystem::create_directories(root + "/var/lib/app");
  BackgroundProcess target({"/usr/sbin/chroot", root, "/bin/sh", "-c",
                            "cd /var/lib/app && echo ready && read go && echo v > state && echo done && read end"},
                           dir / "target.out", dir / "target.err");
  ASSERT_TRUE(target.wait_for_out("ready", 10s)) << target.err();
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--grace", "1s"});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  ASSERT_TRUE(target.send_line("go"));
  ASSERT_TRUE(target.wait_for_out("done", 10s)) << target.err();
  auto f = attach.wait_for_finding("close-without-fsync", "/var/lib/app/state", 20s);
  ASSERT_TRUE(f) << attach.describe();
  EXPECT_EQ(f->value("host_path", ""), root + "/var/lib/app/state") << f->dump();
  EXPECT_EQ(f->value("mnt_ns", uint64_t{0}), own_mnt_ns()) << f->dump();
  target.send_line("end");
  EXPECT_EQ(target.wait(10s), 0);
}

TEST(Namespaces, BindMountInItsOwnMountNamespaceHasItsHostPath) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::filesystem::create_directories(dir / "src");
  std::filesystem::create_directories(dir / "mnt");
  const std::string script = "mount --bind '" + dir / "src" + "' '" + dir / "mnt" + "' && echo data > '" +
                             dir / "mnt/f" + "' && sleep 1";
  auto report = run_json(dir, {"/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script});
  auto about = report.about(dir / "mnt/f");
  ASSERT_FALSE(about.empty()) << report.describe();
  std::set<uint64_t> namespaces;
  for (const auto& f : about) {
    EXPECT_EQ(f.value("host_path", ""), dir / "src/f") << f.dump();
    ASSERT_TRUE(f.contains("mnt_ns")) << f.dump();
    namespaces.insert(f["mnt_ns"].get<uint64_t>());
  }
  EXPECT_EQ(namespaces.size(), 1u);
  EXPECT_NE(*namespaces.begin(), own_mnt_ns());
  // The bind mount never reached the host: the file is where the host path says.
  EXPECT_TRUE(std::filesystem::exists(dir / "src/f"));
  EXPECT_FALSE(std::filesystem::exists(dir / "mnt/f"));
}

// A namespace's own tmpfs is nowhere on the host, yet it is a tmpfs: its
// files and entries are not audited (the filesystem is asked through the
// namespace's root, not at a host path that does not exist).
TEST(Namespaces, ANamespacesOwnTmpfsIsNotAudited) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::filesystem::create_directories(dir / "mnt");
  const std::string script = "mount -t tmpfs scratch '" + dir / "mnt" + "' && mkdir '" + dir / "mnt/d" +
                             "' && echo data > '" + dir / "mnt/d/f" + "' && sleep 1";
  auto report = run_json(dir, {"/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script});
  for (const auto& f : report.findings)
    EXPECT_EQ(f["path"].get<std::string>().rfind(dir / "mnt", 0), std::string::npos) << f.dump();
  ASSERT_TRUE(report.summary.is_object()) << report.describe();
}

// Two namespaces mount different directories at the same place. B writes
// data/chk-1/f and never syncs it; then A deletes its own, long durable
// data/chk-1/f. One path space would take A's unlink for the end of B's
// file (and drop B's finding, or blame A for deleting B's data); duraudit
// must keep them apart.
TEST(Namespaces, TwoNamespacesWritingTheSamePathAreTwoFiles) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  namespace fs = std::filesystem;
  for (const char* d : {"a/chk-1", "b/chk-1", "data"}) fs::create_directories(dir / d);
  write_file(dir / "a/chk-1/f", "durable\n");
  sync();
  const std::string data = dir / "data";
  auto in_ns = [&](const std::string& src, const std::string& what) {
    return "unshare -m --propagation private /bin/sh -c \"mount --bind '" + src + "' '" + data + "' && " + what +
           " && sleep 1\"";
  };
  const std::string script = in_ns(dir / "b", "echo new > '" + data + "/chk-1/f'") + " && " +
                             in_ns(dir / "a", "rm '" + data + "/chk-1/f'");
  auto report = run_json(dir, {"/bin/sh", "-c", script});

  // B's unsynced file is reported, as B saw it and where it is; A's
  // deletion of its own file is A's (a notice that durable state went),
  // never an unlink that lost B's data.
  bool b_reported = false;
  std::set<uint64_t> ns_of_a, ns_of_b;
  for (const auto& f : report.findings) {
    // (mount(8) itself may leave a /run/mount entry unsynced: not this test's.)
    if (f["path"].get<std::string>().rfind(data, 0) != 0) continue;
    const std::string host = f.value("host_path", "");
    EXPECT_FALSE(host.empty()) << "both namespaces' files have host paths: " << f.dump();
    EXPECT_NE(f["rule"], "unlink-before-durable") << "A deleted its own durable file: " << f.dump();
    const bool of_a = host.rfind(dir / "a", 0) == 0, of_b = host.rfind(dir / "b", 0) == 0;
    EXPECT_TRUE(of_a || of_b) << f.dump();
    (of_a ? ns_of_a : ns_of_b).insert(f.value("mnt_ns", uint64_t{0}));
    if (f["rule"] == "close-without-fsync" && f["path"] == data + "/chk-1/f") {
      EXPECT_EQ(host, dir / "b/chk-1/f") << f.dump();
      b_reported = true;
    }
    // Each finding's related files are its own namespace's.
    for (const auto& r : f["related"]) EXPECT_EQ(r["path"].get<std::string>().rfind(data, 0), 0u) << f.dump();
    for (const auto& e : f["evidence"]) EXPECT_EQ(e["args"].get<std::string>().find("\\x00"), std::string::npos) << f.dump();
  }
  EXPECT_TRUE(b_reported) << report.describe();
  ASSERT_EQ(ns_of_a.size(), 1u) << report.describe();
  ASSERT_EQ(ns_of_b.size(), 1u) << report.describe();
  EXPECT_NE(*ns_of_a.begin(), *ns_of_b.begin());
  EXPECT_NE(*ns_of_a.begin(), own_mnt_ns());
  EXPECT_FALSE(fs::exists(dir / "a/chk-1/f"));
  EXPECT_TRUE(fs::exists(dir / "b/chk-1/f"));
}

// A cgroup named as kubelet's systemd driver and containerd name them.
class KubepodsCgroup {
 public:
  static constexpr const char* kPodUid = "4f7d2a1c-9b3e-4c55-8a6d-0e1f2b3c4d5e";
  static constexpr const char* kContainerId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  KubepodsCgroup() {
    std::string mount = "/sys/fs/cgroup/unified";
    if (!std::filesystem::exists(mount + "/cgroup.procs")) mount = "/sys/fs/cgroup";
    std::string pod = kPodUid;
    std::replace(pod.begin(), pod.end(), '-', '_');
    const std::string slices[] = {mount + "/kubepods.slice", mount + "/kubepods.slice/kubepods-burstable.slice",
                                  mount + "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + pod +
                                      ".slice"};
    for (const auto& s : slices) {
      if (::mkdir(s.c_str(), 0755) == 0) made_.push_back(s);
    }
    path_ = slices[2] + "/cri-containerd-" + std::string(kContainerId) + ".scope";
    if (::mkdir(path_.c_str(), 0755) == 0) made_.push_back(path_);
  }
  ~KubepodsCgroup() {
    for (auto it = made_.rbegin(); it != made_.rend(); ++it) ::rmdir(it->c_str());
  }
  const std::string& path() const { return path_; }
  bool ok() const { return std::filesystem::exists(path_ + "/cgroup.procs"); }

 private:
  std::string path_;
  std::vector<std::string> made_;
};

TEST(Namespaces, KubepodsContainerCgroupGivesContainerAndPod) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  KubepodsCgroup cg;
  ASSERT_TRUE(cg.ok()) << "cannot make " << cg.path();
  // The shell moves itself into the container's cgroup, then execs the workload.
  auto report = run_json(dir, {"/bin/sh", "-c",
                               "echo $$ > \"$1/cgroup.procs\" && exec /bin/sh -c 'echo x > \"$1\"' sh \"$2\"", "sh",
                               cg.path(), dir / "f"});
  auto about = report.about(dir / "f");
  ASSERT_FALSE(about.empty()) << report.describe();
  for (const auto& f : about) {
    EXPECT_EQ(f.value("container_id", ""), KubepodsCgroup::kContainerId) << f.dump();
    EXPECT_EQ(f.value("pod_uid", ""), KubepodsCgroup::kPodUid) << f.dump();
    EXPECT_NE(f.value("cgroup", "").find("/kubepods.slice/kubepods-burstable.slice/"), std::string::npos) << f.dump();
    EXPECT_FALSE(f.contains("host_path")) << "the host's own view: " << f.dump();
  }
}

}  // namespace
}  // namespace duraudit::e2e
