// SPDX-License-Identifier: GPL-2.0-only
// JSON Lines output (`--format json`), exactly the schema of docs/output.md
// "Output": one `{"type":"finding",...}` object per finding, then one
// `{"type":"summary",...}`. Each line is flushed as it is written so a soak
// test can tail the file while duraudit runs.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "output/finding_sink.h"

namespace duraudit {

// The objects the sink writes, exposed for tests and for other writers.
nlohmann::ordered_json finding_to_json(const Finding& f);
nlohmann::ordered_json summary_to_json(const Summary& s);
// One frame of an evidence stack: {"function", "module", "file", "line",
// "offset"}; unknown values are null, offset is a hex string.
nlohmann::ordered_json stack_frame_json(const StackFrame& f);

class JsonSink : public FindingSink {
 public:
  explicit JsonSink(std::ostream& out) : out_(out) {}
  void on_finding(const Finding& f) override;
  void on_summary(const Summary& s) override;

 private:
  std::ostream& out_;
};

}  // namespace duraudit
