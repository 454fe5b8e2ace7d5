// SPDX-License-Identifier: GPL-2.0-only
// A recording (recording_format.h) as an EventSource: `duraudit replay FILE`.
// Reads lazily, a batch per poll(); numbers events from 1.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "event/event_source.h"
#include "record/recording_format.h"

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
  // Live capture's stream, io_uring and AIO operations included.
  SourceKind kind() const override { return SourceKind::Recording; }
  // The recorder's monotonic clock, anchored by the header's two start
  // times (read together when the recording began).
  WallClock wall_clock() const override {
    return start_wall_ns_ ? WallClock::fixed(static_cast<int64_t>(start_wall_ns_) - static_cast<int64_t>(start_mono_ns_))
                          : WallClock::unknown();
  }

  // True once the reader found the file ended inside a record, held a
  // corrupt record, or had no trailer. Final after poll() returned false.
  bool truncated() const { return truncated_; }
  // Why it is truncated, in a sentence ("ended inside a record after event 41").
  const std::string& truncation_reason() const { return truncation_reason_; }

  uint16_t version() const { return version_; }
  const std::string& host() const { return host_; }
  const std::string& kernel_release() const { return kernel_; }
  uint64_t start_wall_ns() const { return start_wall_ns_; }
  // The recorder's mount namespace and root (unknown in older recordings).
  const std::optional<PathViewKey>& recorder_view() const { return recorder_view_; }
  uint64_t start_mono_ns() const { return start_mono_ns_; }
  uint64_t events_read() const { return seq_; }
  // The process seeds written before the first event (cwd and open fds of
  // each initial target), read by open(). Apply them to the Resolver
  // (Resolver::seed) before feeding events. Empty for recordings made
  // before seeds existed: then relative paths resolve against --cwd.
  const std::vector<ProcessSeed>& seeds() const { return seeds_; }

 private:
  RecordingSource() = default;
  std::optional<PathViewKey> recorder_view_;
  bool read_header(const std::string& name, std::string* error);
  void mark_truncated(const std::string& why);
  enum class ReadResult { Record, End, Cut, Corrupt };
  // The next record into record_.
  ReadResult read_record();
  // Reads the seed records that follow the header; the first other record
  // is kept in record_ for poll() (have_record_).
  void read_seeds();
  // Handles record_; false when it ended the stream (trailer, corruption).
  bool handle_record(const Sink& sink);

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
  bool have_record_ = false;
  std::vector<ProcessSeed> seeds_;
};

}  // namespace duraudit
