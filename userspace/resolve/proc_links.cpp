// SPDX-License-Identifier: GPL-2.0-only
#include "resolve/proc_links.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "event/event.h"

namespace duraudit {

bool read_link(const std::string& path, std::string& out) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
  if (n < 0) return false;
  out.assign(buf, static_cast<size_t>(n));
  return true;
}

std::optional<PathViewKey> read_proc_view(const std::string& proc_dir) {
  std::string ns;  // "mnt:[4026531841]"
  struct stat st {};
  if (!read_link(proc_dir + "/ns/mnt", ns) || ns.rfind("mnt:[", 0) != 0 || ::stat((proc_dir + "/root").c_str(), &st) != 0)
    return std::nullopt;
  PathViewKey k;
  k.mnt_ns = std::strtoull(ns.c_str() + 5, nullptr, 10);
  k.root_dev = kernel_dev_from_user(st.st_dev);
  k.root_ino = st.st_ino;
  return k;
}

}  // namespace duraudit
