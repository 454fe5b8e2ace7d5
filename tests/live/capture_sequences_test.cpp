// Live: known syscall sequences (tests/programs) produce exactly the expected
// event sequences, with raw arguments, results and kernel inode identities.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "live/live_harness.h"

namespace duraudit::live {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

// dev/ino of a path as the kernel encodes it in events
FileId stat_id(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return {};
  return FileId{kernel_dev_from_user(st.st_dev), st.st_ino};
}

int exit_code(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

TEST(LiveSequences, RelativePathsWithDirfdAndChdir) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("relative_paths"), d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  EXPECT_THAT(describe_all(ev, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("relative_paths") + "\")",
      "openat(AT_FDCWD, \"$D\", O_RDONLY|O_DIRECTORY) = 3",
      "openat(3, \"a.txt\", O_WRONLY|O_CREAT|O_TRUNC) = 4 created",
      "write(4) = 5",
      "close(4) = 0",
      "chdir(\"$D\") = 0",
      "openat(AT_FDCWD, \"b.txt\", O_WRONLY|O_CREAT|O_EXCL) = 4 created",
      "write(4) = 5",
      "fsync(4) = 0",
      "close(4) = 0",
      "mkdirat(3, \"sub\", 755) = 0",
      "renameat(3, \"a.txt\", 3, \"sub/a.txt\") = 0",
      "openat(AT_FDCWD, \"sub/a.txt\", O_RDONLY) = 4",
      "close(4) = 0",
      "unlinkat(3, \"b.txt\", 0x0) = 0",
      "unlinkat(3, \"sub/a.txt\", 0x0) = 0",
      "unlinkat(3, \"sub\", 0x200) = 0",
      "close(3) = 0",
      "exit(0) group_dead",
  }));
  if (ev.size() == 19) {
    // same inode for a.txt before and after the rename, a different one for b.txt
    EXPECT_TRUE(ev[2].file.known());
    EXPECT_EQ(ev[2].file.id, ev[3].file.id);    // openat a.txt / write to it
    EXPECT_EQ(ev[2].file.id, ev[12].file.id);   // reopened as sub/a.txt
    EXPECT_NE(ev[2].file.id, ev[6].file.id);
    EXPECT_EQ(ev[6].file.id, ev[8].file.id);    // fsync(b.txt)
    EXPECT_EQ(ev[1].file.mode, S_IFDIR);
    EXPECT_EQ(ev[2].file.mode, S_IFREG);
    EXPECT_EQ(ev[1].file.id, stat_id(d.path()));
    EXPECT_EQ(ev[2].file.fs_magic, 0xEF53u);    // ext4 (the build tree)
    EXPECT_EQ(ev[3].bytes, 5u);
  }
}

}  // namespace
}  // namespace duraudit::live
