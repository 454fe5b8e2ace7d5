// Writes the event stream to a recording file (format: recording_format.h).
// Buffered: events are encoded into a 1 MiB buffer written with write(2)
// when full, on flush() and on close(). A recorder that dies loses at most
// the unflushed buffer, and the file still replays up to its last complete
// record. close() writes the trailer (loss counters) and fsyncs the file.
#pragma once

#include <cstdint>
#include <string>

#include "event/event.h"
#include "event/event_source.h"
#include "record/recording_format.h"

namespace duraudit {

class RecordingWriter {
 public:
  RecordingWriter() = default;
  ~RecordingWriter();  // flushes what is buffered; no trailer (reads as truncated)
  RecordingWriter(const RecordingWriter&) = delete;
  RecordingWriter& operator=(const RecordingWriter&) = delete;

  // Creates (or truncates) `path`. On failure returns false and a sentence in *error.
  bool open(const std::string& path, std::string* error = nullptr);
  bool write_header(const std::string& host, const std::string& kernel_release, uint64_t start_wall_ns,
                    uint64_t start_mono_ns, std::string* error = nullptr);
  // Header fields of this machine, now: hostname, uname release, CLOCK_REALTIME, CLOCK_MONOTONIC.
  bool write_local_header(std::string* error = nullptr);
  // Buffers one process seed (recording_format.h); call before the first
  // event, one per initial target. False once a write has failed.
  bool append_seed(const ProcessSeed& seed);
  // Buffers one event; false once a write has failed (see error()).
  bool append(const Event& ev);
  // Writes the buffer to the file (no fsync).
  bool flush(std::string* error = nullptr);
  // Trailer, flush, fsync, close.
  bool close(const LossCounters& losses, std::string* error = nullptr);

  uint64_t events_written() const { return events_; }
  uint64_t bytes_written() const { return bytes_ + buf_.size(); }
  const std::string& error() const { return error_; }

 private:
  bool write_all(const char* p, size_t n);
  void append_record(uint8_t type, const std::string& payload);

  int fd_ = -1;
  std::string path_;
  std::string buf_;
  uint64_t events_ = 0;
  uint64_t bytes_ = 0;
  std::string error_;
};

}  // namespace duraudit
