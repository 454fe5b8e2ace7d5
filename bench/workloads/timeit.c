// SPDX-License-Identifier: GPL-2.0-only
// Runs a command and appends its wall time (seconds, from fork to its exit) to
// a file. The benchmark runs this under each tracer, so the number is the
// traced process's own run time: tracer start-up (loading BPF programs,
// compiling a bpftrace script) and tear-down are not in it.
// usage: timeit OUTFILE [--stdin FILE] -- CMD ARGS...
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: timeit OUTFILE [--stdin FILE] -- CMD ARGS...\n");
    return 2;
  }
  const char* out = argv[1];
  const char* in = NULL;
  int i = 2;
  if (strcmp(argv[i], "--stdin") == 0) {
    in = argv[i + 1];
    i += 2;
  }
  if (i >= argc || strcmp(argv[i], "--") != 0) {
    fprintf(stderr, "timeit: expected -- before the command\n");
    return 2;
  }
  char** cmd = &argv[i + 1];
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) {
    if (in) {
      int fd = open(in, O_RDONLY);
      if (fd < 0 || dup2(fd, 0) < 0) { perror(in); _exit(127); }
      close(fd);
    }
    execvp(cmd[0], cmd);
    perror(cmd[0]);
    _exit(127);
  }
  int status;
  if (waitpid(pid, &status, 0) < 0) { perror("waitpid"); return 1; }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double secs = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "timeit: %s failed (status %d)\n", cmd[0], status);
    return 1;
  }
  FILE* f = fopen(out, "a");
  if (!f) { perror(out); return 1; }
  fprintf(f, "%.6f\n", secs);
  fclose(f);
  return 0;
}
