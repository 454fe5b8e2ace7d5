// SPDX-License-Identifier: GPL-2.0-only
// A miniature of Apache Flink's checkpoint commit, with the mistake behind
// FLINK-36421 and its fix.
//
//   flink_checkpoint setup DIR   previous checkpoint chk-1/ written durably
//   flink_checkpoint buggy DIR   checkpoint chk-2/ as Flink 1.x did it
//   flink_checkpoint fixed DIR   checkpoint chk-2/ done right
//
// buggy: a task manager (a child process) writes the state files and closes
// them without fsync; the job manager (the parent) writes _metadata, fsyncs
// it, renames it into place and deletes chk-1/. After a power loss the state
// files are 0 bytes and the old checkpoint is gone: nothing to restore from.
//
// fixed: every state file is fsynced before close, chk-2/ is fsynced so
// its entries are durable, _metadata is fsynced and renamed, chk-2/ fsynced
// again, and only then is chk-1/ removed (and DIR fsynced).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kStateFiles = 3 };

static void die(const char* what, const char* path) {
  fprintf(stderr, "flink_checkpoint: %s %s: %s\n", what, path, strerror(errno));
  exit(1);
}

static void write_file(const char* path, const char* data, int do_fsync) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) die("open", path);
  size_t len = strlen(data);
  if (write(fd, data, len) != (ssize_t)len) die("write", path);
  if (do_fsync && fsync(fd) != 0) die("fsync", path);
  if (close(fd) != 0) die("close", path);
}

static void fsync_dir(const char* path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) die("open", path);
  if (fsync(fd) != 0) die("fsync", path);
  close(fd);
}

static void checkpoint_dir(char* out, size_t n, const char* dir, int id) {
  snprintf(out, n, "%s/chk-%d", dir, id);
}

// Writes checkpoint `id` (state files + _metadata), durably or not.
static void write_checkpoint(const char* dir, int id, int durable) {
  char chk[4096], path[4200], tmp[4200];
  checkpoint_dir(chk, sizeof chk, dir, id);
  if (mkdir(chk, 0755) != 0 && errno != EEXIST) die("mkdir", chk);

  // The task manager: a separate process, as in a real Flink cluster.
  pid_t tm = fork();
  if (tm < 0) die("fork", "task manager");
  if (tm == 0) {
    for (int i = 0; i < kStateFiles; ++i) {
      snprintf(path, sizeof path, "%s/state-%d", chk, i);
      write_file(path, "operator state: offsets=1216,1217 window=[10:00,10:05)\n", durable);
    }
    if (durable) fsync_dir(chk);
    _exit(0);
  }
  int status;
  if (waitpid(tm, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "flink_checkpoint: task manager failed\n");
    exit(1);
  }

  // The job manager: _metadata is written to a temp name, fsynced (Flink
  // did fsync this one) and renamed into place: the commit point.
  snprintf(tmp, sizeof tmp, "%s/_metadata.inprogress", chk);
  snprintf(path, sizeof path, "%s/_metadata", chk);
  write_file(tmp, "checkpoint metadata: state-0 state-1 state-2\n", 1);
  if (rename(tmp, path) != 0) die("rename", tmp);
  if (durable) fsync_dir(chk);
}

static void remove_checkpoint(const char* dir, int id, int durable) {
  char chk[4096], path[4200];
  checkpoint_dir(chk, sizeof chk, dir, id);
  for (int i = 0; i < kStateFiles; ++i) {
    snprintf(path, sizeof path, "%s/state-%d", chk, i);
    if (unlink(path) != 0) die("unlink", path);
  }
  snprintf(path, sizeof path, "%s/_metadata", chk);
  if (unlink(path) != 0) die("unlink", path);
  if (rmdir(chk) != 0) die("rmdir", chk);
  if (durable) fsync_dir(dir);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: flink_checkpoint setup|buggy|fixed DIR\n");
    return 2;
  }
  const char* mode = argv[1];
  const char* dir = argv[2];
  if (strcmp(mode, "setup") == 0) {
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) die("mkdir", dir);
    write_checkpoint(dir, 1, 1);
    fsync_dir(dir);
    return 0;
  }
  int durable = strcmp(mode, "fixed") == 0;
  if (!durable && strcmp(mode, "buggy") != 0) {
    fprintf(stderr, "flink_checkpoint: unknown mode %s\n", mode);
    return 2;
  }
  write_checkpoint(dir, 2, durable);
  if (durable) fsync_dir(dir);  // chk-2's own entry in DIR
  remove_checkpoint(dir, 1, durable);
  printf("checkpoint chk-2 committed, chk-1 removed (%s)\n", mode);
  return 0;
}
