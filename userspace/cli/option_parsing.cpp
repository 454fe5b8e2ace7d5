// SPDX-License-Identifier: GPL-2.0-only
#include "cli/option_parsing.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <charconv>
#include <set>

#include "cli/errors.h"

namespace duraudit {

std::string environment_name(const std::string& option) {
  std::string env = kEnvironmentPrefix;
  for (char c : option) env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

namespace {

// DURAUDIT_METRICS_LISTEN -> "metrics-listen" when `desc` has that option;
// "" (ignored) for every other variable, DURAUDIT_ or not.
std::string option_for_environment(const po::options_description& desc, const std::string& env) {
  if (env.rfind(kEnvironmentPrefix, 0) != 0) return {};
  for (const auto& opt : desc.options()) {
    const std::string& name = opt->long_name();
    if (name.empty() || name == "help" || name == "positional__") continue;
    if (environment_name(name) == env) return name;
  }
  return {};
}

}  // namespace

po::variables_map parse_options(const po::options_description& desc, const std::vector<std::string>& args,
                                std::vector<std::string>* positional) {
  po::options_description all(desc);
  std::vector<std::string> pos;
  all.add_options()("positional__", po::value<std::vector<std::string>>(&pos), "");
  po::positional_options_description p;
  p.add("positional__", -1);
  po::variables_map vm;
  try {
    auto cmdline = po::command_line_parser(args).options(all).positional(p).run();
    std::set<std::string> given;
    for (const auto& o : cmdline.options) given.insert(o.string_key);
    po::store(cmdline, vm);
    // The environment fills in what the command line left out: an option
    // given on the command line ignores its variable entirely (a repeatable
    // one too: its values would otherwise be merged).
    po::parsed_options env(&desc);
    try {
      env = po::parse_environment(desc, [&](const std::string& var) { return option_for_environment(desc, var); });
    } catch (const po::error& e) {
      throw UsageError(std::string("in the environment: ") + e.what());
    }
    std::erase_if(env.options, [&](const po::option& o) { return given.count(o.string_key) != 0; });
    for (const auto& o : env.options)
      spdlog::info("--{} from ${}", o.string_key, environment_name(o.string_key));
    try {
      po::store(env, vm);
    } catch (const po::error& e) {
      throw UsageError(std::string("in the environment: ") + e.what());
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  if (positional) {
    *positional = pos;
  } else if (!pos.empty()) {
    throw UsageError("unexpected argument '" + pos.front() + "' (the command to run goes after --)");
  }
  return vm;
}

uint64_t parse_count(const std::string& flag, const std::string& text, uint64_t lo, uint64_t hi) {
  uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  bool digits_only = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits_only || ec != std::errc() || p != end || v < lo || v > hi)
    throw UsageError(flag + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                     " (got '" + text + "')");
  return v;
}

void check_pid_values(const std::vector<int32_t>& pids) {
  for (int32_t pid : pids)
    if (pid < 1 || pid > kMaxPid)
      throw UsageError("--pid must be a process id from 1 to " + std::to_string(kMaxPid) + " (got '" +
                       std::to_string(pid) + "')");
}

}  // namespace duraudit
