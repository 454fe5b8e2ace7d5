// SPDX-License-Identifier: GPL-2.0-only
// Which filesystem a directory lives on, by superblock magic. Namespace
// events (rename, unlink, mkdir...) carry no struct file, so the engine asks
// this when neither the event nor the model knows the filesystem. Pluggable:
// unit tests inject a fake; replay may want one that knows the traced host.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "event/event.h"

namespace duraudit {

// Returns the superblock magic of the filesystem holding `dir` (absolute),
// or 0 when it cannot tell.
using FsClassifier = std::function<uint64_t(const std::string& dir)>;

// statfs(2) on the deepest existing ancestor of `dir` (the directory itself
// may already be gone, or not exist yet), with a bounded cache.
FsClassifier make_statfs_classifier();

// The inode identity of a directory, or an invalid FileId when it cannot be
// told. The model keys directory records by path (namespace events carry
// paths), and learns each record's inode through this, so an fsync of the
// same directory reached by another path (a symlink) is credited.
using DirIdentity = std::function<FileId(const std::string& dir)>;

// stat(2) of the directory as it is now (following symlinks).
DirIdentity make_stat_dir_identity();

}  // namespace duraudit
