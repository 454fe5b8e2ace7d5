// SPDX-License-Identifier: GPL-2.0-only
// The files duraudit writes (-o, trace -o, --write-baseline, record -o),
// next to other local users (issue 12, items 8 and 11): created 0600; a
// symlink or someone else's file planted in a sticky world-writable
// directory is refused (exit 2); an existing file is left untouched by a
// command that fails before writing; a recording takes its name only when
// complete, and a killed recorder leaves FILE.partial, which replays.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "e2e/background_process.h"
#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

const std::string kPrecious = "precious contents\n";

std::string strace_log() { return source_dir() + "/tests/data/strace/hand_syscalls.log"; }

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

mode_t mode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

std::vector<std::string> with_bin(std::vector<std::string> args) {
  args.insert(args.begin(), duraudit_bin());
  return args;
}

TEST(OutputFiles, CreatedReadableByTheirOwnerOnly) {
  ScratchDir dir;
  ::umask(022);
  const std::string findings = dir / "findings.txt", baseline = dir / "baseline.jsonl";
  auto r = run_command(with_bin({"replay", "--strace", strace_log(), "-o", findings, "--write-baseline", baseline}));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(mode_of(findings), 0600u);
  EXPECT_EQ(mode_of(baseline), 0600u);
}

// The commands that open an output before failing: each must leave an
// existing file as it was, and remove a file it created.
TEST(OutputFiles, ACommandThatFailsBeforeWritingLeavesTheFileUntouched) {
  ScratchDir dir;
  const std::string precious = dir / "precious", fresh = dir / "fresh";
  struct Case {
    std::vector<std::string> args;  // "FILE" is replaced by the output path
    int status;
  };
  const std::vector<Case> cases = {
      {{"replay", "--strace", strace_log(), "-o", "FILE", "--format", "yaml"}, 2},
      {{"replay", "--strace", strace_log(), "--write-baseline", "FILE", "--format", "yaml"}, 2},
      {{"replay", "--strace", dir / "no-such-log", "-o", "FILE"}, 1},
      {{"trace", "-o", "FILE", "--pid", "4194303"}, 1},
      {{"record", "-o", "FILE", "--pid", "4194303"}, 1},
  };
  for (const auto& c : cases) {
    for (const std::string& target : {precious, fresh}) {
      write_text(precious, kPrecious);
      fs::remove(fresh);
      std::vector<std::string> args = c.args;
      for (auto& a : args)
        if (a == "FILE") a = target;
      auto r = run_command(with_bin(args));
      EXPECT_EQ(r.status, c.status) << args[0] << " " << target << ": " << r.err;
      EXPECT_EQ(read_text(precious), kPrecious) << args[0] << ": the existing file was changed";
      EXPECT_FALSE(fs::exists(fresh)) << args[0] << ": left a file it never wrote";
      EXPECT_FALSE(fs::exists(target + ".partial")) << args[0];
    }
  }
  // A run that completes replaces the contents, even with nothing to say.
  write_text(precious, kPrecious);
  auto r = run_command(with_bin({"replay", "--strace", strace_log(), "--format", "json", "-o", precious}));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(read_text(precious), HasSubstr("\"summary\""));
  EXPECT_THAT(read_text(precious), Not(HasSubstr("precious")));
}

TEST(OutputFiles, RecordOfAMissingPidSaysSoAndLeavesTheRecordingAlone) {
  ScratchDir dir;
  const std::string rec = dir / "precious.rec";
  write_text(rec, kPrecious);
  auto r = run_command(with_bin({"record", "-o", rec, "--pid", "999999"}));
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("no process with pid 999999"));
  EXPECT_EQ(read_text(rec), kPrecious);
  EXPECT_FALSE(fs::exists(rec + ".partial"));
}

TEST(OutputFiles, PlantedNamesInAStickyWorldWritableDirectoryAreRefused) {
  ScratchDir dir;
  const std::string shared = dir / "shared", victim = dir / "victim";
  fs::create_directory(shared);
  ::chmod(shared.c_str(), 01777);  // as /tmp
  write_text(victim, kPrecious);
  const std::string link = shared + "/out";
  fs::create_symlink(victim, link);
  const std::vector<std::vector<std::string>> commands = {
      {"replay", "--strace", strace_log(), "-o", link},
      {"replay", "--strace", strace_log(), "--write-baseline", link},
      {"trace", "-o", link, "--", "/bin/true"},
      {"record", "-o", link, "--", "/bin/true"},
  };
  for (const auto& args : commands) {
    auto r = run_command(with_bin(args));
    EXPECT_EQ(r.status, 2) << args[0] << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("refusing to write " + link + ": it is a symbolic link in the world-writable "
                                 "sticky directory"))
        << args[0];
    EXPECT_EQ(read_text(victim), kPrecious) << args[0];
    EXPECT_TRUE(fs::is_symlink(link)) << args[0];
  }

  // A file another (non-root) user put there: refused too (they could read
  // the findings, or have linked it to a file of their choosing).
  if (geteuid() == 0) {
    const std::string planted = shared + "/findings";
    write_text(planted, kPrecious);
    ASSERT_EQ(::chown(planted.c_str(), 65534, 65534), 0);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"replay", "--strace", strace_log(), "-o", planted},
             {"record", "-o", planted, "--pid", "4194303"},
         }) {
      auto r = run_command(with_bin(args));
      EXPECT_EQ(r.status, 2) << args[0] << ": " << r.err;
      EXPECT_THAT(r.err, HasSubstr("refusing to write " + planted + ": it belongs to uid 65534")) << args[0];
      EXPECT_EQ(read_text(planted), kPrecious) << args[0];
    }
  }

  // Outside such a directory a symlink is the caller's to name: followed.
  const std::string own_link = dir / "link";
  fs::create_symlink(victim, own_link);
  auto r = run_command(with_bin({"replay", "--strace", strace_log(), "--format", "json", "-o", own_link}));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(read_text(victim), HasSubstr("\"summary\""));
  EXPECT_TRUE(fs::is_symlink(own_link));
  auto to_stdout = run_command(with_bin({"replay", "--strace", strace_log(), "--format", "json", "-o", "/dev/stdout"}));
  ASSERT_EQ(to_stdout.status, 0) << to_stdout.err;
  EXPECT_THAT(to_stdout.out, HasSubstr("\"summary\""));
}

TEST(Recordings, ARecordingTakesItsNameOnlyWhenComplete) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string rec = dir / "r.rec";
  write_text(rec, kPrecious);
  auto r = run_command(with_bin({"record", "-o", rec, "--", "/bin/sh", "-c", "echo a > " + (dir / "f")}));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(fs::exists(rec + ".partial"));
  auto rep = run_command(with_bin({"replay", rec, "--format", "json"}));
  EXPECT_EQ(rep.status, 0) << rep.err;
  EXPECT_FALSE(parse_report(rep.out).about(dir / "f").empty()) << rep.out;
  EXPECT_THAT(rep.err, Not(HasSubstr("truncated")));

  // An interrupted recording keeps FILE.partial out of the way of a new one.
  write_text(rec + ".partial", "x");
  auto again = run_command(with_bin({"record", "-o", rec, "--", "/bin/true"}));
  EXPECT_EQ(again.status, 2) << again.err;
  EXPECT_THAT(again.err, HasSubstr(rec + ".partial exists"));
  EXPECT_EQ(read_text(rec + ".partial"), "x");
}

TEST(Recordings, AKilledRecorderLeavesAPartialRecordingThatReplays) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string rec = dir / "k.rec", partial = rec + ".partial";
  write_text(rec, kPrecious);
  BackgroundProcess recorder(
      with_bin({"record", "-o", rec, "--", "/bin/sh", "-c", "echo a > " + (dir / "f") + "; sleep 3"}),
      dir / "rec.out", dir / "rec.err");
  // The first flush after the write (every ~100 ms) puts its events on disk.
  ASSERT_TRUE(wait_until([&] { return fs::exists(dir / "f"); }, 20s)) << recorder.err();
  std::this_thread::sleep_for(1s);
  recorder.signal(SIGKILL);
  recorder.wait(10s);
  EXPECT_EQ(read_text(rec), kPrecious) << "the old recording was replaced by an incomplete one";
  ASSERT_TRUE(fs::exists(partial));
  auto rep = run_command(with_bin({"replay", partial, "--format", "json"}));
  EXPECT_EQ(rep.status, 0) << rep.err;
  EXPECT_THAT(rep.err, HasSubstr("truncated"));
  EXPECT_FALSE(parse_report(rep.out).about(dir / "f").empty()) << rep.out;
}

}  // namespace
}  // namespace duraudit::e2e
