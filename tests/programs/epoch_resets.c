// SPDX-License-Identifier: GPL-2.0-only
/* Points after which the next write must be reported again although no
 * successful sync made the data durable: a failed fsync, ftruncate,
 * truncate, and an O_TRUNC open of an existing file.
 *
 * A real EIO needs a failing disk; fsync on a procfs file fails too (EINVAL:
 * procfs files have no fsync operation) and goes down the same path in the
 * kernel side (a failed fsync of a regular file), so it stands in for it. */
#include "prog_common.h"

int main(int argc, char **argv) {
  need_dir_arg(argc);
  const char *dir = argv[1];
  const char *f = in_dir(dir, "f.txt");
  BEGIN();
  /* failed fsync */
  int p = MUST(open("/proc/self/comm", O_WRONLY));
  MUST(write(p, "epoch_resets", 12));                      /* reported */
  MUST(write(p, "epoch_resets", 12));                      /* deduplicated */
  MUST_FAIL(fsync(p), EINVAL);                             /* failed: new epoch */
  MUST(write(p, "epoch_resets", 12));                      /* reported again */
  MUST(write(p, "epoch_resets", 12));                      /* deduplicated */
  MUST_FAIL(fdatasync(p), EINVAL);
  MUST(write(p, "epoch_resets", 12));                      /* reported again */
  MUST(close(p));

  /* truncations */
  int fd = MUST(open(f, O_WRONLY | O_CREAT, 0644));
  MUST(write(fd, "aaaa", 4));                              /* reported */
  MUST(write(fd, "bbbb", 4));                              /* deduplicated */
  MUST(ftruncate(fd, 0));
  MUST(write(fd, "cc", 2));                                /* reported */
  MUST(write(fd, "dd", 2));                                /* deduplicated */
  MUST(truncate(f, 0));
  MUST(write(fd, "eee", 3));                               /* reported */
  MUST(close(fd));
  fd = MUST(open(f, O_WRONLY | O_TRUNC));
  MUST(write(fd, "f", 1));                                 /* reported */
  MUST(write(fd, "g", 1));                                 /* deduplicated */
  MUST(close(fd));
  return 0;
}
