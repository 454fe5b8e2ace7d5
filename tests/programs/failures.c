// SPDX-License-Identifier: GPL-2.0-only
/* Calls that fail: ENOENT, EEXIST and EBADF. */
#include "prog_common.h"

int main(int argc, char **argv) {
  need_dir_arg(argc);
  const char *dir = argv[1];
  BEGIN();
  MUST_FAIL(open(in_dir(dir, "missing"), O_RDONLY), ENOENT);
  int fd = MUST(open(in_dir(dir, "once"), O_WRONLY | O_CREAT | O_EXCL, 0644));
  MUST_FAIL(open(in_dir(dir, "once"), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  MUST_FAIL(mkdir(dir, 0755), EEXIST);
  MUST_FAIL(unlink(in_dir(dir, "missing")), ENOENT);
  MUST_FAIL(rename(in_dir(dir, "missing"), in_dir(dir, "other")), ENOENT);
  MUST_FAIL(chdir(in_dir(dir, "missing")), ENOENT);
  MUST_FAIL(close(-1), EBADF);
  MUST_FAIL(fsync(-1), EBADF);
  MUST(close(fd));
  return 0;
}
