// SPDX-License-Identifier: GPL-2.0-only
// duraudit record -o FILE -- CMD ARGS...   |   duraudit record -o FILE --pid N
// Writes the captured raw event stream to a recording that `duraudit replay`
// audits later, anywhere, with any rules.
#include <errno.h>
#include <signal.h>
#include <string.h>

#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/option_parsing.h"
#include "cli/stack_options.h"
#include "cli/traced_command.h"
#include "util/proc_tree.h"
#include "record/recording_writer.h"
#include "resolve/proc_seed.h"

namespace duraudit {

int cmd_record(const Args& args, const Args& command) {
  std::string output;
  std::vector<int32_t> pids;
  StackCliOptions stack_opts;
  po::options_description desc("duraudit record -o FILE [--pid N]... | duraudit record -o FILE -- CMD ARGS...");
  desc.add_options()
      ("help,h", "this help")
      ("output,o", po::value(&output), "the recording to write (required)")
      ("pid,p", po::value(&pids)->composing(), "record a running process and its descendants (repeatable)");
  add_stack_options(desc, stack_opts, /*on_by_default=*/true);
  auto vm = parse_options(desc, args);
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  if (output.empty()) throw UsageError("record needs -o FILE");
  if (command.empty() == pids.empty()) throw UsageError("record needs either a command (-- CMD ARGS...) or --pid N");
  check_pid_values(pids);

  CaptureOptions copts = capture_options_for(Config::defaults());
  apply_stack_options(stack_opts, /*on_by_default=*/true, copts);

  RecordingWriter writer;
  std::string error;
  // A path that is refused or cannot be opened is a bad value (exit 2), as
  // run's and trace's -o; a header that cannot be written is a write error (exit 1).
  if (!writer.open(output, &error)) throw UsageError(error);
  if (!writer.write_local_header(&error)) throw RuntimeError(error);

  // A write error is reported once, when it happens; the session goes on
  // (the command is not left untraced) and record exits 1. Nothing is
  // thrown from here: these run inside libbpf's ring-buffer callback.
  bool reported = false;
  auto report_write_error = [&] {
    if (reported || writer.error().empty()) return;
    reported = true;
    spdlog::error("{}", writer.error());
  };
  auto on_event = [&](Event&& ev) {
    if (!writer.append(ev)) report_write_error();
  };
  // The state of an initial target before its first event (cwd, inherited
  // fds), so replay resolves relative paths and fd calls as `run` does with
  // its own /proc seeding.
  auto seed = [&](int32_t pid, bool before_exec) {
    ProcessSeed ps;
    ps.pid = pid;
    if (!read_proc_snapshot(pid, ps.snapshot)) {
      spdlog::warn("cannot read /proc/{}: relative paths of that process will replay against --cwd", pid);
      return;
    }
    if (before_exec) prepare_launched_snapshot(ps.snapshot);
    if (!writer.append_seed(ps)) report_write_error();
  };
  // Returns false when the recording could not be written completely.
  auto finish = [&](const LossCounters& losses) {
    if (!writer.close(losses, &error)) {
      if (!reported) spdlog::error("{}", error);
      return false;
    }
    if (reported) return false;
    uint64_t lost = total_lost(losses);
    spdlog::info("recorded {} events ({} bytes) to {}", writer.events_written(), writer.bytes_written(), output);
    if (lost) spdlog::warn("{} events were lost (ring buffer full): the recording is incomplete", lost);
    return true;
  };

  TracedCommandHooks hooks;
  hooks.on_event = on_event;
  // Flush about every 100 ms: a killed recorder leaves a file that replays
  // up to its last complete event.
  hooks.on_tick = [&](uint64_t, const LossCounters&) {
    if (!writer.flush()) report_write_error();
  };
  std::unique_ptr<BpfCapture> capture;
  if (!pids.empty()) {
    hooks.on_spawn = [&](int32_t pid) { seed(pid, false); };
    follow_running_pids(pids, copts, hooks, &capture);
    return finish(capture->losses()) ? kExitOk : kExitRuntimeError;
  }
  hooks.on_spawn = [&](int32_t pid) { seed(pid, true); };
  TracedCommandResult r = run_traced_command(command, copts, hooks, &capture);
  if (!finish(capture->losses())) return kExitRuntimeError;
  return r.status;
}

}  // namespace duraudit
