// SPDX-License-Identifier: GPL-2.0-only
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace duraudit {

// Every process now running below `pid` (children, grandchildren...), from
// /proc/*/stat. Races with processes starting or ending are harmless: a
// child forked after the scan is caught by the kernel's fork tracking.
std::vector<int32_t> descendants_of(int32_t pid);

// `pid` followed by its descendants: what `--pid N` targets (attach, trace,
// record), so children forked before duraudit started are traced too.
std::vector<int32_t> process_tree(int32_t pid);

// Every process in a cgroup v2 directory and the cgroups below it (from
// their cgroup.procs files).
std::vector<int32_t> processes_in_cgroup(const std::string& cgroup_dir);

// Every process now running (the numeric entries of /proc), ascending.
std::vector<int32_t> all_processes();

// Whether a process with this pid exists (and is not a zombie).
bool process_alive(int32_t pid);

}  // namespace duraudit
