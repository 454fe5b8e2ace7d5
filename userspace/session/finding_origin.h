// SPDX-License-Identifier: GPL-2.0-only
// Says where a finding comes from, before it is filtered or written: the
// process's identity (executable, uid, mount namespace, cgroup, container,
// pod) and, for a process whose view is not the agent's, the host path.
// Also the one place qualified paths (resolve/path_view.h) are turned back
// into the paths the process saw, in every field that quotes one.
#pragma once

#include "engine/finding.h"
#include "resolve/resolver.h"

namespace duraudit {

void annotate_origin(Finding& f, const Resolver& resolver);

}  // namespace duraudit
