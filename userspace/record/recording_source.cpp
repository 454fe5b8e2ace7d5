// SPDX-License-Identifier: GPL-2.0-only
#include "record/recording_source.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "record/byte_codec.h"
#include "record/recording_format.h"

namespace duraudit {

namespace {
constexpr size_t kReadBuffer = 1 << 20;
constexpr size_t kBatch = 4096;

bool read_exact(std::istream& in, char* p, size_t n) {
  in.read(p, static_cast<std::streamsize>(n));
  return static_cast<size_t>(in.gcount()) == n;
}
}  // namespace

RecordingSource::~RecordingSource() = default;

std::unique_ptr<RecordingSource> RecordingSource::open(const std::string& path, std::string* error) {
  // A directory opens, and then reads as nothing: say what it is rather
  // than "not a duraudit recording". Pipes and devices are read as streams.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    if (error) *error = path + " is a directory, not a recording";
    return nullptr;
  }
  std::unique_ptr<RecordingSource> s(new RecordingSource());
  auto f = std::make_unique<std::ifstream>();
  s->read_buf_.reset(new char[kReadBuffer]);
  f->rdbuf()->pubsetbuf(s->read_buf_.get(), kReadBuffer);
  f->open(path, std::ios::binary);
  if (!*f) {
    if (error) *error = "cannot read recording " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  s->in_ = std::move(f);
  if (!s->read_header(path, error)) return nullptr;
  s->read_seeds();
  return s;
}

std::unique_ptr<RecordingSource> RecordingSource::from_bytes(std::string bytes, std::string* error,
                                                             const std::string& name) {
  std::unique_ptr<RecordingSource> s(new RecordingSource());
  s->in_ = std::make_unique<std::istringstream>(std::move(bytes));
  if (!s->read_header(name, error)) return nullptr;
  s->read_seeds();
  return s;
}

bool RecordingSource::read_header(const std::string& name, std::string* error) {
  auto foreign = [&](const std::string& detail) {
    if (error) *error = name + " is not a duraudit recording" + detail;
    return false;
  };
  char fixed[sizeof kRecordingMagic + 2 + 4];
  if (!read_exact(*in_, fixed, sizeof fixed)) return foreign("");
  if (std::memcmp(fixed, kRecordingMagic, sizeof kRecordingMagic) != 0) return foreign("");
  ByteReader r(std::string_view(fixed + sizeof kRecordingMagic, 6));
  uint32_t body_len = 0;
  r.u16(version_);
  r.u32(body_len);
  if (version_ < kRecordingOldestVersion || version_ > kRecordingVersion)
    return foreign(" this build can read (format version " + std::to_string(version_) + ", expected " +
                   std::to_string(kRecordingOldestVersion) + " to " + std::to_string(kRecordingVersion) +
                   "; replay it with the duraudit that wrote it)");
  if (body_len > kMaxRecordLen) return foreign(" (corrupt header)");
  std::string body(body_len, '\0');
  if (!read_exact(*in_, body.data(), body_len)) return foreign(" (header cut short)");
  ByteReader b(body);
  if (!(b.u64(start_wall_ns_) && b.u64(start_mono_ns_) && b.str(host_) && b.str(kernel_)))
    return foreign(" (corrupt header)");
  if (!decode_path_view(b, &recorder_view_)) return foreign(" (corrupt header)");
  return true;
}

void RecordingSource::mark_truncated(const std::string& why) {
  truncated_ = true;
  truncation_reason_ = why + " after event " + std::to_string(seq_);
  done_ = true;
}

RecordingSource::ReadResult RecordingSource::read_record() {
  char lenbuf[4];
  in_->read(lenbuf, 4);
  size_t got = static_cast<size_t>(in_->gcount());
  if (got == 0) return ReadResult::End;
  if (got < 4) return ReadResult::Cut;
  uint32_t len = 0;
  ByteReader(std::string_view(lenbuf, 4)).u32(len);
  if (len == 0 || len > kMaxRecordLen) return ReadResult::Corrupt;
  record_.resize(len);
  if (!read_exact(*in_, record_.data(), len)) return ReadResult::Cut;
  return ReadResult::Record;
}

void RecordingSource::read_seeds() {
  while (!done_) {
    ReadResult r = read_record();
    if (r == ReadResult::End) {
      mark_truncated("the recording has no trailer (the recorder did not finish)");
    } else if (r == ReadResult::Cut) {
      mark_truncated("the recording ends inside a record");
    } else if (r == ReadResult::Corrupt) {
      mark_truncated("the recording holds a corrupt record");
    } else if (static_cast<uint8_t>(record_[0]) == kRecordProcessSeed) {
      ProcessSeed seed;
      if (!decode_seed_payload(std::string_view(record_.data() + 1, record_.size() - 1), &seed)) {
        mark_truncated("the recording holds a corrupt process seed");
      } else {
        seeds_.push_back(std::move(seed));
      }
    } else {
      have_record_ = true;
      return;
    }
  }
}

bool RecordingSource::handle_record(const Sink& sink) {
  uint8_t type = static_cast<uint8_t>(record_[0]);
  std::string_view payload(record_.data() + 1, record_.size() - 1);
  if (type == kRecordEvent) {
    Event ev;
    if (!decode_event_payload(payload, &ev)) {
      mark_truncated("the recording holds a corrupt event");
      return false;
    }
    ev.seq = ++seq_;
    sink(std::move(ev));
  } else if (type == kRecordTrailer) {
    ByteReader r(payload);
    uint64_t events = 0;
    uint32_t count = 0;
    if (!r.u64(events) || !r.u32(count)) {
      mark_truncated("the recording holds a corrupt trailer");
      return false;
    }
    LossCounters losses;
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; ++i) {
      std::string reason;
      uint64_t v = 0;
      ok = r.str(reason) && r.u64(v);
      if (ok) losses[reason] += v;
    }
    if (!ok) {
      mark_truncated("the recording holds a corrupt trailer");
      return false;
    }
    losses_ = std::move(losses);
    if (events != seq_) {
      mark_truncated("the trailer counts " + std::to_string(events) + " events but the recording holds " +
                     std::to_string(seq_));
      return false;
    }
    done_ = true;  // anything after the trailer is ignored
    return false;
  }
  // Unknown record types (a newer writer) are skipped, and so is a seed
  // after the first event (the state it describes is already past).
  return true;
}

bool RecordingSource::poll(const Sink& sink, int /*timeout_ms*/) {
  for (size_t n = 0; n < kBatch && !done_; ++n) {
    if (!have_record_) {
      ReadResult r = read_record();
      if (r == ReadResult::End) {
        mark_truncated("the recording has no trailer (the recorder did not finish)");
        break;
      }
      if (r == ReadResult::Cut) {
        mark_truncated("the recording ends inside a record");
        break;
      }
      if (r == ReadResult::Corrupt) {
        mark_truncated("the recording holds a corrupt record");
        break;
      }
    }
    have_record_ = false;
    if (!handle_record(sink)) break;
  }
  return !done_;
}

}  // namespace duraudit
