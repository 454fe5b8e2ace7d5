// SPDX-License-Identifier: GPL-2.0-only
#include "e2e/attach_session.h"

#include <signal.h>

#include <atomic>

namespace duraudit::e2e {

namespace {
// Distinct log file names for several processes in one scratch directory.
std::string next_name(const std::string& stem) {
  static std::atomic<int> n{0};
  return stem + "-" + std::to_string(++n);
}
}  // namespace

Target::Target(const ScratchDir& dir)
    : proc_({test_program("attach_target"), dir.path()}, dir / next_name("target.out"),
            dir / next_name("target.err")) {}

bool Target::ready() { return proc_.wait_for_out("ready", 10s); }

bool Target::run(const std::string& command, bool wait_ok) {
  size_t before = count_of(proc_.out(), "ok\n");
  if (!proc_.send_line(command)) return false;
  if (!wait_ok) return true;
  return wait_until([&] { return count_of(proc_.out(), "ok\n") > before; }, 30s, 10ms);
}

std::string Target::describe() const {
  return "attach_target stdout:\n" + proc_.out() + "attach_target stderr:\n" + proc_.err();
}

AttachSession::AttachSession(const ScratchDir& dir, const std::vector<std::string>& args)
    : output_(dir / next_name("findings") + ".jsonl"),
      proc_(
          [&] {
            std::vector<std::string> argv{duraudit_bin(), "--log-level", "info", "attach",
                                          "--format", "json", "-o", output_};
            // Hermetic: the machine's /etc/duraudit/rules.d (an installed
            // package's) must not change what a test sees.
            bool rules_dir_given = false;
            for (const auto& a : args) rules_dir_given |= a == "--rules-dir" || a == "--no-default-rules";
            if (!rules_dir_given) argv.insert(argv.end(), {"--rules-dir", dir / "no-rules.d"});
            argv.insert(argv.end(), args.begin(), args.end());
            return argv;
          }(),
          dir / next_name("attach.out"), dir / next_name("attach.err")) {}

AttachSession::~AttachSession() { proc_.stop(10s); }

bool AttachSession::ready() { return proc_.wait_for_err("attached to", 60s); }

JsonReport AttachSession::report() const {
  std::string text = read_text(output_);
  // A line being written right now is not JSON yet.
  size_t end = text.rfind('\n');
  return parse_report(end == std::string::npos ? std::string() : text.substr(0, end + 1));
}

std::optional<nlohmann::json> AttachSession::wait_for_finding(const std::string& rule, const std::string& path,
                                                              std::chrono::milliseconds timeout) {
  std::optional<nlohmann::json> found;
  wait_until(
      [&] {
        for (const auto& f : report().of_rule(rule))
          if (f.value("path", "") == path) {
            found = f;
            return true;
          }
        return false;
      },
      timeout, 100ms);
  return found;
}

std::string AttachSession::describe() const {
  return "duraudit attach stderr:\n" + proc_.err() + "findings (" + output_ + "):\n" + report().describe();
}

BoundedRun run_bounded(const std::vector<std::string>& argv, const ScratchDir& dir,
                       std::chrono::milliseconds timeout) {
  std::string out = dir / next_name("bounded.out"), err = dir / next_name("bounded.err");
  BoundedRun r;
  {
    BackgroundProcess p(argv, out, err);
    r.status = p.wait(timeout);
    if (!r.status) p.stop(1s);
  }
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

}  // namespace duraudit::e2e
