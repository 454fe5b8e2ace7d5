// SPDX-License-Identifier: GPL-2.0-only
// `duraudit attach --comm NAME` and `--cgroup PATH` (issue 5 acceptance):
// processes selected by name, including ones started after attach, and by
// cgroup (a cgroup the test creates on the cgroup v2 hierarchy). Put in
// tests/e2e/ once attach has both flags (CaptureOptions::comms /
// cgroup_path from the capture branch). Uses tests/e2e/attach_session.h.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "e2e/attach_session.h"
#include "e2e/background_process.h"
#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

// ------------------------------------------------------------ --comm

TEST(AttachComm, CatchesAProcessStartedAfterAttachAndIgnoresOtherNames) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  AttachSession attach(dir, {"--comm", "attach_target", "--grace", "1s"});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  // Started after attach, so only the name can select it.
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  ASSERT_TRUE(target.run("fork kid.txt"));  // the child keeps the name
  // Another program, same mistakes, another name: not audited.
  ScratchDir other;
  CommandResult r = run_command({test_program("fork_child"), other.path()});
  ASSERT_EQ(r.status, 0) << r.err;

  auto f = attach.wait_for_finding("close-without-fsync", dir / "kid.txt", 20s);
  ASSERT_TRUE(f) << attach.describe();
  EXPECT_EQ((*f)["comm"], "attach_target");
  std::this_thread::sleep_for(2s);  // fork_child's verdicts would have settled by now
  JsonReport rep = attach.report();
  for (const auto& x : rep.findings)
    EXPECT_NE(x.value("path", "").rfind(other.path(), 0), 0u) << "fork_child is not attach_target: " << x.dump();
  // --comm does not end when a process exits: it waits for the next one.
  ASSERT_TRUE(target.run("exit", false));
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(attach.running()) << attach.describe();
  EXPECT_EQ(attach.stop(), 0) << attach.describe();
  EXPECT_TRUE(attach.report().summary.is_object());
}

TEST(AttachComm, AProcessAlreadyRunningWithTheNameIsSeededFromProc) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  AttachSession attach(dir, {"--comm", "attach_target", "--grace", "1s"});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  ASSERT_TRUE(target.run("write"));
  ASSERT_TRUE(target.run("close"));
  EXPECT_TRUE(attach.wait_for_finding("close-without-fsync", dir / "held.txt", 20s)) << attach.describe();
}

// ------------------------------------------------------------ --cgroup

// The cgroup v2 mount (/sys/fs/cgroup on a unified host, .../unified on a
// hybrid one), or "" if there is none.
std::string cgroup2_mount() {
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string id, parent, devno, root, mnt, word;
    f >> id >> parent >> devno >> root >> mnt;
    while (f >> word && word != "-") {
    }
    std::string fstype;
    f >> fstype;
    if (fstype == "cgroup2") return mnt;
  }
  return "";
}

// A fresh cgroup, removed at the end once its processes are gone.
class TestCgroup {
 public:
  TestCgroup() {
    std::string base = cgroup2_mount();
    if (base.empty()) return;
    path_ = base + "/duraudit-test-" + std::to_string(getpid());
    if (mkdir(path_.c_str(), 0755) != 0 && errno != EEXIST) path_.clear();
  }
  ~TestCgroup() {
    if (path_.empty()) return;
    // Kill whatever is left inside, then remove it (bounded).
    std::ifstream procs(path_ + "/cgroup.procs");
    for (pid_t p; procs >> p;) kill(p, SIGKILL);
    wait_until([&] { return rmdir(path_.c_str()) == 0 || errno == ENOENT; }, 10s, 50ms);
  }
  const std::string& path() const { return path_; }
  bool add(pid_t pid) const {
    std::ofstream f(path_ + "/cgroup.procs");
    f << pid << std::flush;
    return static_cast<bool>(f);
  }

 private:
  std::string path_;
};

TEST(AttachCgroup, SeesOnlyProcessesInThatCgroupIncludingOnesStartedLater) {
  DURAUDIT_REQUIRE_ROOT();
  TestCgroup cg;
  ASSERT_FALSE(cg.path().empty()) << "cannot create a cgroup on the cgroup v2 hierarchy";
  ScratchDir inside_dir, outside_dir, later_dir;
  Target inside(inside_dir), outside(outside_dir);
  ASSERT_TRUE(inside.ready() && outside.ready());
  ASSERT_TRUE(cg.add(inside.pid()));

  AttachSession attach(inside_dir, {"--cgroup", cg.path(), "--grace", "1s"});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  for (Target* t : {&inside, &outside}) {
    ASSERT_TRUE(t->run("write"));
    ASSERT_TRUE(t->run("close"));
    ASSERT_TRUE(t->run("fork kid.txt"));
  }
  // A process that joins the cgroup after attach, then does the same mistakes.
  CommandResult r = run_command(
      {"/bin/sh", "-c", "echo $$ > \"$1/cgroup.procs\" && exec \"$2\" \"$3\"", "sh", cg.path(),
       test_program("fork_child"), later_dir.path()});
  ASSERT_EQ(r.status, 0) << r.err;

  EXPECT_TRUE(attach.wait_for_finding("close-without-fsync", inside_dir / "held.txt", 20s)) << attach.describe();
  EXPECT_TRUE(attach.wait_for_finding("close-without-fsync", inside_dir / "kid.txt", 20s)) << attach.describe();
  EXPECT_TRUE(attach.wait_for_finding("close-without-fsync", later_dir / "parent.txt", 20s)) << attach.describe();
  std::this_thread::sleep_for(2s);  // the outside target's verdicts would have settled by now
  JsonReport rep = attach.report();
  for (const auto& f : rep.findings)
    EXPECT_NE(f.value("path", "").rfind(outside_dir.path(), 0), 0u) << "outside the cgroup: " << f.dump();
  EXPECT_EQ(attach.stop(), 0) << attach.describe();
}

TEST(AttachCgroup, AMissingCgroupIsAStartupErrorWithAClearMessage) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string missing = cgroup2_mount() + "/duraudit-no-such-cgroup";
  BoundedRun r = run_bounded({duraudit_bin(), "attach", "--cgroup", missing}, dir, 30s);
  ASSERT_TRUE(r.status) << "attach --cgroup of a missing cgroup kept running";
  EXPECT_NE(*r.status, 0);
  EXPECT_THAT(r.err, ::testing::HasSubstr(missing));
}

}  // namespace
}  // namespace duraudit::e2e
