// SPDX-License-Identifier: GPL-2.0-only
#include "util/run_as.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

extern char** environ;

namespace duraudit {

std::optional<RunAs> resolve_run_as(const std::string& spec, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<RunAs> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (spec.empty()) return fail("--user needs a user name or uid");
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  int rc = getpwnam_r(spec.c_str(), &pw, buf.data(), buf.size(), &found);
  if (!found) {
    uid_t uid = 0;
    auto [end, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), uid);
    if (ec == std::errc() && end == spec.data() + spec.size())
      rc = getpwuid_r(uid, &pw, buf.data(), buf.size(), &found);
  }
  if (!found)
    return fail("--user " + spec + ": no such user" + (rc ? std::string(" (") + std::strerror(rc) + ")" : ""));

  RunAs as;
  as.name = pw.pw_name;
  as.uid = pw.pw_uid;
  as.gid = pw.pw_gid;
  int n = 64;
  as.groups.resize(n);
  while (getgrouplist(pw.pw_name, pw.pw_gid, as.groups.data(), &n) < 0) as.groups.resize(n);
  as.groups.resize(n);

  const std::string home = std::string("HOME=") + pw.pw_dir;
  const std::string user = "USER=" + as.name;
  const std::string logname = "LOGNAME=" + as.name;
  for (char** e = environ; e && *e; ++e) {
    std::string_view v(*e);
    if (v.starts_with("HOME=") || v.starts_with("USER=") || v.starts_with("LOGNAME=")) continue;
    as.env.emplace_back(v);
  }
  as.env.push_back(home);
  as.env.push_back(user);
  as.env.push_back(logname);
  return as;
}

}  // namespace duraudit
