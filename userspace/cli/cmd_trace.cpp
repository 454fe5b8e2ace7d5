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
#include "output/trace_printer.h"
#include "resolve/resolver.h"

namespace duraudit {

namespace {

volatile sig_atomic_t g_trace_stop = 0;
void on_trace_stop(int) { g_trace_stop = 1; }

// Follows already-running processes until they have all exited or a signal
// asks us to stop.
int trace_pids(const std::vector<int32_t>& pids, const CaptureOptions& copts, Resolver& resolver,
               TracePrinter& printer, std::ostream& out) {
  std::string error;
  auto capture = BpfCapture::open(copts, &error);
  if (!capture) throw RuntimeError(error);
  for (int32_t pid : pids) {
    if (kill(pid, 0) != 0 && errno == ESRCH)
      throw RuntimeError("no process with pid " + std::to_string(pid));
    capture->add_target(pid);
    resolver.seed_from_proc(pid);
  }
  signal(SIGINT, on_trace_stop);
  signal(SIGTERM, on_trace_stop);
  std::vector<Event> resolved;
  while (!g_trace_stop) {
    capture->poll(
        [&](Event&& ev) {
          resolved.clear();
          resolver.resolve(std::move(ev), resolved);
          for (const auto& e : resolved) printer.print(e);
        },
        100);
    out.flush();
    bool any_alive = false;
    // A zombie has ended: its parent may be waiting on us before reaping it.
    for (int32_t pid : pids) any_alive |= process_alive(pid);
    if (!any_alive) break;
  }
  capture->poll([&](Event&& ev) {
    resolved.clear();
    resolver.resolve(std::move(ev), resolved);
    for (const auto& e : resolved) printer.print(e);
  }, 0);
  uint64_t lost = total_lost(capture->losses());
  if (lost) spdlog::warn("{} events were lost (ring buffer full): the trace is incomplete", lost);
  return kExitOk;
}

}  // namespace

int cmd_trace(const Args& args, const Args& command) {
  std::string format = "text", output;
  std::vector<int32_t> pids;
  po::options_description desc("duraudit trace [OPTIONS] -- CMD ARGS... | duraudit trace --pid N");
  desc.add_options()
      ("help,h", "this help")
      ("format", po::value(&format)->default_value("text"), "text | json (JSON Lines, one event per line)")
      ("output,o", po::value(&output), "write the trace to FILE instead of stdout")
      ("pid,p", po::value(&pids)->composing(), "trace a running process (repeatable)");
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

  std::ofstream file;
  if (!output.empty()) {
    file.open(output, std::ios::out | std::ios::trunc);
    if (!file) throw UsageError("cannot open output file " + output + ": " + strerror(errno));
  }
  std::ostream& out = output.empty() ? std::cout : file;
  TracePrinter printer(out, fmt);
  Config config = Config::defaults();
  CaptureOptions copts = capture_options_for(config);

  ResolverOptions ro;
  ro.seed_from_proc = !pids.empty();
  Resolver resolver(ro);
  if (!pids.empty()) return trace_pids(pids, copts, resolver, printer, out);

  std::vector<Event> resolved;
  TracedCommandHooks hooks;
  hooks.on_spawn = [&](int32_t pid) { resolver.seed_child_before_exec(pid); };
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
  TracedCommandResult r = run_traced_command(command, copts, hooks);
  out.flush();
  return r.status;
}

}  // namespace duraudit
