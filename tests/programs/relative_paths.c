// SPDX-License-Identifier: GPL-2.0-only
/* Relative paths: through a directory fd, and after chdir. */
#include "prog_common.h"

int main(int argc, char **argv) {
  need_dir_arg(argc);
  const char *dir = argv[1];
  BEGIN();
  int dfd = MUST(open(dir, O_RDONLY | O_DIRECTORY));                         /* open */
  int a = MUST(openat(dfd, "a.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));    /* openat created */
  MUST(write(a, "hello", 5));                                                /* write */
  MUST(close(a));                                                            /* close */
  MUST(chdir(dir));                                                          /* chdir */
  int b = MUST(open("b.txt", O_WRONLY | O_CREAT | O_EXCL, 0600));            /* open created */
  MUST(write(b, "world", 5));                                                /* write */
  MUST(fsync(b));                                                            /* fsync */
  MUST(close(b));                                                            /* close */
  MUST(mkdirat(dfd, "sub", 0755));                                           /* mkdirat */
  MUST(renameat(dfd, "a.txt", dfd, "sub/a.txt"));                            /* renameat */
  int a2 = MUST(open("sub/a.txt", O_RDONLY));                                /* open, not created */
  MUST(close(a2));                                                           /* close */
  MUST(unlinkat(dfd, "b.txt", 0));                                           /* unlinkat */
  MUST(unlinkat(dfd, "sub/a.txt", 0));                                       /* unlinkat */
  MUST(unlinkat(dfd, "sub", AT_REMOVEDIR));                                  /* unlinkat rmdir */
  MUST(close(dfd));                                                          /* close */
  return 0;
}
