// SPDX-License-Identifier: GPL-2.0-only
/* Second half of exec_cloexec: writes to an inherited fd (argv[2]) after an
 * fsync of it, and exits without closing it. */
#include "prog_common.h"

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  BEGIN();
  int fd = atoi(argv[2]);
  MUST(fsync(fd));
  MUST(write(fd, "after exec", 10));
  return 0; /* no close: exit closes it */
}
