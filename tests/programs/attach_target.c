// SPDX-License-Identifier: GPL-2.0-only
/* A long-running process for `duraudit attach` tests, driven line by line on
 * stdin so a test decides when each step happens relative to the attach.
 *
 * At start it opens DIR/held.txt for writing (before duraudit attaches, so
 * only /proc seeding can tell duraudit about that fd), prints "ready" and
 * waits. Each command line is answered with "ok" once done:
 *
 *   write            write to the held fd
 *   fsync            fsync the held fd
 *   close            close the held fd
 *   fork NAME        a forked child creates DIR/NAME, writes, closes without
 *                    fsync and exits; the parent waits for it
 *   churn PREFIX N   create N new files DIR/PREFIX-<i>, write, close, no fsync
 *                    (i counts on across churn commands: every file is new,
 *                    and all share one finding fingerprint)
 *   replace NAME     write DIR/NAME.tmp, close, rename over DIR/NAME, no fsync
 *                    (rename-without-fsync); then fsync DIR/NAME, so the only
 *                    verdict against it is the ordering one (its window closed
 *                    by the program: a warning)
 *   publish NAME     write DIR/NAME.tmp, close, rename to DIR/NAME, never
 *                    fsynced (rename-without-fsync at error)
 *   sleep MS         sleep
 *   exit             exit 0 (so does end of input)
 */
#include "prog_common.h"
#include <sys/wait.h>
#include <time.h>

static void write_file(const char *path, int do_fsync) {
  int fd = MUST(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
  MUST(write(fd, "payload\n", 8));
  if (do_fsync) MUST(fsync(fd));
  MUST(close(fd));
}

int main(int argc, char **argv) {
  need_dir_arg(argc);
  const char *dir = argv[1];
  int held = MUST(open(in_dir(dir, "held.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
  printf("ready %d\n", (int)getpid());
  fflush(stdout);

  char line[512];
  int churned = 0;
  while (fgets(line, sizeof line, stdin)) {
    char name[256] = "";
    int n = 0;
    if (strncmp(line, "write", 5) == 0) {
      MUST(write(held, "late data\n", 10));
    } else if (strncmp(line, "fsync", 5) == 0) {
      MUST(fsync(held));
    } else if (strncmp(line, "close", 5) == 0) {
      MUST(close(held));
    } else if (sscanf(line, "fork %255s", name) == 1) {
      pid_t pid = MUST(fork());
      if (pid == 0) {
        write_file(in_dir(dir, name), 0);
        _exit(0);
      }
      int st = 0;
      MUST(waitpid(pid, &st, 0));
      if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return 97;
    } else if (sscanf(line, "churn %255s %d", name, &n) == 2) {
      for (int i = 0; i < n; ++i) {
        char file[300];
        snprintf(file, sizeof file, "%s-%d", name, ++churned);
        write_file(in_dir(dir, file), 0);
      }
    } else if (sscanf(line, "replace %255s", name) == 1) {
      char tmp[300];
      snprintf(tmp, sizeof tmp, "%s.tmp", name);
      const char *tmp_path = in_dir(dir, tmp);
      const char *final_path = in_dir(dir, name);
      write_file(tmp_path, 0);
      MUST(rename(tmp_path, final_path));
      int fd = MUST(open(final_path, O_RDONLY));
      MUST(fsync(fd));
      MUST(close(fd));
    } else if (sscanf(line, "publish %255s", name) == 1) {
      char tmp[300];
      snprintf(tmp, sizeof tmp, "%s.tmp", name);
      const char *tmp_path = in_dir(dir, tmp);
      write_file(tmp_path, 0);
      MUST(rename(tmp_path, in_dir(dir, name)));
    } else if (sscanf(line, "sleep %d", &n) == 1) {
      struct timespec ts = {n / 1000, (long)(n % 1000) * 1000000L};
      nanosleep(&ts, NULL);
    } else if (strncmp(line, "exit", 4) == 0) {
      break;
    } else {
      fprintf(stderr, "attach_target: unknown command: %s", line);
      return 2;
    }
    printf("ok\n");
    fflush(stdout);
  }
  return 0;
}
