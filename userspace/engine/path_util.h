// SPDX-License-Identifier: GPL-2.0-only
// Small helpers on normalized absolute paths (the Resolver folds `.`/`..`
// and never leaves a trailing slash except on "/").
#pragma once

#include <string>
#include <string_view>

namespace duraudit {

// "/a/b" -> "/a", "/a" -> "/", "/" -> "/". A view into `p` (or of "/").
inline std::string_view parent_view(std::string_view p) {
  auto slash = p.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return "/";
  return p.substr(0, slash);
}
inline std::string parent_path(std::string_view p) { return std::string(parent_view(p)); }

// True when `p` is `root` or lies below it.
inline bool path_under(std::string_view p, std::string_view root) {
  if (root == "/") return !p.empty() && p.front() == '/';
  if (p.size() < root.size() || p.substr(0, root.size()) != root) return false;
  return p.size() == root.size() || p[root.size()] == '/';
}

// The first key strictly below `dir` in an ordered map of paths is at or after
// dir + "/", and every key below it sorts before dir + "0" ('0' follows '/').
inline std::string subtree_begin(std::string_view dir) {
  return dir == "/" ? std::string("/") : std::string(dir) + "/";
}
inline std::string subtree_end(std::string_view dir) {
  return dir == "/" ? std::string("0") : std::string(dir) + "0";
}

}  // namespace duraudit
