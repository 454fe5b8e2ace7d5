// SPDX-License-Identifier: GPL-2.0-only
/* Writes a file and exits through exit_group without closing it. */
#include "prog_common.h"

int main(int argc, char **argv) {
  need_dir_arg(argc);
  BEGIN();
  int fd = MUST(open(in_dir(argv[1], "left-open.txt"), O_WRONLY | O_CREAT, 0644));
  MUST(write(fd, "data", 4));
  syscall(SYS_exit_group, 7);
  return 0;
}
