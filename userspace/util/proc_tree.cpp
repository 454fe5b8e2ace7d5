#include "util/proc_tree.h"

#include <dirent.h>

#include <cstdio>
#include <cstdlib>
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
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      char* end;
      long pid = std::strtol(e->d_name, &end, 10);
      if (*end != '\0' || pid <= 0) continue;
      char state;
      int32_t ppid;
      if (read_stat(static_cast<int32_t>(pid), &state, &ppid)) children.emplace(ppid, static_cast<int32_t>(pid));
    }
    closedir(d);
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

bool process_alive(int32_t pid) {
  char state;
  int32_t ppid;
  return read_stat(pid, &state, &ppid) && state != 'Z' && state != 'X';
}

}  // namespace duraudit
