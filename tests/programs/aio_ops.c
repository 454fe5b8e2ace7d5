// SPDX-License-Identifier: GPL-2.0-only
/* Linux AIO through the raw syscalls (no libaio), one iocb at a time.
 * Usage: aio_ops MODE DIR
 *   write-nosync   open(2) f, IOCB_CMD_PWRITE, reaped, close(2): never synced
 *   write-fsync    open(2) f, write(2), IOCB_CMD_FSYNC, reaped, close(2):
 *                  correct
 *   ops            PWRITE, PWRITEV with RWF_DSYNC, FDSYNC, FSYNC on one file */
#include "prog_common.h"

#include <linux/aio_abi.h>
#include <stdint.h>
#include <sys/uio.h>

#ifndef RWF_DSYNC
#define RWF_DSYNC 0x2
#endif

static aio_context_t ctx;
static char buf[4096];

static long submit_and_reap(struct iocb *cb) {
  struct iocb *list[1] = {cb};
  if (syscall(SYS_io_submit, ctx, 1, list) != 1) {
    perror("io_submit");
    exit(97);
  }
  struct io_event ev;
  if (syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL) != 1) {
    perror("io_getevents");
    exit(97);
  }
  if ((struct iocb *)(uintptr_t)ev.obj != cb) exit(96);
  if (ev.res < 0) {
    fprintf(stderr, "aio request failed: %s\n", strerror((int)-ev.res));
    exit(95);
  }
  return ev.res;
}

static void prep(struct iocb *cb, int op, int fd, void *b, size_t n, long long off) {
  memset(cb, 0, sizeof *cb);
  cb->aio_lio_opcode = op;
  cb->aio_fildes = fd;
  cb->aio_buf = (uintptr_t)b;
  cb->aio_nbytes = n;
  cb->aio_offset = off;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: aio_ops write-nosync|write-fsync|ops DIR\n");
    return 2;
  }
  memset(buf, 'a', sizeof buf);
  BEGIN();
  if (syscall(SYS_io_setup, 8, &ctx) < 0) {
    perror("io_setup");
    return 3;
  }
  const char *mode = argv[1], *dir = argv[2];
  struct iocb cb;
  int fd = MUST(open(in_dir(dir, "f"), O_CREAT | O_WRONLY | O_TRUNC, 0644));
  if (!strcmp(mode, "write-nosync")) {
    prep(&cb, IOCB_CMD_PWRITE, fd, buf, sizeof buf, 0);
    submit_and_reap(&cb);
  } else if (!strcmp(mode, "write-fsync")) {
    MUST(write(fd, buf, sizeof buf));
    prep(&cb, IOCB_CMD_FSYNC, fd, NULL, 0, 0);
    submit_and_reap(&cb);
  } else if (!strcmp(mode, "ops")) {
    prep(&cb, IOCB_CMD_PWRITE, fd, buf, 100, 0);
    submit_and_reap(&cb);
    struct iovec iov[2] = {{buf, 10}, {buf, 20}};
    prep(&cb, IOCB_CMD_PWRITEV, fd, iov, 2, 100);
    cb.aio_rw_flags = RWF_DSYNC;
    submit_and_reap(&cb);
    prep(&cb, IOCB_CMD_FDSYNC, fd, NULL, 0, 0);
    submit_and_reap(&cb);
    prep(&cb, IOCB_CMD_FSYNC, fd, NULL, 0, 0);
    submit_and_reap(&cb);
  } else {
    return 2;
  }
  MUST(close(fd));
  syscall(SYS_io_destroy, ctx);
  return 0;
}
