// SPDX-License-Identifier: GPL-2.0-only
// Writes the event stream to a recording file (format: recording_format.h).
// Buffered: events are encoded into a 1 MiB buffer written with write(2)
// when full, on flush() and on close(). A recorder that dies loses at most
// the unflushed buffer, and the file still replays up to its last complete
// record. close() writes the trailer (loss counters) and fsyncs the file.
//
// A recording to a regular file is written under FILE.partial and renamed
// to FILE (then the directory fsynced) by close(): FILE is either its old
// self or a complete recording, never a stub; a killed recorder leaves
// FILE.partial, which replays as truncated. A device or FIFO (/dev/full, a
// pipe) is written directly. Both are opened by util/output_path.h's rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>

#include "event/event.h"
#include "event/event_source.h"
#include "event/process_identity.h"
#include "record/recording_format.h"

namespace duraudit {

class RecordingWriter {
 public:
  RecordingWriter() = default;
  // Flushes what is buffered; no trailer (FILE.partial reads as truncated).
  // A FILE.partial that holds no seed or event is removed.
  ~RecordingWriter();
  RecordingWriter(const RecordingWriter&) = delete;
  RecordingWriter& operator=(const RecordingWriter&) = delete;

  // Creates `path`.partial (or opens `path` if it is not a regular file).
  // On failure returns false and a sentence in *error; *refused says the
  // path was refused (a planted symlink, FILE.partial exists) rather than
  // failed to open.
  bool open(const std::string& path, std::string* error = nullptr, bool* refused = nullptr);
  // `view`: the recorder's own mount namespace and root (replay tells the
  // recorded processes' views apart by it).
  bool write_header(const std::string& host, const std::string& kernel_release, uint64_t start_wall_ns,
                    uint64_t start_mono_ns, std::string* error = nullptr,
                    const std::optional<PathViewKey>& view = std::nullopt);
  // Header fields of this machine, now: hostname, uname release, CLOCK_REALTIME, CLOCK_MONOTONIC.
  bool write_local_header(std::string* error = nullptr);
  // Buffers one process seed (recording_format.h); call before the first
  // event, one per initial target. False once a write has failed.
  bool append_seed(const ProcessSeed& seed);
  // Buffers one event; false once a write has failed (see error()).
  bool append(const Event& ev);
  // Writes the buffer to the file (no fsync).
  bool flush(std::string* error = nullptr);
  // Trailer, flush, fsync, close, rename FILE.partial to FILE, fsync the directory.
  bool close(const LossCounters& losses, std::string* error = nullptr);

  uint64_t events_written() const { return events_; }
  uint64_t bytes_written() const { return bytes_ + buf_.size(); }
  const std::string& error() const { return error_; }

 private:
  bool write_all(const char* p, size_t n);
  void append_record(uint8_t type, const std::string& payload);

  int fd_ = -1;
  std::string path_;     // as named, for messages
  std::string partial_;  // FILE.partial being written; empty when writing `path_` directly
  std::string final_;    // what partial_ is renamed to: path_, or the file a symlink path_ names
  bool created_ = false;
  uint64_t dev_ = 0, ino_ = 0;
  uint64_t records_ = 0;  // seeds and events
  std::string buf_;
  uint64_t events_ = 0;
  uint64_t bytes_ = 0;
  std::string error_;
};

}  // namespace duraudit
