// SPDX-License-Identifier: GPL-2.0-only
/* renameat2 RENAME_EXCHANGE (succeeds) and RENAME_NOREPLACE (EEXIST), plus
 * plain rename. */
#include "prog_common.h"
#include <linux/fs.h>

int main(int argc, char **argv) {
  need_dir_arg(argc);
  const char *dir = argv[1];
  BEGIN();
  MUST(close(MUST(open(in_dir(dir, "x"), O_WRONLY | O_CREAT, 0644))));
  MUST(close(MUST(open(in_dir(dir, "y"), O_WRONLY | O_CREAT, 0644))));
  MUST(syscall(SYS_renameat2, AT_FDCWD, in_dir(dir, "x"), AT_FDCWD, in_dir(dir, "y"), RENAME_EXCHANGE));
  MUST_FAIL(syscall(SYS_renameat2, AT_FDCWD, in_dir(dir, "x"), AT_FDCWD, in_dir(dir, "y"), RENAME_NOREPLACE), EEXIST);
  MUST(rename(in_dir(dir, "x"), in_dir(dir, "z")));
  return 0;
}
