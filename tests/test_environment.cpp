// SPDX-License-Identifier: GPL-2.0-only
// Linked into every test binary: the paths tests need (the duraudit binary,
// the test programs, the source tree) default to where this build put them,
// so a test binary runs the same under ctest and by hand. Variables already
// set in the environment win.
#include <cstdlib>

namespace {
struct TestEnvironmentDefaults {
  TestEnvironmentDefaults() {
    setenv("DURAUDIT_BIN", DURAUDIT_TEST_BIN, 0);
    setenv("DURAUDIT_TEST_PROGRAMS", DURAUDIT_TEST_PROGRAMS_DIR, 0);
    setenv("DURAUDIT_SOURCE_DIR", DURAUDIT_TEST_SOURCE_DIR, 0);
  }
} const kDefaults;
}  // namespace
