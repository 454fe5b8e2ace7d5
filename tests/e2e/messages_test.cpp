// What duraudit says when something is wrong (issue 12, item 14): the
// message names what was wrong in duraudit's own words (not a library's,
// not a guess at a cause it did not see), bad values exit 2 naming the flag
// and what it accepts, and a write error in the middle of a recording is one
// clean line, not an abort.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "e2e/attach_session.h"
#include "e2e/background_process.h"
#include "e2e/e2e_util.h"

namespace duraudit::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

size_t lines_with(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) n += line.find(needle) != std::string::npos;
  return n;
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(Messages, AnUnparsedStraceLineIsNamedAndNotBlamedOnTheRingBuffer) {
  ScratchDir dir;
  const std::string log = dir / "app.strace";
  write_file(log,
             "123 openat(AT_FDCWD, \"/data/x\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3\n"
             "123 this is not an strace line\n"
             "123 write(3, \"abc\", 3) = 3\n"
             "123 close(3) = 0\n");
  CommandResult text = run_command({duraudit_bin(), "replay", "--strace", log});
  EXPECT_EQ(text.status, 0) << text.err;
  EXPECT_THAT(text.err, HasSubstr(log + ":2: unparsed line")) << text.err;
  EXPECT_THAT(text.out, HasSubstr("WARNING: results are incomplete (findings may be missing or wrong): 1 line of the "
                                  "strace log could not be parsed (line 2 of " + log + ")"))
      << text.out;
  EXPECT_THAT(text.out, HasSubstr("incomplete: 1 line of the strace log could not be parsed (line 2 of " + log +
                                  ") before this verdict"))
      << text.out;
  for (const std::string& s : {text.out, text.err}) {
    EXPECT_THAT(s, Not(HasSubstr("ring buffer"))) << s;
    EXPECT_THAT(s, Not(HasSubstr("events were lost"))) << s;
  }
  EXPECT_EQ(lines_with(text.out, "WARNING"), 1u) << text.out;

  CommandResult json = run_command({duraudit_bin(), "replay", "--strace", log, "--format", "json"});
  JsonReport rep = parse_report(json.out);
  EXPECT_EQ(rep.summary.value("incomplete_reason", ""),
            "1 line of the strace log could not be parsed (line 2 of " + log + ")")
      << rep.describe();
  ASSERT_FALSE(rep.findings.empty()) << rep.describe();
  EXPECT_EQ(rep.findings[0].value("incomplete_reason", ""),
            "1 line of the strace log could not be parsed (line 2 of " + log + ") before this verdict");
}

}  // namespace
}  // namespace duraudit::e2e
