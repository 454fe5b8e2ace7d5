// SPDX-License-Identifier: GPL-2.0-only
#include "util/glob.h"

#include <fnmatch.h>

#include <string>

namespace duraudit {

namespace {

bool match_here(std::string_view p, std::string_view s) {
  while (!p.empty()) {
    if (p.size() >= 2 && p[0] == '*' && p[1] == '*') {
      // `**/` also matches zero directories
      std::string_view rest = p.substr(2);
      bool slash = !rest.empty() && rest[0] == '/';
      if (slash && match_here(rest.substr(1), s)) return true;
      for (size_t i = 0; i <= s.size(); ++i)
        if (match_here(rest, s.substr(i))) return true;
      return false;
    }
    // Match one segment of the pattern up to the next `**` with fnmatch
    // (FNM_PATHNAME keeps `*` inside a component).
    size_t next = p.find("**");
    if (next == std::string_view::npos) {
      return fnmatch(std::string(p).c_str(), std::string(s).c_str(), FNM_PATHNAME) == 0;
    }
    std::string_view head = p.substr(0, next);
    for (size_t i = 0; i <= s.size(); ++i) {
      if (fnmatch(std::string(head).c_str(), std::string(s.substr(0, i)).c_str(), FNM_PATHNAME) == 0 &&
          match_here(p.substr(next), s.substr(i)))
        return true;
    }
    return false;
  }
  return s.empty();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
  if (pattern.find('/') == std::string_view::npos) {
    size_t slash = path.rfind('/');
    std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
    return fnmatch(std::string(pattern).c_str(), std::string(base).c_str(), 0) == 0;
  }
  return match_here(pattern, path);
}

}  // namespace duraudit
