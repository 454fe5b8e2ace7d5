// SPDX-License-Identifier: GPL-2.0-only
/* Four threads write the same fd 100 times each. */
#include "prog_common.h"
#include <pthread.h>

static int fd;

static void *writer(void *arg) {
  (void)arg;
  for (int i = 0; i < 100; i++) MUST(write(fd, "0123456789", 10));
  return NULL;
}

int main(int argc, char **argv) {
  need_dir_arg(argc);
  BEGIN();
  fd = MUST(open(in_dir(argv[1], "shared.txt"), O_WRONLY | O_CREAT | O_APPEND, 0644));
  pthread_t t[4];
  for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, writer, NULL);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  MUST(fsync(fd));
  MUST(close(fd));
  return 0;
}
