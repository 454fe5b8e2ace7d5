// SPDX-License-Identifier: GPL-2.0-only
// Each strace format item, from the hand-written logs in tests/data/strace/hand_*.log
// and from single lines, parsed to the exact Event fields (event/event.h).
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <linux/falloc.h>
#include <unistd.h>

#include "strace/strace_args.h"
#include "strace/strace_line.h"
#include "strace/strace_source.h"
#include "strace_test_util.h"

namespace duraudit {
namespace {

using test::drain;
using test::strace_data;

std::vector<Event> load(const std::string& name, std::unique_ptr<StraceSource>* keep = nullptr) {
  std::string err;
  auto src = StraceSource::open(strace_data(name), &err);
  EXPECT_TRUE(src) << err;
  if (!src) return {};
  auto evs = drain(*src);
  if (keep) *keep = std::move(src);
  return evs;
}

std::vector<Event> parse(const std::string& text, std::unique_ptr<StraceSource>* keep = nullptr) {
  auto src = StraceSource::from_string(text);
  auto evs = drain(*src);
  if (keep) *keep = std::move(src);
  return evs;
}

// ---------------------------------------------------------------- syscalls

class StraceSyscalls : public ::testing::Test {
 protected:
  void SetUp() override {
    evs = load("hand_syscalls.log", &src);
    ASSERT_EQ(src->unparsed_lines(), 0u);
  }
  const Event& nth(Syscall s, int n = 0) {
    for (const auto& e : evs)
      if (e.syscall == s && n-- == 0) return e;
    ADD_FAILURE() << "no " << syscall_name(s);
    static Event none;
    return none;
  }
  std::unique_ptr<StraceSource> src;
  std::vector<Event> evs;
};

TEST_F(StraceSyscalls, HeaderFields) {
  // 48 known calls (exit_group no event) + the exit.
  EXPECT_EQ(evs.size(), 48u);
  EXPECT_EQ(src->stats().unknown_syscalls, 0u);
  for (size_t i = 0; i < evs.size(); ++i) {
    EXPECT_EQ(evs[i].seq, i + 1);
    EXPECT_EQ(evs[i].pid, 100);
    EXPECT_EQ(evs[i].tid, 100);
    EXPECT_EQ(evs[i].comm, "my-app");
    // No timestamps: line number * 1000 (mmap and exit_group, lines 47-48, yield none).
    EXPECT_EQ(evs[i].ts_ns, (i + 1 < evs.size() ? i + 1 : 49) * 1000);
  }
  const Event& ex = nth(Syscall::Exec);
  EXPECT_EQ(ex.path, "/usr/local/bin/my-app");
  EXPECT_EQ(ex.ret, 0);
}

TEST_F(StraceSyscalls, OpenFamily) {
  const Event& o = nth(Syscall::Open);
  EXPECT_EQ(o.path, "/data/a");
  EXPECT_EQ(o.flags, static_cast<uint64_t>(O_WRONLY | O_CREAT | O_TRUNC));
  EXPECT_EQ(o.arg, 0644u);
  EXPECT_EQ(o.ret, 3);
  EXPECT_EQ(o.dirfd, AT_FDCWD);
  const Event& a = nth(Syscall::Openat);
  EXPECT_EQ(a.dirfd, AT_FDCWD);
  EXPECT_EQ(a.path, "b");
  EXPECT_EQ(a.flags, static_cast<uint64_t>(O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(a.arg, 0u);
  EXPECT_EQ(a.ret, 4);
  const Event& b = nth(Syscall::Openat, 1);
  EXPECT_EQ(b.dirfd, 4);
  EXPECT_EQ(b.flags, static_cast<uint64_t>(O_RDWR | O_CREAT | O_EXCL));
  EXPECT_EQ(b.arg, 0600u);
  const Event& c = nth(Syscall::Openat2);
  EXPECT_EQ(c.path, "/data/d");
  EXPECT_EQ(c.flags, static_cast<uint64_t>(O_WRONLY | O_CREAT | O_APPEND));
  EXPECT_EQ(c.arg, 0640u);
  EXPECT_EQ(c.ret, 6);
  const Event& d = nth(Syscall::Creat);
  EXPECT_EQ(d.path, "/data/e");
  EXPECT_EQ(d.flags, static_cast<uint64_t>(O_CREAT | O_WRONLY | O_TRUNC));
  EXPECT_EQ(d.arg, 0666u);
  EXPECT_EQ(d.ret, 7);
}

TEST_F(StraceSyscalls, FdTable) {
  EXPECT_EQ(nth(Syscall::Close).fd, 7);
  const Event& cr = nth(Syscall::CloseRange);
  EXPECT_EQ(cr.fd, 8);
  EXPECT_EQ(static_cast<uint32_t>(cr.fd2), 0xffffffffu);  // ~0U
  EXPECT_EQ(cr.flags, static_cast<uint64_t>(CLOSE_RANGE_CLOEXEC));
  const Event& cr2 = nth(Syscall::CloseRange, 1);
  EXPECT_EQ(cr2.fd, 3);
  EXPECT_EQ(cr2.fd2, 10);
  EXPECT_EQ(cr2.flags, 0u);
  EXPECT_EQ(nth(Syscall::Dup).fd, 3);
  EXPECT_EQ(nth(Syscall::Dup).ret, 8);
  EXPECT_EQ(nth(Syscall::Dup2).fd, 3);
  EXPECT_EQ(nth(Syscall::Dup2).fd2, 9);
  EXPECT_EQ(nth(Syscall::Dup3).fd2, 10);
  EXPECT_EQ(nth(Syscall::Dup3).flags, static_cast<uint64_t>(O_CLOEXEC));
  const Event& f0 = nth(Syscall::Fcntl, 0);
  EXPECT_EQ(f0.fd, 3);
  EXPECT_EQ(f0.arg, static_cast<uint64_t>(F_DUPFD));
  EXPECT_EQ(f0.arg2, 20u);
  EXPECT_EQ(f0.ret, 20);
  EXPECT_EQ(nth(Syscall::Fcntl, 1).arg, static_cast<uint64_t>(F_DUPFD_CLOEXEC));
  EXPECT_EQ(nth(Syscall::Fcntl, 1).ret, 21);
  EXPECT_EQ(nth(Syscall::Fcntl, 2).arg, static_cast<uint64_t>(F_SETFD));
  EXPECT_EQ(nth(Syscall::Fcntl, 2).arg2, static_cast<uint64_t>(FD_CLOEXEC));
  EXPECT_EQ(nth(Syscall::Fcntl, 3).arg, static_cast<uint64_t>(F_GETFL));
  EXPECT_EQ(nth(Syscall::Fcntl, 3).ret, 0x8001);
}

TEST_F(StraceSyscalls, WriteFamily) {
  EXPECT_EQ(nth(Syscall::Write).fd, 3);
  EXPECT_EQ(nth(Syscall::Write).bytes, 6u);
  EXPECT_EQ(nth(Syscall::Pwrite64).bytes, 3u);
  EXPECT_EQ(nth(Syscall::Writev).bytes, 4u);
  EXPECT_EQ(nth(Syscall::Pwritev).bytes, 3u);
  EXPECT_EQ(nth(Syscall::Pwritev2).bytes, 1u);
  EXPECT_EQ(nth(Syscall::Pwritev2).flags, static_cast<uint64_t>(RWF_DSYNC));
  EXPECT_EQ(nth(Syscall::Ftruncate).fd, 3);
  EXPECT_EQ(nth(Syscall::Ftruncate).arg, 0u);
  EXPECT_EQ(nth(Syscall::Truncate).path, "/data/a");
  EXPECT_EQ(nth(Syscall::Truncate).arg, 1024u);
  const Event& fa = nth(Syscall::Fallocate);
  EXPECT_EQ(fa.fd, 3);
  EXPECT_EQ(fa.flags, static_cast<uint64_t>(FALLOC_FL_KEEP_SIZE));
  EXPECT_EQ(fa.arg, 65536u);
  const Event& cfr = nth(Syscall::CopyFileRange);
  EXPECT_EQ(cfr.fd, 3) << "target fd";
  EXPECT_EQ(cfr.fd2, 4) << "source fd";
  EXPECT_EQ(cfr.bytes, 4096u);
  const Event& sf = nth(Syscall::Sendfile);
  EXPECT_EQ(sf.fd, 3);
  EXPECT_EQ(sf.fd2, 4);
  EXPECT_EQ(sf.bytes, 8192u);
}

TEST_F(StraceSyscalls, Syncs) {
  EXPECT_EQ(nth(Syscall::Fsync).fd, 3);
  EXPECT_EQ(nth(Syscall::Fdatasync).fd, 5);
  EXPECT_EQ(nth(Syscall::Sync).ret, 0);
  EXPECT_EQ(nth(Syscall::Syncfs).fd, 6);
  EXPECT_EQ(nth(Syscall::SyncFileRange).fd, 3);
  EXPECT_EQ(nth(Syscall::SyncFileRange).flags, static_cast<uint64_t>(SYNC_FILE_RANGE_WAIT_BEFORE |
                                                                     SYNC_FILE_RANGE_WRITE |
                                                                     SYNC_FILE_RANGE_WAIT_AFTER));
  EXPECT_EQ(nth(Syscall::Msync).flags, static_cast<uint64_t>(MS_SYNC));
}

TEST_F(StraceSyscalls, Namespace) {
  EXPECT_EQ(nth(Syscall::Rename).path, "/data/a");
  EXPECT_EQ(nth(Syscall::Rename).path2, "/data/a2");
  const Event& ra = nth(Syscall::Renameat);
  EXPECT_EQ(ra.dirfd, AT_FDCWD);
  EXPECT_EQ(ra.path, "x");
  EXPECT_EQ(ra.dirfd2, 4);
  EXPECT_EQ(ra.path2, "y");
  EXPECT_EQ(nth(Syscall::Renameat2).flags, static_cast<uint64_t>(RENAME_EXCHANGE));
  EXPECT_EQ(nth(Syscall::Link).path, "/data/a2");
  EXPECT_EQ(nth(Syscall::Link).path2, "/data/a3");
  const Event& la = nth(Syscall::Linkat);
  EXPECT_EQ(la.path, "");
  EXPECT_EQ(la.dirfd2, 5);
  EXPECT_EQ(la.path2, "named");
  EXPECT_EQ(la.flags, static_cast<uint64_t>(AT_EMPTY_PATH));
  EXPECT_EQ(nth(Syscall::Symlink).path, "target") << "target in path";
  EXPECT_EQ(nth(Syscall::Symlink).path2, "/data/lnk") << "linkpath in path2";
  const Event& sa = nth(Syscall::Symlinkat);
  EXPECT_EQ(sa.path, "../t2");
  EXPECT_EQ(sa.dirfd2, 4);
  EXPECT_EQ(sa.path2, "lnk2");
  EXPECT_EQ(sa.dirfd, AT_FDCWD);
  EXPECT_EQ(nth(Syscall::Unlink).path, "/data/a3");
  const Event& ua = nth(Syscall::Unlinkat);
  EXPECT_EQ(ua.dirfd, 4);
  EXPECT_EQ(ua.path, "sub");
  EXPECT_EQ(ua.flags, static_cast<uint64_t>(AT_REMOVEDIR));
  EXPECT_EQ(nth(Syscall::Mkdir).path, "/data/dir");
  EXPECT_EQ(nth(Syscall::Mkdir).arg, 0755u);
  EXPECT_EQ(nth(Syscall::Mkdirat).path, "rel");
  EXPECT_EQ(nth(Syscall::Mkdirat).arg, 0700u);
  EXPECT_EQ(nth(Syscall::Rmdir).path, "/data/dir");
  EXPECT_EQ(nth(Syscall::Chdir).path, "/data");
  EXPECT_EQ(nth(Syscall::Fchdir).fd, 4);
}

TEST_F(StraceSyscalls, ExitEvent) {
  const Event& x = evs.back();
  EXPECT_EQ(x.syscall, Syscall::Exit);
  EXPECT_TRUE(x.group_dead);
  EXPECT_EQ(x.exit_code, 0);
}

// ---------------------------------------------------------------- threads

// bind of a unix socket at a path and mknod/mknodat (mkfifo): names that are
// not regular files. Abstract, unnamed, inet and failed binds name nothing.
TEST(StraceNodes, UnixBindsAndMknod) {
  std::unique_ptr<StraceSource> src;
  auto evs = parse(
      "7 bind(3, {sa_family=AF_UNIX, sun_path=\"/x/.s.PGSQL.5432\"}, 110) = 0\n"
      "7 bind(4, {sa_family=AF_UNIX, sun_path=@\"abstract\"}, 11) = 0\n"
      "7 bind(5, {sa_family=AF_INET, sin_port=htons(5432), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0\n"
      "7 bind(6, {sa_family=AF_UNIX, sun_path=\"/x/taken\"}, 110) = -1 EADDRINUSE (Address already in use)\n"
      "7 mknodat(AT_FDCWD, \"p\", S_IFIFO|0644) = 0\n"
      "7 mknod(\"/dev/shm/q\", S_IFIFO|0600) = 0\n"
      "7 mknodat(3</srv>, \"fifo\", S_IFIFO|0640, 0) = 0\n",
      &src);
  EXPECT_EQ(src->unparsed_lines(), 0u);
  ASSERT_EQ(evs.size(), 4u);
  EXPECT_EQ(evs[0].syscall, Syscall::Bind);
  EXPECT_EQ(evs[0].fd, 3);
  EXPECT_EQ(evs[0].path, "/x/.s.PGSQL.5432");
  EXPECT_EQ(evs[0].ret, 0);
  EXPECT_EQ(evs[1].syscall, Syscall::Mknodat);
  EXPECT_EQ(evs[1].dirfd, AT_FDCWD);
  EXPECT_EQ(evs[1].path, "p");
  EXPECT_EQ(evs[1].arg, static_cast<uint64_t>(S_IFIFO | 0644));
  EXPECT_EQ(evs[2].syscall, Syscall::Mknod);
  EXPECT_EQ(evs[2].path, "/dev/shm/q");
  EXPECT_EQ(evs[2].arg, static_cast<uint64_t>(S_IFIFO | 0600));
  EXPECT_EQ(evs[3].syscall, Syscall::Mknodat);
  EXPECT_EQ(evs[3].dirfd, 3);
  EXPECT_EQ(evs[3].path, "/srv/fifo") << "anchored at the dirfd's decoration";
}

// io_uring and Linux AIO calls, as strace 6.x prints them (from fio runs):
// each becomes an event of its row, whatever its structs and opcodes look
// like, split or not; the calls that repeat are kept once per thread (and
// once more when they fail).
TEST(StraceAsyncIo, IoUringAndAioCallsDecode) {
  std::unique_ptr<StraceSource> src;
  auto evs = parse(
      "7 io_uring_setup(1, {flags=IORING_SETUP_CQSIZE|IORING_SETUP_COOP_TASKRUN|0x3000, sq_thread_cpu=0, "
      "sq_thread_idle=0, sq_entries=1, cq_entries=1, features=IORING_FEAT_SINGLE_MMAP|0x3e000, sq_off={head=0, "
      "tail=4}, cq_off={head=8, tail=12}}) = 6<anon_inode:[io_uring]>\n"
      "7 io_uring_register(6<anon_inode:[io_uring]>, IORING_REGISTER_PROBE, {last_op=62 /* IORING_OP_??? */, "
      "ops_len=63, ops=[{op=IORING_OP_NOP, flags=IO_URING_OP_SUPPORTED}, ...]}, 256) = 0\n"
      "7 io_uring_enter(6<anon_inode:[io_uring]>, 1, 0, IORING_ENTER_GETEVENTS, NULL, 0) = 1\n"
      "7 io_uring_enter(6<anon_inode:[io_uring]>, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0 <unfinished ...>\n"
      "8 io_setup(1,  <unfinished ...>\n"
      "7 <... io_uring_enter resumed>) = 0\n"
      "8 <... io_setup resumed>[0x7f9509d2d000]) = 0\n"
      "7 io_uring_enter(6<anon_inode:[io_uring]>, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0) = -1 EINTR "
      "(Interrupted system call)\n"
      "7 io_uring_enter(6<anon_inode:[io_uring]>, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0) = -1 EINTR "
      "(Interrupted system call)\n"
      "8 io_submit(0x7f9509d2d000, 1, [{aio_data=0, aio_lio_opcode=IOCB_CMD_PWRITE, aio_fildes=6</d/g>, "
      "aio_buf=\"\\0\\0\\0\\0\"..., aio_nbytes=4096, aio_offset=0}] <unfinished ...>\n"
      "8 <... io_submit resumed>) = 1\n"
      "8 io_getevents(0x7f9509d2d000, 1, 1,  <unfinished ...>\n"
      "8 <... io_getevents resumed>[{data=0, obj=0x56092ca9d8c8, res=4096, res2=0}], NULL) = 1\n"
      "8 io_submit(0x7f9509d2d000, 1, [{aio_data=0, aio_lio_opcode=IOCB_CMD_FSYNC, aio_fildes=6</d/g>}]) = 1\n"
      "8 io_getevents(0x7f9509d2d000, 1, 1, [{data=0, obj=0x56092ca9d8c8, res=0, res2=0}], NULL) = 1\n"
      "8 io_pgetevents(0x7f9509d2d000, 1, 1, [{data=0, obj=0x56092ca9d8c8, res=4096, res2=0}], NULL, "
      "{sigmask=[], sigsetsize=8}) = 1\n",
      &src);
  for (const auto& e : src->parse_errors()) ADD_FAILURE() << e.line << ": " << e.reason << ": " << e.text;
  EXPECT_EQ(src->unparsed_lines(), 0u);
  std::vector<std::string> names;
  for (const auto& e : evs) names.push_back(std::string(syscall_name(e.syscall)) + ":" + std::to_string(e.tid));
  EXPECT_EQ(names, (std::vector<std::string>{"io_uring_setup:7", "io_uring_register:7", "io_uring_enter:7",
                                             "io_setup:8", "io_uring_enter:7", "io_submit:8", "io_getevents:8",
                                             "io_pgetevents:8"}));
  ASSERT_EQ(evs.size(), 8u);
  EXPECT_EQ(evs[0].syscall, Syscall::IoUringSetup);
  EXPECT_EQ(evs[0].arg, 1u) << "entries";
  EXPECT_EQ(evs[0].ret, 6);
  EXPECT_EQ(evs[1].fd, 6);
  EXPECT_EQ(evs[1].arg, 0u) << "an opcode strace names is left 0, not a malformed line";
  EXPECT_EQ(evs[2].fd, 6);
  EXPECT_EQ(evs[2].ret, 1);
  EXPECT_EQ(evs[3].syscall, Syscall::IoSetup);
  EXPECT_EQ(evs[3].ret, 0);
  EXPECT_EQ(evs[3].arg, 1u);
  EXPECT_EQ(evs[4].ret, -EINTR) << "a failed io_uring_enter is kept once too";
  EXPECT_EQ(evs[5].syscall, Syscall::IoSubmit);
  EXPECT_EQ(evs[5].arg, 1u) << "nr";
  EXPECT_EQ(evs[5].ret, 1);
  EXPECT_EQ(evs[6].syscall, Syscall::IoGetevents);
  EXPECT_EQ(evs[7].syscall, Syscall::IoPgetevents);
  for (const auto& e : evs) EXPECT_TRUE(is_async_io_syscall(e.syscall)) << syscall_name(e.syscall);
  // The repeats: io_uring_enter's second success and second EINTR, the
  // second io_submit and the second io_getevents.
  EXPECT_EQ(src->stats().repeated_async_calls, 4u);
  EXPECT_EQ(src->stats().unreturned_calls, 0u);
}

// A thread that exits leaves its tid to be reused: the next thread with it
// has its first io_uring_enter kept.
TEST(StraceAsyncIo, RepeatsAreCountedPerThreadUntilItExits) {
  std::unique_ptr<StraceSource> src;
  auto evs = parse(
      "7 io_uring_setup(8, {flags=0}) = 3<anon_inode:[io_uring]>\n"
      "7 clone(child_stack=0x7f00, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) = 9\n"
      "9 io_uring_enter(3, 1, 1, IORING_ENTER_GETEVENTS, NULL, 8) = 1\n"
      "9 io_uring_enter(3, 1, 1, IORING_ENTER_GETEVENTS, NULL, 8) = 1\n"
      "7 io_uring_enter(3, 1, 1, IORING_ENTER_GETEVENTS, NULL, 8) = 1\n"
      "9 +++ exited with 0 +++\n"
      "7 clone(child_stack=0x7f00, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) = 9\n"
      "9 io_uring_enter(3, 1, 1, IORING_ENTER_GETEVENTS, NULL, 8) = 1\n",
      &src);
  EXPECT_EQ(src->unparsed_lines(), 0u);
  size_t enters = 0;
  for (const auto& e : evs)
    if (e.syscall == Syscall::IoUringEnter) {
      ++enters;
      EXPECT_EQ(e.pid, 7) << "a thread's call belongs to its process";
    }
  EXPECT_EQ(enters, 3u);
  EXPECT_EQ(src->stats().repeated_async_calls, 1u);
}

TEST(StraceThreads, InterleavedUnfinishedResumed) {
  std::unique_ptr<StraceSource> src;
  auto evs = load("hand_threads_unfinished.log", &src);
  for (const auto& e : src->parse_errors()) ADD_FAILURE() << e.line << ": " << e.reason << ": " << e.text;
  ASSERT_EQ(src->unparsed_lines(), 0u);
  // exec, fork, openat(201), openat(200), write(201), write(200), fsync(202),
  // fsync(201), rename(201), exit 201, exit 202, exit 200
  std::vector<std::string> names;
  for (const auto& e : evs) names.push_back(std::string(syscall_name(e.syscall)) + ":" + std::to_string(e.tid));
  EXPECT_EQ(names, (std::vector<std::string>{"exec:200", "fork:200", "openat:201", "openat:200", "write:201",
                                             "write:200", "fsync:201", "fsync:202", "rename:201", "exit:201",
                                             "exit:202", "exit:200"}));
  auto tod = [](int us) { return 10ull * 3600 * 1000000000ull + us * 1000ull; };
  const Event& fork = evs[1];
  EXPECT_TRUE(fork.is_thread);
  EXPECT_TRUE(fork.shares_files);
  EXPECT_EQ(fork.child_pid, 200);
  EXPECT_EQ(fork.child_tid, 201);
  EXPECT_EQ(fork.ret, 201);
  EXPECT_EQ(fork.ts_ns, tod(200)) << "time of the call's start";
  const Event& open1 = evs[2];
  EXPECT_EQ(open1.pid, 200) << "a thread's events belong to its group";
  EXPECT_EQ(open1.path, "/data/t1.tmp");
  EXPECT_EQ(open1.arg, 0644u);
  EXPECT_EQ(open1.ret, 3);
  EXPECT_EQ(open1.ts_ns, tod(300));
  EXPECT_EQ(open1.comm, "worker");
  EXPECT_EQ(evs[3].ret, 4);
  EXPECT_EQ(evs[3].ts_ns, tod(500));
  EXPECT_EQ(evs[4].bytes, 3u);
  EXPECT_EQ(evs[5].bytes, 4u);
  // tid 202 appears without a clone: a thread of the traced process. Its
  // split fsync is delivered at the resume, after 201's complete one.
  EXPECT_EQ(evs[7].tid, 202);
  EXPECT_EQ(evs[7].pid, 200);
  EXPECT_EQ(evs[7].fd, 4);
  EXPECT_EQ(evs[7].ts_ns, tod(1200));
  EXPECT_EQ(evs[6].ts_ns, tod(1300));
  EXPECT_EQ(evs[8].path2, "/data/t1");
  EXPECT_FALSE(evs[9].group_dead);
  EXPECT_FALSE(evs[10].group_dead);
  EXPECT_TRUE(evs[11].group_dead);
  EXPECT_EQ(evs[11].pid, 200) << "a line without a pid prefix is the traced process";
  // fsync(5 "<unfinished ...>) = ?" never returned; exit_group does not count.
  EXPECT_EQ(src->stats().unreturned_calls, 1u);
}

TEST(StraceThreads, ResumeMustMatchItsStart) {
  std::unique_ptr<StraceSource> src;
  auto evs = parse("[pid 1] fsync(3 <unfinished ...>\n[pid 2] <... fsync resumed>) = 0\n", &src);
  EXPECT_TRUE(evs.empty());
  EXPECT_EQ(src->unparsed_lines(), 1u);
  EXPECT_EQ(src->parse_errors().at(0).line, 2u);
  EXPECT_EQ(src->stats().unreturned_calls, 1u);  // pid 1's fsync never resumed
}

TEST(StraceThreads, ExecFromNonLeaderThreadResumesUnderLeaderPid) {
  std::unique_ptr<StraceSource> src;
  auto evs = parse(
      "[pid 30] execve(\"/bin/true\", [\"true\"], 0x7f /* 1 var */ <unfinished ...>\n"
      "[pid 29] +++ superseded by execve in pid 30 +++\n"
      "[pid 29] <... execve resumed>) = 0\n",
      &src);
  EXPECT_EQ(src->unparsed_lines(), 0u);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].syscall, Syscall::Exec);
  EXPECT_EQ(evs[0].tid, 29);
  EXPECT_EQ(evs[0].comm, "true");
}

// ---------------------------------------------------------------- fork family

TEST(StraceForks, CloneForkVforkClone3) {
  std::unique_ptr<StraceSource> src;
  auto evs = load("hand_fork_family.log", &src);
  ASSERT_EQ(src->unparsed_lines(), 0u);
  auto find = [&](Syscall s, int32_t tid, int n = 0) -> const Event& {
    for (const auto& e : evs)
      if (e.syscall == s && e.tid == tid && n-- == 0) return e;
    ADD_FAILURE() << "no " << syscall_name(s) << " by " << tid;
    static Event none;
    return none;
  };
  // clone with SIGCHLD: a process, delivered before its child's exec
  // although the parent's clone returned after it.
  const Event& c1 = find(Syscall::Fork, 500, 0);
  EXPECT_EQ(c1.child_pid, 501);
  EXPECT_EQ(c1.child_tid, 501);
  EXPECT_FALSE(c1.is_thread);
  EXPECT_FALSE(c1.shares_files);
  EXPECT_EQ(c1.flags, static_cast<uint64_t>(CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD));
  EXPECT_EQ(c1.comm, "sh");
  EXPECT_LT(c1.seq, find(Syscall::Exec, 501).seq);
  EXPECT_EQ(find(Syscall::Openat, 501).comm, "cp");
  EXPECT_EQ(find(Syscall::Openat, 501).pid, 501);
  const Event& vf = find(Syscall::Fork, 500, 1);
  EXPECT_EQ(vf.child_pid, 502);
  EXPECT_EQ(vf.flags, static_cast<uint64_t>(CLONE_VM | CLONE_VFORK | SIGCHLD));
  EXPECT_LT(vf.seq, find(Syscall::Rename, 502).seq);
  EXPECT_EQ(find(Syscall::Exit, 502).exit_code, 1 << 8);
  EXPECT_TRUE(find(Syscall::Exit, 502).group_dead);
  const Event& fk = find(Syscall::Fork, 500, 2);
  EXPECT_EQ(fk.child_pid, 503);
  EXPECT_EQ(find(Syscall::Write, 503).comm, "sh") << "a forked child inherits comm";
  const Event& th = find(Syscall::Fork, 500, 3);
  EXPECT_TRUE(th.is_thread);
  EXPECT_TRUE(th.shares_files);
  EXPECT_EQ(th.child_pid, 500);
  EXPECT_EQ(th.child_tid, 504);
  EXPECT_EQ(find(Syscall::Write, 504).pid, 500);
  EXPECT_FALSE(find(Syscall::Exit, 504).group_dead);
  EXPECT_EQ(find(Syscall::Write, 505).pid, 500) << "tid without clone: thread of the traced process";
  const Event& cf = find(Syscall::Fork, 500, 4);
  EXPECT_EQ(cf.child_pid, 506);
  EXPECT_FALSE(cf.is_thread);
  EXPECT_TRUE(cf.shares_files);
  // failed clone and failed execve: no event
  int forks = 0, execs = 0;
  for (const auto& e : evs) {
    forks += e.syscall == Syscall::Fork;
    execs += e.syscall == Syscall::Exec && e.pid == 500;
  }
  EXPECT_EQ(forks, 5);
  EXPECT_EQ(execs, 1);
}

TEST(StraceForks, Clone3Flags) {
  auto evs = parse(
      "7 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f, stack_size=0x9000}, 88) = 8\n");
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].flags, static_cast<uint64_t>(CLONE_VM | CLONE_VFORK));
  EXPECT_EQ(evs[0].child_pid, 8);
  EXPECT_FALSE(evs[0].is_thread);
}

// ---------------------------------------------------------------- strings & decorations

TEST(StraceStrings, EscapesHexAndDecorations) {
  std::unique_ptr<StraceSource> src;
  auto evs = load("hand_escapes_decorations.log", &src);
  for (const auto& e : src->parse_errors()) ADD_FAILURE() << e.line << ": " << e.reason << ": " << e.text;
  ASSERT_EQ(evs.size(), 12u);
  EXPECT_EQ(evs[0].path, "/tmp/q\"uote\\back\nnl\ttab");
  EXPECT_EQ(evs[0].dirfd, AT_FDCWD);
  EXPECT_EQ(evs[0].ret, 3);
  EXPECT_EQ(evs[1].path, "/tmp/oct\xc3\xa9\x01" "end");
  EXPECT_EQ(evs[2].path, "/tmp/hex");
  EXPECT_EQ(evs[3].fd, 3);
  EXPECT_EQ(evs[3].bytes, 4096u);
  EXPECT_EQ(evs[4].fd, 1);
  EXPECT_EQ(evs[5].fd, 6);
  EXPECT_EQ(evs[6].fd, 7);
  EXPECT_EQ(evs[7].fd, 8);
  EXPECT_EQ(evs[8].syscall, Syscall::Fsync);
  EXPECT_EQ(evs[9].dirfd, 3);
  // Relative paths next to a decorated dirfd are anchored at the decoration.
  EXPECT_EQ(evs[9].path, "/tmp/dir (1)/a>b");
  EXPECT_EQ(evs[9].dirfd2, AT_FDCWD);
  EXPECT_EQ(evs[9].path2, "/home/u/c<d");
  EXPECT_EQ(evs[9].flags, static_cast<uint64_t>(RENAME_NOREPLACE));
  EXPECT_EQ(evs[10].path, "") << "unreadable pointer: path unknown";
  EXPECT_EQ(evs[10].ret, -EFAULT);
  EXPECT_EQ(evs[11].exit_code, 3 << 8);
}

TEST(StraceStrings, Unescape) {
  EXPECT_EQ(strace_unescape(R"(a\"b\\c\n\t\r\v\f\0\101\x41\x4a)"), std::string("a\"b\\c\n\t\r\v\f\0AAJ", 14));
  bool trunc = false;
  EXPECT_EQ(*strace_string(R"("abc"...)", &trunc), "abc");
  EXPECT_TRUE(trunc);
  EXPECT_EQ(*strace_string(R"("abc")", &trunc), "abc");
  EXPECT_FALSE(trunc);
  EXPECT_FALSE(strace_string("0x7ffd1234"));
}

TEST(StraceStrings, FlagsAndConstants) {
  EXPECT_EQ(strace_flags("O_WRONLY|O_CREAT|O_TRUNC"), static_cast<uint64_t>(O_WRONLY | O_CREAT | O_TRUNC));
  EXPECT_EQ(strace_flags("O_RDONLY|O_CLOEXEC"), static_cast<uint64_t>(O_CLOEXEC));
  EXPECT_EQ(strace_flags("O_RDWR|0x200000 /* O_??? */"), static_cast<uint64_t>(O_RDWR | 0x200000));
  EXPECT_EQ(strace_flags("O_WRONLY|O_LARGEFILE"), static_cast<uint64_t>(O_WRONLY | 0100000));
  EXPECT_EQ(*strace_int("AT_FDCWD"), AT_FDCWD);
  EXPECT_EQ(*strace_int("AT_FDCWD</home/u>"), AT_FDCWD);
  EXPECT_EQ(*strace_int("3<TCP:[1.2.3.4:5->6.7.8.9:10]>"), 3);
  EXPECT_EQ(*strace_int("0644"), 0644);
  EXPECT_EQ(*strace_int("-1"), -1);
  EXPECT_EQ(*strace_int("~0U"), 0xffffffffLL);
  EXPECT_EQ(strace_flags("CLONE_VM|CLONE_THREAD|SIGCHLD"), static_cast<uint64_t>(CLONE_VM | CLONE_THREAD | SIGCHLD));
  EXPECT_EQ(*strace_field("{flags=O_RDONLY|O_CLOEXEC, mode=0, resolve=0}", "flags"), "O_RDONLY|O_CLOEXEC");
}

// ---------------------------------------------------------------- errors, signals, exits

TEST(StraceErrors, ErrnoSignalsUnreturnedKilled) {
  std::unique_ptr<StraceSource> src;
  auto evs = load("hand_errors_signals.log", &src);
  ASSERT_EQ(src->unparsed_lines(), 0u);
  ASSERT_EQ(evs.size(), 5u);
  EXPECT_EQ(evs[0].ret, -ENOENT);
  EXPECT_TRUE(evs[0].failed());
  EXPECT_EQ(evs[0].ts_ns, 12ull * 3600 * 1000000000ull);
  EXPECT_EQ(evs[1].ret, -EEXIST);
  EXPECT_EQ(evs[2].syscall, Syscall::Fsync);
  EXPECT_EQ(evs[2].ret, -EIO);
  EXPECT_EQ(evs[3].syscall, Syscall::Unlink);
  EXPECT_EQ(evs[3].ret, -EACCES);
  EXPECT_EQ(evs[4].syscall, Syscall::Exit);
  EXPECT_EQ(evs[4].exit_code, SIGKILL);
  EXPECT_TRUE(evs[4].group_dead);
  EXPECT_EQ(evs[4].ts_ns, (12ull * 3600 + 5) * 1000000000ull);
  EXPECT_EQ(src->stats().signals, 2u);
  EXPECT_EQ(src->stats().unreturned_calls, 1u);  // write = ?  (read is not ours)
  EXPECT_EQ(src->stats().unknown_syscalls, 2u);  // read, some_new_syscall
  EXPECT_FALSE(src->assumed_writes()) << "a write call is present, even unreturned";
  EXPECT_EQ(src->losses().at("strace_unreturned_calls"), 1u);
}

TEST(StraceErrors, GarbageCountedWithLineNumbers) {
  std::unique_ptr<StraceSource> src;
  auto evs = load("hand_garbage.log", &src);
  EXPECT_EQ(src->unparsed_lines(), 8u);
  ASSERT_EQ(src->parse_errors().size(), StraceSource::kKeptErrors);
  std::vector<uint64_t> lines;
  for (const auto& e : src->parse_errors()) {
    lines.push_back(e.line);
    EXPECT_FALSE(e.reason.empty());
    EXPECT_NE(e.file.find("hand_garbage.log"), std::string::npos);
  }
  EXPECT_EQ(lines, (std::vector<uint64_t>{2, 3, 4, 5, 10}));
  EXPECT_EQ(src->parse_errors()[0].text, "this is not strace output");
  // The good lines still count: 2 opens, 1 close.
  EXPECT_EQ(evs.size(), 3u);
  EXPECT_EQ(src->losses().at("strace_unparsed_lines"), 8u);
}

TEST(StraceErrors, MissingFileIsAClearError) {
  std::string err;
  EXPECT_FALSE(StraceSource::open("/nonexistent/trace.log", &err));
  EXPECT_NE(err.find("cannot read strace log /nonexistent/trace.log"), std::string::npos) << err;
  EXPECT_FALSE(StraceSource::open("/tmp", &err));
  EXPECT_NE(err.find("is a directory"), std::string::npos) << err;
}

// ---------------------------------------------------------------- timestamps

TEST(StraceTimestamps, RelativeAndDurations) {
  std::unique_ptr<StraceSource> src;
  auto evs = load("hand_timestamps_r_T.log", &src);
  ASSERT_EQ(src->unparsed_lines(), 0u);
  ASSERT_EQ(evs.size(), 4u);
  EXPECT_EQ(evs[0].ts_ns, 0u);
  EXPECT_EQ(evs[0].ret, 3);
  EXPECT_EQ(evs[1].ts_ns, 150000u);
  EXPECT_EQ(evs[2].ts_ns, 1500150000u) << "split call: time of its start";
  EXPECT_EQ(evs[2].ret, -EBADF);
  EXPECT_EQ(evs[3].ts_ns, 1500260000u);
}

TEST(StraceTimestamps, EpochSecondsWithAnyPrecision) {
  auto evs = load("hand_ttt.log");
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].ts_ns, 1700000000123456000ull);
  EXPECT_EQ(evs[1].ts_ns, 1700000000123457789ull);
}

TEST(StraceTimestamps, TimeOfDayWrapsAtMidnight) {
  auto evs = load("hand_t_midnight.log");
  ASSERT_EQ(evs.size(), 3u);
  EXPECT_EQ(evs[0].ts_ns, 86399ull * 1000000000ull);
  EXPECT_EQ(evs[1].ts_ns, 86399ull * 1000000000ull + 999999000ull);
  EXPECT_EQ(evs[2].ts_ns, 86400ull * 1000000000ull + 1000ull);
}

// ---------------------------------------------------------------- filtered logs

TEST(StraceFiltered, AssumedWritesAfterWritableOpens) {
  std::unique_ptr<StraceSource> src;
  auto evs = load("hand_filtered.log", &src);
  EXPECT_TRUE(src->assumed_writes());
  EXPECT_EQ(src->stats().assumed_writes, 3u);
  std::vector<std::string> seq;
  for (const auto& e : evs) seq.push_back(std::string(syscall_name(e.syscall)) + ":" + std::to_string(e.fd));
  EXPECT_EQ(seq, (std::vector<std::string>{"openat:-1", "write:3", "openat:-1", "openat:-1", "write:5",
                                           "openat:-1", "creat:-1", "write:6", "close:3", "rename:-1", "exit:-1"}));
  const Event& w = evs[1];
  EXPECT_EQ(w.pid, 600);
  EXPECT_EQ(w.ts_ns, evs[0].ts_ns);
  EXPECT_EQ(w.ret, 0);
  EXPECT_EQ(w.bytes, 0u);
}

TEST(StraceFiltered, NoAssumptionWhenWritesPresent) {
  std::unique_ptr<StraceSource> src;
  auto evs = parse("1 openat(AT_FDCWD, \"/x\", O_WRONLY) = 3\n1 ftruncate(3, 0) = 0\n", &src);
  EXPECT_FALSE(src->assumed_writes());
  EXPECT_EQ(evs.size(), 2u);
}

// ---------------------------------------------------------------- -ff sets

TEST(StraceFF, SplicesChildrenAfterTheirForkWithoutTimestamps) {
  auto src = StraceSource::from_ff_strings({
      {10, "clone(child_stack=NULL, flags=SIGCHLD) = 11\nrename(\"a\", \"b\") = 0\n+++ exited with 0 +++\n"},
      {11, "openat(AT_FDCWD, \"a\", O_WRONLY|O_CREAT, 0644) = 3\nwrite(3, \"x\", 1) = 1\n+++ exited with 0 +++\n"},
  });
  EXPECT_EQ(src->files(), 2u);
  auto evs = drain(*src);
  std::vector<std::string> seq;
  for (const auto& e : evs) seq.push_back(std::string(syscall_name(e.syscall)) + ":" + std::to_string(e.pid));
  EXPECT_EQ(seq, (std::vector<std::string>{"fork:10", "openat:11", "write:11", "exit:11", "rename:10", "exit:10"}));
  for (size_t i = 0; i < evs.size(); ++i) EXPECT_EQ(evs[i].ts_ns, (i + 1) * 1000);
}

TEST(StraceFF, MergesByTimestamp) {
  auto src = StraceSource::from_ff_strings({
      {10, "1.000000 clone(child_stack=NULL, flags=SIGCHLD) = 11\n1700000003.000000 rename(\"a\", \"b\") = 0\n"},
      {11, "1700000002.000000 write(1, \"x\", 1) = 1\n"},
  });
  auto evs = drain(*src);
  // The first line's tiny stamp reads as -r: not all absolute, so splice order.
  ASSERT_EQ(evs.size(), 3u);
  auto src2 = StraceSource::from_ff_strings({
      {10, "1700000001.000000 clone(child_stack=NULL, flags=SIGCHLD) = 11\n1700000003.000000 rename(\"a\", \"b\") = 0\n"},
      {11, "1700000002.000000 write(1, \"x\", 1) = 1\n"},
      {12, "1700000000.500000 sync() = 0\n"},
  });
  evs = drain(*src2);
  std::vector<std::string> seq;
  for (const auto& e : evs) seq.push_back(std::string(syscall_name(e.syscall)) + ":" + std::to_string(e.tid));
  EXPECT_EQ(seq, (std::vector<std::string>{"sync:12", "fork:10", "write:11", "rename:10"}));
  EXPECT_EQ(evs[0].pid, 10) << "pid 12 has no clone: a thread of the traced process";
}

TEST(StraceFF, OpensPrefixFiles) {
  std::string err;
  auto src = StraceSource::open(strace_data("real_coreutils_ff.log"), &err);
  ASSERT_TRUE(src) << err;
  EXPECT_EQ(src->files(), 4u);
  EXPECT_EQ(src->unparsed_lines(), 0u);
}

// ---------------------------------------------------------------- line level

TEST(StraceLine, Prefixes) {
  StraceLine l;
  std::string err;
  ASSERT_TRUE(parse_strace_line("[pid  4242] 12:00:01.5 close(3) = 0", &l, &err)) << err;
  EXPECT_EQ(l.pid, 4242);
  EXPECT_EQ(l.time_kind, StraceTimeKind::TimeOfDay);
  EXPECT_EQ(l.time_ns, (12ull * 3600 + 1) * 1000000000ull + 500000000ull);
  EXPECT_EQ(l.name, "close");
  ASSERT_TRUE(parse_strace_line("4242  close(3) = 0", &l, &err));
  EXPECT_EQ(l.pid, 4242);
  EXPECT_EQ(l.time_kind, StraceTimeKind::None);
  ASSERT_TRUE(parse_strace_line("close(3) = 0 <0.000012>", &l, &err));
  EXPECT_EQ(l.pid, 0);
  EXPECT_EQ(l.text, "3) = 0");
  ASSERT_TRUE(parse_strace_line("[pid 7] <... openat resumed>) = 3</x>", &l, &err));
  EXPECT_EQ(l.kind, StraceLineKind::Resumed);
  EXPECT_EQ(l.text, ") = 3</x>");
  ASSERT_TRUE(parse_strace_line("7 +++ killed by SIGSEGV (core dumped) +++", &l, &err));
  EXPECT_EQ(l.kind, StraceLineKind::Killed);
  EXPECT_EQ(l.signal, SIGSEGV);
  ASSERT_TRUE(parse_strace_line("7 +++ superseded by execve in pid 8 +++", &l, &err));
  EXPECT_EQ(l.kind, StraceLineKind::Info);
}

TEST(StraceLine, CallResults) {
  StraceCall c;
  std::string err;
  ASSERT_TRUE(parse_strace_call("AT_FDCWD, \"/x\", O_RDONLY) = -1 ENOENT (No such file or directory)", &c, &err));
  EXPECT_EQ(c.args.size(), 3u);
  EXPECT_EQ(c.ret, -ENOENT);
  EXPECT_EQ(c.errno_name, "ENOENT");
  ASSERT_TRUE(parse_strace_call("NULL, 8192) = 0x7f479ad8d000", &c, &err));
  EXPECT_EQ(c.ret, 0x7f479ad8d000);
  ASSERT_TRUE(parse_strace_call("0) = ?", &c, &err));
  EXPECT_EQ(c.ret_kind, StraceRetKind::Unknown);
  ASSERT_TRUE(parse_strace_call("3, F_GETFD) = 0x1 (flags FD_CLOEXEC)", &c, &err));
  EXPECT_EQ(c.ret, 1);
  EXPECT_TRUE(c.errno_name.empty());
  ASSERT_TRUE(parse_strace_call(
      "-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 5841", &c, &err));
  EXPECT_EQ(c.args.size(), 4u);
  EXPECT_EQ(c.ret, 5841);
  EXPECT_FALSE(parse_strace_call("3, \"abc", &c, &err));
  EXPECT_FALSE(parse_strace_call("3)", &c, &err));
}

}  // namespace
}  // namespace duraudit
