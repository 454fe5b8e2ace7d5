// SPDX-License-Identifier: GPL-2.0-only
#include "engine/rule_catalogue.h"

#include <array>

namespace duraudit {

namespace {
constexpr std::array kRules = {
    RuleInfo{rule_id::kCloseWithoutFsync, Severity::Warning,
             "a file the process wrote was closed and was still not fsynced when the grace period ended",
             "call fsync(fd) (or fdatasync) before close when the data must survive a crash"},
    RuleInfo{rule_id::kRenameWithoutFsync, Severity::Error,
             "rename or link published a file whose data was not yet durable (zero-length file after a crash)",
             "fsync the temporary file before renaming it into place, then fsync the directory"},
    RuleInfo{rule_id::kUnlinkBeforeDurable, Severity::Error,
             "a durable file was deleted or replaced while the state replacing it was not yet durable",
             "fsync the new files and their directories before deleting or replacing the old state"},
    RuleInfo{rule_id::kMissingDirFsync, Severity::Warning,
             "directory entries created, renamed or removed were never made durable by fsyncing the directory",
             "open the parent directory and fsync it after creating, renaming or removing entries"},
    RuleInfo{rule_id::kTruncateInPlace, Severity::Warning,
             "an existing file was truncated and rewritten in place, so a crash can leave it empty or partial",
             "write a temporary file, fsync it, rename it over the original, fsync the directory"},
    RuleInfo{rule_id::kFsyncErrorIgnored, Severity::Error,
             "fsync failed and the process kept using or re-syncing the file as if its data were safe",
             "treat a failed fsync as data loss: stop, rewrite the data from a durable source, or exit"},
    RuleInfo{rule_id::kStateDeleted, Severity::Notice,
             "a long-lived file was deleted and nothing replaced it: state destroyed (often cleanup at shutdown)",
             "keep persistent state (counters, indexes, checkpoints) outside directories removed at shutdown"},
    RuleInfo{rule_id::kSyncFileRangeOnly, Severity::Notice,
             "sync_file_range was the only sync the file got; it does not flush metadata or the disk cache",
             "follow sync_file_range with fdatasync or fsync when the data must be durable"},
};
}  // namespace

std::span<const RuleInfo> rule_catalogue() { return kRules; }

const RuleInfo* find_rule(std::string_view id) {
  for (const auto& r : kRules)
    if (r.id == id) return &r;
  return nullptr;
}

}  // namespace duraudit
