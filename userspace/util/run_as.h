// SPDX-License-Identifier: GPL-2.0-only
// `run -u USER`: the identity a traced command runs as, resolved in the
// parent (the child may only make async-signal-safe calls between fork and
// exec), so the child just switches groups, gid and uid and execs with the
// prepared environment.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace duraudit {

struct RunAs {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups (initgroups' list)
  // The environment to exec with: ours, with HOME, USER and LOGNAME the
  // user's (as su/sudo set them).
  std::vector<std::string> env;
};

// `spec` is a user name or a numeric uid from the password database.
// nullopt with a sentence in *error when there is no such user.
std::optional<RunAs> resolve_run_as(const std::string& spec, std::string* error);

}  // namespace duraudit
