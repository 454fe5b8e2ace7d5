// SPDX-License-Identifier: GPL-2.0-only
// A user stack after unwinding: the return addresses, each in the module
// (binary) it falls in. Symbolizing it (function, file:line) is left to
// when a finding quotes it (stack/symbolizer.h): most kept stacks never are.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stack/elf_module.h"

namespace duraudit {

struct UnwoundFrame {
  ElfModuleRef module;     // null: the address is in no known module (JIT code, anonymous memory)
  uint64_t vaddr = 0;      // the address in the module (its ELF virtual address); the raw pc without a module
  bool is_return = false;  // a return address (every frame but the innermost): look up vaddr - 1
  std::string jit_symbol;  // no module: the name a perf map file (/tmp/perf-PID.map) gives it
};

struct UnwoundStack {
  std::vector<UnwoundFrame> frames;  // innermost first
};

using UnwoundStackRef = std::shared_ptr<const UnwoundStack>;

}  // namespace duraudit
