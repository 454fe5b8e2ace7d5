// SPDX-License-Identifier: GPL-2.0-only
// The code mappings of one traced process, and the unwinder that turns its
// raw stacks (stack/raw_stack.h) into frames with them.
//
// The mappings come from the event stream, not from /proc: a process has
// often exited by the time its stacks are read from the ring buffer. With
// stacks on, the kernel side reports where exec put the executable and its
// interpreter, and every PROT_EXEC mapping of a file (bpf/events.h); a
// process that was running before the capture is read from /proc/PID/maps
// once (StackTracker::seed_from_proc).
//
// Unwinding uses elfutils' libdwfl: the binaries' CFI (.eh_frame, also in
// stripped binaries; .debug_frame when there is debug info), falling back to
// frame pointers where there is no CFI, reading memory only from the copied
// stack. One libdwfl session per process, made at its first stack.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "stack/elf_module.h"
#include "stack/raw_stack.h"
#include "stack/unwound_stack.h"

namespace duraudit {

struct CodeMapping {
  uint64_t start = 0, end = 0;  // [start, end): the module's whole extent in memory
  uint64_t bias = 0;            // memory address = module vaddr + bias
  ElfModuleRef module;
};

class ProcessImage {
 public:
  explicit ProcessImage(int32_t pid);
  ~ProcessImage();
  // A forked child's image: the parent's mappings (its own unwinder).
  ProcessImage(const ProcessImage& parent, int32_t pid);
  ProcessImage(const ProcessImage&) = delete;
  ProcessImage& operator=(const ProcessImage&) = delete;

  // The module loaded with `bias`; mappings it overlaps are replaced.
  void add(ElfModuleRef module, uint64_t bias);
  const CodeMapping* at(uint64_t addr) const;
  const std::vector<CodeMapping>& mappings() const { return maps_; }

  // Frames of `raw`, a stack of thread `tid`, innermost first (at most
  // max_frames). Never empty when the stack has registers: the innermost
  // frame comes from the instruction pointer alone.
  UnwoundStack unwind(const RawStack& raw, int32_t tid, size_t max_frames = 64);
  // Drops the libdwfl session (made again at the next unwind): bounds the
  // memory of many processes' sessions.
  void release_unwinder();
  bool has_unwinder() const { return session_ != nullptr; }
  uint64_t last_unwind() const { return last_unwind_; }

 private:
  struct Session;
  bool ensure_session();

  int32_t pid_;
  std::vector<CodeMapping> maps_;  // sorted by start, disjoint
  uint64_t generation_ = 0;        // bumped by add()
  std::unique_ptr<Session> session_;
  uint64_t last_unwind_ = 0;       // a counter value, for least-recently-used release
};

}  // namespace duraudit
