// SPDX-License-Identifier: GPL-2.0-only
/* Names that are not regular files: a unix socket bound at a path, a fifo
 * (mkfifo: mknodat), a fifo by mknod(2) itself; then all are unlinked. An
 * abstract socket, an unnamed one and an inet bind name nothing: not
 * reported. */
#include "prog_common.h"
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char **argv) {
  need_dir_arg(argc);
  const char *dir = argv[1];
  BEGIN();
  int s = MUST(socket(AF_UNIX, SOCK_STREAM, 0));                        /* not traced */
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  snprintf(a.sun_path, sizeof a.sun_path, "%s", in_dir(dir, "sock"));
  MUST(bind(s, (struct sockaddr *)&a, sizeof a));                       /* bind $D/sock */
  int s2 = MUST(socket(AF_UNIX, SOCK_STREAM, 0));
  struct sockaddr_un abs = {.sun_family = AF_UNIX};
  memcpy(abs.sun_path, "\0duraudit-abstract", 18);
  MUST(bind(s2, (struct sockaddr *)&abs, offsetof(struct sockaddr_un, sun_path) + 18)); /* abstract: not reported */
  int s4 = MUST(socket(AF_UNIX, SOCK_STREAM, 0));
  MUST_FAIL(bind(s4, (struct sockaddr *)&a, sizeof a), EADDRINUSE);     /* failed: not reported */
  int s3 = MUST(socket(AF_INET, SOCK_DGRAM, 0));
  struct sockaddr_in in = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  MUST(bind(s3, (struct sockaddr *)&in, sizeof in));                    /* inet: not reported */
  MUST(mkfifo(in_dir(dir, "fifo"), 0644));                              /* mknodat $D/fifo */
#ifdef SYS_mknod
  MUST(syscall(SYS_mknod, in_dir(dir, "fifo2"), S_IFIFO | 0600, 0));    /* mknod $D/fifo2 */
#else
  MUST(mknodat(AT_FDCWD, in_dir(dir, "fifo2"), S_IFIFO | 0600, 0));
#endif
  MUST(unlink(in_dir(dir, "sock")));
  MUST(unlink(in_dir(dir, "fifo")));
  MUST(unlink(in_dir(dir, "fifo2")));
  MUST(close(s4));
  MUST(close(s3));
  MUST(close(s2));
  MUST(close(s));
  return 0;
}
