// SPDX-License-Identifier: GPL-2.0-only
// duraudit trace [--format text|json] [-o FILE] -- CMD ARGS... | --pid N:
// print the normalized, resolved event stream (a durability-focused strace).
#include <errno.h>
#include <signal.h>
#include <string.h>

#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/option_parsing.h"
#include "cli/traced_command.h"
#include "util/proc_tree.h"
#include "config/config.h"
#include "output/output_file.h"
#include "output/trace_printer.h"
#include "resolve/resolver.h"

namespace duraudit {

namespace {

}  // namespace

int cmd_trace(const Args& args, const Args& command) {
  std::string format = "text", output;
  std::vector<int32_t> pids;
  po::options_description desc("duraudit trace [OPTIONS] -- CMD ARGS... | duraudit trace --pid N");
  desc.add_options()
      ("help,h", "this help")
      ("format", po::value(&format)->default_value("text"), "text | json (JSON Lines, one event per line)")
      ("output,o", po::value(&output), "write the trace to FILE instead of stdout")
      ("pid,p", po::value(&pids)->composing(), "trace a running process and its descendants (repeatable)");
  auto vm = parse_options(desc, args);
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  TracePrinter::Format fmt;
  if (format == "text") fmt = TracePrinter::Format::Text;
  else if (format == "json") fmt = TracePrinter::Format::Json;
  else throw UsageError("--format must be text or json (got '" + format + "')");
  if (command.empty() == pids.empty())
    throw UsageError("trace needs either a command (-- CMD ARGS...) or --pid N");
  check_pid_values(pids);

  std::unique_ptr<OutputFile> file;
  if (!output.empty()) {
    std::string err;
    file = OutputFile::open(output, /*append=*/false, &err);
    if (!file) throw UsageError(err);
  } else {
    file = OutputFile::standard_output();
  }
  std::ostream& out = file->stream();
  TracePrinter printer(out, fmt, WallClock::live());  // live capture: CLOCK_MONOTONIC stamps
  Config config = Config::defaults();
  CaptureOptions copts = capture_options_for(config);
  copts.report_all_failures = true;  // a trace shows every call, as strace does

  ResolverOptions ro;
  ro.seed_from_proc = !pids.empty();
  Resolver resolver(ro);

  std::vector<Event> resolved;
  TracedCommandHooks hooks;
  hooks.on_spawn = [&](int32_t pid) {
    if (pids.empty()) resolver.seed_child_before_exec(pid);
    else resolver.seed_from_proc(pid);
  };
  hooks.on_event = [&](Event&& ev) {
    resolved.clear();
    resolver.resolve(std::move(ev), resolved);
    for (const auto& e : resolved) printer.print(e);
  };
  uint64_t warned = 0;
  hooks.on_tick = [&](uint64_t, const LossCounters& losses) {
    out.flush();
    if (uint64_t lost = total_lost(losses); lost > warned) {
      spdlog::warn("{} events lost so far (ring buffer full): the trace is incomplete", lost);
      warned = lost;
    }
  };
  if (!pids.empty()) {
    follow_running_pids(pids, copts, hooks);
    // A write error was reported when it happened (output_file.h).
    return file->finish() ? kExitOk : kExitRuntimeError;
  }
  TracedCommandResult r = run_traced_command(command, copts, hooks);
  if (!file->finish()) return kExitRuntimeError;
  return r.status;
}

}  // namespace duraudit
