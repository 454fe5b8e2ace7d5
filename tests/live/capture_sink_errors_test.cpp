// SPDX-License-Identifier: GPL-2.0-only
// Live: an exception thrown by the sink while libbpf's C ring-buffer callback
// is on the stack must not unwind through libbpf (that aborts the process
// and leaves the traced command running untraced). poll() stops at that
// event, rethrows once libbpf has returned, and the capture goes on.
#include <gtest/gtest.h>

#include <stdexcept>

#include "capture/suspended_child.h"
#include "live/live_harness.h"

namespace duraudit::live {
namespace {

TEST(LiveSinkErrors, AnExceptionFromTheSinkComesOutOfPollAndTheCaptureGoesOn) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  SuspendedChild child;
  std::string err;
  ASSERT_TRUE(child.spawn({program("many_ops"), d.path(), "200"}, &err)) << err;
  ASSERT_TRUE(cap->add_target(child.pid(), &err)) << err;
  ASSERT_EQ(child.release(), 0);
  int status = child.wait();
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  // Every event of the program is in the ring now (it has been reaped).

  uint64_t seen = 0;
  auto throwing = [&](Event&&) {
    if (++seen == 3) throw std::runtime_error("sink failed on the third event");
  };
  try {
    cap->poll(throwing, 100);
    ADD_FAILURE() << "poll() returned although the sink threw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "sink failed on the third event");
  }
  EXPECT_EQ(seen, 3u) << "the poll stops at the event whose sink threw";
  EXPECT_EQ(cap->delivered(), 3u);

  // The rest is still there, in order, and the program's exit with it.
  std::vector<Event> rest;
  for (int i = 0; i < 50; ++i) {
    uint64_t before = cap->delivered();
    cap->poll([&](Event&& e) { rest.push_back(std::move(e)); }, 10);
    if (cap->delivered() == before && !rest.empty()) break;
  }
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(rest.front().seq, 4u);
  for (size_t i = 1; i < rest.size(); ++i) ASSERT_EQ(rest[i].seq, rest[i - 1].seq + 1);
  bool exited = false;
  for (const auto& e : rest) exited |= e.pid == child.pid() && e.syscall == Syscall::Exit && e.group_dead;
  EXPECT_TRUE(exited) << "the program's exit was delivered after the failed poll";
  EXPECT_GT(rest.size(), 4u * 200);
}

}  // namespace
}  // namespace duraudit::live
