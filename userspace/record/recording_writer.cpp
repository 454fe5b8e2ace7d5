#include "record/recording_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "record/byte_codec.h"
#include "record/recording_format.h"
#include "util/file_sync.h"

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
  if (fd_ >= 0) {
    flush();
    ::close(fd_);
  }
}

bool RecordingWriter::open(const std::string& path, std::string* error) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    error_ = "cannot create recording " + path + ": " + std::strerror(errno);
    if (error) *error = error_;
    return false;
  }
  buf_.reserve(kBufferSize + 4096);
  return true;
}

bool RecordingWriter::write_header(const std::string& host, const std::string& kernel_release,
                                   uint64_t start_wall_ns, uint64_t start_mono_ns, std::string* error) {
  std::string body;
  ByteWriter b(body);
  b.u64(start_wall_ns);
  b.u64(start_mono_ns);
  b.str(host);
  b.str(kernel_release);
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
  return write_header(host, u.release, clock_ns(CLOCK_REALTIME), clock_ns(CLOCK_MONOTONIC), error);
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
  // The recording's name is durable too.
  if (ok && regular)
    if (int err = fsync_parent_directory(path_)) {
      error_ = "cannot fsync the directory of recording " + path_ + ": " + std::strerror(err);
      if (error) *error = error_;
      ok = false;
    }
  return ok;
}

}  // namespace duraudit
