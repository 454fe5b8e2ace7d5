// SPDX-License-Identifier: GPL-2.0-only
// Options from DURAUDIT_<OPTION> environment variables (cli/option_parsing.h):
// the name mapping, the command line winning, switches and bad values.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "cli/errors.h"
#include "cli/option_parsing.h"

namespace duraudit {
namespace {

// Sets variables for one test and removes them after.
struct Env {
  std::vector<std::string> names;
  void set(const std::string& n, const std::string& v) {
    setenv(n.c_str(), v.c_str(), 1);
    names.push_back(n);
  }
  ~Env() {
    for (const auto& n : names) unsetenv(n.c_str());
  }
};

struct Opts {
  std::string listen, format = "text";
  std::vector<std::string> rules;
  bool all = false;
  po::options_description desc{"t"};
  Opts() {
    desc.add_options()("help,h", "")("metrics-listen", po::value(&listen), "")(
        "format", po::value(&format)->default_value("text"), "")("rules", po::value(&rules)->composing(), "")(
        "all", po::bool_switch(&all), "");
  }
};

TEST(EnvironmentOptions, NameIsPrefixedUpperCaseWithUnderscores) {
  EXPECT_EQ(environment_name("metrics-listen"), "DURAUDIT_METRICS_LISTEN");
  EXPECT_EQ(environment_name("no-default-rules"), "DURAUDIT_NO_DEFAULT_RULES");
  EXPECT_EQ(environment_name("all"), "DURAUDIT_ALL");
}

TEST(EnvironmentOptions, FillInWhatTheCommandLineLeavesOut) {
  Env env;
  env.set("DURAUDIT_METRICS_LISTEN", "127.0.0.1:10464");
  env.set("DURAUDIT_RULES", "/etc/x.yaml");
  env.set("DURAUDIT_ALL", "1");
  env.set("DURAUDIT_NOT_AN_OPTION", "ignored");
  env.set("DURAUDIT_HELP", "1");  // never from the environment
  Opts o;
  auto vm = parse_options(o.desc, {});
  EXPECT_EQ(o.listen, "127.0.0.1:10464");
  EXPECT_EQ(o.rules, std::vector<std::string>{"/etc/x.yaml"});
  EXPECT_TRUE(o.all);
  EXPECT_EQ(o.format, "text");
  EXPECT_FALSE(vm.count("help"));
}

TEST(EnvironmentOptions, TheCommandLineWinsEvenForRepeatableOptions) {
  Env env;
  env.set("DURAUDIT_METRICS_LISTEN", "127.0.0.1:1");
  env.set("DURAUDIT_RULES", "/from/env.yaml");
  env.set("DURAUDIT_FORMAT", "json");
  Opts o;
  parse_options(o.desc, {"--metrics-listen", "127.0.0.1:2", "--rules", "a.yaml", "--rules", "b.yaml"});
  EXPECT_EQ(o.listen, "127.0.0.1:2");
  EXPECT_EQ(o.rules, (std::vector<std::string>{"a.yaml", "b.yaml"}));
  EXPECT_EQ(o.format, "json") << "not on the command line: from the environment, over the default";
}

TEST(EnvironmentOptions, SwitchValues) {
  for (const auto& [value, expected] : std::vector<std::pair<std::string, bool>>{
           {"1", true}, {"true", true}, {"yes", true}, {"on", true}, {"", true}, {"0", false}, {"false", false},
           {"no", false}, {"off", false}}) {
    Env env;
    env.set("DURAUDIT_ALL", value);
    Opts o;
    parse_options(o.desc, {});
    EXPECT_EQ(o.all, expected) << "DURAUDIT_ALL='" << value << "'";
  }
}

TEST(EnvironmentOptions, ABadValueIsAUsageErrorSayingItCameFromTheEnvironment) {
  Env env;
  env.set("DURAUDIT_ALL", "maybe");
  Opts o;
  try {
    parse_options(o.desc, {});
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("in the environment: "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("maybe"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace duraudit
