// SPDX-License-Identifier: GPL-2.0-only
// Helpers shared by the strace tests: fixture paths and draining a source.
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

#include "event/event.h"
#include "event/event_source.h"

namespace duraudit::test {

inline std::string strace_data(const std::string& name) {
  const char* src = std::getenv("DURAUDIT_SOURCE_DIR");
  std::string root = src ? src : std::string(__FILE__).substr(0, std::string(__FILE__).rfind("/tests/"));
  return root + "/tests/data/strace/" + name;
}

inline std::vector<Event> drain(EventSource& s) {
  std::vector<Event> out;
  while (s.poll([&](Event&& e) { out.push_back(std::move(e)); }, 0)) {
  }
  return out;
}

// Events whose path or path2 is `p`.
inline std::vector<Event> touching(const std::vector<Event>& evs, const std::string& p) {
  std::vector<Event> out;
  for (const auto& e : evs)
    if (e.path == p || e.path2 == p) out.push_back(e);
  return out;
}

}  // namespace duraudit::test

#include <map>
#include <utility>

namespace duraudit::test {

// The story of one file as syscall names: its opens, the calls on the fds
// those returned (until closed), and renames/unlinks naming it.
// E.g. "openat write fsync close rename".
inline std::string story(const std::vector<Event>& evs, const std::string& p) {
  std::map<std::pair<int32_t, int32_t>, bool> fds;
  std::string out;
  auto add = [&](const Event& e) {
    if (!out.empty()) out += ' ';
    out += syscall_name(e.syscall);
  };
  for (const auto& e : evs) {
    if (e.failed()) continue;
    bool is_open = e.syscall == Syscall::Open || e.syscall == Syscall::Openat || e.syscall == Syscall::Openat2 ||
                   e.syscall == Syscall::Creat;
    if (is_open) {
      if (e.path == p) {
        fds[{e.pid, static_cast<int32_t>(e.ret)}] = true;
        add(e);
      }
      continue;
    }
    if (e.path == p || e.path2 == p) {
      add(e);
      continue;
    }
    if (e.fd >= 0 && fds.count({e.pid, e.fd})) {
      add(e);
      if (e.syscall == Syscall::Close) fds.erase({e.pid, e.fd});
    }
  }
  return out;
}

}  // namespace duraudit::test
