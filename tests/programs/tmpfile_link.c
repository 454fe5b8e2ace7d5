// SPDX-License-Identifier: GPL-2.0-only
/* O_TMPFILE written, fsynced, then published with linkat(AT_EMPTY_PATH). */
#include "prog_common.h"

int main(int argc, char **argv) {
  need_dir_arg(argc);
  const char *dir = argv[1];
  BEGIN();
  int fd = MUST(open(dir, O_TMPFILE | O_WRONLY, 0600));
  MUST(write(fd, "anonymous", 9));
  MUST(fsync(fd));
  MUST(linkat(fd, "", AT_FDCWD, in_dir(dir, "published.txt"), AT_EMPTY_PATH));
  MUST(close(fd));
  return 0;
}
