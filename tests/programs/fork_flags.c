// SPDX-License-Identifier: GPL-2.0-only
/* Every way to make a process or thread, so the live test can check the
 * clone flags each Fork event carries:
 *   1. fork()            glibc: clone(CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD)
 *   2. vfork()           the vfork syscall (x86_64) or clone(CLONE_VM|CLONE_VFORK|SIGCHLD)
 *   3. clone(2)          raw syscall, CLONE_FILES|CLONE_FS|SIGCHLD, no new stack
 *   4. clone3(2)         raw syscall, CLONE_FILES with exit_signal SIGCHLD
 *   5. pthread_create    glibc: clone3 with CLONE_THREAD|CLONE_VM|...
 * Each child exits at once; the parent waits for it before the next. */
#include "prog_common.h"
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

static void reap(pid_t pid) {
  int st;
  if (waitpid(pid, &st, 0) != pid) exit(97);
}

static void *thread_main(void *arg) { return arg; }

int main(int argc, char **argv) {
  need_dir_arg(argc);
  (void)argv;
  BEGIN();
  pid_t pid = MUST(fork());
  if (pid == 0) _exit(0);
  reap(pid);

  pid = MUST(vfork());
  if (pid == 0) _exit(0);
  reap(pid);

  pid = MUST(syscall(SYS_clone, CLONE_FILES | CLONE_FS | SIGCHLD, 0, 0, 0, 0));
  if (pid == 0) _exit(0);
  reap(pid);

  struct clone_args args = {.flags = CLONE_FILES, .exit_signal = SIGCHLD};
  pid = MUST(syscall(SYS_clone3, &args, sizeof args));
  if (pid == 0) _exit(0);
  reap(pid);

  pthread_t t;
  if (pthread_create(&t, NULL, thread_main, NULL) != 0) return 96;
  pthread_join(t, NULL);
  return 0;
}
