// SPDX-License-Identifier: GPL-2.0-only
#include "stack/debuginfo_lookup.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace duraudit {

namespace {
constexpr const char* kDebugRoot = "/usr/lib/debug";

std::string dir_of(const char* path) {
  std::string p = path ? path : "";
  auto slash = p.rfind('/');
  return slash == std::string::npos ? std::string(".") : p.substr(0, slash);
}
}  // namespace

int find_local_debuginfo(Dwfl_Module* mod, void**, const char*, Dwarf_Addr, const char* file_name,
                         const char* debuglink_file, GElf_Word, char** debuginfo_file_name) {
  std::vector<std::string> candidates;
  const unsigned char* bits = nullptr;
  GElf_Addr vaddr = 0;
  int n = dwfl_module_build_id(mod, &bits, &vaddr);
  if (n > 1) {
    static const char* d = "0123456789abcdef";
    std::string hex;
    for (int i = 0; i < n; ++i) {
      hex.push_back(d[bits[i] >> 4]);
      hex.push_back(d[bits[i] & 15]);
    }
    candidates.push_back(std::string(kDebugRoot) + "/.build-id/" + hex.substr(0, 2) + "/" + hex.substr(2) + ".debug");
  }
  if (debuglink_file && *debuglink_file) {
    std::string dir = dir_of(file_name);
    candidates.push_back(dir + "/" + debuglink_file);
    candidates.push_back(dir + "/.debug/" + debuglink_file);
    candidates.push_back(std::string(kDebugRoot) + dir + "/" + debuglink_file);
  }
  for (const auto& c : candidates) {
    // libdwfl checks that the file matches (build-id or CRC) and closes it.
    int fd = ::open(c.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      *debuginfo_file_name = strdup(c.c_str());
      return fd;
    }
  }
  return -1;
}

const Dwfl_Callbacks* dwfl_callbacks() {
  static const Dwfl_Callbacks cb = {
      .find_elf = dwfl_build_id_find_elf,
      .find_debuginfo = find_local_debuginfo,
      .section_address = dwfl_offline_section_address,
      .debuginfo_path = nullptr,
  };
  return &cb;
}

}  // namespace duraudit
