// SPDX-License-Identifier: GPL-2.0-only
// io_uring and Linux AIO under `duraudit run`: verdicts both ways, for the
// project's own programs (tests/programs/uring_ops.c, aio_ops.c) and for a
// real program nobody here wrote (Debian's fio, io_uring and libaio engines).
#include <fstream>

#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

JsonReport audit(const std::vector<std::string>& cmd, CommandResult* raw = nullptr) {
  ScratchDir out_dir;
  std::string out = out_dir / "findings.jsonl";
  std::vector<std::string> argv{duraudit_bin(), "run", "--format", "json", "-o", out, "--"};
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  CommandResult r = run_command(argv);
  std::ifstream in(out);
  std::string jsonl((std::istreambuf_iterator<char>(in)), {});
  JsonReport rep = parse_report(jsonl);
  EXPECT_TRUE(rep.summary.is_object()) << "no summary; stderr:\n" << r.err;
  if (rep.summary.is_object()) {
    EXPECT_EQ(rep.summary.value("events_lost", -1), 0);
  }
  if (raw) *raw = std::move(r);
  return rep;
}

std::vector<std::string> rules_of(const JsonReport& rep) {
  std::vector<std::string> out;
  for (const auto& f : rep.findings) out.push_back(f.value("rule", ""));
  std::sort(out.begin(), out.end());
  return out;
}

bool evidence_has(const nlohmann::json& f, const std::string& syscall) {
  for (const auto& e : f.value("evidence", nlohmann::json::array()))
    if (e.value("syscall", "") == syscall) return true;
  return false;
}

TEST(AsyncIo, IoUringWriteWithoutFsyncIsCloseWithoutFsync) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir d;
  auto rep = audit({test_program("uring_ops"), "write-nosync", d.path()});
  auto cwf = rep.of_rule("close-without-fsync");
  ASSERT_EQ(cwf.size(), 1u) << rep.describe();
  EXPECT_EQ(cwf[0].value("path", ""), d / "f");
  EXPECT_TRUE(evidence_has(cwf[0], "io_uring:write")) << cwf[0].dump(2);
}

TEST(AsyncIo, SqpollThreadSubmittingForTheProcessIsStillTheProcess) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir d;
  auto rep = audit({test_program("uring_ops"), "sqpoll-write-nosync", d.path()});
  auto cwf = rep.of_rule("close-without-fsync");
  ASSERT_EQ(cwf.size(), 1u) << rep.describe();
  EXPECT_EQ(cwf[0].value("path", ""), d / "f");
  EXPECT_EQ(cwf[0].value("comm", ""), "uring_ops");
}

TEST(AsyncIo, WriteThenIoUringFsyncThenRenameIsSilent) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir d;
  auto rep = audit({test_program("uring_ops"), "fsync-rename", d.path()});
  EXPECT_TRUE(rep.findings.empty()) << rep.describe();
}

TEST(AsyncIo, FailedIoUringFsyncThenCarryingOnIsFsyncErrorIgnored) {
  DURAUDIT_REQUIRE_ROOT();
  if (find_tool("mkfs.xfs").empty()) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL() << "mkfs.xfs (xfsprogs) missing and CI=true";
    GTEST_SKIP() << "mkfs.xfs (xfsprogs) is not installed";
  }
  ScratchDir d;
  XfsLoopMount xfs(d.path());
  ASSERT_TRUE(xfs.error().empty()) << xfs.error();
  auto rep = audit({test_program("uring_ops"), "fsync-eio", xfs.path()});
  auto fei = rep.of_rule("fsync-error-ignored");
  ASSERT_EQ(fei.size(), 1u) << rep.describe();
  EXPECT_EQ(fei[0].value("path", ""), xfs.path() + "/f");
  EXPECT_TRUE(evidence_has(fei[0], "io_uring:fsync")) << fei[0].dump(2);
}

TEST(AsyncIo, AioWriteWithoutFsyncIsCloseWithoutFsync) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir d;
  auto rep = audit({test_program("aio_ops"), "write-nosync", d.path()});
  auto cwf = rep.of_rule("close-without-fsync");
  ASSERT_EQ(cwf.size(), 1u) << rep.describe();
  EXPECT_EQ(cwf[0].value("path", ""), d / "f");
  EXPECT_TRUE(evidence_has(cwf[0], "aio:pwrite")) << cwf[0].dump(2);
}

TEST(AsyncIo, WriteThenAioFsyncIsSilent) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir d;
  auto rep = audit({test_program("aio_ops"), "write-fsync", d.path()});
  // the new file's directory entry is not synced: that warning stays; the
  // data is durable, so no close-without-fsync
  EXPECT_TRUE(rep.of_rule("close-without-fsync").empty()) << rep.describe();
  EXPECT_TRUE(rep.at_least("error").empty()) << rep.describe();
}

// A recording carries the requests: replaying it gives the live verdicts.
TEST(AsyncIo, RecordingsCarryIoUringAndAioOperations) {
  DURAUDIT_REQUIRE_ROOT();
  for (std::string prog : {"uring_ops", "aio_ops"}) {
    ScratchDir d, out;
    CommandResult rec =
        run_command({duraudit_bin(), "record", "-o", out / "x.rec", "--", test_program(prog), "write-nosync", d.path()});
    ASSERT_EQ(rec.status, 0) << rec.err;
    CommandResult rep = run_command({duraudit_bin(), "replay", out / "x.rec", "--format", "json", "-o", out / "r.jsonl"});
    ASSERT_EQ(rep.status, 0) << rep.err;
    std::ifstream in(out / "r.jsonl");
    JsonReport r = parse_report(std::string((std::istreambuf_iterator<char>(in)), {}));
    auto cwf = r.of_rule("close-without-fsync");
    ASSERT_EQ(cwf.size(), 1u) << prog << ": " << r.describe();
    EXPECT_EQ(cwf[0].value("path", ""), d / "f");
    EXPECT_TRUE(evidence_has(cwf[0], prog == "uring_ops" ? "io_uring:write" : "aio:pwrite")) << cwf[0].dump(2);
  }
}

// fio on a file that exists and is durable before the session, rewritten in
// place. fio's --fsync=N syncs after every Nth write but not after the last
// one (strace and the trace agree: write, fsync, ..., write, close), unless
// --end_fsync=1 adds a final sync: only then is all the new data durable.
class FioOnDurableFile : public ::testing::TestWithParam<std::string> {};

void make_durable_file(const std::string& path) {
  std::ofstream(path) << std::string(256 << 10, 'x');
  sync();
}

std::vector<std::string> fio(const std::string& engine, const std::string& file, const std::string& fsync_every,
                             const std::string& end_fsync = "0") {
  return {"/usr/bin/fio", "--name=j", "--ioengine=" + engine, "--rw=write", "--bs=4k", "--size=256k",
          "--filename=" + file, "--direct=0", "--fsync=" + fsync_every, "--end_fsync=" + end_fsync,
          "--overwrite=1", "--output=/dev/null"};
}

TEST_P(FioOnDurableFile, WithoutFsyncTheRewrittenFileIsCloseWithoutFsync) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir d;
  std::string f = d / "data";
  make_durable_file(f);
  auto rep = audit(fio(GetParam(), f, "0"));
  auto cwf = rep.of_rule("close-without-fsync");
  ASSERT_EQ(cwf.size(), 1u) << rep.describe();
  EXPECT_EQ(cwf[0].value("path", ""), f);
  EXPECT_EQ(cwf[0].value("comm", ""), "fio");
  EXPECT_EQ(rep.findings.size(), 1u) << rep.describe();
}

TEST_P(FioOnDurableFile, FsyncEveryWriteStillLeavesTheLastWriteUnsynced) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir d;
  std::string f = d / "data";
  make_durable_file(f);
  auto rep = audit(fio(GetParam(), f, "1"));
  auto cwf = rep.of_rule("close-without-fsync");
  ASSERT_EQ(cwf.size(), 1u) << rep.describe();
  EXPECT_EQ(cwf[0].value("path", ""), f);
}

TEST_P(FioOnDurableFile, FsyncEveryWriteAndAtTheEndIsSilent) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir d;
  std::string f = d / "data";
  make_durable_file(f);
  auto rep = audit(fio(GetParam(), f, "1", "1"));
  EXPECT_TRUE(rep.findings.empty()) << rep.describe();
}

INSTANTIATE_TEST_SUITE_P(Engines, FioOnDurableFile, ::testing::Values("io_uring", "libaio"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace duraudit::e2e
