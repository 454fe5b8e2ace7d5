// SPDX-License-Identifier: GPL-2.0-only
// Making duraudit's own output files durable: fsync the file, then the
// directory that holds its name (the rules duraudit applies to others).
#pragma once

#include <string>

namespace duraudit {

// fsync(2) of the directory containing `path` ("." for a bare name).
// Returns 0 or the errno of the open or fsync that failed.
int fsync_parent_directory(const std::string& path);

}  // namespace duraudit
