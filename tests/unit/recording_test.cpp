// SPDX-License-Identifier: GPL-2.0-only
// The recording format: round trip of every raw Event field, a recorder
// killed mid-write, foreign files, and write/read throughput (measured and
// printed, not asserted).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "record/recording_format.h"
#include "record/recording_source.h"
#include "record/recording_writer.h"
#include "strace_test_util.h"

namespace duraudit {
namespace {

using test::drain;

class TempFile {
 public:
  TempFile() {
    char tmpl[] = "/tmp/duraudit-rec-XXXXXX";
    int fd = mkstemp(tmpl);
    ::close(fd);
    path = tmpl;
  }
  ~TempFile() { std::remove(path.c_str()); }
  std::string bytes() const {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void write(const std::string& b) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << b;
  }
  std::string path;
};

// An event with every raw field set to a distinct non-default value.
Event full_event(int i) {
  Event e;
  e.ts_ns = 1700000000123456789ull + i;
  e.pid = 4242 + i;
  e.tid = 4243 + i;
  e.comm = "writer-" + std::to_string(i);
  e.syscall = Syscall::Renameat2;
  e.ret = -28;
  e.fd = 7;
  e.fd2 = -9;
  e.dirfd = 11;
  e.dirfd2 = -100;
  e.path = "/data/ümlaut\n\"quoted\" " + std::to_string(i);
  e.path2 = std::string("nul\0inside", 10);
  e.flags = 0x8000000000000001ull;
  e.arg = 0644;
  e.arg2 = 0xdeadbeefcafeull;
  e.bytes = 123456789012ull;
  e.file.id.dev = FileId::kSyntheticDev;
  e.file.id.ino = 987654321;
  e.file.mode = 0100000;
  e.file.fs_magic = 0xEF53;
  e.created = true;
  e.sync_write = true;
  e.child_pid = 5000;
  e.child_tid = 5001;
  e.is_thread = true;
  e.shares_files = true;
  e.group_dead = true;
  e.exit_code = 9 << 8 | 6;
  e.duration_ns = 1234567;
  return e;
}

void expect_same_raw(const Event& a, const Event& b) {
  EXPECT_EQ(a.ts_ns, b.ts_ns);
  EXPECT_EQ(a.pid, b.pid);
  EXPECT_EQ(a.tid, b.tid);
  EXPECT_EQ(a.comm, b.comm);
  EXPECT_EQ(a.syscall, b.syscall);
  EXPECT_EQ(a.ret, b.ret);
  EXPECT_EQ(a.fd, b.fd);
  EXPECT_EQ(a.fd2, b.fd2);
  EXPECT_EQ(a.dirfd, b.dirfd);
  EXPECT_EQ(a.dirfd2, b.dirfd2);
  EXPECT_EQ(a.path, b.path);
  EXPECT_EQ(a.path2, b.path2);
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.arg, b.arg);
  EXPECT_EQ(a.arg2, b.arg2);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_EQ(a.file.id, b.file.id);
  EXPECT_EQ(a.file.mode, b.file.mode);
  EXPECT_EQ(a.file.fs_magic, b.file.fs_magic);
  EXPECT_EQ(a.created, b.created);
  EXPECT_EQ(a.sync_write, b.sync_write);
  EXPECT_EQ(a.child_pid, b.child_pid);
  EXPECT_EQ(a.child_tid, b.child_tid);
  EXPECT_EQ(a.is_thread, b.is_thread);
  EXPECT_EQ(a.shares_files, b.shares_files);
  EXPECT_EQ(a.group_dead, b.group_dead);
  EXPECT_EQ(a.exit_code, b.exit_code);
  EXPECT_EQ(a.duration_ns, b.duration_ns);
}

// Without `close`, as a killed recorder leaves it: its FILE.partial is
// moved to `path`, for the reader to be tried on.
void write_recording(const std::string& path, const std::vector<Event>& evs, const LossCounters& losses,
                     bool close = true) {
  {
    RecordingWriter w;
    std::string err;
    ASSERT_TRUE(w.open(path, &err)) << err;
    ASSERT_TRUE(w.write_header("host-a", "6.18.0-test", 1700000000000000000ull, 123456789ull, &err)) << err;
    for (const auto& e : evs) {
      ASSERT_TRUE(w.append(e));
    }
    if (close) {
      ASSERT_TRUE(w.close(losses, &err)) << err;
      return;
    }
  }
  ASSERT_EQ(std::rename((path + ".partial").c_str(), path.c_str()), 0);
}

TEST(Recording, RoundTripsEveryRawField) {
  TempFile f;
  std::vector<Event> in;
  for (int i = 0; i < 3; ++i) in.push_back(full_event(i));
  Event defaults;  // and an all-default event
  in.push_back(defaults);
  write_recording(f.path, in, {{"ringbuf_full", 17}, {"path_truncated", 2}});

  std::string err;
  auto src = RecordingSource::open(f.path, &err);
  ASSERT_TRUE(src) << err;
  EXPECT_EQ(src->version(), kRecordingVersion);
  EXPECT_EQ(src->host(), "host-a");
  EXPECT_EQ(src->kernel_release(), "6.18.0-test");
  EXPECT_EQ(src->start_wall_ns(), 1700000000000000000ull);
  EXPECT_EQ(src->start_mono_ns(), 123456789ull);
  auto out = drain(*src);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    SCOPED_TRACE(i);
    expect_same_raw(in[i], out[i]);
    EXPECT_EQ(out[i].seq, i + 1);
  }
  EXPECT_FALSE(src->truncated()) << src->truncation_reason();
  EXPECT_EQ(src->losses(), (LossCounters{{"ringbuf_full", 17}, {"path_truncated", 2}}));
  EXPECT_FALSE(src->poll([](Event&&) { FAIL(); }, 0)) << "stays exhausted";
}

// A payload written before duration_ns was appended (version 1's original
// fields only) still decodes, with duration_ns 0.
TEST(Recording, PayloadWithoutTrailingDurationReadsZero) {
  Event e = full_event(1);
  std::string payload;
  encode_event_payload(e, payload);
  ASSERT_GT(payload.size(), sizeof(uint64_t));
  Event back;
  ASSERT_TRUE(decode_event_payload(payload, &back));
  EXPECT_EQ(back.duration_ns, 1234567u);
  payload.resize(payload.size() - sizeof(uint64_t));  // the old layout
  Event old;
  ASSERT_TRUE(decode_event_payload(payload, &old));
  EXPECT_EQ(old.duration_ns, 0u);
  EXPECT_EQ(old.path2, e.path2);
  payload += std::string("future", 6);  // unknown trailing bytes are ignored
  ASSERT_TRUE(decode_event_payload(payload, &old));
}

TEST(Recording, EverySyscallValueSurvives) {
  TempFile f;
  std::vector<Event> in;
  for (int s = 0; s < static_cast<int>(Syscall::Count_); ++s) {
    Event e;
    e.syscall = static_cast<Syscall>(s);
    in.push_back(e);
  }
  write_recording(f.path, in, {});
  std::string err;
  auto src = RecordingSource::open(f.path, &err);
  ASSERT_TRUE(src) << err;
  auto out = drain(*src);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i].syscall, in[i].syscall);
}

TEST(Recording, TruncatedFileReplaysToLastCompleteEvent) {
  TempFile f;
  std::vector<Event> in;
  for (int i = 0; i < 10; ++i) in.push_back(full_event(i));
  write_recording(f.path, in, {});
  std::string whole = f.bytes();
  // Records are u32 len + u8 type + payload; the trailer with no loss
  // counters is 5 + 12 bytes. Find where the 8th event starts.
  std::vector<size_t> record_size;
  size_t events_size = 0;
  for (const auto& e : in) {
    std::string p;
    encode_event_payload(e, p);
    record_size.push_back(5 + p.size());
    events_size += 5 + p.size();
  }
  size_t cut = whole.size() - 17 - events_size;  // end of the header
  for (int i = 0; i < 7; ++i) cut += record_size[i];
  for (size_t extra : {size_t{0}, size_t{2}, size_t{4}, size_t{30}}) {
    SCOPED_TRACE(extra);
    f.write(whole.substr(0, cut + extra));
    std::string err;
    auto src = RecordingSource::open(f.path, &err);
    ASSERT_TRUE(src) << err;
    auto out = drain(*src);
    ASSERT_EQ(out.size(), 7u);
    expect_same_raw(out[6], in[6]);
    EXPECT_TRUE(src->truncated());
    EXPECT_FALSE(src->truncation_reason().empty());
    EXPECT_TRUE(src->losses().empty());
  }
}

TEST(Recording, KilledRecorderWithoutTrailerIsTruncated) {
  TempFile f;
  std::vector<Event> in;
  for (int i = 0; i < 5; ++i) in.push_back(full_event(i));
  {
    RecordingWriter w;
    ASSERT_TRUE(w.open(f.path));
    ASSERT_TRUE(w.write_local_header());
    for (const auto& e : in) w.append(e);
    ASSERT_TRUE(w.flush());
    // destroyed without close(): as if killed after a flush
  }
  // The name is taken only by close(): what was recorded is in FILE.partial.
  EXPECT_EQ(f.bytes(), "");
  const std::string partial = f.path + ".partial";
  std::string err;
  auto src = RecordingSource::open(partial, &err);
  ASSERT_TRUE(src) << err;
  EXPECT_FALSE(src->host().empty());
  EXPECT_FALSE(src->kernel_release().empty());
  EXPECT_GT(src->start_wall_ns(), 0u);
  auto out = drain(*src);
  EXPECT_EQ(out.size(), 5u);
  EXPECT_TRUE(src->truncated());
  EXPECT_NE(src->truncation_reason().find("no trailer"), std::string::npos) << src->truncation_reason();
  std::remove(partial.c_str());
}

TEST(Recording, ARecorderThatRecordedNothingLeavesNothing) {
  TempFile f;
  f.write("old recording");
  {
    RecordingWriter w;
    ASSERT_TRUE(w.open(f.path));
    ASSERT_TRUE(w.write_local_header());
    // destroyed before any seed or event (no such pid, BPF did not load)
  }
  EXPECT_EQ(f.bytes(), "old recording");
  EXPECT_FALSE(std::ifstream(f.path + ".partial").good());
}

TEST(Recording, ForeignFileIsAClearError) {
  TempFile f;
  f.write("openat(AT_FDCWD, \"/x\", O_RDONLY) = 3\n");
  std::string err;
  EXPECT_FALSE(RecordingSource::open(f.path, &err));
  EXPECT_EQ(err, f.path + " is not a duraudit recording");
  f.write("");
  EXPECT_FALSE(RecordingSource::open(f.path, &err));
  EXPECT_EQ(err, f.path + " is not a duraudit recording");
  // A future format version.
  std::string future(kRecordingMagic, sizeof kRecordingMagic);
  future += std::string("\x07\x00\x00\x00\x00\x00", 6);
  f.write(future);
  EXPECT_FALSE(RecordingSource::open(f.path, &err));
  EXPECT_EQ(err.rfind(f.path + " is not a duraudit recording", 0), 0u) << err;
  EXPECT_NE(err.find("version 7"), std::string::npos) << err;
  EXPECT_FALSE(RecordingSource::open("/nonexistent/rec.bin", &err));
  EXPECT_NE(err.find("cannot read recording /nonexistent/rec.bin"), std::string::npos) << err;
}

TEST(Recording, ReaderSkipsUnknownRecordTypes) {
  TempFile f;
  write_recording(f.path, {full_event(0)}, {}, /*close=*/false);
  std::string b = f.bytes();
  b += std::string("\x03\x00\x00\x00\x09zz", 7);  // type 9, 2 bytes
  f.write(b);
  std::string err;
  auto src = RecordingSource::open(f.path, &err);
  ASSERT_TRUE(src) << err;
  EXPECT_EQ(drain(*src).size(), 1u);
  EXPECT_TRUE(src->truncated());
}

TEST(Recording, Throughput) {
  TempFile f;
  constexpr int kEvents = 500000;
  Event e;
  e.syscall = Syscall::Pwrite64;
  e.comm = "postgres";
  e.path = "/var/lib/postgresql/15/main/base/16384/2619";
  e.pid = e.tid = 1234;
  e.fd = 17;
  e.bytes = 8192;
  e.ret = 8192;
  e.file.id = {259 << 20 | 1, 1234567};
  RecordingWriter w;
  ASSERT_TRUE(w.open(f.path));
  ASSERT_TRUE(w.write_local_header());
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kEvents; ++i) {
    e.ts_ns = i;
    w.append(e);
  }
  ASSERT_TRUE(w.close({}));
  auto t1 = std::chrono::steady_clock::now();
  double secs = std::chrono::duration<double>(t1 - t0).count();
  double mb = w.bytes_written() / 1e6;
  std::printf("[ measure  ] write: %d events, %.1f MB in %.3f s: %.0f events/s, %.0f MB/s (incl. fsync)\n", kEvents,
              mb, secs, kEvents / secs, mb / secs);
  std::string err;
  auto src = RecordingSource::open(f.path, &err);
  ASSERT_TRUE(src) << err;
  uint64_t n = 0;
  auto t2 = std::chrono::steady_clock::now();
  while (src->poll([&](Event&&) { ++n; }, 0)) {
  }
  auto t3 = std::chrono::steady_clock::now();
  secs = std::chrono::duration<double>(t3 - t2).count();
  std::printf("[ measure  ] read:  %llu events in %.3f s: %.0f events/s, %.0f MB/s\n",
              static_cast<unsigned long long>(n), secs, n / secs, mb / secs);
  EXPECT_EQ(n, static_cast<uint64_t>(kEvents));
  EXPECT_FALSE(src->truncated());
}

}  // namespace
}  // namespace duraudit

namespace duraudit {
namespace {

// An exec's identity and the recorder's view survive a recording: replay
// tells containers apart as the live run did.
TEST(Recording, IdentityAndRecorderViewRoundTrip) {
  TempFile f;
  Event exec;
  exec.syscall = Syscall::Exec;
  exec.pid = 7;
  exec.path = "/usr/bin/app";
  auto id = std::make_shared<ProcessIdentity>();
  id->view = PathViewKey{4026532001, 0x2c, 256};
  id->uid = 1000;
  id->cgroup_id = 9876;
  id->cgroup = "/kubepods.slice/x.scope";
  id->container_id = std::string(64, 'a');
  id->pod_uid = "0c3b6a1e-2d4f-4e5a-9b8c-7d6e5f4a3b2c";
  exec.identity = id;
  Event plain = full_event(2);
  {
    RecordingWriter w;
    std::string err;
    ASSERT_TRUE(w.open(f.path, &err)) << err;
    ASSERT_TRUE(w.write_header("h", "k", 1, 2, &err, PathViewKey{4026531841, 0x800001, 2})) << err;
    ASSERT_TRUE(w.append(exec));
    ASSERT_TRUE(w.append(plain));
    ASSERT_TRUE(w.close({}, &err)) << err;
  }
  std::string err;
  auto src = RecordingSource::open(f.path, &err);
  ASSERT_TRUE(src) << err;
  ASSERT_TRUE(src->recorder_view());
  EXPECT_EQ(*src->recorder_view(), (PathViewKey{4026531841, 0x800001, 2}));
  auto out = drain(*src);
  ASSERT_EQ(out.size(), 2u);
  ASSERT_TRUE(out[0].identity);
  EXPECT_EQ(out[0].identity->view, id->view);
  EXPECT_EQ(out[0].identity->uid, 1000u);
  EXPECT_EQ(out[0].identity->cgroup_id, 9876u);
  EXPECT_EQ(out[0].identity->cgroup, id->cgroup);
  EXPECT_EQ(out[0].identity->container_id, id->container_id);
  EXPECT_EQ(out[0].identity->pod_uid, id->pod_uid);
  EXPECT_FALSE(out[1].identity);
  expect_same_raw(plain, out[1]);
}

}  // namespace
}  // namespace duraudit
