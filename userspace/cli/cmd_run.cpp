// SPDX-License-Identifier: GPL-2.0-only
// duraudit run [opts] -- CMD ARGS...: trace CMD and all its descendants,
// settle every verdict when the tree has exited, print findings, exit.
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>

#include "cli/audit_options.h"
#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/stack_options.h"
#include "cli/traced_command.h"
#include "session/audit_pipeline.h"
#include "resolve/path_views.h"

namespace duraudit {

int cmd_run(const Args& args, const Args& command) {
  AuditOptions opts;
  // The command's stdout is its own: findings go to stderr unless -o says otherwise.
  opts.findings_to_stderr = true;
  std::string user, findings_exit_text;
  StackCliOptions stack_opts;
  po::options_description desc("duraudit run [OPTIONS] -- CMD ARGS...");
  desc.add_options()("help,h", "this help")(
      "user,u", po::value(&user)->value_name("USER"),
      "run CMD as USER (name or uid: its uid, gid, groups, HOME/USER/LOGNAME); duraudit keeps its privileges")(
      "findings-exit-code", po::value(&findings_exit_text)->value_name("N"),
      "exit N (1-255, default 3) when CMD succeeded and a finding at or above --fail-on exists");
  add_audit_options(desc, opts);
  add_stack_options(desc, stack_opts, /*on_by_default=*/true);
  auto vm = parse_options(desc, args);
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  int findings_exit = kExitFindings;
  if (vm.count("findings-exit-code"))
    findings_exit = static_cast<int>(parse_count("--findings-exit-code", findings_exit_text, 1, 255));
  if (command.empty()) throw UsageError("run needs a command: duraudit run [OPTIONS] -- CMD ARGS...");
  std::optional<RunAs> run_as;
  if (vm.count("user")) {
    std::string why;
    run_as = resolve_run_as(user, &why);
    if (!run_as) throw UsageError(why);
  } else if (const char* sudo_user = std::getenv("SUDO_USER"); sudo_user && *sudo_user && geteuid() == 0) {
    spdlog::warn("the command runs as root (duraudit was started with sudo); add -u {} to run it as you",
                 sudo_user);
  }

  AuditSetup setup = prepare_audit(opts);
  CaptureOptions copts = capture_options_for(setup.config);
  bool stacks = apply_stack_options(stack_opts, /*on_by_default=*/true, copts);
  ResolverOptions ro;
  // Containers and chroots: their paths are their own (resolve/path_view.h).
  ro.agent_view = own_path_view();
  ro.live_views = true;
  setup.reporter->set_origin({this_host_name(), WallClock::live()});
  AuditPipeline pipeline(setup.config, ro, *setup.reporter);

  TracedCommandHooks hooks;
  hooks.on_spawn = [&](int32_t pid) { pipeline.resolver().seed_child_before_exec(pid); };
  hooks.on_event = [&](Event&& ev) { pipeline.feed(std::move(ev)); };
  uint64_t warned_lost = 0;
  hooks.on_tick = [&](uint64_t now, const LossCounters& losses) {
    pipeline.update_losses(losses);
    uint64_t lost = total_lost(losses);
    if (lost > warned_lost) {
      spdlog::warn("{} events lost so far (ring buffer full); verdicts rest on incomplete data", lost);
      warned_lost = lost;
    }
    // Under run, "later" verdicts wait for the tree to exit unless --grace
    // asks for a window of its own.
    if (setup.grace_given) pipeline.advance_time(now);
  };

  std::unique_ptr<BpfCapture> capture;
  TracedCommandResult r = run_traced_command(command, copts, hooks, &capture, run_as ? &*run_as : nullptr);
  if (stacks) setup.reporter->summary().stacks = capture->stack_counters();
  pipeline.finish(capture->losses());
  setup.finish_outputs();
  if (r.interrupted) spdlog::warn("interrupted: verdicts settled on what was seen so far");
  // A findings file that could not be written is duraudit's own failure.
  return audit_exit_status(r.status, setup, findings_exit, kExitRunFailure);
}

}  // namespace duraudit
