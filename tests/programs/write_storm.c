// SPDX-License-Identifier: GPL-2.0-only
/* 100k one-byte writes, an fsync, 100k more: two write events in all. */
#include "prog_common.h"

int main(int argc, char **argv) {
  need_dir_arg(argc);
  int n = argc > 2 ? atoi(argv[2]) : 100000;
  BEGIN();
  int fd = MUST(open(in_dir(argv[1], "storm"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
  for (int i = 0; i < n; i++) MUST(write(fd, "x", 1));
  MUST(fsync(fd));
  for (int i = 0; i < n; i++) MUST(write(fd, "y", 1));
  MUST(close(fd));
  return 0;
}
