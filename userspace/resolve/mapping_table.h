// SPDX-License-Identifier: GPL-2.0-only
// A process's shared writable file mappings: address range -> the open file
// description mapped there (a mapping holds the file like an fd: vma->vm_file
// is a reference on the struct file). Kept by the Resolver per process (per
// address space) from mmap, munmap and mremap; exec and exit drop it all.
//
// Only what can change a file is kept: MAP_SHARED (or MAP_SHARED_VALIDATE)
// with PROT_WRITE, of a file. Ranges are page-aligned as the kernel makes
// them (lengths round up to the page), never overlap (a mapping made over
// an older one replaces that part of it, as MAP_FIXED does), and are split
// by a partial munmap.
#pragma once

#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

#include "resolve/open_file.h"

namespace duraudit {

struct Mapping {
  uint64_t start = 0;
  uint64_t end = 0;  // exclusive
  OpenFileRef file;
};

class MappingTable {
 public:
  // Page size the ranges are rounded to (the kernel's: 4 KiB on x86_64 and
  // on the usual arm64 kernels).
  static constexpr uint64_t kPage = 4096;

  // Maps `file` at [start, start + len). Whatever was mapped there before is
  // unmapped first: files whose last range in this table that was are
  // appended to `gone` (the caller decides whether that was the process's
  // last handle on them).
  void map(uint64_t start, uint64_t len, OpenFileRef file, std::vector<OpenFileRef>& gone);
  // munmap(start, len): removes that part of every range, splitting ranges
  // it cuts through. Files left without any range go to `gone`.
  void unmap(uint64_t start, uint64_t len, std::vector<OpenFileRef>& gone);
  // mremap(old, old_len, new_len, flags) = new_start: the file mapped at
  // `old_start` is now mapped at [new_start, new_start + new_len) and no
  // longer at [old_start, old_start + old_len) (unless `keep_old`,
  // MREMAP_DONTUNMAP). Nothing mapped at old_start: nothing happens.
  void remap(uint64_t old_start, uint64_t old_len, uint64_t new_start, uint64_t new_len, bool keep_old,
             std::vector<OpenFileRef>& gone);
  // exec, exit: every range goes; each file once in `gone`.
  void clear(std::vector<OpenFileRef>& gone);

  // The mapping that contains `addr`, or nullptr.
  const Mapping* at(uint64_t addr) const;
  // A description mapped here whose file is `id` (any of them), or nullptr.
  const OpenFileRef* find_file(const FileId& id) const;
  bool refers_to(const FileId& id) const { return refs_.count(id) != 0; }
  size_t size() const { return by_start_.size(); }

 private:
  static uint64_t round_up(uint64_t len) { return (len + kPage - 1) & ~(kPage - 1); }
  void insert(uint64_t start, uint64_t end, OpenFileRef file);
  // Removes [start, end) from the ranges; files that lost their last range go to `gone`.
  void cut(uint64_t start, uint64_t end, std::vector<OpenFileRef>& gone);

  std::map<uint64_t, Mapping> by_start_;
  std::unordered_map<FileId, uint32_t, FileIdHash> refs_;  // ranges per file
};

}  // namespace duraudit
