// SPDX-License-Identifier: GPL-2.0-only
// strace's spelling of values, turned back into what the program passed.
//
//   "a\"b\n\x2f\057"...   -> C string (escapes decoded; `...` = truncated by -s)
//   3</tmp/x>  3<socket:[123]>  2</dev/null<char 1:3>>  3<TCP:[1.2.3.4:5->6.7.8.9:10]>
//                          -> 3 (-y / -yy decorations dropped)
//   O_WRONLY|O_CREAT|0x40000 /* O_??? */  -> the bits, names from the kernel ABI
//   AT_FDCWD -> -100, ~0U -> 0xffffffff, 0644 -> octal, 0x1f -> hex
//   {flags=O_RDONLY, mode=0}  -> struct fields by name (openat2, clone3)
//   flags=CLONE_VM|SIGCHLD    -> named arguments (clone)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace duraudit {

// Index just past the value that starts at text[i]: a string (with its
// truncation marker), a comment, a bracketed group, a -y decoration, or a
// single character. Never goes past text.size().
size_t strace_skip_value(std::string_view text, size_t i);

// Splits "a, {b, c}, [d]" at top-level commas; each piece trimmed.
std::vector<std::string> strace_split_top_level(std::string_view text);

// Decodes a quoted strace string ("..." with optional trailing ...). Returns
// nullopt if `arg` is not a string (e.g. a raw pointer 0x7ffd...).
std::optional<std::string> strace_string(std::string_view arg, bool* truncated = nullptr);

// Decodes C escapes in `s` (no quotes): \" \\ \n \t \r \v \f \a \b \e, octal
// \NNN, hex \xHH.
std::string strace_unescape(std::string_view s);

// The value without a trailing -y decoration "<...>" and comments; trimmed.
std::string_view strace_strip_decoration(std::string_view arg);

// The file path of a -y/-yy fd decoration: "3</tmp/x>" -> "/tmp/x",
// "AT_FDCWD</home/u>" -> "/home/u" (strace >= 5.x decorates AT_FDCWD with
// the cwd), "2</dev/null<char 1:3>>" -> "/dev/null". nullopt without a
// decoration, for non-file decorations (sockets, pipes, anon inodes) and
// for deleted files ("... (deleted)").
std::optional<std::string> strace_decoration_path(std::string_view arg);

// An integer argument: decimal, 0x hex, 0 octal, negative, ~0U style, a
// symbolic constant or an OR of them (flags). nullopt if nothing numeric.
std::optional<int64_t> strace_int(std::string_view arg);

// Flags as an unsigned bit set (same rules as strace_int; unknown names are
// ignored rather than failing, so new strace flags do not break parsing).
uint64_t strace_flags(std::string_view arg);

// Value of `name=` in a named argument list or a {struct}: searches `args`
// (each "key=value") or the fields of a "{...}" argument.
std::optional<std::string> strace_field(std::string_view struct_or_arg, std::string_view name);
std::optional<std::string> strace_named_arg(const std::vector<std::string>& args, std::string_view name);

// The symbolic constants strace prints that duraudit cares about (O_*, AT_*,
// RENAME_*, CLONE_*, F_*, FD_CLOEXEC, SIG*, MS_*, SYNC_FILE_RANGE_*,
// FALLOC_FL_*, RWF_*, CLOSE_RANGE_*). nullopt if unknown.
std::optional<int64_t> strace_constant(std::string_view name);

}  // namespace duraudit
