// SPDX-License-Identifier: GPL-2.0-only
#include "output/stack_format.h"

#include <cstdio>

namespace duraudit {

namespace {

std::string basename_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

bool is_runtime_module(const std::string& module_path) {
  std::string b = basename_of(module_path);
  return starts_with(b, "libc.so") || starts_with(b, "libc-") || starts_with(b, "ld-linux") ||
         starts_with(b, "ld64.so") || starts_with(b, "libpthread") || starts_with(b, "librt.so") ||
         starts_with(b, "libdl.so");
}

const EvidenceEvent* deciding_evidence(const Finding& f) {
  for (auto it = f.evidence.rbegin(); it != f.evidence.rend(); ++it)
    if (!it->stack.empty()) return &*it;
  return nullptr;
}

std::optional<StackFrame> call_source(const std::vector<StackFrame>& stack) {
  for (const auto& fr : stack)
    if (!fr.file.empty() && fr.line && !is_runtime_module(fr.module)) return fr;
  for (const auto& fr : stack)
    if (!fr.function.empty() && !is_runtime_module(fr.module)) return fr;
  return std::nullopt;
}

std::optional<StackFrame> finding_source(const Finding& f) {
  const EvidenceEvent* e = deciding_evidence(f);
  if (!e) return std::nullopt;
  return call_source(e->stack);
}

std::string format_frame(const StackFrame& f) {
  char off[32];
  std::snprintf(off, sizeof off, "+0x%llx", static_cast<unsigned long long>(f.offset));
  std::string where = f.module.empty() ? std::string("?") : basename_of(f.module);
  if (f.function.empty()) return f.module.empty() ? std::string(off + 1) : where + off;
  if (!f.file.empty() && f.line) return f.function + " (" + basename_of(f.file) + ":" + std::to_string(f.line) + ")";
  return f.function + " (" + where + ")";
}

std::string format_stack_line(const std::vector<StackFrame>& stack, size_t max_frames) {
  size_t first = 0;
  while (first < stack.size() && is_runtime_module(stack[first].module)) ++first;
  if (first == stack.size()) first = 0;  // all runtime: show it as it is
  std::string out;
  for (size_t i = first; i < stack.size() && i < first + max_frames; ++i) {
    if (i > first) out += " \u2190 ";
    out += format_frame(stack[i]);
  }
  return out;
}

}  // namespace duraudit
