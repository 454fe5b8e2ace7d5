// SPDX-License-Identifier: GPL-2.0-only
// One binary on disk (an executable, a shared library, the dynamic loader)
// as the unwinder and the symbolizer need it: where its segments go, its
// build-id, its ELF interpreter. Read once per file (cached by path and
// inode, so a rebuilt binary at the same path is read again).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace duraudit {

struct ElfModule {
  struct Load {
    uint64_t offset = 0, vaddr = 0, filesz = 0, memsz = 0, align = 0;
  };
  std::string path;
  std::string build_id;  // lower-case hex of NT_GNU_BUILD_ID; "" when the file has none
  bool fixed_address = false;  // ET_EXEC: loaded at its link addresses (bias 0)
  std::vector<Load> loads;     // PT_LOAD segments, in file order
  std::optional<uint64_t> phdr_vaddr;  // where the program headers are (PT_PHDR, or inside a PT_LOAD)
  std::string interp;          // PT_INTERP ("" for a library or a static executable)
  uint64_t low = 0, high = 0;  // [lowest, highest) vaddr of the loads

  // The load bias when the file's offset `pgoff` is mapped at `start` (a
  // mapping of one of its segments); nullopt when no segment starts there.
  std::optional<uint64_t> bias_for_mapping(uint64_t start, uint64_t pgoff) const;
  // The module's basename, for text output.
  std::string name() const;
};

using ElfModuleRef = std::shared_ptr<const ElfModule>;

// The module at `path`, read now or from the cache; nullptr when the file
// cannot be read or is not an ELF file of this machine's word size.
ElfModuleRef load_elf_module(const std::string& path);

}  // namespace duraudit
