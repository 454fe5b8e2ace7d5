// SPDX-License-Identifier: GPL-2.0-only
/* A process that tries to blind an auditor: `event_flood MODE SECONDS`
 * loops for SECONDS on the cheapest call it can make, as fast as it can.
 *   fail     close(-1): fails with EBADF, changes nothing
 *   succeed  chdir("."): succeeds, changes nothing
 * Prints "flooding" once it has started, and the number of calls at the end. */
#include "prog_common.h"

#include <time.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 3 || (strcmp(argv[1], "fail") && strcmp(argv[1], "succeed"))) {
    fprintf(stderr, "usage: event_flood fail|succeed SECONDS\n");
    return 2;
  }
  const int fail = strcmp(argv[1], "fail") == 0;
  const double end = now_s() + atof(argv[2]);
  printf("flooding\n");
  fflush(stdout);
  unsigned long calls = 0;
  while (now_s() < end) {
    for (int i = 0; i < 1000; ++i) {
      if (fail)
        (void)close(-1);
      else
        (void)chdir(".");
    }
    calls += 1000;
  }
  printf("%lu calls\n", calls);
  return 0;
}
