// SPDX-License-Identifier: GPL-2.0-only
// What replay needs to resolve paths as the live run did: process seeds in
// recordings (cwd and fds of each initial target) and the cwd strace -y
// prints for AT_FDCWD.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "record/recording_format.h"
#include "record/recording_source.h"
#include "record/recording_writer.h"
#include "resolver_test_events.h"
#include "strace/strace_args.h"
#include "strace/strace_decode.h"
#include "strace/strace_line.h"
#include "strace/strace_source.h"
#include "strace_test_util.h"

namespace duraudit {
namespace {

using namespace resolver_test;

ProcessSeed sample_seed(int32_t pid) {
  ProcessSeed s;
  s.pid = pid;
  s.snapshot.cwd = "/srv/data dir";
  ProcFdSnapshot out;
  out.fd = 1;
  out.file.path = "/srv/log.txt";
  out.file.id = FileId{0x800001, 4242};
  out.file.mode = 0100000;
  out.file.fs_magic = 0xEF53;
  out.open_flags = O_WRONLY | O_APPEND;
  ProcFdSnapshot cx = out;
  cx.fd = 7;
  cx.file.path = "socket:[991]";
  cx.file.id = FileId{9, 991};
  cx.file.mode = 0140000;
  cx.cloexec = true;
  s.snapshot.fds = {out, cx};
  s.snapshot.tids = {pid, pid + 1};
  return s;
}

class TempPath {
 public:
  TempPath() {
    char tmpl[] = "/tmp/duraudit-seed-XXXXXX";
    int fd = mkstemp(tmpl);
    ::close(fd);
    path = tmpl;
  }
  ~TempPath() { std::remove(path.c_str()); }
  std::string path;
};

TEST(ProcessSeedFormat, PayloadRoundTrips) {
  ProcessSeed in = sample_seed(77);
  std::string payload;
  encode_seed_payload(in, payload);
  ProcessSeed out;
  ASSERT_TRUE(decode_seed_payload(payload, &out));
  EXPECT_EQ(out.pid, 77);
  EXPECT_EQ(out.snapshot.cwd, "/srv/data dir");
  ASSERT_EQ(out.snapshot.fds.size(), 2u);
  EXPECT_EQ(out.snapshot.fds[0].fd, 1);
  EXPECT_EQ(out.snapshot.fds[0].file.path, "/srv/log.txt");
  EXPECT_EQ(out.snapshot.fds[0].file.id, (FileId{0x800001, 4242}));
  EXPECT_EQ(out.snapshot.fds[0].file.mode, 0100000u);
  EXPECT_EQ(out.snapshot.fds[0].file.fs_magic, 0xEF53u);
  EXPECT_EQ(out.snapshot.fds[0].open_flags, static_cast<uint64_t>(O_WRONLY | O_APPEND));
  EXPECT_FALSE(out.snapshot.fds[0].cloexec);
  EXPECT_TRUE(out.snapshot.fds[1].cloexec);
  EXPECT_EQ(out.snapshot.tids, (std::vector<int32_t>{77, 78}));
  EXPECT_FALSE(out.snapshot.launched);
  // Every cut into the original fields is rejected, never read past its end;
  // without the appended `launched` byte it reads as an older recording.
  for (size_t n = 0; n + 1 < payload.size(); ++n)
    EXPECT_FALSE(decode_seed_payload(payload.substr(0, n), &out)) << n;
  ASSERT_TRUE(decode_seed_payload(payload.substr(0, payload.size() - 1), &out));
  EXPECT_FALSE(out.snapshot.launched);

  in.snapshot.launched = true;
  payload.clear();
  encode_seed_payload(in, payload);
  ASSERT_TRUE(decode_seed_payload(payload, &out));
  EXPECT_TRUE(out.snapshot.launched);
}

TEST(ProcessSeedFormat, HugeCountsAreCorruptionNotAllocations) {
  std::string payload;
  // pid, cwd "", nfds = 0xffffffff
  payload.append("\x01\x00\x00\x00\x00\x00\xff\xff\xff\xff", 10);
  ProcessSeed out;
  EXPECT_FALSE(decode_seed_payload(payload, &out));
}

TEST(ProcessSeedFormat, ReaderReturnsSeedsBeforeEventsAndKeepsEveryEvent) {
  TempPath f;
  {
    RecordingWriter w;
    std::string err;
    ASSERT_TRUE(w.open(f.path, &err)) << err;
    ASSERT_TRUE(w.write_header("h", "k", 1, 2, &err)) << err;
    ASSERT_TRUE(w.append_seed(sample_seed(10)));
    ASSERT_TRUE(w.append_seed(sample_seed(20)));
    Event e = openat(10, "rel.txt", O_WRONLY | O_CREAT, 3);
    ASSERT_TRUE(w.append(e));
    ASSERT_TRUE(w.append(fd_call(Syscall::Close, 10, 3)));
    ASSERT_TRUE(w.close({}, &err)) << err;
  }
  std::string err;
  auto src = RecordingSource::open(f.path, &err);
  ASSERT_TRUE(src) << err;
  ASSERT_EQ(src->seeds().size(), 2u);
  EXPECT_EQ(src->seeds()[0].pid, 10);
  EXPECT_EQ(src->seeds()[1].pid, 20);
  auto evs = test::drain(*src);
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].seq, 1u);
  EXPECT_EQ(evs[0].path, "rel.txt");
  EXPECT_FALSE(src->truncated()) << src->truncation_reason();
}

TEST(ProcessSeedFormat, RecordingOfOnlySeedsIsTruncatedNotAnError) {
  TempPath f;
  {
    RecordingWriter w;
    std::string err;
    ASSERT_TRUE(w.open(f.path, &err));
    ASSERT_TRUE(w.write_header("h", "k", 1, 2, &err));
    ASSERT_TRUE(w.append_seed(sample_seed(10)));
    ASSERT_TRUE(w.flush(&err));
  }  // killed before any event: no trailer, and FILE.partial is kept (it holds a seed)
  const std::string partial = f.path + ".partial";
  std::string err;
  auto src = RecordingSource::open(partial, &err);
  ASSERT_TRUE(src) << err;
  EXPECT_EQ(src->seeds().size(), 1u);
  EXPECT_TRUE(test::drain(*src).empty());
  EXPECT_TRUE(src->truncated());
  std::remove(partial.c_str());
}

TEST(ProcessSeedFormat, ResolverSeedGivesCwdFdsAndCloexec) {
  Resolver r;
  r.seed(10, sample_seed(10).snapshot);
  EXPECT_EQ(one(r, openat(10, "rel.txt", O_WRONLY | O_CREAT, 3)).abs_path, "/srv/data dir/rel.txt");
  Event w = one(r, fd_call(Syscall::Write, 10, 1, 5));
  EXPECT_EQ(w.file.path, "/srv/log.txt");
  EXPECT_EQ(w.file.id, (FileId{0x800001, 4242}));
  EXPECT_EQ(w.file.fs_magic, 0xEF53u);
  EXPECT_EQ(r.stats().unknown_fds, 0u);
  auto out = run(r, raw(Syscall::Exec, 10));
  bool closed7 = false, closed1 = false;
  for (const auto& e : out) {
    if (e.syscall != Syscall::ImplicitClose) continue;
    closed7 |= e.closed_fd == 7;
    closed1 |= e.closed_fd == 1;
  }
  EXPECT_TRUE(closed7);
  EXPECT_FALSE(closed1);
}

TEST(ProcessSeedFormat, EmptySeedCwdFallsBackToDefault) {
  Resolver r(ResolverOptions{.default_cwd = "/fallback"});
  ProcSnapshot snap;
  r.seed(5, snap);
  EXPECT_EQ(one(r, openat(5, "x", O_RDONLY, 3)).abs_path, "/fallback/x");
}

// ---- strace -y: the cwd and dirfd paths the log itself names ----

TEST(StraceDecorationPath, FilesOnly) {
  EXPECT_EQ(strace_decoration_path("AT_FDCWD</home/u>"), "/home/u");
  EXPECT_EQ(strace_decoration_path("3</tmp/x>"), "/tmp/x");
  EXPECT_EQ(strace_decoration_path("2</dev/null<char 1:3>>"), "/dev/null");
  EXPECT_EQ(strace_decoration_path("3</tmp/a\\x3eb>"), "/tmp/a>b");
  EXPECT_EQ(strace_decoration_path("3</tmp/with space>"), "/tmp/with space");
  EXPECT_FALSE(strace_decoration_path("3<socket:[123]>"));
  EXPECT_FALSE(strace_decoration_path("3<TCP:[1.2.3.4:5->6.7.8.9:10]>"));
  EXPECT_FALSE(strace_decoration_path("3</tmp/gone (deleted)>"));
  EXPECT_FALSE(strace_decoration_path("AT_FDCWD"));
  EXPECT_FALSE(strace_decoration_path("3"));
  EXPECT_FALSE(strace_decoration_path("\"3</x>\""));
}

Event decode(const std::string& line, std::string* cwd = nullptr) {
  StraceLine l;
  std::string err;
  EXPECT_TRUE(parse_strace_line(line, &l, &err)) << err;
  StraceCall call;
  EXPECT_TRUE(parse_strace_call(l.text, &call, &err)) << err;
  Event ev;
  EXPECT_EQ(decode_strace_call(l.name, call, &ev, &err, cwd), StraceDecode::Event) << err;
  return ev;
}

TEST(StraceDirfdAnchoring, RelativePathsNextToDecoratedDirfdsBecomeAbsolute) {
  std::string cwd;
  Event e = decode("openat(AT_FDCWD</srv/app>, \"data/x.tmp\", O_WRONLY|O_CREAT, 0644) = 3</srv/app/data/x.tmp>",
                   &cwd);
  EXPECT_EQ(e.path, "/srv/app/data/x.tmp");
  EXPECT_EQ(e.dirfd, AT_FDCWD);
  EXPECT_EQ(cwd, "/srv/app");
  e = decode("openat(5</srv/app/data>, \"y\", O_RDONLY) = 6</srv/app/data/y>", &cwd);
  EXPECT_EQ(e.path, "/srv/app/data/y");
  EXPECT_EQ(cwd, "");  // not AT_FDCWD: says nothing about the cwd
  e = decode("renameat2(AT_FDCWD</r>, \"a\", 4</d>, \"b\", RENAME_NOREPLACE) = 0");
  EXPECT_EQ(e.path, "/r/a");
  EXPECT_EQ(e.path2, "/d/b");
  e = decode("symlinkat(\"target\", AT_FDCWD</r/>, \"link\") = 0");
  EXPECT_EQ(e.path, "target");  // a symlink's target is text, not a path to resolve
  EXPECT_EQ(e.path2, "/r/link");
  e = decode("openat(AT_FDCWD</r>, \"/abs\", O_RDONLY) = 3");
  EXPECT_EQ(e.path, "/abs");
  e = decode("openat(AT_FDCWD, \"rel\", O_RDONLY) = 3");  // no -y: left to the Resolver
  EXPECT_EQ(e.path, "rel");
  e = decode("linkat(3</d>, \"\", AT_FDCWD</r>, \"n\", AT_EMPTY_PATH) = 0");
  EXPECT_EQ(e.path, "");  // AT_EMPTY_PATH: the fd itself
  EXPECT_EQ(e.path2, "/r/n");
}

TEST(StraceInitialCwd, FirstDecorationOfTheTracedProcessBeforeAnyChdir) {
  auto s = StraceSource::from_string(
      "100 execve(\"/bin/app\", [\"app\"], 0x7ffc /* 3 vars */) = 0\n"
      "100 openat(AT_FDCWD</etc>, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache>\n"
      "100 unlink(\"old\") = 0\n");
  EXPECT_EQ(s->initial_cwd(), "/etc");
  auto evs = test::drain(*s);
  EXPECT_EQ(evs.back().path, "old");  // non-at calls keep their text: the Resolver uses the cwd

  auto moved = StraceSource::from_string(
      "100 chdir(\"/srv\") = 0\n"
      "100 openat(AT_FDCWD</srv>, \"x\", O_RDONLY) = 3</srv/x>\n");
  EXPECT_EQ(moved->initial_cwd(), "");  // the start cwd is unknown

  auto plain = StraceSource::from_string("100 openat(AT_FDCWD, \"x\", O_RDONLY) = 3\n");
  EXPECT_EQ(plain->initial_cwd(), "");
}

TEST(StraceFilteredLogs, ReadsShowTheLogWasNotFilteredSoNoWritesAreAssumed) {
  // A complete log of a program that creates and renames files but never
  // writes: the loader's read() proves write calls would have been shown.
  auto complete = StraceSource::from_string(
      "100 openat(AT_FDCWD, \"/lib/libc.so.6\", O_RDONLY|O_CLOEXEC) = 3\n"
      "100 read(3, \"\\177ELF\"..., 832) = 832\n"
      "100 close(3) = 0\n"
      "100 openat(AT_FDCWD, \"/d/x\", O_WRONLY|O_CREAT, 0644) = 3\n"
      "100 close(3) = 0\n");
  test::drain(*complete);
  EXPECT_FALSE(complete->assumed_writes());

  // -e trace=openat,close: neither reads nor writes, writes are assumed.
  auto filtered = StraceSource::from_string(
      "100 openat(AT_FDCWD, \"/d/x\", O_WRONLY|O_CREAT, 0644) = 3\n"
      "100 close(3) = 0\n");
  auto evs = test::drain(*filtered);
  EXPECT_TRUE(filtered->assumed_writes());
  ASSERT_EQ(evs.size(), 3u);
  EXPECT_EQ(evs[1].syscall, Syscall::Write);
}

}  // namespace
}  // namespace duraudit
