// SPDX-License-Identifier: GPL-2.0-only
// The /proc magic links duraudit reads (a process's cwd, fds, root,
// namespaces, exe; /proc/self/fd/N for what an fd names), and a process's
// view (mount namespace and root) from them. One reader for every caller.
#pragma once

#include <optional>
#include <string>

#include "event/process_identity.h"

namespace duraudit {

// readlink(2) of `path` into `out` (at most PATH_MAX bytes); false if it fails.
bool read_link(const std::string& path, std::string& out);

// The view of the process whose /proc directory is `proc_dir`
// ("/proc/123", "/proc/self"): ns/mnt's inode and the root directory's
// identity. nullopt when either cannot be read.
std::optional<PathViewKey> read_proc_view(const std::string& proc_dir);

}  // namespace duraudit
