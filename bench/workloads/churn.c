// SPDX-License-Identifier: GPL-2.0-only
// File-churn loop: the syscall-dense pattern of a program that writes many
// small files the "atomic" way. Each iteration:
//   openat(tmp, O_CREAT|O_WRONLY|O_TRUNC)  write(64 B)  [fsync]  close
//   rename(tmp -> name)  unlink(name)
// usage: churn DIR ITERATIONS [--fsync]
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: churn DIR ITERATIONS [--fsync]\n");
    return 2;
  }
  const char* dir = argv[1];
  long n = atol(argv[2]);
  int do_fsync = argc > 3 && strcmp(argv[3], "--fsync") == 0;
  char tmp[4096], name[4096], buf[64];
  memset(buf, 'x', sizeof buf);
  for (long i = 0; i < n; i++) {
    snprintf(tmp, sizeof tmp, "%s/churn.%ld.tmp", dir, i);
    snprintf(name, sizeof name, "%s/churn.%ld", dir, i);
    int fd = open(tmp, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) { perror("open"); return 1; }
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) { perror("write"); return 1; }
    if (do_fsync && fsync(fd) != 0) { perror("fsync"); return 1; }
    close(fd);
    if (rename(tmp, name) != 0) { perror("rename"); return 1; }
    if (unlink(name) != 0) { perror("unlink"); return 1; }
  }
  return 0;
}
