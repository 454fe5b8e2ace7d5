// SPDX-License-Identifier: GPL-2.0-only
// Names that are not regular files (a unix socket's bind, mkfifo/mknod): the
// model binds them as "not a file", so unlinking one deletes no durable data
// (issue 10, "Learn what is not a regular file").
#include <gtest/gtest.h>

#include <cerrno>

#include "engine/rule_catalogue.h"
#include "engine_events.h"

namespace duraudit::test {
namespace {

using namespace rule_id;

// PostgreSQL's socket: bound at start, unlinked at shutdown.
TEST(NonRegularFiles, UnlinkingABoundSocketDeletesNoFile) {
  Sim sim;
  sim.exists("/run/pg/");
  auto p = sim.proc(40, "postgres");
  p.bind(5, "/run/pg/.s.PGSQL.5432");
  int fd = p.open("/run/pg/log");
  p.write(fd).close(fd);  // a dirty neighbour: never a successor
  sim.sleep(kSec);
  p.unlink("/run/pg/.s.PGSQL.5432");
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
  EXPECT_EQ(sim.count(kStateDeleted), 0u) << sim.dump();
}

// The same path then created as a regular file, unsynced: it succeeds a
// socket, not data, so there is nothing a crash loses twice. A durable
// regular file in its place does fire (the twin below).
TEST(NonRegularFiles, ASocketReplacedAtTheSamePathIsNoUnlinkBeforeDurable) {
  Sim sim;
  auto p = sim.proc(41, "app");
  p.bind(3, "/srv/app/ctl");
  p.unlink("/srv/app/ctl");
  int fd = p.open("/srv/app/ctl", O_WRONLY | O_CREAT | O_EXCL);
  p.write(fd).close(fd);
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
  EXPECT_EQ(sim.count(kStateDeleted), 0u) << sim.dump();
}

TEST(NonRegularFiles, ADurableFileReplacedAtTheSamePathStillFires) {
  Sim sim;
  sim.exists("/srv/app/ctl");
  auto p = sim.proc(41, "app");
  p.unlink("/srv/app/ctl");
  int fd = p.open("/srv/app/ctl", O_WRONLY | O_CREAT | O_EXCL);
  p.write(fd).close(fd);
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
}

TEST(NonRegularFiles, UnlinkingAFifoDeletesNoFile) {
  Sim sim;
  sim.exists("/var/spool/q/");
  auto p = sim.proc(42, "daemon");
  p.mkfifo("/var/spool/q/fifo");
  sim.sleep(kSec);
  p.unlink("/var/spool/q/fifo");
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 0u) << sim.dump();
  EXPECT_EQ(sim.count(kStateDeleted), 0u) << sim.dump();
  // created and removed before any sync: nothing for a crash to lose
  EXPECT_EQ(sim.count(kMissingDirFsync), 0u) << sim.dump();
}

// A socket left in place: its name holds no data, so its directory entry is
// not a missing-dir-fsync.
TEST(NonRegularFiles, ASocketNameIsNoMissingDirFsync) {
  Sim sim;
  auto p = sim.proc(43, "server");
  p.bind(3, "/run/srv/sock");
  sim.finish();
  EXPECT_EQ(sim.count(kMissingDirFsync), 0u) << sim.dump();
}

// A failed bind (the name was taken) binds nothing.
TEST(NonRegularFiles, AFailedBindChangesNothing) {
  Sim sim;
  sim.exists("/srv/app/ctl");
  auto p = sim.proc(44, "app");
  p.bind(3, "/srv/app/ctl");  // EADDRINUSE: the durable file stays a file
  p.unlink("/srv/app/ctl");
  int fd = p.open("/srv/app/ctl", O_WRONLY | O_CREAT | O_EXCL);
  p.write(fd).close(fd);
  sim.finish();
  EXPECT_EQ(sim.count(kUnlinkBeforeDurable), 1u) << sim.dump();
}

}  // namespace
}  // namespace duraudit::test
