// SPDX-License-Identifier: GPL-2.0-only
/* writev, pwrite64, pwritev, pwritev2 on three files; one fsync in between
 * makes the next write to that file reportable again. */
#include "prog_common.h"
#include <sys/uio.h>

int main(int argc, char **argv) {
  need_dir_arg(argc);
  const char *dir = argv[1];
  char a[] = "aaaa", b[] = "bbbbbb";
  struct iovec iov[2] = {{a, 4}, {b, 6}};
  BEGIN();
  int f1 = MUST(open(in_dir(dir, "v1"), O_WRONLY | O_CREAT, 0644));
  int f2 = MUST(open(in_dir(dir, "v2"), O_WRONLY | O_CREAT, 0644));
  MUST(writev(f1, iov, 2));            /* reported: 10 bytes */
  MUST(pwrite(f1, "x", 1, 100));       /* same epoch: suppressed */
  MUST(pwrite(f2, "yy", 2, 0));        /* reported: 2 bytes */
  MUST(pwritev(f2, iov, 2, 10));       /* suppressed */
  MUST(fdatasync(f2));                 /* new epoch for v2 */
  MUST(pwritev2(f2, iov, 1, 0, 0));    /* reported: 4 bytes */
  MUST(pwritev2(f1, iov, 1, -1, 0));   /* suppressed (v1 not synced) */
  MUST(close(f1));
  MUST(close(f2));
  return 0;
}
