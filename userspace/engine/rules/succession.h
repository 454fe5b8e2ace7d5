// SPDX-License-Identifier: GPL-2.0-only
// Succession: which files took the place of a deleted one. unlink-before-
// durable fires only for a deleted file with an identified successor whose
// data is not durable; state-deleted stays silent when a successor exists.
// The evidence is about *this* file, never about what happens to sit in the
// same directory:
//
//   same-path       the deleting process creates the path again within the
//                   grace period (install, delete-then-write editors);
//                   judged by the rule when the create comes
//   data-flow       a process of the deleter's family opened the deleted file
//                   read-only and afterwards began writing the successor
//                   (gzip, cp + rm, mv across filesystems, git pack-refs)
//   name-pattern    the successor's path is the deleted one with run-specific
//                   parts folded (digits, hex, UUIDs), in another directory:
//                   chk-1217/<uuid> succeeds chk-1216/<uuid> (FLINK-36421)
//   directory-swap  the deleted file's directory was renamed away from P and
//                   another tree renamed to P before the removal
//
// Never a successor: files that are not regular, swap, lock, pid and log
// files, the deleted file itself, and files deleted again before the verdict
// (the rule checks that at settle).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/durability_model.h"

namespace duraudit::rules {

enum class SuccessorEvidence : uint8_t { SamePath, DataFlow, NamePattern, DirectorySwap };
std::string_view successor_evidence_name(SuccessorEvidence e);

struct Successor {
  const InodeState* inode = nullptr;
  std::string path;
  SuccessorEvidence evidence = SuccessorEvidence::DataFlow;
};

// Names that hold no state of their own: swap, lock and pid files, logs.
// They are never successors, and deleting them is never state-deleted.
bool is_auxiliary_name(std::string_view path);

// Successors of the file at `path` (its inode, when the model knew it),
// deleted by `pid`, whose data is not durable: at most `max`, strongest
// evidence first (data-flow, name-pattern, directory-swap).
std::vector<Successor> dirty_successors(const DurabilityModel& model, const std::string& path,
                                        const InodeState* deleted, int32_t pid, size_t max);

// Whether the deleted file has any successor, durable or not (state-deleted:
// the state lives on elsewhere).
bool has_successor(const DurabilityModel& model, const std::string& path, const InodeState* deleted,
                   int32_t pid);

}  // namespace duraudit::rules
