// SPDX-License-Identifier: GPL-2.0-only
/* Shared by the test programs in this directory. Each program performs a
 * known syscall sequence inside the directory given as argv[1].
 *
 * The dynamic loader and libc startup make syscalls of their own (opening
 * ld.so.cache, libc.so.6...). A program calls BEGIN() when its own sequence
 * starts: chdir("."), which changes nothing and which nothing else does, so
 * the live-test harness drops everything between a process's exec and this
 * marker (tests/live/live_harness.h). It must be a call that succeeds: a
 * failed call that changes nothing never leaves the kernel. */
#ifndef DURAUDIT_TEST_PROG_COMMON_H
#define DURAUDIT_TEST_PROG_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BEGIN() ((void)chdir("."))

/* Abort loudly when a call that must succeed fails: the live test then sees
 * a non-zero exit code instead of a confusing event sequence. */
#define MUST(call)                                                           \
  ({                                                                         \
    long _r = (long)(call);                                                  \
    if (_r < 0) {                                                            \
      fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call,  \
              strerror(errno));                                              \
      exit(99);                                                              \
    }                                                                        \
    _r;                                                                      \
  })

/* A call that must fail with errno `e`. */
#define MUST_FAIL(call, e)                                                   \
  do {                                                                       \
    long _r = (long)(call);                                                  \
    if (_r >= 0 || errno != (e)) {                                           \
      fprintf(stderr, "%s:%d: %s: expected %s, got %ld/%s\n", __FILE__,     \
              __LINE__, #call, #e, _r, strerror(errno));                     \
      exit(98);                                                              \
    }                                                                        \
  } while (0)

static inline const char *in_dir(const char *dir, const char *name) {
  static char bufs[4][4096];
  static int next;
  char *b = bufs[next++ % 4];
  snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
  return b;
}

static inline void need_dir_arg(int argc) {
  if (argc < 2) {
    fprintf(stderr, "usage: PROGRAM DIR\n");
    exit(2);
  }
}

#endif
