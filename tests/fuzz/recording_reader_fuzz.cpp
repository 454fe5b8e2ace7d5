// SPDX-License-Identifier: GPL-2.0-only
// Fuzzes the recording reader: arbitrary bytes as a recording, both raw
// (mostly rejected by the magic) and behind a valid header so the record
// layer is exercised.
#include <cstddef>
#include <cstdint>
#include <string>

#include "record/recording_format.h"
#include "record/recording_source.h"

namespace {
void read_all(std::string bytes) {
  std::string err;
  auto src = duraudit::RecordingSource::from_bytes(std::move(bytes), &err, "fuzz");
  if (!src) return;
  uint64_t n = 0;
  while (src->poll([&](duraudit::Event&& e) { n += e.path.size() + e.comm.size(); }, 0)) {
  }
  for (const auto& seed : src->seeds()) n += seed.snapshot.fds.size() + seed.snapshot.cwd.size();
  (void)src->truncated();
  (void)src->losses();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string raw(reinterpret_cast<const char*>(data), size);
  read_all(raw);
  // A valid version-1 header with an empty body, then the fuzz bytes as records.
  std::string framed(duraudit::kRecordingMagic, sizeof duraudit::kRecordingMagic);
  framed += std::string("\x01\x00\x14\x00\x00\x00", 6);
  framed += std::string(20, '\0');  // wall, mono, host "", kernel ""
  framed += raw;
  read_all(std::move(framed));
  duraudit::Event ev;
  duraudit::decode_event_payload(raw, &ev);
  duraudit::ProcessSeed seed;
  duraudit::decode_seed_payload(raw, &seed);
  return 0;
}
