// SPDX-License-Identifier: GPL-2.0-only
/* Opens one fd to keep and one O_CLOEXEC, writes both, then execs
 * exec_target (argv[2]) which writes to the kept fd and exits without
 * closing it. */
#include "prog_common.h"

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  const char *dir = argv[1];
  BEGIN();
  int keep = MUST(open(in_dir(dir, "kept.txt"), O_WRONLY | O_CREAT, 0644));
  int gone = MUST(open(in_dir(dir, "cloexec.txt"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  MUST(write(keep, "1", 1));
  MUST(write(gone, "2", 1));
  char fdarg[16];
  snprintf(fdarg, sizeof fdarg, "%d", keep);
  char *args[] = {argv[2], (char *)dir, fdarg, NULL};
  execv(argv[2], args);
  return 99;
}
