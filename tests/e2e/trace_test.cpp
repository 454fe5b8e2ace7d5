// SPDX-License-Identifier: GPL-2.0-only
// `duraudit trace`: the normalized event stream a user debugs with.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>
#include <thread>

#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

std::vector<nlohmann::json> parse_events(const std::string& jsonl) {
  std::vector<nlohmann::json> v;
  std::istringstream in(jsonl);
  std::string line;
  while (std::getline(in, line)) {
    auto j = parse_output_line(line);
    if (!j.is_discarded() && j.value("type", "") == "event") v.push_back(j);
  }
  return v;
}

TEST(Trace, JsonEventsHaveAbsolutePathsInodesAndCreatedFlag) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string out = dir / "trace.jsonl";
  // A relative path after cd: the trace must show it absolute.
  auto r = run_command({duraudit_bin(), "trace", "--format", "json", "-o", out, "--", "/bin/sh", "-c",
                        "cd " + dir.path() + " && echo hi > rel.txt && mv rel.txt moved.txt"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream in(out);
  auto events = parse_events(std::string((std::istreambuf_iterator<char>(in)), {}));
  ASSERT_FALSE(events.empty());

  const nlohmann::json* open = nullptr;
  const nlohmann::json* rename = nullptr;
  for (const auto& e : events) {
    for (const char* key : {"seq", "ts_ns", "pid", "tid", "comm", "syscall", "ret"})
      ASSERT_TRUE(e.contains(key)) << key << " missing in " << e.dump();
    if (e["syscall"] == "openat" && e.value("path", "") == dir / "rel.txt") open = &e;
    if (e["syscall"].get<std::string>().rfind("rename", 0) == 0 && e.value("path", "") == dir / "rel.txt")
      rename = &e;
  }
  ASSERT_NE(open, nullptr) << "no openat of " << dir / "rel.txt";
  EXPECT_EQ((*open)["created"], true);
  EXPECT_EQ((*open)["fs"], "ext4");
  EXPECT_EQ((*open)["flags"], "O_WRONLY|O_CREAT|O_TRUNC");
  struct stat st {};
  ASSERT_EQ(stat((dir / "moved.txt").c_str(), &st), 0);
  EXPECT_EQ((*open)["ino"], st.st_ino);
  ASSERT_NE(rename, nullptr) << "no rename of rel.txt";
  EXPECT_EQ((*rename)["new_path"], dir / "moved.txt");
  EXPECT_EQ((*rename)["ret"], 0);
}

TEST(Trace, FailedCallsCarryTheirErrno) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  auto r = run_command({duraudit_bin(), "trace", "--format", "json", "--", "/bin/sh", "-c",
                        "cat " + (dir / "missing") + " 2>/dev/null; true"});
  ASSERT_EQ(r.status, 0) << r.err;
  bool seen = false;
  for (const auto& e : parse_events(r.out))
    if (e.value("path", "") == dir / "missing") {
      seen = true;
      EXPECT_LT(e["ret"].get<int64_t>(), 0);
      EXPECT_EQ(e["errno"], "ENOENT");
    }
  EXPECT_TRUE(seen) << r.out;
}

TEST(Trace, TextFormatReadsLikeStrace) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  auto r = run_command({duraudit_bin(), "trace", "--", "/bin/sh", "-c", "echo x > " + (dir / "f")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::HasSubstr("openat(\"" + (dir / "f") + "\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = "));
  EXPECT_THAT(r.out, ::testing::HasSubstr("exec(\"/bin/sh\") = 0"));
  // duraudit's own descriptors never show up in the command's trace
  EXPECT_EQ(r.out.find("bpf-map"), std::string::npos) << r.out;
}

TEST(Trace, AttachesToARunningProcessByPid) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  std::string marker = dir / "written-later";
  // A process that is already running when trace starts.
  pid_t pid = fork();
  if (pid == 0) {
    sleep(1);
    int fd = open(marker.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (write(fd, "x", 1) != 1) _exit(1);
    close(fd);
    _exit(0);
  }
  std::string out = dir / "trace.jsonl";
  auto r = run_command({duraudit_bin(), "trace", "--format", "json", "-o", out, "--pid", std::to_string(pid)});
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_EQ(r.status, 0) << r.err;
  std::ifstream in(out);
  bool seen = false;
  for (const auto& e : parse_events(std::string((std::istreambuf_iterator<char>(in)), {})))
    seen |= e["syscall"] == "openat" && e.value("path", "") == marker && e["pid"] == pid;
  EXPECT_TRUE(seen);
}

TEST(Trace, MissingPidIsARuntimeError) {
  DURAUDIT_REQUIRE_ROOT();
  auto r = run_command({duraudit_bin(), "trace", "--pid", "4194303"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, ::testing::HasSubstr("4194303"));
}

}  // namespace
}  // namespace duraudit::e2e
