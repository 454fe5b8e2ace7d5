// SPDX-License-Identifier: GPL-2.0-only
/* Waits (up to 30 s) until DIR/go exists, then writes DIR/late.txt: a
 * process that is already running when a capture opens (attach --comm finds
 * it in /proc). Waiting uses faccessat and nanosleep, which are not traced. */
#include "prog_common.h"
#include <time.h>

int main(int argc, char **argv) {
  need_dir_arg(argc);
  const char *dir = argv[1];
  struct timespec tick = {0, 10 * 1000 * 1000};
  for (int i = 0; access(in_dir(dir, "go"), F_OK) != 0; ++i) {
    if (i == 3000) return 95;
    nanosleep(&tick, NULL);
  }
  BEGIN();
  int fd = MUST(open(in_dir(dir, "late.txt"), O_WRONLY | O_CREAT, 0644));
  MUST(write(fd, "late", 4));
  MUST(close(fd));
  return 0;
}
