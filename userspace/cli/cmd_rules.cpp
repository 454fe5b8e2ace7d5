// SPDX-License-Identifier: GPL-2.0-only
// duraudit rules list [--rules FILE]... [--format text|json]
// duraudit rules check FILE...
#include <iostream>

#include "cli/audit_options.h"
#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/option_parsing.h"
#include "config/rules_file.h"
#include "output/rules_listing.h"

namespace duraudit {

int cmd_rules(const Args& args, const Args&) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    // Asked for: on stdout. Missing the verb: a usage error, on stderr.
    (args.empty() ? std::cerr : std::cout)
        << "usage: duraudit rules list [--rules FILE]... [--format text|json]\n"
           "       duraudit rules check FILE...\n"
           "  list    the rule catalogue with effective severities (duraudit rules list --help)\n"
           "  check   validate rules files: FILE:LINE: message for each error, exit 2 if any\n";
    return args.empty() ? kExitUsage : kExitOk;
  }
  const std::string verb = args[0];
  Args rest(args.begin() + 1, args.end());
  if (verb == "list") {
    std::vector<std::string> files;
    std::string format = "text";
    po::options_description desc("duraudit rules list [OPTIONS]");
    desc.add_options()("help,h", "this help")("rules", po::value(&files)->composing(), "apply these rules files")(
        "format", po::value(&format)->default_value("text"), "text | json");
    auto vm = parse_options(desc, rest);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return kExitOk;
    }
    Config cfg = Config::defaults();
    load_rules_or_throw(files, cfg);
    if (format == "json") print_rule_catalogue_json(std::cout, cfg);
    else if (format == "text") print_rule_catalogue(std::cout, cfg);
    else throw UsageError("--format must be text or json (got '" + format + "')");
    return kExitOk;
  }
  if (verb == "check") {
    if (rest.empty()) throw UsageError("rules check needs at least one FILE");
    int status = kExitOk;
    for (const auto& f : rest) {
      Config cfg = Config::defaults();
      std::vector<Diagnostic> errors;
      load_rules_file(f, cfg, errors);
      if (errors.empty()) {
        std::cout << f << ": ok\n";
      } else {
        // FILE:LINE: message, or FILE: message when the file itself is the problem.
        for (const auto& d : errors) std::cerr << d.to_string() << "\n";
        status = kExitUsage;
      }
    }
    return status;
  }
  throw UsageError("unknown rules command '" + verb + "' (list or check)");
}

}  // namespace duraudit
