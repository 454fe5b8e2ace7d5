// Which filesystem a directory lives on, by superblock magic. Namespace
// events (rename, unlink, mkdir...) carry no struct file, so the engine asks
// this when neither the event nor the model knows the filesystem. Pluggable:
// unit tests inject a fake; replay may want one that knows the traced host.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace duraudit {

// Returns the superblock magic of the filesystem holding `dir` (absolute),
// or 0 when it cannot tell.
using FsClassifier = std::function<uint64_t(const std::string& dir)>;

// statfs(2) on the deepest existing ancestor of `dir` (the directory itself
// may already be gone, or not exist yet), with a bounded cache.
FsClassifier make_statfs_classifier();

}  // namespace duraudit
