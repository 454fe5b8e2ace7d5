// SPDX-License-Identifier: GPL-2.0-only
#include "util/proc_tree.h"

#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unordered_map>

namespace duraudit {

namespace {

// Parses "pid (comm) S ppid ..." -- comm may contain spaces and ')'.
bool read_stat(int32_t pid, char* state, int32_t* ppid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  size_t close = line.rfind(')');
  if (close == std::string::npos || close + 4 > line.size()) return false;
  *state = line[close + 2];
  *ppid = static_cast<int32_t>(std::strtol(line.c_str() + close + 4, nullptr, 10));
  return true;
}

}  // namespace

std::vector<int32_t> descendants_of(int32_t root) {
  std::unordered_multimap<int32_t, int32_t> children;  // ppid -> pid
  for (int32_t pid : all_processes()) {
    char state;
    int32_t ppid;
    if (read_stat(pid, &state, &ppid)) children.emplace(ppid, pid);
  }
  std::vector<int32_t> out, todo{root};
  while (!todo.empty()) {
    int32_t p = todo.back();
    todo.pop_back();
    auto [b, e] = children.equal_range(p);
    for (auto it = b; it != e; ++it) {
      out.push_back(it->second);
      todo.push_back(it->second);
    }
  }
  return out;
}

std::vector<int32_t> process_tree(int32_t pid) {
  std::vector<int32_t> tree{pid};
  for (int32_t d : descendants_of(pid)) tree.push_back(d);
  return tree;
}

std::vector<int32_t> processes_in_cgroup(const std::string& cgroup_dir) {
  std::vector<int32_t> out;
  std::error_code ec;
  auto read_procs = [&](const std::filesystem::path& dir) {
    std::ifstream in(dir / "cgroup.procs");
    for (int32_t pid; in >> pid;) out.push_back(pid);
  };
  read_procs(cgroup_dir);
  for (auto it = std::filesystem::recursive_directory_iterator(cgroup_dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_directory(ec)) read_procs(it->path());
  return out;
}

std::vector<int32_t> all_processes() {
  std::vector<int32_t> out;
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      char* end;
      long pid = std::strtol(e->d_name, &end, 10);
      if (*end == '\0' && pid > 0) out.push_back(static_cast<int32_t>(pid));
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool process_alive(int32_t pid) {
  char state;
  int32_t ppid;
  return read_stat(pid, &state, &ppid) && state != 'Z' && state != 'X';
}

}  // namespace duraudit
