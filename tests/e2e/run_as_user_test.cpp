// SPDX-License-Identifier: GPL-2.0-only
// `run -u USER`: the command runs as that user while duraudit keeps the
// privileges it needs for the capture; an unknown user is a usage error.
#include <pwd.h>
#include <sys/stat.h>

#include <fstream>

#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;

TEST(RunAsUser, TheCommandRunsAsTheUserAndIsStillAudited) {
  DURAUDIT_REQUIRE_ROOT();
  passwd* nobody = getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  ScratchDir d, out;
  chmod(d.path().c_str(), 0777);  // nobody writes its file here
  std::string file = d / "owned";
  CommandResult r = run_command({duraudit_bin(), "run", "-u", "nobody", "--format", "json", "-o", out / "f.jsonl",
                                 "--", "sh", "-c", "id -u; id -g; echo \"$HOME $USER $LOGNAME\"; echo x > " + file});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, std::to_string(nobody->pw_uid) + "\n" + std::to_string(nobody->pw_gid) + "\n" +
                       std::string(nobody->pw_dir) + " nobody nobody\n");
  struct stat st {};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, nobody->pw_uid);
  std::ifstream in(out / "f.jsonl");
  JsonReport rep = parse_report(std::string((std::istreambuf_iterator<char>(in)), {}));
  auto cwf = rep.of_rule("close-without-fsync");
  ASSERT_EQ(cwf.size(), 1u) << rep.describe();
  EXPECT_EQ(cwf[0].value("path", ""), file);
  // a numeric uid names the same user
  CommandResult n = run_command({duraudit_bin(), "run", "--user", std::to_string(nobody->pw_uid), "-o", "/dev/null",
                                 "--", "id", "-un"});
  EXPECT_EQ(n.status, 0) << n.err;
  EXPECT_EQ(n.out, "nobody\n");
}

TEST(RunAsUser, AnUnknownUserIsAUsageErrorAndNothingRuns) {  // 125: run's own failure
  ScratchDir d;
  CommandResult r = run_command({duraudit_bin(), "run", "-u", "no-such-user-here", "--", "touch", d / "ran"});
  EXPECT_EQ(r.status, 125);
  EXPECT_THAT(r.err, HasSubstr("no-such-user-here: no such user"));
  struct stat st {};
  EXPECT_NE(stat((d / "ran").c_str(), &st), 0) << "the command ran";
}

}  // namespace
}  // namespace duraudit::e2e
