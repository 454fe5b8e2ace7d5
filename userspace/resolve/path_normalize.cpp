// SPDX-License-Identifier: GPL-2.0-only
#include "resolve/path_normalize.h"

namespace duraudit {

void resolve_path(std::string_view base, std::string_view rel, std::string& out) {
  out.clear();
  // Build without a trailing slash: the root is the empty string until the end.
  if (rel.empty() || rel.front() != '/') {
    out.assign(base);
    if (out == "/") out.clear();
  }
  size_t i = 0;
  const size_t n = rel.size();
  while (i < n) {
    while (i < n && rel[i] == '/') ++i;
    size_t j = i;
    while (j < n && rel[j] != '/') ++j;
    std::string_view comp = rel.substr(i, j - i);
    i = j;
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") {
      size_t slash = out.rfind('/');
      out.resize(slash == std::string::npos ? 0 : slash);
      continue;
    }
    out.push_back('/');
    out.append(comp);
  }
  if (out.empty()) out.push_back('/');
}

std::string normalize_path(std::string_view abs) {
  std::string out;
  resolve_path("/", abs, out);
  return out;
}

bool path_is_under(std::string_view path, std::string_view dir) {
  if (dir == "/") return is_absolute_path(path);
  if (path.size() < dir.size() || path.compare(0, dir.size(), dir) != 0) return false;
  return path.size() == dir.size() || path[dir.size()] == '/';
}

std::string rebase_path(std::string_view path, std::string_view from, std::string_view to) {
  std::string out(to);
  std::string_view rest = path.substr(from.size());
  if (out == "/" && !rest.empty()) out.clear();  // "/" + "/x" must not give "//x"
  out.append(rest);
  return out;
}

}  // namespace duraudit
