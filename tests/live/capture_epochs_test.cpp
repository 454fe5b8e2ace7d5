// SPDX-License-Identifier: GPL-2.0-only
// Live: write deduplication restarts after the points where the rules need
// to see the next write again, not only after successful syncs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "live/live_harness.h"

namespace duraudit::live {
namespace {

using ::testing::ElementsAreArray;

int exit_code(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

// epoch_resets makes its syncs fail with EINVAL (a procfs file), the only
// failing sync a program can provoke anywhere; with every failure sent (as
// trace asks) such a failure starts a new epoch like a writeback error
// (EIO, ENOSPC, EDQUOT: tests/e2e, on an XFS that is shut down) does.
TEST(LiveEpochs, FailedSyncsAndTruncationsStartANewEpoch) {
  CaptureOptions all;
  all.report_all_failures = true;
  LIVE_CAPTURE_WITH_OR_RETURN(cap, all);  // no ignored filesystems: the procfs file counts
  TempDir d;
  auto run = run_traced(*cap, {program("epoch_resets"), d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  EXPECT_THAT(describe_all(ev, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("epoch_resets") + "\")",
      "openat(AT_FDCWD, \"/proc/self/comm\", O_WRONLY) = 3",
      "write(3) = 12",
      "fsync(3) = -EINVAL",
      "write(3) = 12",  // fsync-error-ignored needs this one
      "fdatasync(3) = -EINVAL",
      "write(3) = 12",
      "close(3) = 0",
      "openat(AT_FDCWD, \"$D/f.txt\", O_WRONLY|O_CREAT) = 3 created",
      "write(3) = 4",
      "ftruncate(3, 0) = 0",
      "write(3) = 2",   // truncate-in-place needs the rewrite
      "truncate(\"$D/f.txt\", 0) = 0",
      "write(3) = 3",
      "close(3) = 0",
      "openat(AT_FDCWD, \"$D/f.txt\", O_WRONLY|O_TRUNC) = 3",
      "write(3) = 1",
      "close(3) = 0",
      "exit(0) group_dead",
  }));
  if (ev.size() == 19) {
    EXPECT_EQ(ev[2].file.id, ev[4].file.id);
    EXPECT_EQ(ev[9].file.id, ev[16].file.id);
    EXPECT_EQ(ev[11].file.id, ev[9].file.id);
  }
}

// By default a sync failing with EINVAL (no writeback error: the file does
// not take syncs) is dropped in the kernel and changes nothing: the next
// writes are deduplicated as before it.
TEST(LiveEpochs, ASyncThatFailsWithoutAWritebackErrorIsDroppedAndStartsNoEpoch) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("epoch_resets"), d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  auto all = describe_all(ev, d.path());
  ASSERT_GE(all.size(), 4u);
  EXPECT_EQ(std::vector<std::string>(all.begin(), all.begin() + 4),
            (std::vector<std::string>{
                std::string("exec(\"") + program("epoch_resets") + "\")",
                "openat(AT_FDCWD, \"/proc/self/comm\", O_WRONLY) = 3",
                "write(3) = 12",
                "close(3) = 0",
            }));
}

}  // namespace
}  // namespace duraudit::live
