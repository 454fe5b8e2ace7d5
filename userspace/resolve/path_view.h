// SPDX-License-Identifier: GPL-2.0-only
// Paths qualified by view. What a path names depends on the process's mount
// namespace and root directory (event/process_identity.h); the Resolver
// numbers each distinct (namespace, root) it meets, the agent's own being
// view 0, and writes every absolute path of another view as
//
//     "/" NUL "v" <view number> <the path as the process saw it>
//
// ("/\0v3/data/f"; the view's root is "/\0v3"). The model, the rules and
// every map keyed by path keep working unchanged, and files of two
// containers never share a key. NUL cannot occur in a path the kernel
// accepts, so no real name is mistaken for a qualifier. Qualifiers never
// reach a user: findings are stripped to the path as seen (and get a
// host_path) before they are filtered or written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace duraudit {

using ViewId = uint32_t;
inline constexpr ViewId kAgentView = 0;

// `seen` (absolute, normalized) in view `view`; view 0 gives `seen` itself.
std::string qualify_path(ViewId view, std::string_view seen);
// The qualifier's length at the start of `path` (0 for an unqualified
// path), and the view it names.
size_t view_prefix_length(std::string_view path, ViewId* view = nullptr);
// The view of a path (0 when unqualified).
inline ViewId view_of_path(std::string_view path) {
  ViewId v = kAgentView;
  view_prefix_length(path, &v);
  return v;
}
// The path as its process saw it ("/\0v3/data/f" -> "/data/f", "/\0v3" -> "/").
std::string seen_path(std::string_view path);
// Every qualifier in `text` (a message quoting paths, an argument list)
// replaced by what the process saw. True if any was.
bool strip_view_qualifiers(std::string& text);

}  // namespace duraudit
