// SPDX-License-Identifier: GPL-2.0-only
// Under `duraudit run`, standard output belongs to the command: findings go
// to stderr (or -o FILE; -o - asks for stdout), so `duraudit run -- CMD >
// out` leaves in `out` exactly what CMD alone would have written.
#include <filesystem>
#include <fstream>

#include "e2e/background_process.h"
#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RunStdout, TheCommandsLinesAreByteIdenticalAndFindingsGoToStderr) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  // Prints lines (one without a final newline) and writes a file it never
  // fsyncs: a close-without-fsync finding.
  const std::vector<std::string> command = {
      "/bin/sh", "-c", "printf 'hello\\nsecond line\\n\\tno newline at the end'; echo a > " + (dir / "f")};
  auto alone = run_command(command);
  ASSERT_EQ(alone.status, 0) << alone.err;
  ASSERT_EQ(alone.out, "hello\nsecond line\n\tno newline at the end");

  for (const char* format : {"text", "json"}) {
    std::vector<std::string> argv{duraudit_bin(), "run", "--format", format, "--"};
    argv.insert(argv.end(), command.begin(), command.end());
    auto r = run_command(argv);
    ASSERT_EQ(r.status, 0) << format << ": " << r.err;
    EXPECT_EQ(r.out, alone.out) << format;
    EXPECT_THAT(r.err, HasSubstr("close-without-fsync")) << format;
    if (std::string(format) == "json") {
      EXPECT_THAT(r.err, HasSubstr("\"type\":\"finding\""));
      EXPECT_THAT(r.err, HasSubstr("\"type\":\"summary\""));
    } else {
      // The summary follows the findings, on the same stream.
      size_t finding = r.err.find("close-without-fsync"), summary = r.err.find("duraudit summary");
      ASSERT_NE(summary, std::string::npos) << r.err;
      EXPECT_LT(finding, summary) << r.err;
    }
  }
}

TEST(RunStdout, BinaryOutputIsByteIdentical) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string data = dir / "random.bin", alone = dir / "alone.bin", traced = dir / "traced.bin",
                    json = dir / "traced-json.bin";
  ASSERT_EQ(run_command({"/bin/sh", "-c", "head -c 100000 /dev/urandom > " + data}).status, 0);
  // The command prints the binary data, then leaves a finding behind.
  const std::string cmd = "cat " + data + "; echo a > " + (dir / "f");
  ASSERT_EQ(run_command({"/bin/sh", "-c", "{ " + cmd + "; } > " + alone}).status, 0);
  auto r = run_command({"/bin/sh", "-c", duraudit_bin() + " run -- /bin/sh -c '" + cmd + "' > " + traced});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("close-without-fsync"));
  auto j = run_command({"/bin/sh", "-c", duraudit_bin() + " run --format json -- /bin/sh -c '" + cmd + "' > " + json});
  ASSERT_EQ(j.status, 0) << j.err;
  EXPECT_EQ(std::filesystem::file_size(alone), 100000u);
  for (const std::string& out : {traced, json}) {
    auto c = run_command({"cmp", alone, out});
    EXPECT_EQ(c.status, 0) << out << " differs from the command's own output: " << c.out << c.err;
    EXPECT_EQ(run_command({"cmp", data, out}).status, 0) << out;
  }
}

// The example: a findings file made by redirecting run's stdout
// holds only the command's output now; `-o -` is the way to ask for
// findings on stdout.
TEST(RunStdout, DashOPutsFindingsOnStdoutOnlyWhenAsked) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::vector<std::string> command = {"/bin/sh", "-c", "echo hello; echo a > " + (dir / "f")};
  std::vector<std::string> argv{duraudit_bin(), "run", "--format", "json", "-o", "-", "--"};
  argv.insert(argv.end(), command.begin(), command.end());
  auto r = run_command(argv);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("hello\n", 0), 0u) << r.out;
  JsonReport rep = parse_report(r.out.substr(6));
  EXPECT_EQ(rep.of_rule("close-without-fsync").size(), 1u) << rep.describe();
  EXPECT_FALSE(rep.summary.is_null()) << r.out;
  EXPECT_THAT(r.err, Not(HasSubstr("\"type\":\"finding\"")));

  // -o FILE: neither stream gets findings.
  std::vector<std::string> to_file{duraudit_bin(), "run", "--format", "json", "-o", dir / "f.jsonl", "--"};
  to_file.insert(to_file.end(), command.begin(), command.end());
  auto f = run_command(to_file);
  ASSERT_EQ(f.status, 0) << f.err;
  EXPECT_EQ(f.out, "hello\n");
  EXPECT_THAT(f.err, Not(HasSubstr("close-without-fsync")));
  EXPECT_EQ(parse_report(read_text(dir / "f.jsonl")).of_rule("close-without-fsync").size(), 1u);

  // replay keeps stdout for its findings.
  auto rp = run_command({duraudit_bin(), "replay", "--strace", source_dir() + "/tests/data/strace/hand_syscalls.log",
                         "--format", "json"});
  ASSERT_EQ(rp.status, 0) << rp.err;
  EXPECT_THAT(rp.out, HasSubstr("\"type\":\"summary\""));
}

}  // namespace
}  // namespace duraudit::e2e
