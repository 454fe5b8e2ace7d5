// SPDX-License-Identifier: GPL-2.0-only
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace duraudit {

namespace po = boost::program_options;

inline constexpr const char* kEnvironmentPrefix = "DURAUDIT_";
// "metrics-listen" -> "DURAUDIT_METRICS_LISTEN".
std::string environment_name(const std::string& option);

// Parses a subcommand's arguments; a bad flag becomes a UsageError naming it.
// Positional arguments land in `positional` when given.
// Every option (but --help) may also come from the environment, as
// DURAUDIT_<OPTION>: upper case, dashes as underscores (--metrics-listen:
// DURAUDIT_METRICS_LISTEN). The command line wins: a variable is ignored
// for an option the command line gives. A switch's variable holds
// true/false (1/0, yes/no, on/off; empty is true); a repeatable option's
// holds one value. docs/configuration.md.
po::variables_map parse_options(const po::options_description& desc, const std::vector<std::string>& args,
                                std::vector<std::string>* positional = nullptr);

// A whole number for `flag`, from `lo` to `hi`: anything else (a sign,
// a fraction, a value out of range) is a UsageError (exit 2) naming the flag
// and the accepted range.
uint64_t parse_count(const std::string& flag, const std::string& text, uint64_t lo, uint64_t hi);

// The largest process id Linux hands out (PID_MAX_LIMIT on 64-bit).
inline constexpr int32_t kMaxPid = 4'194'304;
// Every --pid value is a process id from 1 to kMaxPid, or a UsageError
// naming the flag and the range. (0 and negative ids mean process groups
// to kill(2): never a target.) Whether the process exists is checked later.
void check_pid_values(const std::vector<int32_t>& pids);

}  // namespace duraudit
