// SPDX-License-Identifier: GPL-2.0-only
// `trace --pid N` and `record --pid N` follow N's whole tree, children
// forked before duraudit started included, as `attach --pid` does (issue
// 12, item 10; `record --help` promises "and its descendants").
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

// A parent whose child already exists when duraudit starts; the child
// writes `marker` (close without fsync) after `delay_s`, and the parent
// waits for it, so the traced pid outlives the write.
pid_t start_tree(const std::string& marker, unsigned delay_s, pid_t* child_out) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return -1;
  pid_t parent = fork();
  if (parent == 0) {
    close(pipefd[0]);
    pid_t child = fork();
    if (child == 0) {
      sleep(delay_s);
      int fd = open(marker.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0 || write(fd, "x", 1) != 1) _exit(1);
      close(fd);
      _exit(0);
    }
    if (write(pipefd[1], &child, sizeof child) != sizeof child) _exit(1);
    close(pipefd[1]);
    int st = 0;
    waitpid(child, &st, 0);
    _exit(0);
  }
  close(pipefd[1]);
  if (read(pipefd[0], child_out, sizeof *child_out) != sizeof *child_out) *child_out = -1;
  close(pipefd[0]);
  return parent;
}

TEST(PidTargets, TraceFollowsChildrenThatExistedBeforeIt) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string marker = dir / "by-child";
  pid_t child = -1;
  pid_t parent = start_tree(marker, 2, &child);
  ASSERT_GT(parent, 0);
  ASSERT_GT(child, 0);
  const std::string out = dir / "trace.jsonl";
  auto r = run_command({duraudit_bin(), "trace", "--format", "json", "-o", out, "--pid", std::to_string(parent)});
  int st = 0;
  waitpid(parent, &st, 0);
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream in(out);
  std::string line;
  bool seen = false;
  while (std::getline(in, line)) {
    auto j = parse_output_line(line);
    seen |= !j.is_discarded() && j.value("syscall", "") == "openat" && j.value("path", "") == marker &&
            j.value("pid", 0) == child;
  }
  EXPECT_TRUE(seen) << "the child's openat of " << marker << " is not in the trace";
}

TEST(PidTargets, RecordFollowsChildrenThatExistedBeforeIt) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string marker = dir / "by-child";
  pid_t child = -1;
  pid_t parent = start_tree(marker, 2, &child);
  ASSERT_GT(parent, 0);
  const std::string rec = dir / "tree.rec";
  auto r = run_command({duraudit_bin(), "record", "-o", rec, "--pid", std::to_string(parent)});
  int st = 0;
  waitpid(parent, &st, 0);
  ASSERT_EQ(r.status, 0) << r.err;
  auto rep = run_command({duraudit_bin(), "replay", rec, "--format", "json"});
  ASSERT_EQ(rep.status, 0) << rep.err;
  EXPECT_FALSE(parse_report(rep.out).about(marker).empty()) << parse_report(rep.out).describe();
}

}  // namespace
}  // namespace duraudit::e2e
