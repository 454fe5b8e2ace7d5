// A recording (recording_format.h) as an EventSource: `duraudit replay FILE`.
// Reads lazily, a batch per poll(); numbers events from 1.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <string>

#include "event/event_source.h"

namespace duraudit {

class RecordingSource : public EventSource {
 public:
  // nullptr and a sentence in *error when the file cannot be read, or is
  // not a duraudit recording ("X is not a duraudit recording") or of a
  // format version this build does not read.
  static std::unique_ptr<RecordingSource> open(const std::string& path, std::string* error);
  // The same from bytes in memory (tests, fuzzing); `name` is used in messages.
  static std::unique_ptr<RecordingSource> from_bytes(std::string bytes, std::string* error,
                                                     const std::string& name = "<memory>");
  ~RecordingSource() override;

  bool poll(const Sink& sink, int timeout_ms) override;
  // From the trailer; empty until the trailer has been read (end of file).
  LossCounters losses() const override { return losses_; }

  // True once the reader found the file ended inside a record, held a
  // corrupt record, or had no trailer. Final after poll() returned false.
  bool truncated() const { return truncated_; }
  // Why it is truncated, in a sentence ("ended inside a record after event 41").
  const std::string& truncation_reason() const { return truncation_reason_; }

  uint16_t version() const { return version_; }
  const std::string& host() const { return host_; }
  const std::string& kernel_release() const { return kernel_; }
  uint64_t start_wall_ns() const { return start_wall_ns_; }
  uint64_t start_mono_ns() const { return start_mono_ns_; }
  uint64_t events_read() const { return seq_; }

 private:
  RecordingSource() = default;
  bool read_header(const std::string& name, std::string* error);
  void mark_truncated(const std::string& why);

  std::unique_ptr<std::istream> in_;
  std::unique_ptr<char[]> read_buf_;
  bool done_ = false;
  bool truncated_ = false;
  std::string truncation_reason_;
  uint16_t version_ = 0;
  std::string host_, kernel_;
  uint64_t start_wall_ns_ = 0, start_mono_ns_ = 0;
  uint64_t seq_ = 0;
  LossCounters losses_;
  std::string record_;
};

}  // namespace duraudit
