// SPDX-License-Identifier: GPL-2.0-only
// An open file description: what open() created and dup()/fork share. The
// fd table entries of a process (and of its forked children) point at these;
// the per-fd bit (CLOEXEC) lives in the entry, not here.
#pragma once

#include <cstdint>
#include <memory>

#include "event/event.h"
#include "resolve/path_registry.h"

namespace duraudit {

struct OpenFile {
  explicit OpenFile(PathRegistry* reg) : path(reg) {}

  FileId id;               // immutable once the description is in a table
  uint32_t mode = 0;
  uint64_t fs_magic = 0;
  uint64_t open_flags = 0;
  bool unnamed = false;    // O_TMPFILE not linked yet: `path` is its directory
  TrackedPath path;        // current name, kept up to date across renames
  bool launcher_stdio = false;  // ProcSnapshot::launched fds 0-2: not audited

  // Copies what we know into an event's FileInfo, keeping what the source
  // already said (the kernel is authoritative for identity, mode and magic).
  void fill(FileInfo& fi) const {
    if (!fi.id.valid()) fi.id = id;
    if (fi.mode == 0) fi.mode = mode;
    if (fi.fs_magic == 0) fi.fs_magic = fs_magic;
    fi.path = path.str();
    fi.unnamed = unnamed;
    fi.unaudited = launcher_stdio;
  }
};

using OpenFileRef = std::shared_ptr<OpenFile>;

}  // namespace duraudit
