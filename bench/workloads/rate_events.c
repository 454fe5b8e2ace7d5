// SPDX-License-Identifier: GPL-2.0-only
// Generates file events at a controlled rate, for the loss test: each step of
// the loop is dup(fd) + close(dup) (2 events duraudit captures, cheap for the
// kernel, so the generator itself can reach high rates), paced in 1 ms slices
// against CLOCK_MONOTONIC. Prints the achieved rate on stderr.
// usage: rate_events EVENTS_PER_SECOND SECONDS
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: rate_events EVENTS_PER_SECOND SECONDS\n");
    return 2;
  }
  double rate = atof(argv[1]), seconds = atof(argv[2]);
  int fd = open("/dev/null", O_WRONLY);
  if (fd < 0) { perror("open"); return 1; }
  double start = now(), end = start + seconds;
  long events = 0;
  for (;;) {
    double t = now();
    if (t >= end) break;
    // events due by the end of this 1 ms slice
    long due = (long)((t - start + 0.001) * rate);
    while (events < due) {
      int d = dup(fd);
      if (d < 0) { perror("dup"); return 1; }
      close(d);
      events += 2;
    }
    double next = start + (double)events / rate;
    double wait = next - now();
    if (wait > 0) {
      struct timespec ts = {0, (long)(wait * 1e9)};
      nanosleep(&ts, NULL);
    }
  }
  double took = now() - start;
  fprintf(stderr, "rate_events: %ld events in %.3f s = %.0f events/s (asked %.0f)\n", events, took,
          events / took, rate);
  return 0;
}
