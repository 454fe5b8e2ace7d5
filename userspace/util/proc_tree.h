#pragma once

#include <cstdint>
#include <vector>

namespace duraudit {

// Every process now running below `pid` (children, grandchildren...), from
// /proc/*/stat. Races with processes starting or ending are harmless: a
// child forked after the scan is caught by the kernel's fork tracking.
std::vector<int32_t> descendants_of(int32_t pid);

// Whether a process with this pid exists (and is not a zombie).
bool process_alive(int32_t pid);

}  // namespace duraudit
