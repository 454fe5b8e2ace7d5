// SPDX-License-Identifier: GPL-2.0-only
/* Stores into a shared writable file mapping, then msync or not.
 *
 *   mmap_store DIR MODE [close-first]
 *
 * MODE:
 *   msync-sync    store, msync(MS_SYNC), store, msync(MS_SYNC): durable; the
 *                 second store is reported (msync write-protected the page
 *                 again and started a new epoch)
 *   msync-async   store, msync(MS_ASYNC), store, msync(MS_ASYNC): not
 *                 durable; the second store is deduplicated
 *   none          store, store on a second page (deduplicated): not durable
 *   kernel-store  read(2) from a pipe into the mapping: the kernel stores
 *                 (page_fault_kernel), not durable
 * close-first: close the fd right after mmap, before the stores (the
 * mapping keeps the file open); otherwise it is closed after munmap.
 *
 * The file's data is made durable before the mapping (write + fsync), so
 * whatever is dirty at the end was dirtied by the stores. */
#include <sys/mman.h>

#include "prog_common.h"

#define LEN 8192

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: mmap_store DIR msync-sync|msync-async|none|kernel-store [close-first]\n");
    return 2;
  }
  const char *mode = argv[2];
  int close_first = argc > 3 && strcmp(argv[3], "close-first") == 0;
  static char zeros[LEN];
  int p[2];
  if (strcmp(mode, "kernel-store") == 0) MUST(pipe(p));
  BEGIN();
  int fd = MUST(open(in_dir(argv[1], "m.dat"), O_RDWR | O_CREAT, 0644));
  MUST(write(fd, zeros, LEN));
  MUST(fsync(fd));
  volatile char *m = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) return 99;
  if (close_first) MUST(close(fd));
  if (strcmp(mode, "msync-sync") == 0 || strcmp(mode, "msync-async") == 0) {
    int flag = strcmp(mode, "msync-sync") == 0 ? MS_SYNC : MS_ASYNC;
    m[0] = 'a';
    MUST(msync((void *)m, LEN, flag));
    m[1] = 'b';
    MUST(msync((void *)m, LEN, flag));
  } else if (strcmp(mode, "none") == 0) {
    m[0] = 'a';
    m[4096] = 'b';
  } else if (strcmp(mode, "kernel-store") == 0) {
    MUST(write(p[1], "k", 1));
    MUST(read(p[0], (void *)m, 1));
  } else {
    return 2;
  }
  MUST(munmap((void *)m, LEN));
  if (!close_first) MUST(close(fd));
  return 0;
}
