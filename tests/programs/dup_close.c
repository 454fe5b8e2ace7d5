// SPDX-License-Identifier: GPL-2.0-only
/* fd-table operations: dup2 then close of the original, fcntl dups, dup3,
 * close_range. */
#define _GNU_SOURCE
#include "prog_common.h"
#include <linux/close_range.h>

int main(int argc, char **argv) {
  need_dir_arg(argc);
  const char *dir = argv[1];
  BEGIN();
  int fd = MUST(open(in_dir(dir, "f.txt"), O_WRONLY | O_CREAT, 0644));  /* = 3 */
  MUST(dup2(fd, 10));                                                    /* dup2(3,10) = 10 */
  MUST(close(fd));                                                       /* close(3) */
  MUST(write(10, "abc", 3));                                             /* write(10) */
  MUST(fcntl(10, F_DUPFD_CLOEXEC, 20));                                  /* fcntl = 20 */
  MUST(fcntl(10, F_GETFL));                                              /* not reported */
  MUST(fcntl(10, F_SETFD, FD_CLOEXEC));                                  /* fcntl F_SETFD */
  MUST(dup3(10, 11, O_CLOEXEC));                                         /* dup3 = 11 */
  MUST(dup(10));                                                         /* dup = 3 */
  MUST(syscall(SYS_close_range, 10, 30, 0));                             /* close_range(10,30) */
  MUST(close(3));                                                        /* close(3) */
  MUST_FAIL(close(10), EBADF);                                           /* close(10) = -EBADF */
  return 0;
}
