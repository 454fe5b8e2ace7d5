// SPDX-License-Identifier: GPL-2.0-only
#include "resolve/path_view.h"

#include <charconv>

namespace duraudit {

namespace {
constexpr std::string_view kMark{"/\0v", 3};

// In a path the number ends the string or is followed by '/'; in text
// (`anywhere`) by anything that is not a digit.
size_t prefix_length(std::string_view s, ViewId* view, bool anywhere) {
  if (s.substr(0, kMark.size()) != kMark) return 0;
  const char* first = s.data() + kMark.size();
  const char* last = s.data() + s.size();
  ViewId v = 0;
  auto [end, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || end == first || (!anywhere && end != last && *end != '/')) return 0;
  if (view) *view = v;
  return static_cast<size_t>(end - s.data());
}
}  // namespace

std::string qualify_path(ViewId view, std::string_view seen) {
  if (view == kAgentView) return std::string(seen);
  std::string out(kMark);
  out += std::to_string(view);
  if (seen != "/") out.append(seen);
  return out;
}

size_t view_prefix_length(std::string_view path, ViewId* view) { return prefix_length(path, view, false); }

std::string seen_path(std::string_view path) {
  size_t n = view_prefix_length(path);
  if (n == 0) return std::string(path);
  return n == path.size() ? std::string("/") : std::string(path.substr(n));
}

bool strip_view_qualifiers(std::string& text) {
  bool any = false;
  size_t at = 0;
  while ((at = text.find(kMark, at)) != std::string::npos) {
    size_t n = prefix_length(std::string_view(text).substr(at), nullptr, true);
    if (n == 0) {
      at += kMark.size();
      continue;
    }
    const bool root = at + n == text.size() || text[at + n] != '/';
    text.replace(at, n, root ? "/" : "");
    any = true;
  }
  return any;
}

}  // namespace duraudit
