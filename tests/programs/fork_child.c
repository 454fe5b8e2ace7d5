// SPDX-License-Identifier: GPL-2.0-only
/* A forked child writes a file and exits without closing it; the parent
 * waits for it. */
#include "prog_common.h"
#include <sys/wait.h>

int main(int argc, char **argv) {
  need_dir_arg(argc);
  const char *dir = argv[1];
  BEGIN();
  pid_t pid = fork();
  if (pid < 0) return 99;
  if (pid == 0) {
    int fd = MUST(open(in_dir(dir, "child.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
    MUST(write(fd, "from child", 10));
    _exit(3);
  }
  int st;
  MUST(waitpid(pid, &st, 0));
  int fd = MUST(open(in_dir(dir, "parent.txt"), O_WRONLY | O_CREAT, 0644));
  MUST(write(fd, "from parent", 11));
  MUST(close(fd));
  return WIFEXITED(st) && WEXITSTATUS(st) == 3 ? 0 : 97;
}
