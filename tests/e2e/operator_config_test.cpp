// SPDX-License-Identifier: GPL-2.0-only
// Configuration as an operator gives it (docs/configuration.md): the rules
// directory attach loads by default (--rules-dir, --no-default-rules,
// SIGHUP re-reading it) and options from DURAUDIT_* environment variables.
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "e2e/attach_session.h"
#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string suppress(const ScratchDir& dir, const std::string& glob) {
  return "version: 1\nsuppressions:\n  - { rule: close-without-fsync, path: \"" + dir.path() + "/" + glob +
         "\", reason: test }\n";
}

// Scoped environment variables for the duraudit the test starts.
struct Env {
  std::vector<std::string> names;
  void set(const std::string& n, const std::string& v) {
    setenv(n.c_str(), v.c_str(), 1);
    names.push_back(n);
  }
  ~Env() {
    for (const auto& n : names) unsetenv(n.c_str());
  }
};

// A bad file in the rules directory stops attach at start-up exactly as a
// bad --rules does (exit 2, FILE:LINE: message), before any BPF work (so
// no root needed); --no-default-rules skips the directory altogether.
TEST(AttachRulesDir, ABadFileIsAStartUpErrorLikeABadRulesFile) {
  ScratchDir dir;
  std::filesystem::create_directory(dir / "rules.d");
  write_file(dir / "rules.d/10-ok.yaml", "version: 1\n");
  write_file(dir / "rules.d/20-bad.yaml", "version: 1\nrules:\n  close-without-fsink: off\n");
  BoundedRun r = run_bounded({duraudit_bin(), "attach", "--all", "--rules-dir", dir / "rules.d"}, dir, 30s);
  ASSERT_TRUE(r.status) << r.err;
  EXPECT_EQ(*r.status, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("invalid rules file:"));
  EXPECT_THAT(r.err, HasSubstr(dir / "rules.d/20-bad.yaml:"));
  EXPECT_THAT(r.err, HasSubstr("close-without-fsink"));

  // The directory is not a directory: named, exit 2.
  BoundedRun nd = run_bounded({duraudit_bin(), "attach", "--all", "--rules-dir", dir / "rules.d/10-ok.yaml"}, dir, 30s);
  ASSERT_TRUE(nd.status) << nd.err;
  EXPECT_EQ(*nd.status, 2) << nd.err;
  EXPECT_THAT(nd.err, HasSubstr("rules directory " + dir / "rules.d/10-ok.yaml" + ": Not a directory"));
}

TEST(AttachRulesDir, NoDefaultRulesSkipsTheDirectory) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::filesystem::create_directory(dir / "rules.d");
  write_file(dir / "rules.d/20-bad.yaml", "not: [valid\n");
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--rules-dir", dir / "rules.d",
                             "--no-default-rules"});
  EXPECT_TRUE(attach.ready()) << attach.describe();
}

// The directory's files load in name order, then --rules: a later file
// wins. SIGHUP lists the directory again, so a file dropped in later counts.
TEST(AttachRulesDir, FilesLoadInNameOrderBeforeRulesAndSighupRereadsTheDirectory) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::filesystem::create_directory(dir / "rules.d");
  write_file(dir / "rules.d/10-sev.yaml", "version: 1\nrules:\n  close-without-fsync: notice\n");
  write_file(dir / "rules.d/20-sev.yaml", "version: 1\nrules:\n  close-without-fsync: error\n");
  // Not *.yaml: never loaded (it would fail).
  write_file(dir / "rules.d/30-bad.yaml.disabled", "not: [valid\n");
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  write_file(dir / "cmdline.yaml", "version: 1\n");
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--grace", "1s", "--rules-dir", dir / "rules.d",
                             "--rules", dir / "cmdline.yaml"});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  EXPECT_THAT(attach.err(), HasSubstr("rules files: " + dir / "rules.d/10-sev.yaml" + ", " + dir / "rules.d/20-sev.yaml" +
                                      ", " + dir / "cmdline.yaml"));
  ASSERT_TRUE(target.run("fork first.txt"));
  auto f = attach.wait_for_finding("close-without-fsync", dir / "first.txt", 20s);
  ASSERT_TRUE(f) << attach.describe();
  EXPECT_EQ(f->value("severity", ""), "error") << "20-sev.yaml loads after 10-sev.yaml";

  // A drop-in added while running, picked up by SIGHUP.
  write_file(dir / "rules.d/50-kids.yaml", suppress(dir, "kid*"));
  ASSERT_TRUE(attach.signal(SIGHUP));
  ASSERT_TRUE(attach.wait_for_err("rules reloaded", 10s)) << attach.describe();
  ASSERT_TRUE(target.run("fork kid-1.txt"));
  ASSERT_TRUE(target.run("fork other.txt"));
  ASSERT_TRUE(attach.wait_for_finding("close-without-fsync", dir / "other.txt", 20s)) << attach.describe();
  // A bad drop-in on SIGHUP: the previous rules stay, the agent goes on.
  write_file(dir / "rules.d/60-bad.yaml", "version: 1\nrules:\n  close-without-fsink: off\n");
  ASSERT_TRUE(attach.signal(SIGHUP));
  ASSERT_TRUE(attach.wait_for_err("keeping the previous rules", 10s)) << attach.describe();
  EXPECT_THAT(attach.err(), HasSubstr("60-bad.yaml:"));
  ASSERT_TRUE(target.run("fork kid-2.txt"));
  ASSERT_TRUE(target.run("fork other2.txt"));
  ASSERT_TRUE(attach.wait_for_finding("close-without-fsync", dir / "other2.txt", 20s)) << attach.describe();
  ASSERT_TRUE(target.run("exit", false));
  ASSERT_TRUE(attach.wait_exit(20s)) << attach.describe();
  JsonReport rep = attach.report();
  EXPECT_TRUE(rep.about(dir / "kid-1.txt").empty()) << rep.describe();
  EXPECT_TRUE(rep.about(dir / "kid-2.txt").empty()) << rep.describe();
}

// DURAUDIT_<OPTION> fills in an option; the command line wins over it.
TEST(AttachEnvironment, AnOptionFromTheEnvironmentIsValidatedAndTheCommandLineWins) {
  ScratchDir dir;
  Env env;
  env.set("DURAUDIT_METRICS_LISTEN", "from-env-not-an-address");
  BoundedRun r = run_bounded({duraudit_bin(), "attach", "--all", "--rules-dir", dir / "none"}, dir, 30s);
  ASSERT_TRUE(r.status) << r.err;
  EXPECT_EQ(*r.status, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--metrics-listen: invalid metrics listen address 'from-env-not-an-address'"));

  BoundedRun c = run_bounded(
      {duraudit_bin(), "attach", "--all", "--rules-dir", dir / "none", "--metrics-listen", "from-cmdline"}, dir, 30s);
  ASSERT_TRUE(c.status) << c.err;
  EXPECT_EQ(*c.status, 2) << c.err;
  EXPECT_THAT(c.err, HasSubstr("'from-cmdline'"));
  EXPECT_THAT(c.err, Not(HasSubstr("from-env")));

  // A switch, and --log-level, from the environment: DURAUDIT_ALL with
  // --pid is the usual conflict.
  Env more;
  more.set("DURAUDIT_ALL", "true");
  more.set("DURAUDIT_LOG_LEVEL", "info");
  BoundedRun s = run_bounded({duraudit_bin(), "attach", "--pid", "1", "--rules-dir", dir / "none"}, dir, 30s);
  ASSERT_TRUE(s.status) << s.err;
  EXPECT_EQ(*s.status, 2) << s.err;
  EXPECT_THAT(s.err, HasSubstr("--all already selects every process"));
  EXPECT_THAT(s.err, HasSubstr("--all from $DURAUDIT_ALL")) << "info: where an option came from";
}

}  // namespace
}  // namespace duraudit::e2e
