// SPDX-License-Identifier: GPL-2.0-only
#include "record/recording_writer.h"

#include "resolve/path_views.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "record/byte_codec.h"
#include "record/recording_format.h"
#include "util/file_sync.h"
#include "util/output_path.h"

namespace duraudit {

namespace {
constexpr size_t kBufferSize = 1 << 20;

uint64_t clock_ns(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + ts.tv_nsec;
}
}  // namespace

RecordingWriter::~RecordingWriter() {
  if (fd_ < 0) return;
  flush();
  ::close(fd_);
  // Nothing recorded (the pid did not exist, BPF did not load): a header
  // alone is no recording worth keeping.
  if (!partial_.empty() && records_ == 0) {
    OpenedOutput o;
    o.created = created_;
    o.dev = static_cast<dev_t>(dev_);
    o.ino = static_cast<ino_t>(ino_);
    remove_created_output(partial_, o);
  }
}

bool RecordingWriter::open(const std::string& path, std::string* error, bool* refused) {
  path_ = path;
  if (refused) *refused = false;
  auto fail = [&](const std::string& message, bool was_refused) {
    error_ = message;
    if (error) *error = error_;
    if (refused) *refused = was_refused;
    return false;
  };
  std::string why;
  if (check_output_path(path, &why) == OutputOpen::Refused) return fail(why, true);
  struct stat st {};
  bool exists = ::stat(path.c_str(), &st) == 0;
  OpenedOutput o;
  if (exists && !S_ISREG(st.st_mode)) {
    // A device or FIFO has no name to rename over and nothing to truncate.
    OutputOpen r = open_output_path(path, 0, /*exclusive=*/false, &o, &why);
    if (r != OutputOpen::Ok) return fail(why, r == OutputOpen::Refused);
  } else {
    // A symlink the caller named (check_output_path let it through) is
    // written through, as before: the rename replaces the file it names.
    struct stat lst {};
    final_ = path;
    std::error_code ec;
    if (::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode))
      if (auto target = std::filesystem::canonical(path, ec); !ec) final_ = target.string();
    partial_ = final_ + ".partial";
    OutputOpen r = open_output_path(partial_, 0, /*exclusive=*/true, &o, &why);
    if (r == OutputOpen::Failed && errno == EEXIST)
      return fail(partial_ + " exists: a recording to " + path +
                      " is under way or was interrupted (it replays as it is); replay, rename or remove it first",
                  true);
    if (r != OutputOpen::Ok) return fail(why, r == OutputOpen::Refused);
  }
  fd_ = o.fd;
  created_ = o.created;
  dev_ = o.dev;
  ino_ = o.ino;
  buf_.reserve(kBufferSize + 4096);
  return true;
}

bool RecordingWriter::write_header(const std::string& host, const std::string& kernel_release,
                                   uint64_t start_wall_ns, uint64_t start_mono_ns, std::string* error,
                                   const std::optional<PathViewKey>& view) {
  std::string body;
  ByteWriter b(body);
  b.u64(start_wall_ns);
  b.u64(start_mono_ns);
  b.str(host);
  b.str(kernel_release);
  encode_path_view(view, body);
  buf_.append(kRecordingMagic, sizeof kRecordingMagic);
  ByteWriter w(buf_);
  w.u16(kRecordingVersion);
  w.u32(static_cast<uint32_t>(body.size()));
  buf_ += body;
  // The header goes to disk at once: a recording killed before its first
  // flush is still recognisably ours.
  return flush(error);
}

bool RecordingWriter::write_local_header(std::string* error) {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  utsname u{};
  uname(&u);
  return write_header(host, u.release, clock_ns(CLOCK_REALTIME), clock_ns(CLOCK_MONOTONIC), error, own_path_view());
}

void RecordingWriter::append_record(uint8_t type, const std::string& payload) {
  ByteWriter w(buf_);
  w.u32(static_cast<uint32_t>(payload.size() + 1));
  w.u8(type);
  buf_ += payload;
}

bool RecordingWriter::append_seed(const ProcessSeed& seed) {
  if (fd_ < 0 || !error_.empty()) return false;
  std::string payload;
  encode_seed_payload(seed, payload);
  append_record(kRecordProcessSeed, payload);
  ++records_;
  return true;
}

bool RecordingWriter::append(const Event& ev) {
  if (fd_ < 0 || !error_.empty()) return false;
  // Encode straight into the buffer behind a placeholder length, then patch
  // it: one copy per event.
  size_t start = buf_.size();
  buf_.append(5, '\0');
  encode_event_payload(ev, buf_);
  std::string prefix;
  ByteWriter w(prefix);
  w.u32(static_cast<uint32_t>(buf_.size() - start - 4));
  w.u8(kRecordEvent);
  buf_.replace(start, 5, prefix);
  ++events_;
  ++records_;
  if (buf_.size() >= kBufferSize) return flush();
  return true;
}

bool RecordingWriter::write_all(const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      error_ = "cannot write recording " + path_ + ": " + std::strerror(errno);
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
    bytes_ += static_cast<uint64_t>(w);
  }
  return true;
}

bool RecordingWriter::flush(std::string* error) {
  if (fd_ < 0) {
    if (error) *error = "recording is not open";
    return false;
  }
  bool ok = error_.empty() && write_all(buf_.data(), buf_.size());
  buf_.clear();
  if (!ok && error) *error = error_;
  return ok;
}

bool RecordingWriter::close(const LossCounters& losses, std::string* error) {
  if (fd_ < 0) {
    if (error) *error = "recording is not open";
    return false;
  }
  std::string payload;
  ByteWriter w(payload);
  w.u64(events_);
  w.u32(static_cast<uint32_t>(losses.size()));
  for (const auto& [reason, n] : losses) {
    w.str(reason);
    w.u64(n);
  }
  append_record(kRecordTrailer, payload);
  bool ok = flush(error);
  // duraudit of all tools should not leave its own output non-durable (a
  // pipe or device has nothing to sync).
  struct stat st {};
  bool regular = fstat(fd_, &st) == 0 && S_ISREG(st.st_mode);
  if (ok && regular && ::fsync(fd_) != 0) {
    error_ = "cannot fsync recording " + path_ + ": " + std::strerror(errno);
    if (error) *error = error_;
    ok = false;
  }
  if (::close(fd_) != 0 && ok) {
    error_ = "cannot close recording " + path_ + ": " + std::strerror(errno);
    if (error) *error = error_;
    ok = false;
  }
  fd_ = -1;
  // Complete and on disk: only now does it take the name.
  if (ok && !partial_.empty() && ::rename(partial_.c_str(), final_.c_str()) != 0) {
    error_ = "cannot rename " + partial_ + " to " + final_ + ": " + std::strerror(errno);
    if (error) *error = error_;
    ok = false;
  }
  if (!ok && !partial_.empty()) {
    error_ += " (what was recorded is in " + partial_ + ")";
    if (error) *error = error_;
  }
  // The recording's name is durable too.
  if (ok && regular)
    if (int err = fsync_parent_directory(final_)) {
      error_ = "cannot fsync the directory of recording " + path_ + ": " + std::strerror(err);
      if (error) *error = error_;
      ok = false;
    }
  return ok;
}

}  // namespace duraudit
