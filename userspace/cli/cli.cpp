#include "cli/cli.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "cli/commands.h"
#include "cli/errors.h"

namespace duraudit {

namespace {

constexpr const char* kUsage = R"(usage: duraudit COMMAND [OPTIONS] [-- CMD ARGS...]

Finds where a crash or power loss can lose data: files closed without fsync,
files renamed into place before their data was durable, old state deleted
before its replacement was durable, directory entries never synced.

commands:
  run -- CMD ARGS...      trace CMD and its descendants, report findings, exit
  attach --pid N | --all  audit running processes until stopped (--metrics-listen ADDR)
  trace -- CMD ARGS...    print the durability-relevant syscalls of CMD, resolved
  trace --pid N           the same for a running process
  record -o FILE -- CMD   record the raw event stream of CMD (or --pid N) for later
  replay FILE             audit a recording with the same engine and options as run
  replay --strace FILE    audit an `strace -f` log ('-' for stdin)
  rules list              the rule catalogue with effective severities
  rules check FILE...     validate rules files

common options:
  -h, --help              help for a command (duraudit run --help)
  --version               print the version
  --log-level LEVEL       diagnostics on stderr: trace|debug|info|warn|error|off (default warn)

exit status of run: 1 if an output could not be written; else the command's
status when non-zero (128+N for signal N); otherwise 3 if a finding at or above
--fail-on exists; 2 usage or configuration error; 1 runtime error (no
privilege, BPF load failure, unreadable trace).
)";

}  // namespace

int cli_main(int argc, char** argv) {
  // Diagnostics go to stderr, never mixed with findings on stdout.
  auto logger = spdlog::stderr_color_mt("duraudit");
  logger->set_pattern("duraudit: %^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::warn);

  Args args, command;
  bool after_dashes = false;
  for (int i = 1; i < argc; ++i) {
    if (!after_dashes && std::strcmp(argv[i], "--") == 0) {
      after_dashes = true;
      continue;
    }
    (after_dashes ? command : args).emplace_back(argv[i]);
  }

  // --log-level anywhere before `--` applies to every command.
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string level;
    if (a == "--log-level" && i + 1 < args.size()) {
      level = args[i + 1];
      args.erase(args.begin() + i, args.begin() + i + 2);
      --i;
    } else if (a.rfind("--log-level=", 0) == 0) {
      level = a.substr(12);
      args.erase(args.begin() + i);
      --i;
    } else {
      continue;
    }
    auto lvl = spdlog::level::from_str(level);
    if (lvl == spdlog::level::off && level != "off") {
      std::fprintf(stderr, "duraudit: --log-level must be one of trace, debug, info, warn, error, off (got '%s')\n",
                   level.c_str());
      return kExitUsage;
    }
    spdlog::set_level(lvl);
  }

  if (args.empty()) {
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  const std::string sub = args.front();
  Args rest(args.begin() + 1, args.end());
  if (sub == "-h" || sub == "--help" || sub == "help") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (sub == "--version" || sub == "version") {
    std::printf("duraudit %s (%s)\n", DURAUDIT_VERSION, DURAUDIT_REVISION);
    return kExitOk;
  }

  try {
    if (sub == "run") return cmd_run(rest, command);
    if (sub == "trace") return cmd_trace(rest, command);
    if (sub == "rules") return cmd_rules(rest, command);
    if (sub == "record") return cmd_record(rest, command);
    if (sub == "attach") return cmd_attach(rest, command);
    if (sub == "replay") return cmd_replay(rest, command);
    std::fprintf(stderr, "duraudit: unknown command '%s' (try duraudit --help)\n", sub.c_str());
    return kExitUsage;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "duraudit: %s\n", e.what());
    return kExitUsage;
  } catch (const RuntimeError& e) {
    std::fprintf(stderr, "duraudit: %s\n", e.what());
    return kExitRuntimeError;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "duraudit: internal error: %s\n", e.what());
    return kExitRuntimeError;
  }
}

}  // namespace duraudit
