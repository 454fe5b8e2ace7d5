// SPDX-License-Identifier: GPL-2.0-only
// A user stack as the kernel captured it at an event (bpf/events.h, struct
// da_stack): the registers and a copy of the stack from the stack pointer
// up. Raw: turning it into frames needs the process's code mappings and the
// binaries' CFI (stack/process_image.h).
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace duraudit {

// enum da_stack_arch
enum class StackArch : uint16_t { Unknown = 0, X86_64 = 1, Arm64 = 2 };

struct RawStack {
  StackArch arch = StackArch::Unknown;
  uint16_t nregs = 0;  // valid entries of regs, in the architecture's DWARF numbering
  std::array<uint64_t, 33> regs{};
  uint64_t sp = 0;     // user address of bytes[0]
  std::string bytes;   // the stack, from sp up
};

}  // namespace duraudit
