// SPDX-License-Identifier: GPL-2.0-only
/* argv[2] iterations (default 50000) of four reported file operations:
 * openat(O_CREAT), close, renameat, unlinkat -> 4 * N events. */
#include "prog_common.h"

int main(int argc, char **argv) {
  need_dir_arg(argc);
  int n = argc > 2 ? atoi(argv[2]) : 50000;
  BEGIN();
  int dfd = MUST(open(argv[1], O_RDONLY | O_DIRECTORY));
  for (int i = 0; i < n; i++) {
    int fd = MUST(openat(dfd, "a", O_WRONLY | O_CREAT, 0644));
    MUST(close(fd));
    MUST(renameat(dfd, "a", dfd, "b"));
    MUST(unlinkat(dfd, "b", 0));
  }
  MUST(close(dfd));
  return 0;
}
