// SPDX-License-Identifier: GPL-2.0-only
/* The rest of the traced syscalls, once each, in a known order. */
#include "prog_common.h"
#include <linux/openat2.h>
#include <sys/mman.h>
#include <sys/sendfile.h>

int main(int argc, char **argv) {
  need_dir_arg(argc);
  const char *dir = argv[1];
  BEGIN();
  int fd = MUST(creat(in_dir(dir, "c.txt"), 0644));                      /* creat, created */
  MUST(ftruncate(fd, 4096));                                             /* ftruncate 4096 */
  MUST(truncate(in_dir(dir, "c.txt"), 100));                             /* truncate 100 */
  MUST(fallocate(fd, 0, 0, 8192));                                       /* fallocate (dedup write) */
  MUST(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));                /* sync_file_range */
  MUST(fdatasync(fd));                                                   /* fdatasync */
  struct open_how how = {.flags = O_RDWR | O_CREAT, .mode = 0600};
  int fd2 = MUST(syscall(SYS_openat2, AT_FDCWD, in_dir(dir, "o2.txt"), &how, sizeof how)); /* openat2 */
  int rd = MUST(open(in_dir(dir, "c.txt"), O_RDONLY));                   /* openat = 5 */
  MUST(copy_file_range(rd, NULL, fd2, NULL, 50, 0));                     /* copy_file_range -> o2 */
  int p[2];
  MUST(pipe(p));                                                         /* not traced */
  MUST(write(p[1], "pipe", 4));                                          /* pipe: not reported */
  off_t off = 0;
  MUST(sendfile(p[1], rd, &off, 10));                                    /* into a pipe: not reported */
  MUST(syncfs(fd));                                                      /* syncfs */
  MUST(sendfile(fd2, rd, NULL, 10));                                     /* sendfile -> o2 (new epoch) */
  void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
  if (m == MAP_FAILED) return 99;
  MUST(msync(m, 4096, MS_SYNC));                                         /* msync */
  sync();                                                                /* sync */
  MUST(symlink("c.txt", in_dir(dir, "sym")));                            /* symlink */
  MUST(link(in_dir(dir, "c.txt"), in_dir(dir, "hard")));                 /* link */
  MUST(mkdir(in_dir(dir, "d"), 0700));                                   /* mkdir */
  int dfd = MUST(open(in_dir(dir, "d"), O_RDONLY | O_DIRECTORY));        /* open dir */
  MUST(symlinkat("../c.txt", dfd, "sym2"));                              /* symlinkat */
  MUST(linkat(AT_FDCWD, in_dir(dir, "c.txt"), dfd, "hard2", 0));         /* linkat */
  MUST(fchdir(dfd));                                                     /* fchdir */
  MUST(unlink("sym2"));                                                  /* unlink */
  MUST(unlink("hard2"));                                                 /* unlink */
  MUST(chdir(".."));                                                     /* chdir */
  MUST(rmdir("d"));                                                      /* rmdir */
  int raw = MUST(syscall(SYS_open, in_dir(dir, "c.txt"), O_RDONLY, 0));  /* open(2) itself */
  MUST(close(raw));
  MUST(close(dfd));
  MUST(close(fd2));
  MUST(close(fd));
  MUST(close(rd));
  return 0;
}
