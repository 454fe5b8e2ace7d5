// SPDX-License-Identifier: GPL-2.0-only
// A process over its event budget (Syscall::OverBudget): the kernel dropped
// some of its events, so its own findings and those about the files it was
// writing or touched afterwards are incomplete, with the reason; everyone
// else's stay whole (docs/production.md, "Event budgets").
#include <gtest/gtest.h>

#include "engine/rule_catalogue.h"
#include "engine_events.h"

namespace duraudit::test {
namespace {

using namespace rule_id;

TEST(OverBudget, ItsOwnFindingsAreIncompleteAndNamed) {
  Sim sim;
  auto flood = sim.proc(300, "flood");
  int fd = flood.open("/data/state");
  flood.write(fd);
  flood.over_budget(1000);  // its fsync may be among the dropped events
  flood.close(fd);
  sim.finish();
  const Finding* f = sim.first(kCloseWithoutFsync);
  ASSERT_NE(f, nullptr) << sim.dump();
  EXPECT_TRUE(f->incomplete);
  EXPECT_EQ(f->incomplete_reason,
            "pid 300 (flood) went over its event budget: 1000 of its events were dropped in the kernel");
  ASSERT_EQ(sim.engine().blind_processes().size(), 1u);
  EXPECT_TRUE(sim.engine().blind_processes()[0].over_budget);
  EXPECT_FALSE(sim.engine().blind_processes()[0].async_blind());
}

TEST(OverBudget, AnotherProcessesFindingsStayWhole) {
  Sim sim;
  auto flood = sim.proc(300, "flood");
  auto app = sim.proc(400, "app");
  flood.over_budget(1);
  int fd = app.open("/data/app.conf");
  app.write(fd).close(fd);
  flood.over_budget(50000);
  sim.finish();
  const Finding* f = sim.first(kCloseWithoutFsync);
  ASSERT_NE(f, nullptr) << sim.dump();
  EXPECT_FALSE(f->incomplete) << f->incomplete_reason;
  // Reports are running totals: the latest one counts.
  ASSERT_EQ(sim.engine().blind_processes().size(), 1u);
  EXPECT_EQ(sim.engine().blind_processes()[0].events_dropped, 50000u);
}

// A file another process wrote and the flooder then touched (its unseen
// fsync or rename may be the one that mattered) is incomplete too.
TEST(OverBudget, AFileItWritesOrTouchesIsIncomplete) {
  Sim sim;
  auto flood = sim.proc(300, "flood");
  auto app = sim.proc(400, "app");
  int a = app.open("/data/shared");
  app.write(a);
  int b = flood.open("/data/mine");
  flood.write(b);
  flood.over_budget(10);
  int c = flood.open("/data/shared");  // touched while over budget
  flood.close(c);
  app.close(a);
  flood.close(b);
  sim.finish();
  for (const std::string path : {"/data/shared", "/data/mine"}) {
    const Finding* f = sim.first_about(kCloseWithoutFsync, path);
    ASSERT_NE(f, nullptr) << path << "\n" << sim.dump();
    EXPECT_TRUE(f->incomplete) << path;
  }
}

// A process that exits leaves the pid to be reused: the next process with
// that number is not over budget.
TEST(OverBudget, AReusedPidIsWhole) {
  Sim sim;
  auto flood = sim.proc(300, "flood");
  flood.over_budget(10);
  flood.exit();
  auto next = sim.proc(300, "next");
  int fd = next.open("/data/next");
  next.write(fd).close(fd);
  sim.finish();
  const Finding* f = sim.first(kCloseWithoutFsync);
  ASSERT_NE(f, nullptr) << sim.dump();
  EXPECT_FALSE(f->incomplete) << f->incomplete_reason;
}

}  // namespace
}  // namespace duraudit::test
