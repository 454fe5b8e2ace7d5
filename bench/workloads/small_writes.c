// SPDX-License-Identifier: GPL-2.0-only
// N small writes (16 bytes each) to one file: the append-log pattern.
// usage: small_writes FILE N
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: small_writes FILE N\n");
    return 2;
  }
  long n = atol(argv[2]);
  int fd = open(argv[1], O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0) { perror("open"); return 1; }
  const char rec[16] = "0123456789abcde";
  for (long i = 0; i < n; i++)
    if (write(fd, rec, sizeof rec) != (ssize_t)sizeof rec) { perror("write"); return 1; }
  if (fsync(fd) != 0) { perror("fsync"); return 1; }
  close(fd);
  unlink(argv[1]);
  return 0;
}
