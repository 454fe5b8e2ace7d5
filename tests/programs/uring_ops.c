// SPDX-License-Identifier: GPL-2.0-only
/* File operations through io_uring (liburing), one request at a time so the
 * event order is fixed. Usage: uring_ops MODE DIR
 *   write-nosync   open(2) f, io_uring WRITE, close(2): data never synced
 *   sqpoll-write-nosync  write-nosync through an SQPOLL ring: a kernel
 *                  thread of the process submits the request
 *   fsync-rename   open(2) f.tmp, write(2), io_uring FSYNC, close(2),
 *                  rename(2) f.tmp -> f, fsync(2) of DIR: correct
 *   ops            every request kind: OPENAT, WRITE, WRITEV, WRITE_FIXED,
 *                  FSYNC (DATASYNC), SYNC_FILE_RANGE, FALLOCATE, FTRUNCATE,
 *                  CLOSE, MKDIRAT, RENAMEAT, LINKAT, SYMLINKAT, UNLINKAT,
 *                  OPENAT2 + CLOSE,
 *                  then a WRITE and FSYNC on a registered (fixed) file
 *   fsync-eio      write(2) f, io_uring FSYNC that fails (DIR must be an XFS
 *                  mount: the program shuts it down first), then retries
 *                  the FSYNC and close(2)s: carries on after a failed fsync
 * Each request's result is checked; a failure exits non-zero. */
#include "prog_common.h"

#include <liburing.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

static struct io_uring ring;

static int run_one(void) {
  struct io_uring_cqe *cqe;
  if (io_uring_submit(&ring) != 1) {
    fprintf(stderr, "io_uring_submit failed\n");
    exit(97);
  }
  int r = io_uring_wait_cqe(&ring, &cqe);
  if (r < 0) {
    fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-r));
    exit(97);
  }
  int res = cqe->res;
  io_uring_cqe_seen(&ring, cqe);
  return res;
}

static struct io_uring_sqe *sqe(void) {
  struct io_uring_sqe *s = io_uring_get_sqe(&ring);
  if (!s) exit(96);
  return s;
}

#define URING_MUST(expr)                                                       \
  ({                                                                           \
    expr;                                                                      \
    int _res = run_one();                                                      \
    if (_res < 0) {                                                            \
      fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #expr,    \
              strerror(-_res));                                                \
      exit(95);                                                                \
    }                                                                          \
    _res;                                                                      \
  })

static char buf[4096];

static void write_nosync(const char *dir) {
  int fd = MUST(open(in_dir(dir, "f"), O_CREAT | O_WRONLY | O_TRUNC, 0644));
  URING_MUST(io_uring_prep_write(sqe(), fd, buf, sizeof buf, 0));
  MUST(close(fd));
}

static void fsync_rename(const char *dir) {
  int fd = MUST(open(in_dir(dir, "f.tmp"), O_CREAT | O_WRONLY | O_TRUNC, 0644));
  MUST(write(fd, buf, sizeof buf));
  URING_MUST(io_uring_prep_fsync(sqe(), fd, 0));
  MUST(close(fd));
  MUST(rename(in_dir(dir, "f.tmp"), in_dir(dir, "f")));
  int dfd = MUST(open(dir, O_RDONLY | O_DIRECTORY));
  MUST(fsync(dfd));
  MUST(close(dfd));
}

static void ops(const char *dir) {
  int fd = URING_MUST(io_uring_prep_openat(sqe(), AT_FDCWD, in_dir(dir, "a"), O_CREAT | O_WRONLY, 0644));
  URING_MUST(io_uring_prep_write(sqe(), fd, buf, 100, 0));
  struct iovec iov[2] = {{buf, 10}, {buf, 20}};
  URING_MUST(io_uring_prep_writev(sqe(), fd, iov, 2, 100));
  struct iovec reg = {buf, sizeof buf};
  MUST(-io_uring_register_buffers(&ring, &reg, 1) ? -1 : 0);
  URING_MUST(io_uring_prep_write_fixed(sqe(), fd, buf, 50, 200, 0));
  URING_MUST(io_uring_prep_fsync(sqe(), fd, IORING_FSYNC_DATASYNC));
  URING_MUST(io_uring_prep_sync_file_range(sqe(), fd, 0, 0, 2 /* SYNC_FILE_RANGE_WRITE */));
  URING_MUST(io_uring_prep_fallocate(sqe(), fd, 0, 0, 8192));
  struct io_uring_sqe *t = sqe();
  io_uring_prep_rw(55 /* IORING_OP_FTRUNCATE (6.9) */, t, fd, 0, 0, 1000);
  int tr = run_one();
  if (tr < 0 && tr != -EINVAL) exit(94); /* older kernel: no FTRUNCATE */
  URING_MUST(io_uring_prep_close(sqe(), fd));
  URING_MUST(io_uring_prep_mkdirat(sqe(), AT_FDCWD, in_dir(dir, "d"), 0755));
  URING_MUST(io_uring_prep_renameat(sqe(), AT_FDCWD, in_dir(dir, "a"), AT_FDCWD, in_dir(dir, "d/b"), 0));
  URING_MUST(io_uring_prep_linkat(sqe(), AT_FDCWD, in_dir(dir, "d/b"), AT_FDCWD, in_dir(dir, "c"), 0));
  URING_MUST(io_uring_prep_symlinkat(sqe(), "target", AT_FDCWD, in_dir(dir, "s")));
  URING_MUST(io_uring_prep_unlinkat(sqe(), AT_FDCWD, in_dir(dir, "c"), 0));
  struct open_how how = {.flags = O_CREAT | O_WRONLY, .mode = 0600};
  int hfd = URING_MUST(io_uring_prep_openat2(sqe(), AT_FDCWD, in_dir(dir, "h"), &how));
  URING_MUST(io_uring_prep_close(sqe(), hfd));

  /* a registered file: the requests name slot 0, not an fd */
  int gfd = MUST(open(in_dir(dir, "g"), O_CREAT | O_WRONLY, 0644));
  if (io_uring_register_files(&ring, &gfd, 1) < 0) exit(93);
  struct io_uring_sqe *w = sqe();
  io_uring_prep_write(w, 0, buf, 64, 0);
  w->flags |= IOSQE_FIXED_FILE;
  if (run_one() != 64) exit(92);
  struct io_uring_sqe *f = sqe();
  io_uring_prep_fsync(f, 0, 0);
  f->flags |= IOSQE_FIXED_FILE;
  if (run_one() != 0) exit(91);
  MUST(close(gfd));
}

/* XFS_IOC_GOINGDOWN (_IOR('X', 125, __u32)), XFS_FSOP_GOING_FLAGS_NOLOGFLUSH:
 * the filesystem shuts down and every later fsync fails with EIO. */
static void fsync_eio(const char *dir) {
  int fd = MUST(open(in_dir(dir, "f"), O_CREAT | O_WRONLY | O_TRUNC, 0644));
  MUST(write(fd, buf, sizeof buf));
  unsigned int how = 2;
  MUST(ioctl(fd, _IOR('X', 125, unsigned int), &how));
  io_uring_prep_fsync(sqe(), fd, 0);
  int r = run_one();
  if (r != -EIO) {
    fprintf(stderr, "fsync-eio: expected EIO, got %d\n", r);
    exit(90);
  }
  /* carries on: retries the fsync, as if the first failure were transient
   * (on a shut-down filesystem it fails again) */
  io_uring_prep_fsync(sqe(), fd, 0);
  (void)run_one();
  MUST(close(fd));
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: uring_ops write-nosync|sqpoll-write-nosync|fsync-rename|ops|fsync-eio DIR\n");
    return 2;
  }
  memset(buf, 'u', sizeof buf);
  BEGIN();
  const char *mode = argv[1], *dir = argv[2];
  struct io_uring_params p = {0};
  if (!strcmp(mode, "sqpoll-write-nosync")) {
    p.flags = IORING_SETUP_SQPOLL;
    p.sq_thread_idle = 1000;
    mode = "write-nosync";
  }
  int r = io_uring_queue_init_params(8, &ring, &p);
  if (r < 0) {
    fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-r));
    return 3;
  }
  if (!strcmp(mode, "write-nosync")) write_nosync(dir);
  else if (!strcmp(mode, "fsync-rename")) fsync_rename(dir);
  else if (!strcmp(mode, "ops")) ops(dir);
  else if (!strcmp(mode, "fsync-eio")) fsync_eio(dir);
  else return 2;
  io_uring_queue_exit(&ring);
  return 0;
}
