// SPDX-License-Identifier: GPL-2.0-only
#include "engine/severity.h"

namespace duraudit {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::None: return "none";
    case Severity::Notice: return "notice";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
  }
  return "none";
}

std::optional<Severity> severity_from_name(std::string_view n) {
  if (n == "none") return Severity::None;
  if (n == "notice") return Severity::Notice;
  if (n == "warning") return Severity::Warning;
  if (n == "error") return Severity::Error;
  return std::nullopt;
}

}  // namespace duraudit
