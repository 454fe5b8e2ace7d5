// SPDX-License-Identifier: GPL-2.0-only
// Runs the real duraudit binary the way a user does and reads what it says.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace duraudit::e2e {

struct CommandResult {
  int status = -1;  // exit status (128+N for a signal)
  std::string out;
  std::string err;
};

// Runs argv (no shell), capturing stdout and stderr separately.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& stdin_data = "");

std::string duraudit_bin();
std::string test_program(const std::string& name);  // build/tests/programs/NAME
std::string demo_program(const std::string& name);  // build/demo/NAME
std::string source_dir();

// A scratch directory on a disk filesystem (not tmpfs: duraudit ignores
// tmpfs by default), removed afterwards.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The absolute path of an executable, looked up in PATH and the sbin
// directories (mkfs.xfs, losetup), or "" when it is not installed.
std::string find_tool(const std::string& name);

// A 300 MiB XFS image loop-mounted under `base`/mnt for one test (an XFS
// filesystem to move files onto, or to shut down under a program), unmounted
// and removed afterwards. error() says why it could not be made.
class XfsLoopMount {
 public:
  explicit XfsLoopMount(const std::string& base);
  ~XfsLoopMount();
  XfsLoopMount(const XfsLoopMount&) = delete;
  XfsLoopMount& operator=(const XfsLoopMount&) = delete;
  const std::string& error() const { return error_; }
  const std::string& path() const { return mnt_; }

 private:
  std::string image_, mnt_, error_;
  bool mounted_ = false;
};

// One line of duraudit's JSON output (findings, summaries, trace events,
// rules): parsed (discarded when it is not JSON), and kept in
// build/e2e-json-lines for the schema check that runs after the e2e tests
// (json_schema_e2e_lines: every line the suite reads must validate against
// docs/schema/duraudit-output.v1.json). Every e2e test reads duraudit's JSON
// through this (or parse_report).
nlohmann::json parse_output_line(const std::string& line);

// JSON Lines output of `duraudit run --format json`.
struct JsonReport {
  std::vector<nlohmann::json> findings;
  nlohmann::json summary;
  std::vector<nlohmann::json> of_rule(const std::string& rule) const;
  std::vector<nlohmann::json> about(const std::string& path) const;
  std::vector<nlohmann::json> at_least(const std::string& severity) const;
  std::string describe() const;  // for failure messages
};
JsonReport parse_report(const std::string& jsonl);

// Live tests need root: skip with the reason on a developer machine, fail in CI.
#define DURAUDIT_REQUIRE_ROOT()                                                   \
  do {                                                                            \
    if (geteuid() != 0) {                                                         \
      const char* ci = std::getenv("CI");                                         \
      if (ci && std::string(ci) == "true")                                        \
        FAIL() << "live test needs root to load BPF, and CI=true: failing";       \
      GTEST_SKIP() << "needs root (or CAP_BPF+CAP_PERFMON) to load eBPF programs"; \
    }                                                                             \
  } while (0)

// A real program the test needs (find_tool's result in `path`): skip with
// the reason on a developer machine, fail in CI, where scripts/setup.sh
// installs it.
#define DURAUDIT_REQUIRE_TOOL(path, name)                                             \
  do {                                                                                \
    if ((path).empty()) {                                                             \
      const char* ci = std::getenv("CI");                                             \
      if (ci && std::string(ci) == "true")                                            \
        FAIL() << name << " is not installed, and CI=true: failing (scripts/setup.sh installs it)"; \
      GTEST_SKIP() << name << " not installed (scripts/setup.sh installs it)";        \
    }                                                                                 \
  } while (0)

}  // namespace duraudit::e2e
