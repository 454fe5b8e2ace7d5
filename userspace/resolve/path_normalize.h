// SPDX-License-Identifier: GPL-2.0-only
// Lexical path handling for the Resolver: making a syscall's path argument
// absolute and folding `.`, `..` and repeated slashes, without touching the
// filesystem (the files may not exist any more, or exist on another host when
// replaying a trace). Symlinked directories followed by `..` are therefore
// folded lexically, which is what strace users read anyway.
#pragma once

#include <string>
#include <string_view>

namespace duraudit {

// Writes into `out` the normalized absolute form of `rel` taken relative to
// `base`. `base` must be absolute and normalized (as every cwd and fd path
// the Resolver stores is); it is ignored when `rel` is absolute. `..` at the
// root stays at the root. An empty `rel` yields `base`. Reuses `out`'s buffer.
void resolve_path(std::string_view base, std::string_view rel, std::string& out);

// The normalized form of an absolute path ("/a//b/../c/" -> "/a/c").
std::string normalize_path(std::string_view abs);

// True if `path` is `dir` itself or lies below it ("/a/b" is under "/a",
// "/ab" is not). Both normalized.
bool path_is_under(std::string_view path, std::string_view dir);

// `path` (under `from`) moved to `to`: "/a/x/y" with from "/a", to "/b" -> "/b/x/y".
std::string rebase_path(std::string_view path, std::string_view from, std::string_view to);

// Absolute and usable as a base (readlink of a socket fd gives "socket:[12]").
inline bool is_absolute_path(std::string_view p) { return !p.empty() && p.front() == '/'; }

}  // namespace duraudit
