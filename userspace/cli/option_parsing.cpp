#include "cli/option_parsing.h"

#include <charconv>

#include "cli/errors.h"

namespace duraudit {

po::variables_map parse_options(const po::options_description& desc, const std::vector<std::string>& args,
                                std::vector<std::string>* positional) {
  po::options_description all(desc);
  std::vector<std::string> pos;
  all.add_options()("positional__", po::value<std::vector<std::string>>(&pos), "");
  po::positional_options_description p;
  p.add("positional__", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(p).run(), vm);
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
