// SPDX-License-Identifier: GPL-2.0-only
// Synthetic file identities for sources that have no inode numbers (strace
// logs). The durability model works on inodes, so the Resolver invents one
// per distinct file, FileId{FileId::kSyntheticDev, n}, bound to the names the
// trace shows: the same path gives the same id; rename moves the binding (a
// directory rename moves its whole subtree); link adds a name; unlink and
// rmdir remove names. Paths are the only evidence, so two names reached
// through symlinks or bind mounts are two files here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "event/event.h"

namespace duraudit {

class SyntheticInodes {
 public:
  struct Binding {
    FileId id;
    uint32_t mode = 0;  // S_IFMT bits when known (O_DIRECTORY, mkdir, O_CREAT)
  };

  // The file currently named `path`, if any.
  const Binding* find(std::string_view path) const;
  // A new file named `path` (replacing whatever had that name).
  const Binding& bind_new(std::string_view path, uint32_t mode);
  // A file without a name (O_TMPFILE).
  FileId fresh() { return FileId{FileId::kSyntheticDev, next_ino_++}; }
  // An additional name for an existing file (link, linkat of a tmpfile).
  void bind(std::string_view path, const Binding& b);
  // Records a mode learnt later (an O_DIRECTORY open of a known path).
  void set_mode(std::string_view path, uint32_t mode);

  void rename(std::string_view from, std::string_view to);
  void exchange(std::string_view a, std::string_view b);
  void unbind(std::string_view path, bool subtree);

  size_t size() const { return by_path_.size(); }

 private:
  std::map<std::string, Binding, std::less<>> by_path_;
  uint64_t next_ino_ = 1;
};

}  // namespace duraudit
