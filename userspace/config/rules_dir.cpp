// SPDX-License-Identifier: GPL-2.0-only
#include "config/rules_dir.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

namespace duraudit {

bool list_rules_dir(const std::string& dir, std::vector<std::string>* files, std::string* error) {
  files->clear();
  DIR* d = opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return true;  // no drop-ins configured
    *error = "rules directory " + dir + ": " + std::strerror(errno);
    return false;
  }
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    if (name.size() < 6 || name.compare(name.size() - 5, 5, ".yaml") != 0) continue;
    names.push_back(name);
  }
  const int read_errno = errno;
  closedir(d);
  if (read_errno) {
    *error = "rules directory " + dir + ": " + std::strerror(read_errno);
    return false;
  }
  std::sort(names.begin(), names.end());
  const std::string prefix = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  for (const std::string& n : names) {
    const std::string path = prefix + n;
    struct stat st {};
    // stat, not lstat: a ConfigMap's files are symlinks into ..data/.
    if (stat(path.c_str(), &st) != 0) {
      *error = "rules directory " + dir + ": " + path + ": " + std::strerror(errno);
      return false;
    }
    if (!S_ISREG(st.st_mode)) {
      *error = "rules directory " + dir + ": " + path + " is not a regular file";
      return false;
    }
    files->push_back(path);
  }
  return true;
}

}  // namespace duraudit
