// SPDX-License-Identifier: GPL-2.0-only
// Text output for people (`--format text`, the default): per finding a
// headline, the message, the evidence timeline with times relative to the
// first evidence event, related files, and a fix line; then a summary table.
#pragma once

#include <optional>
#include <ostream>
#include <string_view>

#include "output/finding_sink.h"

namespace duraudit {

// --color=auto|always|never. "auto" colours when `fd` is a terminal and
// NO_COLOR is not set. nullopt for any other word.
std::optional<bool> resolve_color(std::string_view mode, int fd);

class TextSink : public FindingSink {
 public:
  TextSink(std::ostream& out, bool color) : out_(out), color_(color) {}
  void on_finding(const Finding& f) override;
  void on_summary(const Summary& s) override;

 private:
  std::string paint(std::string_view text, std::string_view sgr) const;
  std::ostream& out_;
  bool color_;
};

// "openat(\"/d/f\", O_WRONLY|O_CREAT) = 3" / "fsync(3) = -1 EIO": one
// evidence line without its time, as the text sink prints it.
std::string format_evidence_call(const EvidenceEvent& e);

}  // namespace duraudit
