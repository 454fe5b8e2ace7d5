// How commands fail. Recoverable errors are returned; these are thrown once
// and caught in cli_main, which turns them into the exit codes README.md documents ("Using it").
#pragma once

#include <stdexcept>
#include <string>

namespace duraudit {

// Bad flag, invalid rules file, unreadable baseline: exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// No privilege, BPF load failure, unreadable trace: exit 1.
struct RuntimeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitFindings = 3;
inline constexpr int kExitCommandNotFound = 127;

}  // namespace duraudit
