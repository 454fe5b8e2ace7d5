// SPDX-License-Identifier: GPL-2.0-only
// duraudit replay [audit options] FILE            a recording (duraudit record)
// duraudit replay [audit options] --strace FILE   an `strace -f` log ("-" = stdin)
// The same engine and the same verdicts as a live run, on a trace.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli/audit_options.h"
#include "cli/commands.h"
#include "cli/errors.h"
#include "record/recording_source.h"
#include "session/audit_pipeline.h"
#include "strace/strace_source.h"
#include "util/text_escape.h"

namespace duraudit {

namespace {

// "pid 123 (fio) used io_uring, pid 130 (db) used Linux AIO and 4 more".
// For stderr the names are escaped here; the sinks escape the summary's.
std::string async_blind_summary(const std::vector<BlindProcess>& blind, bool for_stderr) {
  constexpr size_t kNamed = 3;
  std::string s;
  for (size_t i = 0; i < blind.size() && i < kNamed; ++i) {
    if (i) s += ", ";
    s += "pid " + std::to_string(blind[i].pid) + " (" + (for_stderr ? escape_text(blind[i].comm) : blind[i].comm) + ") used " + async_blind_uses(blind[i]);
  }
  if (blind.size() > kNamed) s += " and " + std::to_string(blind.size() - kNamed) + " more";
  return s;
}

// Where an strace log's unparsed lines are: "line 2 of app.strace",
// "lines 2, 4 and 5 of app.strace", "app.strace line 2, app.strace.43 line 9
// and 3 more" (the first StraceSource::kKeptErrors are known).
std::string unparsed_where(const StraceSource& src) {
  const auto& errors = src.parse_errors();
  if (errors.empty()) return {};
  bool one_file = true;
  for (const auto& e : errors) one_file &= e.file == errors.front().file;
  std::vector<std::string> items;
  for (const auto& e : errors)
    items.push_back(one_file ? std::to_string(e.line) : escape_text(e.file) + " line " + std::to_string(e.line));
  uint64_t more = src.unparsed_lines() - errors.size();
  if (more) items.push_back(std::to_string(more) + " more");
  std::string list;
  for (size_t i = 0; i < items.size(); ++i) list += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  if (!one_file) return list;
  return (src.unparsed_lines() == 1 ? "line " : "lines ") + list + " of " + escape_text(errors.front().file);
}

}  // namespace

int cmd_replay(const Args& args, const Args& command) {
  AuditOptions opts;
  bool strace = false;
  std::string cwd;
  po::options_description desc("duraudit replay [OPTIONS] FILE | duraudit replay [OPTIONS] --strace FILE|-");
  desc.add_options()
      ("help,h", "this help")
      ("strace", po::bool_switch(&strace), "FILE is strace output (strace -f [-tt] [-yy] -o FILE ...; '-' for stdin)")
      ("cwd", po::value(&cwd), "working directory of the traced command, for relative paths in an strace log "
                               "(default: what strace -y printed for AT_FDCWD, else the current directory)");
  add_audit_options(desc, opts);
  std::vector<std::string> files;
  auto vm = parse_options(desc, args, &files);
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  if (!command.empty()) throw UsageError("replay takes a trace file, not a command");
  if (files.size() != 1) throw UsageError("replay needs exactly one trace FILE (or --strace FILE)");
  const std::string& file = files.front();
  // Relative paths in the trace are made absolute against it.
  if (!cwd.empty() && cwd.front() != '/')
    throw UsageError("--cwd must be an absolute directory, the traced command's working directory (got '" + cwd +
                     "')");

  AuditSetup setup = prepare_audit(opts);
  ResolverOptions ro;
  ro.seed_from_proc = false;
  ro.default_cwd = cwd.empty() ? std::filesystem::current_path().string() : cwd;

  std::string error;
  std::unique_ptr<EventSource> source;
  StraceSource* strace_source = nullptr;
  RecordingSource* recording = nullptr;
  if (strace) {
    auto s = StraceSource::open(file, &error);
    if (!s) throw RuntimeError(error);
    strace_source = s.get();
    source = std::move(s);
    // strace -y names the cwd (AT_FDCWD</dir>); --cwd still wins.
    if (cwd.empty() && !strace_source->initial_cwd().empty()) {
      ro.default_cwd = strace_source->initial_cwd();
      spdlog::debug("cwd of the traced command, from the log: {}", ro.default_cwd);
    }
  } else {
    auto r = RecordingSource::open(file, &error);
    if (!r) throw RuntimeError(error + (error.find("not a duraudit recording") != std::string::npos
                                            ? " (for strace output use: duraudit replay --strace FILE)"
                                            : ""));
    recording = r.get();
    // The recorder's view tells the recorded containers' paths apart.
    ro.agent_view = recording->recorder_view();
    source = std::move(r);
  }

  // An strace log cannot show io_uring / AIO operations: the engine marks
  // what the processes that use them touched (engine/blind_process.h).
  EngineOptions eo;
  eo.source = source->kind();
  // A recording says where it was made; an strace log does not.
  setup.reporter->set_origin({recording ? recording->host() : std::string(), source->wall_clock()});
  AuditPipeline pipeline(setup.config, ro, *setup.reporter, std::move(eo));
  if (recording)
    for (const auto& seed : recording->seeds()) pipeline.resolver().seed(seed.pid, seed.snapshot);
  // Like run, "later" verdicts wait for the end of the trace unless --grace
  // asks for a window; then the trace's own clock drives them, ticking as
  // often as attach does (every 100 ms), so a recording of an attach
  // session settles as the live session did.
  constexpr uint64_t kTickNs = 100'000'000;
  uint64_t last_tick = 0;
  auto feed = [&](Event&& ev) {
    if (setup.grace_given && ev.ts_ns >= last_tick + kTickNs) {
      if (last_tick) pipeline.advance_time(ev.ts_ns);
      last_tick = ev.ts_ns;
    }
    pipeline.feed(std::move(ev));
  };
  while (source->poll(feed, 0)) {
  }

  // What the trace could not tell us goes into the summary and on stderr.
  Summary& sum = setup.reporter->summary();
  if (strace_source) {
    for (const auto& e : strace_source->parse_errors())
      spdlog::warn("{}:{}: unparsed line ({}): {}", escape_text(e.file), e.line, e.reason, escape_text(e.text));
    if (strace_source->unparsed_lines() > strace_source->parse_errors().size())
      spdlog::warn("{} unparsed lines in all", strace_source->unparsed_lines());
    // The summary names them too, and says the findings may be incomplete.
    pipeline.set_loss_details({{"strace_unparsed_lines", unparsed_where(*strace_source)}});
    if (strace_source->assumed_writes()) {
      spdlog::warn("the log has no write calls (strace -e filtered them?): files opened for writing are assumed "
                   "written");
      sum.incomplete = true;
      sum.incomplete_reason = "the strace log had no write calls; files opened for writing were assumed written";
    }
  }
  std::vector<BlindProcess> blind;
  for (const BlindProcess& p : pipeline.engine().blind_processes())
    if (p.async_blind()) blind.push_back(p);
  if (!blind.empty()) {
    spdlog::warn("strace cannot see io_uring or Linux AIO operations; {}: findings about {} files are marked "
                 "incomplete",
                 async_blind_summary(blind, true), blind.size() == 1 ? "its" : "their");
    sum.incomplete = true;
    std::string why =
        "strace cannot see io_uring or Linux AIO operations (" + async_blind_summary(blind, false) + ")";
    sum.incomplete_reason = sum.incomplete_reason.empty() ? why : sum.incomplete_reason + "; " + why;
  }
  if (recording && recording->truncated()) {
    spdlog::warn("{} is truncated ({}): replayed {} events up to the last complete one", file,
                 recording->truncation_reason(), recording->events_read());
    sum.incomplete = true;
    sum.incomplete_reason = "the recording is truncated: " + recording->truncation_reason();
  }
  pipeline.finish(source->losses());
  setup.finish_outputs();
  return audit_exit_status(0, setup);
}

}  // namespace duraudit
