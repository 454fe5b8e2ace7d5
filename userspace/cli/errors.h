// SPDX-License-Identifier: GPL-2.0-only
// How commands fail. Recoverable errors are returned; these are thrown once
// and caught in cli_main, which turns them into the exit codes README.md
// documents ("Exit status").
#pragma once

#include <stdexcept>
#include <string>

namespace duraudit {

// Bad flag, invalid rules file, unreadable baseline: exit 2 (125 under run).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// No privilege, BPF load failure, unreadable trace: exit 1 (125 under run).
struct RuntimeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitFindings = 3;          // run's default for --findings-exit-code
// `run` passes its command's status through, so a failure of duraudit
// itself must not look like one of the command's: 125, as timeout(1) and
// env(1) do; 126 and 127 are the shell's codes for a command that cannot be
// run or found.
inline constexpr int kExitRunFailure = 125;
inline constexpr int kExitCannotExecute = 126;
inline constexpr int kExitCommandNotFound = 127;

// The exit status of each kind of failure of duraudit itself, by command.
struct FailureExits {
  int usage;    // usage or configuration (UsageError)
  int runtime;  // privilege, BPF load, output, internal errors (RuntimeError...)
};
inline constexpr FailureExits kRunFailureExits{kExitRunFailure, kExitRunFailure};
inline constexpr FailureExits kDefaultFailureExits{kExitUsage, kExitRuntimeError};

}  // namespace duraudit
