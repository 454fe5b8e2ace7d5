#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace duraudit {

namespace po = boost::program_options;

// Parses a subcommand's arguments; a bad flag becomes a UsageError naming it.
// Positional arguments land in `positional` when given.
po::variables_map parse_options(const po::options_description& desc, const std::vector<std::string>& args,
                                std::vector<std::string>* positional = nullptr);

}  // namespace duraudit
