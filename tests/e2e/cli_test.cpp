// SPDX-License-Identifier: GPL-2.0-only
// The duraudit command line as scripts and CI jobs rely on it: exit codes,
// error messages, baselines, rules files.
#include <unistd.h>

#include <fstream>

#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;

// A command with one close-without-fsync (warning) and one
// rename-without-fsync (error).
std::vector<std::string> buggy_writer(const ScratchDir& dir) {
  return {"/bin/sh", "-c", "echo data > " + (dir / "a.tmp") + " && mv " + (dir / "a.tmp") + " " + (dir / "a")};
}

TEST(Cli, VersionAndHelp) {
  auto v = run_command({duraudit_bin(), "--version"});
  EXPECT_EQ(v.status, 0);
  // The first line is what scripts read: version and git revision.
  EXPECT_THAT(v.out, ::testing::MatchesRegex("duraudit [0-9]+\\.[0-9]+\\.[0-9]+ \\(git [^)]+\\)\n(.|\n)*"));
  // Then what a bug report needs: libbpf, the kernel and what it offers.
  EXPECT_THAT(v.out, ::testing::ContainsRegex("\nlibbpf [0-9]+\\.[0-9]+\n"));
  EXPECT_THAT(v.out, HasSubstr("\nkernel "));
  EXPECT_THAT(v.out, HasSubstr("BTF (/sys/kernel/btf/vmlinux):"));
  EXPECT_THAT(v.out, HasSubstr("BPF ring buffer:"));
  auto h = run_command({duraudit_bin(), "--help"});
  EXPECT_EQ(h.status, 0);
  EXPECT_THAT(h.out, HasSubstr("run"));
  EXPECT_THAT(h.out, HasSubstr("trace"));
}

// --version is the first thing a bug report asks for: it needs no root and
// loads no BPF, so it works as any user.
TEST(Cli, VersionWorksWithoutRoot) {
  if (geteuid() != 0) {
    EXPECT_EQ(run_command({duraudit_bin(), "--version"}).status, 0);
    return;
  }
  auto v = run_command({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", duraudit_bin(), "--version"});
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_THAT(v.out, HasSubstr("BTF (/sys/kernel/btf/vmlinux):"));
}

// Usage errors exit 2, except under run, whose own failures are 125
// (exit_status_test.cpp has the whole table).
TEST(Cli, UnknownSubcommandIsAUsageErrorAndRunsBadFlagsAre125) {
  auto r = run_command({duraudit_bin(), "frobnicate"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("frobnicate"));
  auto f = run_command({duraudit_bin(), "run", "--no-such-flag", "--", "true"});
  EXPECT_EQ(f.status, 125);
  EXPECT_THAT(f.err, HasSubstr("no-such-flag"));
  auto fo = run_command({duraudit_bin(), "run", "--fail-on", "sometimes", "--", "true"});
  EXPECT_EQ(fo.status, 125);
  EXPECT_THAT(fo.err, HasSubstr("--fail-on"));
  auto nocmd = run_command({duraudit_bin(), "run"});
  EXPECT_EQ(nocmd.status, 125);
}

TEST(Cli, RulesListShowsTheCatalogue) {
  auto r = run_command({duraudit_bin(), "rules", "list"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* id : {"close-without-fsync", "rename-without-fsync", "unlink-before-durable", "missing-dir-fsync",
                         "truncate-in-place", "fsync-error-ignored", "state-deleted", "sync-file-range-only"})
    EXPECT_THAT(r.out, HasSubstr(id));
}

TEST(Cli, RulesCheckReportsFileAndLine) {
  ScratchDir dir;
  std::string bad = dir / "bad.yaml";
  std::ofstream(bad) << "version: 1\nrules:\n  close-without-fsync:\n    severity: catastrophic\n";
  auto r = run_command({duraudit_bin(), "rules", "check", bad});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err + r.out, HasSubstr(bad + ":4"));
  auto ok = run_command({duraudit_bin(), "rules", "check", source_dir() + "/rules/default.yaml"});
  EXPECT_EQ(ok.status, 0) << ok.err;
}

TEST(Cli, InvalidRulesFileIsExit125UnderRunBeforeRunningAnything) {
  ScratchDir dir;
  std::string bad = dir / "bad.yaml";
  std::ofstream(bad) << "version: 1\nbogus_key: 3\n";
  std::string marker = dir / "ran";
  auto r = run_command({duraudit_bin(), "run", "--rules", bad, "--", "touch", marker});
  EXPECT_EQ(r.status, 125);
  EXPECT_THAT(r.err, HasSubstr(bad + ":2"));
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(Cli, ExitCodesFollowFailOn) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  // default --fail-on none: findings do not change the exit code
  EXPECT_EQ(run_command({duraudit_bin(), "run", "--", buggy_writer(dir)[0], buggy_writer(dir)[1], buggy_writer(dir)[2]}).status, 0);
  auto run_with = [&](const std::string& level) {
    std::vector<std::string> argv{duraudit_bin(), "run", "--fail-on", level, "--"};
    for (auto& a : buggy_writer(dir)) argv.push_back(a);
    return run_command(argv);
  };
  EXPECT_EQ(run_with("error").status, 3);
  EXPECT_EQ(run_with("warning").status, 3);
  auto r = run_with("notice");
  EXPECT_EQ(r.status, 3);
  // Under run, findings go to stderr: stdout is the command's.
  EXPECT_THAT(r.err, HasSubstr("rename-without-fsync"));
  EXPECT_EQ(r.out, "");
}

TEST(Cli, ChildStatusWinsOverFindings) {
  DURAUDIT_REQUIRE_ROOT();
  auto r = run_command({duraudit_bin(), "run", "--fail-on", "notice", "--", "/bin/sh", "-c", "exit 7"});
  EXPECT_EQ(r.status, 7);
  auto s = run_command({duraudit_bin(), "run", "--", "/bin/sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(s.status, 128 + 15);
}

TEST(Cli, CommandNotFoundIs127WithAMessage) {
  DURAUDIT_REQUIRE_ROOT();
  auto r = run_command({duraudit_bin(), "run", "--", "/no/such/program"});
  EXPECT_EQ(r.status, 127);
  EXPECT_THAT(r.err, HasSubstr("/no/such/program"));
  auto t = run_command({duraudit_bin(), "trace", "--", "/no/such/program"});
  EXPECT_EQ(t.status, 127);
}

TEST(Cli, TargetThatExitsAtOnce) {
  DURAUDIT_REQUIRE_ROOT();
  auto r = run_command({duraudit_bin(), "run", "--format", "json", "-o", "-", "--", "true"});
  EXPECT_EQ(r.status, 0) << r.err;
  auto rep = parse_report(r.out);
  EXPECT_TRUE(rep.findings.empty()) << rep.describe();
  EXPECT_GE(rep.summary.value("processes", 0), 1);
}

TEST(Cli, OutputFileGetsFindingsNotStdout) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string out = dir / "findings.jsonl";
  std::vector<std::string> argv{duraudit_bin(), "run", "--format", "json", "-o", out, "--"};
  for (auto& a : buggy_writer(dir)) argv.push_back(a);
  auto r = run_command(argv);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.find("\"type\":\"finding\""), std::string::npos);
  std::ifstream f(out);
  std::string content((std::istreambuf_iterator<char>(f)), {});
  auto rep = parse_report(content);
  EXPECT_FALSE(rep.of_rule("rename-without-fsync").empty()) << content;
}

TEST(Cli, BaselineSuppressesKnownFindings) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string baseline = dir / "baseline.jsonl";
  auto run_with = [&](std::vector<std::string> opts) {
    std::vector<std::string> argv{duraudit_bin(), "run", "--format", "json", "-o", "-", "--fail-on", "warning"};
    argv.insert(argv.end(), opts.begin(), opts.end());
    argv.push_back("--");
    for (auto& a : buggy_writer(dir)) argv.push_back(a);
    return run_command(argv);
  };
  auto first = run_with({"--write-baseline", baseline});
  EXPECT_EQ(first.status, 3) << first.err;
  size_t n = parse_report(first.out).findings.size();
  ASSERT_GT(n, 0u);
  auto second = run_with({"--baseline", baseline});
  EXPECT_EQ(second.status, 0) << second.out << second.err;
  auto rep = parse_report(second.out);
  EXPECT_TRUE(rep.findings.empty()) << rep.describe();
  EXPECT_EQ(rep.summary.value("suppressed", nlohmann::json::object()).value("baseline", 0u), n) << rep.summary.dump();
}

TEST(Cli, MissingBaselineFileIsAConfigurationError) {
  auto r = run_command({duraudit_bin(), "run", "--baseline", "/no/such/baseline", "--", "true"});
  EXPECT_EQ(r.status, 125);
  EXPECT_THAT(r.err, HasSubstr("/no/such/baseline"));
}

}  // namespace
}  // namespace duraudit::e2e
