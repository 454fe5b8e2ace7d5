// SPDX-License-Identifier: GPL-2.0-only
// Parsing one line of strace output, in two steps:
//
//   parse_strace_line()  splits the line into its prefix (pid, timestamp) and
//                        a body kind: a complete call, the first half of an
//                        interrupted call ("<unfinished ...>"), its second
//                        half ("<... NAME resumed>"), a signal, an exit.
//   parse_strace_call()  splits a call's text after "NAME(" into top-level
//                        arguments and the return value (a number, `?`, an
//                        errno name).
//
// The grammar accepted, informally (strace 4.x to 6.x):
//
//   line     := prefix? time? body
//   prefix   := "[pid" SP* PID "]" SP+      (strace -f to a terminal)
//             | PID SP+                      (strace -f -o FILE)
//   time     := HH:MM:SS                     (-t)
//             | HH:MM:SS.frac                (-tt)
//             | SECS.frac                    (-ttt, SECS >= 1e8)
//             | SP* SECS.frac                (-r, relative to the previous line)
//   body     := NAME "(" args ")" SP* "=" SP* ret extra? duration?
//             | NAME "(" args SP? "<unfinished ...>"
//             | NAME "(" args SP? "<unfinished ...>)" SP* "=" SP* "?"   (killed mid-call)
//             | "<..." SP NAME SP "resumed>" rest      (rest continues args, then ") = ret")
//             | "---" ... "---"                        (signal delivery; ignored)
//             | "+++ exited with" N "+++" | "+++ killed by" SIG ("(core dumped)")? "+++"
//             | "+++" ... "+++"                        (e.g. "superseded by execve")
//   ret      := "?" | INT | HEX, then an optional -y decoration "<...>"
//   extra    := SP ERRNAME SP "(" message ")" | SP "(" details ")"
//   duration := SP "<" SECS.frac ">"                   (-T)
//
// Arguments keep their strace spelling; strace_args.h turns them into
// numbers, flags and strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace duraudit {

enum class StraceLineKind {
  Call,        // NAME(args) = ret
  Unfinished,  // NAME(args <unfinished ...>
  Resumed,     // <... NAME resumed>rest
  Signal,      // --- SIGX {...} ---
  Exited,      // +++ exited with N +++
  Killed,      // +++ killed by SIGX +++
  Info,        // other +++ lines, "strace: ..." messages
};

enum class StraceTimeKind { None, TimeOfDay, Epoch, Relative };

struct StraceLine {
  StraceLineKind kind = StraceLineKind::Info;
  int32_t pid = 0;  // 0 when the line had no pid prefix
  StraceTimeKind time_kind = StraceTimeKind::None;
  uint64_t time_ns = 0;  // meaning depends on time_kind (of day, since epoch, delta)
  std::string name;      // syscall name (Call/Unfinished/Resumed)
  // Call/Unfinished: the text after "NAME(" (for Unfinished without the
  // marker); Resumed: the text after "resumed>".
  std::string text;
  int exit_status = 0;  // Exited
  int signal = 0;       // Killed: signal number
};

// Returns false (and a reason in *error) when the line is not strace output.
// Blank lines are Info.
bool parse_strace_line(std::string_view line, StraceLine* out, std::string* error);

enum class StraceRetKind { Value, Unknown };

struct StraceCall {
  std::vector<std::string> args;  // top-level arguments, trimmed
  StraceRetKind ret_kind = StraceRetKind::Unknown;
  int64_t ret = 0;         // -errno when an errno name followed
  std::string errno_name;  // "ENOENT"; empty when none
};

// `text` is what follows "NAME(": "args) = ret ...". Returns false when the
// argument list is not closed or the return value is missing/unreadable.
bool parse_strace_call(std::string_view text, StraceCall* out, std::string* error);

// errno number for "ENOENT" etc. (including the kernel-internal ERESTART*
// names strace prints); 0 if unknown.
int errno_from_name(std::string_view name);
// signal number for "SIGKILL" etc.; 0 if unknown.
int signal_from_name(std::string_view name);

}  // namespace duraudit
