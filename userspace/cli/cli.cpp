// SPDX-License-Identifier: GPL-2.0-only
#include "cli/cli.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/version_text.h"
#include "output/report_formats.h"

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
  report FINDINGS.jsonl   render a saved JSON run as an HTML report (-o report.html; --format sarif|junit|...)
  rules list              the rule catalogue with effective severities
  rules check FILE...     validate rules files

@OUTPUTS@
common options:
  -h, --help              help for a command (duraudit run --help)
  --version               the version, git revision, libbpf version and kernel features
  --log-level LEVEL       diagnostics on stderr: trace|debug|info|warn|error|off (default warn)
  every option may also come from DURAUDIT_<OPTION> (--metrics-listen: DURAUDIT_METRICS_LISTEN);
  the command line wins (docs/configuration.md)

exit status of run, for CI (the command's stdout is its own: findings go to
stderr, or -o FILE, or -o - for stdout):
  125       duraudit itself failed: a bad flag or value, a bad rules file, no
            privilege, BPF load failure, an output that could not be written
  N         otherwise the command's own status when non-zero (128+N: signal N;
            126: it could not be run, 127: it was not found)
  3         otherwise, a finding at or above --fail-on (--findings-exit-code N)
  0         otherwise
other commands: 2 usage or configuration error, 1 runtime error; replay and
attach exit 3 for findings at or above --fail-on; trace -- CMD and
record -- CMD pass the command's status through.
)";

// The usage text, with the output formats from their table.
std::string usage() {
  std::string formats, side;
  for (const auto& f : report_formats()) {
    formats += (formats.empty() ? "" : "|") + std::string(f.name);
    if (f.side_file) side += "  --" + std::string(f.name) + " FILE";
  }
  std::string outputs = "outputs of run, replay and attach (several at once, each to its own file):\n"
                        "  --format " + formats + "   the main output (-o FILE, else stdout; stderr under run)\n" + side +
                        "   beside it\n";
  std::string u = kUsage;
  u.replace(u.find("@OUTPUTS@\n"), 10, outputs);
  return u;
}

}  // namespace

int cli_main(int argc, char** argv) {
  // Diagnostics go to stderr (under run, findings do too by default: the
  // command's stdout is its own).
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
  std::optional<std::string> level;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string a = args[i];
    if (a == "--log-level" && i + 1 < args.size()) {
      level = args[i + 1];
      args.erase(args.begin() + i, args.begin() + i + 2);
      --i;
    } else if (a.rfind("--log-level=", 0) == 0) {
      level = a.substr(12);
      args.erase(args.begin() + i);
      --i;
    }
  }

  // Like every option, --log-level may come from the environment; the
  // command line wins (docs/configuration.md).
  if (!level)
    if (const char* env = std::getenv("DURAUDIT_LOG_LEVEL"); env && *env) level = env;

  // The subcommand decides how duraudit's own failures exit (run: 125, so
  // that they never look like the command's status), so it is found before
  // anything is validated: `duraudit --log-level bad run -- CMD` and
  // `duraudit --bogus run -- CMD` fail as run does.
  auto named = std::find_if(args.begin(), args.end(), [](const std::string& a) { return a.empty() || a[0] != '-'; });
  const FailureExits exits = named != args.end() && *named == "run" ? kRunFailureExits : kDefaultFailureExits;

  if (level) {
    auto lvl = spdlog::level::from_str(*level);
    if (lvl == spdlog::level::off && *level != "off") {
      std::fprintf(stderr, "duraudit: --log-level must be one of trace, debug, info, warn, error, off (got '%s')\n",
                   level->c_str());
      return exits.usage;
    }
    spdlog::set_level(lvl);
  }

  if (args.empty()) {
    std::fputs(usage().c_str(), stderr);
    return kExitUsage;
  }
  const std::string sub = args.front();
  Args rest(args.begin() + 1, args.end());
  if (sub == "-h" || sub == "--help" || sub == "help") {
    std::fputs(usage().c_str(), stdout);
    return kExitOk;
  }
  if (sub == "--version" || sub == "version") {
    std::fputs(version_text().c_str(), stdout);
    return kExitOk;
  }
  if (sub[0] == '-' && named != args.end()) {
    std::fprintf(stderr, "duraudit: unknown option '%s' before the command (options go after it: duraudit %s %s ...)\n",
                 sub.c_str(), named->c_str(), sub.c_str());
    return exits.usage;
  }

  try {
    if (sub == "run") return cmd_run(rest, command);
    if (sub == "trace") return cmd_trace(rest, command);
    if (sub == "rules") return cmd_rules(rest, command);
    if (sub == "record") return cmd_record(rest, command);
    if (sub == "attach") return cmd_attach(rest, command);
    if (sub == "replay") return cmd_replay(rest, command);
    if (sub == "report") return cmd_report(rest, command);
    std::fprintf(stderr, "duraudit: unknown command '%s' (try duraudit --help)\n", sub.c_str());
    return kExitUsage;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "duraudit: %s\n", e.what());
    return exits.usage;
  } catch (const RuntimeError& e) {
    std::fprintf(stderr, "duraudit: %s\n", e.what());
    return exits.runtime;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "duraudit: internal error: %s\n", e.what());
    return exits.runtime;
  } catch (...) {
    std::fputs("duraudit: internal error\n", stderr);
    return exits.runtime;
  }
}

}  // namespace duraudit
