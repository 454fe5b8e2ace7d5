// SPDX-License-Identifier: GPL-2.0-only
// A kept EvidenceRecord must read, once formatted, exactly like the evidence
// formatted from the live event: findings quote kept records (the open, the
// first write, an entry change) next to immediate ones.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fs.h>

#include "event/event_format.h"
#include "event/evidence_record.h"

namespace duraudit {
namespace {

Event base(Syscall sc, int64_t ret = 0) {
  Event ev;
  ev.seq = 42;
  ev.ts_ns = 1'000'000'123;
  ev.pid = 7;
  ev.tid = 8;
  ev.comm = "writer";
  ev.syscall = sc;
  ev.ret = ret;
  return ev;
}

std::vector<Event> samples() {
  std::vector<Event> v;
  Event open = base(Syscall::Openat, 3);
  open.path = "state.tmp";
  open.abs_path = "/data/state.tmp";
  open.flags = O_WRONLY | O_CREAT | O_TRUNC;
  open.arg = 0644;
  v.push_back(open);
  Event write = base(Syscall::Pwrite64, 4096);
  write.fd = 3;
  write.file.path = "/data/state.tmp";
  write.file.id = {1, 99};
  write.bytes = 4096;
  write.sync_write = true;
  v.push_back(write);
  Event close = base(Syscall::ImplicitClose);
  close.fd = -1;
  close.closed_fd = 5;
  close.close_reason = CloseReason::Exec;
  close.file.path = "/data/x";
  v.push_back(close);
  Event rename = base(Syscall::Renameat2);
  rename.path = "a";
  rename.abs_path = "/d/a";
  rename.path2 = "b";
  rename.abs_path2 = "/d/b";
  rename.flags = RENAME_NOREPLACE;
  v.push_back(rename);
  Event publish = base(Syscall::Linkat);  // O_TMPFILE published by fd
  publish.fd = 4;
  publish.file.id = {1, 100};
  publish.file.path = "/d";
  publish.abs_path2 = "/d/final";
  v.push_back(publish);
  Event symlink = base(Syscall::Symlinkat);
  symlink.path = "../target";
  symlink.abs_path = "/target";
  symlink.abs_path2 = "/d/link";
  v.push_back(symlink);
  Event rmdir = base(Syscall::Unlinkat);
  rmdir.abs_path = "/d/sub";
  rmdir.flags = AT_REMOVEDIR;
  v.push_back(rmdir);
  Event fcntl = base(Syscall::Fcntl, 9);
  fcntl.fd = 3;
  fcntl.arg = F_DUPFD_CLOEXEC;
  fcntl.arg2 = 9;
  v.push_back(fcntl);
  Event fork = base(Syscall::Fork, 1234);
  fork.child_pid = 1234;
  fork.child_tid = 1234;
  v.push_back(fork);
  Event exit = base(Syscall::Exit);
  exit.exit_code = 1 << 8;
  v.push_back(exit);
  Event failed = base(Syscall::Fsync, -5);
  failed.fd = 3;
  failed.file.path = "/data/state";
  v.push_back(failed);
  return v;
}

TEST(EvidenceRecord, FormatsExactlyLikeTheLiveEvent) {
  for (const Event& ev : samples()) {
    EvidenceEvent live = make_evidence(ev);
    EvidenceEvent kept = format_evidence(*keep_evidence(ev));
    SCOPED_TRACE(live.syscall + "(" + live.args + ")");
    EXPECT_EQ(kept.seq, live.seq);
    EXPECT_EQ(kept.ts_ns, live.ts_ns);
    EXPECT_EQ(kept.pid, live.pid);
    EXPECT_EQ(kept.tid, live.tid);
    EXPECT_EQ(kept.syscall, live.syscall);
    EXPECT_EQ(kept.args, live.args);
    EXPECT_EQ(kept.ret, live.ret);
  }
}

}  // namespace
}  // namespace duraudit
