// SPDX-License-Identifier: GPL-2.0-only
// Ending a traced command that duraudit can no longer trace: `run`, `trace
// -- CMD` and `record -- CMD` stopping early (a second SIGINT, an exception,
// a capture that failed) must not leave the command running untraced.
//
// Every process below `root` gets SIGTERM; those still alive after `grace`
// get SIGKILL, again and again, until none is left (a process forking as
// it is killed cannot escape: each round scans /proc anew). The caller is
// `root` and the subreaper of the tree (PR_SET_CHILD_SUBREAPER), so an
// orphan stays below it and every process that ends is reaped here;
// `on_reaped` sees each reaped pid with its waitpid status.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>

namespace duraudit {

struct DescendantsEnded {
  size_t terminated = 0;  // processes sent SIGTERM
  size_t killed = 0;      // of those (or forked later), still alive after the grace: SIGKILL
  bool all_gone = true;   // nothing alive is left below root
};

// How long a command gets between SIGTERM and SIGKILL.
inline constexpr std::chrono::milliseconds kCommandEndGrace{3000};

DescendantsEnded end_descendants(pid_t root, std::chrono::milliseconds grace,
                                 const std::function<void(pid_t pid, int wait_status)>& on_reaped = {});

}  // namespace duraudit
