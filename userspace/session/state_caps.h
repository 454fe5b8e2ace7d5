// SPDX-License-Identifier: GPL-2.0-only
// The caps on the state a long-running session keeps, one row each: what
// duraudit_state_entries{kind}, duraudit_state_capacity{kind} and
// duraudit_state_evictions_total{kind} report (docs/production.md
// "State caps"), and the flag that sets each. A new cap is a new row here and
// a new case in state_usage(); metrics, dashboards and alerts follow the
// `kind` label without further change.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace duraudit {

class AuditPipeline;

enum class StateKind : uint8_t { Processes, Files, Directories, DirEntries };

struct StateCapInfo {
  StateKind kind;
  std::string_view name;  // the `kind` label value
  std::string_view flag;  // the attach option that sets the capacity
  std::string_view what;  // for docs and help
};

inline constexpr std::size_t kStateKinds = 4;
const std::array<StateCapInfo, kStateKinds>& state_caps();

// The capacity of each cap, as attach set it.
struct StateCapacities {
  uint64_t max_processes = 0;
  uint64_t max_files = 0;
  uint64_t max_dir_entries = 0;
};

struct StateUsage {
  const StateCapInfo* cap;
  uint64_t entries;    // held now
  uint64_t capacity;   // the most it holds before evicting
  uint64_t evictions;  // evicted so far, cumulative
};

// Every row of state_caps(), in order, measured on `pipeline`.
std::array<StateUsage, kStateKinds> state_usage(const AuditPipeline& pipeline, const StateCapacities& caps);

}  // namespace duraudit
