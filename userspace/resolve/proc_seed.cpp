// SPDX-License-Identifier: GPL-2.0-only
#include "resolve/proc_seed.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "resolve/proc_links.h"
#include "util/container_origin.h"

namespace duraudit {

namespace {

// Numeric entries of a /proc directory (fd/, task/), ascending.
std::vector<int32_t> numeric_entries(const std::string& dir) {
  std::vector<int32_t> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long v = std::strtol(e->d_name, &end, 10);
    if (end != e->d_name && *end == '\0' && v >= 0) out.push_back(static_cast<int32_t>(v));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// fdinfo's "flags:\t0100002" line (octal); the kernel adds O_CLOEXEC there
// when the fd's close-on-exec bit is set.
bool read_fdinfo_flags(const std::string& path, uint64_t& flags) {
  FILE* f = std::fopen(path.c_str(), "re");
  if (!f) return false;
  char line[256];
  bool found = false;
  while (std::fgets(line, sizeof(line), f)) {
    if (std::strncmp(line, "flags:", 6) == 0) {
      flags = std::strtoull(line + 6, nullptr, 8);
      found = true;
      break;
    }
  }
  std::fclose(f);
  return found;
}

}  // namespace

bool read_proc_snapshot(int32_t pid, ProcSnapshot& out, const std::string& proc_root) {
  out = ProcSnapshot{};
  const std::string base = proc_root + "/" + std::to_string(pid);
  if (!read_link(base + "/cwd", out.cwd)) {
    // A process we may not inspect still exists if its directory does.
    struct stat st;
    if (::stat(base.c_str(), &st) != 0) return false;
    out.cwd.clear();
  }
  for (int32_t fd : numeric_entries(base + "/fd")) {
    ProcFdSnapshot s;
    s.fd = fd;
    const std::string link = base + "/fd/" + std::to_string(fd);
    if (!read_link(link, s.file.path)) continue;  // closed meanwhile
    // stat and statfs follow the magic link to the open file itself.
    struct stat st;
    if (::stat(link.c_str(), &st) == 0) {
      s.file.id = FileId{kernel_dev_from_user(st.st_dev), st.st_ino};
      s.file.mode = st.st_mode & S_IFMT;
    }
    struct statfs sfs;
    if (::statfs(link.c_str(), &sfs) == 0) s.file.fs_magic = static_cast<uint64_t>(sfs.f_type);
    uint64_t flags = 0;
    if (read_fdinfo_flags(base + "/fdinfo/" + std::to_string(fd), flags)) {
      s.cloexec = (flags & O_CLOEXEC) != 0;
      s.open_flags = flags & ~static_cast<uint64_t>(O_CLOEXEC);
    }
    out.fds.push_back(std::move(s));
  }
  out.tids = numeric_entries(base + "/task");
  if (out.tids.empty()) out.tids.push_back(pid);
  out.identity = read_proc_identity(pid, proc_root);
  return true;
}

std::string proc_cgroup_path(int32_t pid, const std::string& proc_root) {
  std::ifstream in(proc_root + "/" + std::to_string(pid) + "/cgroup");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  return {};
}

std::shared_ptr<const ProcessIdentity> read_proc_identity(int32_t pid, const std::string& proc_root) {
  const std::string base = proc_root + "/" + std::to_string(pid);
  auto id = std::make_shared<ProcessIdentity>();
  struct stat st;
  if (auto view = read_proc_view(base)) id->view = *view;
  else if (::stat(base.c_str(), &st) != 0) return nullptr;  // gone (else: not ours to inspect)
  std::ifstream status(base + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Uid:", 0) == 0) {
      id->uid = static_cast<uint32_t>(std::strtoul(line.c_str() + 4, nullptr, 10));
      break;
    }
  id->cgroup = proc_cgroup_path(pid, proc_root);
  ContainerOrigin origin = parse_container_origin(id->cgroup);
  id->container_id = std::move(origin.container_id);
  id->pod_uid = std::move(origin.pod_uid);
  read_link(base + "/exe", id->exe);
  return id;
}

void prepare_launched_snapshot(ProcSnapshot& snapshot) {
  std::erase_if(snapshot.fds, [](const ProcFdSnapshot& f) { return f.cloexec; });
  snapshot.launched = true;
}

}  // namespace duraudit
