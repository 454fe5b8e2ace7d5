// SPDX-License-Identifier: GPL-2.0-only
/* File-churning workload for bench/soak.sh: WORKERS processes, each cycling
 * through its own DIRS directories under ROOT, creating, writing, renaming
 * and deleting files; a fraction of writes are fsynced (and the directory
 * after a rename), so the audit sees both correct and faulty sequences.
 * Every BATCH files a worker forks a short-lived child that does one batch
 * and exits, so process state churns too. Runs until SECONDS pass or SIGTERM.
 *
 *   churn ROOT SECONDS [WORKERS=4] [DIRS=64] [FILES_PER_SEC_PER_WORKER=200]
 *
 * Prints one line at exit: files created, renames, unlinks, processes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void write_file(const char *path, int do_fsync, size_t bytes) {
  static char buf[16384];
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  for (size_t done = 0; done < bytes; done += sizeof buf)
    if (write(fd, buf, bytes - done < sizeof buf ? bytes - done : sizeof buf) < 0) break;
  if (do_fsync) fsync(fd);
  close(fd);
}

static void sync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

/* One batch: `n` files in `dir`, mixing the patterns applications use. */
static void batch(const char *dir, unsigned seed, int n, long *stats) {
  char a[4096], b[4096];
  for (int i = 0; i < n && !stop; ++i) {
    unsigned k = seed * 7919u + (unsigned)i;
    snprintf(a, sizeof a, "%s/f-%u.tmp", dir, k % 97);
    snprintf(b, sizeof b, "%s/f-%u.dat", dir, k % 97);
    switch (k % 5) {
      case 0: /* atomic replace done right */
        write_file(a, 1, 4096);
        rename(a, b);
        sync_dir(dir);
        stats[1]++;
        break;
      case 1: /* rename without fsync */
        write_file(a, 0, 1024);
        rename(a, b);
        stats[1]++;
        break;
      case 2: /* log-like: written, never synced */
        write_file(b, 0, 512);
        break;
      case 3: /* temp file written and deleted */
        write_file(a, 0, 8192);
        unlink(a);
        stats[2]++;
        break;
      default: /* cleanup */
        unlink(b);
        stats[2]++;
        break;
    }
    stats[0]++;
  }
}

static void worker(const char *root, int id, int dirs, int rate, double until) {
  long stats[4] = {0, 0, 0, 0};
  char dir[4096];
  for (int d = 0; d < dirs; ++d) {
    snprintf(dir, sizeof dir, "%s/w%d-d%d", root, id, d);
    mkdir(dir, 0755);
  }
  const int per_batch = 20;
  double interval = rate > 0 ? (double)per_batch / rate : 0;
  double next = now_s();
  unsigned seed = (unsigned)id * 100003u;
  while (!stop && now_s() < until) {
    snprintf(dir, sizeof dir, "%s/w%d-d%u", root, id, seed % (unsigned)dirs);
    if (seed % 10 == 0) {
      /* A short-lived process does this batch. */
      pid_t pid = fork();
      if (pid == 0) {
        batch(dir, seed, per_batch, stats);
        _exit(0);
      }
      if (pid > 0) waitpid(pid, NULL, 0);
      stats[3]++;
    } else {
      batch(dir, seed, per_batch, stats);
    }
    ++seed;
    next += interval;
    double wait = next - now_s();
    if (wait > 0) {
      struct timespec ts = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
      nanosleep(&ts, NULL);
    } else if (wait < -1) {
      next = now_s(); /* fell behind: do not burst to catch up */
    }
  }
  printf("worker %d: files %ld renames %ld unlinks %ld processes %ld\n", id, stats[0], stats[1], stats[2],
         stats[3]);
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: churn ROOT SECONDS [WORKERS] [DIRS] [FILES_PER_SEC_PER_WORKER]\n");
    return 2;
  }
  const char *root = argv[1];
  double seconds = atof(argv[2]);
  int workers = argc > 3 ? atoi(argv[3]) : 4;
  int dirs = argc > 4 ? atoi(argv[4]) : 64;
  int rate = argc > 5 ? atoi(argv[5]) : 200;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  mkdir(root, 0755);
  double until = now_s() + seconds;
  pid_t pids[256];
  if (workers > 256) workers = 256;
  for (int w = 0; w < workers; ++w) {
    pids[w] = fork();
    if (pids[w] == 0) {
      worker(root, w, dirs, rate, until);
      _exit(0);
    }
  }
  int forwarded = 0;
  while (wait(NULL) > 0 || errno == EINTR) {
    if (stop && !forwarded) {
      for (int w = 0; w < workers; ++w)
        if (pids[w] > 0) kill(pids[w], SIGTERM);
      forwarded = 1;
    }
  }
  return 0;
}
