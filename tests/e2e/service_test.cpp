// SPDX-License-Identifier: GPL-2.0-only
// attach as a systemd service and behind probes (docs/production.md
// "Running under systemd", "Health endpoint"): READY=1 on $NOTIFY_SOCKET
// only once attached, WATCHDOG=1 from the event loop while it goes round
// (and not while it is stopped), /healthz 503 while the loop is stopped and
// 200 again after. The test owns the notify socket, as systemd would.
//
// The loop is stopped for real: the agent's main thread (the event loop;
// the HTTP server runs on civetweb's threads) is put in a ptrace
// group-stop with PTRACE_INTERRUPT, which stops one thread. SIGSTOP cannot
// do this: it stops every thread of the process, the HTTP server with it,
// and /healthz would time out instead of answering 503.
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "e2e/attach_session.h"
#include "e2e/background_process.h"
#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// A datagram socket standing in for systemd's notify socket.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    bound_ = fd_ >= 0 && path.size() < sizeof addr.sun_path &&
             bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~NotifySocket() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  bool bound() const { return bound_; }
  // The next message, waiting up to `timeout`; "" if none came.
  std::string next(std::chrono::milliseconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }
  // Messages holding `needle` within `window`.
  int count(const std::string& needle, std::chrono::milliseconds window, std::string* all = nullptr) {
    int n = 0;
    for (auto end = Clock::now() + window; Clock::now() < end;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
      std::string m = next(std::max(left, std::chrono::milliseconds(1)));
      if (all) *all += m + "|";
      if (m.find(needle) != std::string::npos) ++n;
    }
    return n;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

// $NOTIFY_SOCKET and a 1 s watchdog for the duraudit started in its scope.
struct ServiceEnvironment {
  explicit ServiceEnvironment(const std::string& socket) {
    setenv("NOTIFY_SOCKET", socket.c_str(), 1);
    setenv("WATCHDOG_USEC", "1000000", 1);
    unsetenv("WATCHDOG_PID");  // unset: meant for whoever reads it
  }
  ~ServiceEnvironment() {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
  }
};

TEST(Service, ReadyOnlyOnceAttachedThenWatchdogKeepsComingAndReloadIsAnnounced) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  NotifySocket notify(dir / "notify.sock");
  ASSERT_TRUE(notify.bound()) << dir / "notify.sock";
  ServiceEnvironment env(dir / "notify.sock");
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  AttachSession attach(dir, {"--pid", std::to_string(target.pid())});

  // The first message is READY=1, and by then the BPF programs are attached.
  std::string first = notify.next(60s);
  ASSERT_THAT(first, HasSubstr("READY=1")) << attach.describe();
  EXPECT_THAT(attach.err(), HasSubstr("attached to 1 process tree(s)")) << "READY=1 before attach was done";
  EXPECT_THAT(first, HasSubstr("STATUS=attached to 1 process tree(s)"));

  // WATCHDOG=1 every half interval (0.5 s): about 6 in 3 s.
  std::string seen;
  int pings = notify.count("WATCHDOG=1", 3s, &seen);
  EXPECT_GE(pings, 4) << seen;
  EXPECT_LE(pings, 10) << "no faster than half the interval: " << seen;

  ASSERT_TRUE(attach.signal(SIGHUP));
  bool reloading = false, ready_again = false;
  for (auto end = Clock::now() + 10s; Clock::now() < end && !ready_again;) {
    std::string m = notify.next(1s);
    if (m.find("RELOADING=1") != std::string::npos) reloading = true;
    if (reloading && m.find("READY=1") != std::string::npos) ready_again = true;
  }
  EXPECT_TRUE(reloading && ready_again) << attach.describe();

  ASSERT_TRUE(target.run("exit", false));
  bool stopping = false;
  for (auto end = Clock::now() + 20s; Clock::now() < end && !stopping;)
    stopping = notify.next(1s).find("STOPPING=1") != std::string::npos;
  EXPECT_TRUE(stopping) << attach.describe();
  EXPECT_EQ(attach.wait_exit(20s), std::optional<int>(0)) << attach.describe();
}

// Stops only the given thread: PTRACE_SEIZE + PTRACE_INTERRUPT, waited for.
bool interrupt_thread(pid_t tid) {
  if (ptrace(PTRACE_SEIZE, tid, nullptr, nullptr) != 0) return false;
  if (ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) != 0) return false;
  int status = 0;
  return waitpid(tid, &status, __WALL) == tid && WIFSTOPPED(status);
}

TEST(Service, HealthzTurns503WhileTheEventLoopIsStoppedAndTheWatchdogStops) {
  DURAUDIT_REQUIRE_ROOT();
  ScratchDir dir;
  NotifySocket notify(dir / "notify.sock");
  ASSERT_TRUE(notify.bound());
  ServiceEnvironment env(dir / "notify.sock");
  Target target(dir);
  ASSERT_TRUE(target.ready()) << target.describe();
  const int port = free_loopback_port();
  AttachSession attach(dir, {"--pid", std::to_string(target.pid()), "--metrics-listen",
                             "127.0.0.1:" + std::to_string(port)});
  ASSERT_TRUE(attach.ready()) << attach.describe();
  ASSERT_TRUE(wait_until([&] { return http_get(port, "/healthz", 2s).status == 200; }, 10s)) << attach.describe();
  HttpResponse ok = http_get(port, "/healthz");
  EXPECT_THAT(ok.body, HasSubstr("ok: the event loop last went round"));

  // The event loop is the main thread (tid == pid).
  ASSERT_TRUE(interrupt_thread(attach.pid())) << "ptrace: " << std::strerror(errno);
  const auto stopped_at = Clock::now();
  // Stale after 5 s; the HTTP threads keep answering, with 503.
  bool unhealthy = wait_until([&] { return http_get(port, "/healthz", 2s).status == 503; }, 15s, 250ms);
  const auto took = Clock::now() - stopped_at;
  HttpResponse bad = http_get(port, "/healthz", 2s);
  // Whatever was still queued drains first; then nothing while stopped.
  notify.count("WATCHDOG=1", 200ms);
  int pings_while_stopped = notify.count("WATCHDOG=1", 2s);
  HttpResponse metrics = http_get(port, "/metrics", 5s);
  ptrace(PTRACE_DETACH, attach.pid(), nullptr, nullptr);  // resumes it
  ASSERT_TRUE(unhealthy) << bad.status << " " << bad.body << attach.describe();
  EXPECT_GE(took, 4s) << "503 before the documented 5 s threshold";
  EXPECT_EQ(bad.status, 503);
  EXPECT_THAT(bad.body, HasSubstr("unhealthy: the event loop last went round"));
  EXPECT_EQ(pings_while_stopped, 0) << "the watchdog was fed by a stopped loop";
  EXPECT_EQ(metrics.status, 200) << "metrics are served while the loop is stopped";
  EXPECT_THAT(metrics.body, HasSubstr("duraudit_event_loop_last_iteration_timestamp_seconds "));

  // Resumed: healthy again, and the watchdog is fed again.
  EXPECT_TRUE(wait_until([&] { return http_get(port, "/healthz", 2s).status == 200; }, 10s)) << attach.describe();
  EXPECT_GE(notify.count("WATCHDOG=1", 2s), 2);
  EXPECT_EQ(http_get(port, "/healthz", 2s).status, 200);
  EXPECT_TRUE(attach.running());
}

}  // namespace
}  // namespace duraudit::e2e
