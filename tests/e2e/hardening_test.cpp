// SPDX-License-Identifier: GPL-2.0-only
// duraudit next to hostile or broken surroundings (issue 12): output that
// cannot be written, names that are not text, a traced process that tries
// to forge findings, clients that try to blind the metrics endpoint.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>

#include "e2e/attach_session.h"
#include "e2e/background_process.h"
#include "e2e/e2e_util.h"
#include "util/text_escape.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string strace_log(const std::string& name) { return source_dir() + "/tests/data/strace/" + name; }

// Lines of `text` that contain `needle`.
size_t lines_with(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) n += line.find(needle) != std::string::npos;
  return n;
}

// ---- write errors ------------------------------------------------------------

TEST(WriteErrors, RunToAFullDeviceSaysSoOnceAndExits125) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  for (const char* format : {"json", "text"}) {
    auto r = run_command({duraudit_bin(), "run", "--format", format, "-o", "/dev/full", "--", "/bin/sh", "-c",
                          "echo a > " + (dir / "ff")});
    EXPECT_EQ(r.status, 125) << format << ": " << r.err;  // run's own failure
    EXPECT_EQ(lines_with(r.err, "cannot write /dev/full: No space left on device"), 1u) << format << ": " << r.err;
  }
}

TEST(WriteErrors, ReplayTraceRecordAndBaselineToAFullDeviceExit1) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string log = strace_log("hand_syscalls.log");
  auto replay = run_command({duraudit_bin(), "replay", "--strace", log, "--format", "json", "-o", "/dev/full"});
  EXPECT_EQ(replay.status, 1) << replay.err;
  EXPECT_EQ(lines_with(replay.err, "cannot write /dev/full"), 1u) << replay.err;

  auto baseline = run_command({duraudit_bin(), "replay", "--strace", log, "-o", dir / "findings.txt",
                               "--write-baseline", "/dev/full"});
  EXPECT_EQ(baseline.status, 1) << baseline.err;
  EXPECT_EQ(lines_with(baseline.err, "/dev/full"), 1u) << baseline.err;

  auto trace = run_command({duraudit_bin(), "trace", "-o", "/dev/full", "--", "/bin/sh", "-c",
                            "echo a > " + (dir / "t")});
  EXPECT_EQ(trace.status, 1) << trace.err;
  EXPECT_EQ(lines_with(trace.err, "cannot write /dev/full"), 1u) << trace.err;

  auto record = run_command({duraudit_bin(), "record", "-o", "/dev/full", "--", "/bin/true"});
  EXPECT_EQ(record.status, 1) << record.err;
  EXPECT_EQ(lines_with(record.err, "/dev/full"), 1u) << record.err;

  // Standard output that cannot be written is an output error too.
  auto to_stdout = run_command({"/bin/sh", "-c",
                                duraudit_bin() + " replay --strace " + log + " --format json > /dev/full"});
  EXPECT_EQ(to_stdout.status, 1) << to_stdout.err;
  EXPECT_EQ(lines_with(to_stdout.err, "cannot write standard output"), 1u) << to_stdout.err;
}

TEST(WriteErrors, AttachReportsAtOnceKeepsRunningAndExitsNonZero) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  // Writes a file (a close-without-fsync finding, settled after --grace)
  // two seconds in, then lives on for three more.
  BackgroundProcess target({"/bin/sh", "-c", "sleep 2; echo a > " + (dir / "f") + "; sleep 3"}, dir / "t.out",
                           dir / "t.err");
  BackgroundProcess attach({duraudit_bin(), "--log-level", "info", "attach", "--pid", std::to_string(target.pid()),
                            "--grace", "200ms", "--format", "json", "-o", "/dev/full"},
                           dir / "a.out", dir / "a.err");
  ASSERT_TRUE(attach.wait_for_err("attached to", 30s)) << attach.err();
  ASSERT_TRUE(attach.wait_for_err("cannot write /dev/full", 10s)) << attach.err();
  EXPECT_FALSE(attach.wait(0ms)) << "attach stopped at the first write error: " << attach.err();
  auto status = attach.wait(30s);
  ASSERT_TRUE(status) << attach.err();
  EXPECT_EQ(*status, 1) << attach.err();
}

// duraudit audited by itself: its findings file and baseline are fsynced,
// and so is the directory that holds their names.
TEST(WriteErrors, DuraauditsOwnOutputsAreDurable) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string findings = dir / "findings.jsonl", baseline = dir / "baseline.jsonl";
  auto r = run_command({duraudit_bin(), "run", "--format", "json", "-o", "-", "--", duraudit_bin(), "replay", "--strace",
                        strace_log("hand_syscalls.log"), "--format", "json", "-o", findings, "--write-baseline",
                        baseline});
  ASSERT_EQ(r.status, 0) << r.err;
  JsonReport report = parse_report(r.out);
  EXPECT_TRUE(report.about(findings).empty()) << report.describe();
  EXPECT_TRUE(report.about(baseline).empty()) << report.describe();
  EXPECT_TRUE(report.of_rule("missing-dir-fsync").empty()) << report.describe();

  const std::string trace = dir / "trace.txt";
  auto t = run_command({duraudit_bin(), "run", "--format", "json", "-o", "-", "--", duraudit_bin(), "trace", "-o", trace, "--",
                        "/bin/true"});
  ASSERT_EQ(t.status, 0) << t.err;
  EXPECT_TRUE(parse_report(t.out).about(trace).empty()) << parse_report(t.out).describe();
}

// ---- the end of the trace ------------------------------------------------------

TEST(TraceDrain, EveryEventOfALongCommandIsPrintedIncludingItsExit) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  const std::string out = dir / "trace.txt";
  // 10,000 x (openat, close, renameat, unlinkat): 40,000 events and the
  // exit. The reader of the trace stalls for two seconds, as a terminal or a
  // busy pipe does: duraudit blocks on its output while the command runs to
  // its end, so most events are still in the ring buffer when it exits.
  auto r = run_command({"/bin/sh", "-c",
                        duraudit_bin() + " trace -- " + test_program("many_ops") + " " + dir.path() +
                            " 10000 | (sleep 2; cat) > " + out});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string text = read_text(out);
  EXPECT_THAT(r.err, Not(HasSubstr("lost"))) << r.err;
  EXPECT_EQ(lines_with(text, "] renameat("), 10000u);
  EXPECT_EQ(lines_with(text, "] unlinkat("), 10000u);
  EXPECT_THAT(text.substr(text.size() > 4000 ? text.size() - 4000 : 0), HasSubstr("many_ops["));
  EXPECT_EQ(lines_with(text, "] exit("), 1u) << text.substr(text.size() > 2000 ? text.size() - 2000 : 0);
}

// ---- names that are not UTF-8 in JSON ----------------------------------------

// A python3 script that creates the files named by its arguments (bytes,
// after the directory) and closes them without fsync.
const char* kCreateNamedFiles =
    "import os, sys\n"
    "d = os.fsencode(sys.argv[1])\n"
    "for n in sys.argv[2:]:\n"
    "    with open(os.path.join(d, bytes.fromhex(n)), 'wb') as f: f.write(b'x')\n";

std::string hex(const std::string& s) {
  static const char* k = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += k[c >> 4];
    out += k[c & 15];
  }
  return out;
}

TEST(JsonNames, InvalidUtf8IsKeptReversiblyAndDistinct) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  // Three names that a lossy encoding would print alike (or crash on).
  const std::vector<std::string> names = {"n\xff", "n\xfe", "n\\xff", "caf\xc3\xa9"};
  std::vector<std::string> argv = {"/usr/bin/python3", "-c", kCreateNamedFiles, dir.path()};
  for (const auto& n : names) argv.push_back(hex(n));

  std::vector<std::string> trace = {duraudit_bin(), "trace", "--format", "json", "--"};
  trace.insert(trace.end(), argv.begin(), argv.end());
  auto t = run_command(trace);
  ASSERT_EQ(t.status, 0) << t.err;
  EXPECT_THAT(t.err, Not(HasSubstr("internal error")));
  std::set<std::string> opened;
  std::istringstream in(t.out);
  for (std::string line; std::getline(in, line);) {
    auto j = parse_output_line(line);
    ASSERT_FALSE(j.is_discarded()) << line;
    if (j.value("syscall", "") == "openat" && j.contains("path")) opened.insert(unescape_json_bytes(j["path"].get<std::string>()));
  }
  for (const auto& n : names) EXPECT_EQ(opened.count(dir / n), 1u) << "no openat of " << escape_json_bytes(dir / n);
  // Valid UTF-8 passes through unchanged; the encoding is docs/output.md's.
  EXPECT_THAT(t.out, HasSubstr("\"" + dir.path() + "/caf\xc3\xa9\""));
  EXPECT_THAT(t.out, HasSubstr("\"" + dir.path() + "/n\\\\xff\""));    // the byte 0xff
  EXPECT_THAT(t.out, HasSubstr("\"" + dir.path() + "/n\\\\\\\\xff\""));  // the text \xff

  std::vector<std::string> run = {duraudit_bin(), "run", "--format", "json", "-o", "-", "--"};
  run.insert(run.end(), argv.begin(), argv.end());
  auto r = run_command(run);
  ASSERT_EQ(r.status, 0) << r.err;
  JsonReport report = parse_report(r.out);
  std::set<std::string> paths;
  for (const auto& f : report.of_rule("close-without-fsync")) paths.insert(unescape_json_bytes(f["path"].get<std::string>()));
  for (const auto& n : names) EXPECT_EQ(paths.count(dir / n), 1u) << escape_json_bytes(dir / n) << report.describe();
}

// ---- forged text output ------------------------------------------------------

// Lines of `text` that start with `prefix`.
size_t lines_starting_with(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) n += line.rfind(prefix, 0) == 0;
  return n;
}

// The first byte of `text` that is a control character other than the
// newline between lines, or -1.
int first_control_byte(const std::string& text) {
  for (unsigned char c : text)
    if ((c < 0x20 && c != '\n') || c == 0x7f) return c;
  return -1;
}

// Renames itself (prctl PR_SET_NAME) to a name with an escape sequence and a
// newline, then writes a file whose name forges a second finding and sends
// terminal escapes.
const char* kHostileWriter =
    "import ctypes, os, sys\n"
    "ctypes.CDLL(None).prctl(15, b'ev\\x1b[31m\\nil', 0, 0, 0)\n"
    "name = 'x\\nerror rename-without-fsync  etc-shadow  sshd[1]\\n\\x1b]0;pwned\\x07\\x1b[2J\\x7f'\n"
    "with open(os.path.join(sys.argv[1], name), 'w') as f: f.write('a')\n";

TEST(TextEscaping, HostileNamesCannotForgeFindingsOrReachTheTerminal) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  // Under run the findings are on stderr, the operator's terminal.
  auto r = run_command({duraudit_bin(), "run", "--", "/usr/bin/python3", "-c", kHostileWriter, dir.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(first_control_byte(r.err), -1) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("\nerror rename-without-fsync  etc-shadow")));
  // The escaped name and comm are there, C-style.
  EXPECT_THAT(r.err, HasSubstr("x\\nerror rename-without-fsync  etc-shadow  sshd[1]\\n\\x1b]0;pwned\\x07\\x1b[2J\\x7f"));
  EXPECT_THAT(r.err, HasSubstr("ev\\x1b[31m\\nil["));
  // One finding, one block: no line starts with the forged headline.
  EXPECT_EQ(lines_starting_with(r.err, "error "), 0u) << r.err;
  EXPECT_EQ(lines_starting_with(r.err, "warning "), 2u) << r.err;  // close-without-fsync, missing-dir-fsync

  auto t = run_command({duraudit_bin(), "trace", "--", "/usr/bin/python3", "-c", kHostileWriter, dir.path()});
  ASSERT_EQ(t.status, 0) << t.err;
  EXPECT_EQ(first_control_byte(t.out), -1) << t.out;
  EXPECT_THAT(t.out, HasSubstr("ev\\x1b[31m\\nil["));
}

// ---- metrics endpoint under idle connections ----------------------------------

// A TCP connection to 127.0.0.1:port that sends nothing.
int idle_connection(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// The status line of a raw HTTP request, or "" after 2 s.
std::string raw_request(int port, const std::string& request) {
  int fd = idle_connection(port);
  if (fd < 0) return "";
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)!write(fd, request.data(), request.size());
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) got.append(buf, static_cast<size_t>(n));
  close(fd);
  return got.substr(0, got.find("\r\n"));
}

TEST(MetricsEndpoint, AnswersWithinASecondWhileTwentyIdleConnectionsAreOpen) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  BackgroundProcess target({"/bin/sleep", "60"}, dir / "t.out", dir / "t.err");
  const int port = free_loopback_port();
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--metrics-listen",
                             "127.0.0.1:" + std::to_string(port)});
  ASSERT_TRUE(attach.ready()) << attach.describe();

  std::vector<int> idle;
  for (int i = 0; i < 20; ++i) {
    int fd = idle_connection(port);
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.push_back(fd);
  }
  std::this_thread::sleep_for(200ms);  // let the server hand each one to a worker
  for (int round = 0; round < 3; ++round) {
    auto start = std::chrono::steady_clock::now();
    HttpResponse r = http_get(port, "/metrics", 1s);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.status, 200) << "round " << round;
    EXPECT_LT(took, 1s) << "round " << round;
    EXPECT_NE(r.body.find("duraudit_build_info"), std::string::npos) << "round " << round;
  }
  EXPECT_EQ(raw_request(port, "HEAD /metrics HTTP/1.0\r\n\r\n"), "HTTP/1.1 200 OK");
  for (int fd : idle) close(fd);
}

}  // namespace
}  // namespace duraudit::e2e
