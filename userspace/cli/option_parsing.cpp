#include "cli/option_parsing.h"

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

}  // namespace duraudit
