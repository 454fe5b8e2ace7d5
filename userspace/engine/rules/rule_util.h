// SPDX-License-Identifier: GPL-2.0-only
// Helpers shared by rules: syscall groups, scope of a deleted file, bounded
// bookkeeping sets, finding construction.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_set>
#include <vector>

#include "config/config.h"
#include "engine/durability_model.h"
#include "engine/finding.h"
#include "engine/path_util.h"
#include "event/event.h"
#include "event/event_format.h"

namespace duraudit::rules {

inline constexpr std::string_view kDataNotDurable = "data-not-durable";
inline constexpr std::string_view kEntryNotDurable = "entry-not-durable";
inline constexpr std::string_view kDurable = "durable";

// Syscall groups, from the syscall table (event/syscall_table.def).
inline bool is_open(Syscall s) { return is_open_syscall(s); }
inline bool is_write_family(Syscall s) { return is_write_syscall(s); }
// The file a delayed verdict (settled after the grace period) is about, as
// the model holds it now. Returns the inode when it is still the same file
// and still named. Returns nullptr when there is nothing to judge: it was
// deleted (a deleted file needs no durability; the model may have forgotten
// it since) or its inode number now belongs to a new file -- unless the
// memory cap evicted it, where `f` is marked incomplete and *report is set,
// since we can no longer tell whether it was synced.
inline const InodeState* file_at_settle(const DurabilityModel& model, const FileId& id, uint64_t serial,
                                        Finding& f, bool* report) {
  *report = false;
  const InodeState* in = model.find(id);
  if (!in) {
    if (model.expired_deleted(id)) return nullptr;
    *report = true;
    f.incomplete = true;
    f.incomplete_reason = "the file's state was evicted by the memory cap before the verdict";
    return nullptr;
  }
  if (in->serial != serial || in->names.empty()) return nullptr;
  return in;
}

inline bool is_rename(Syscall s) { return syscall_op(s) == SyscallOp::Rename; }
inline bool is_link(Syscall s) { return syscall_op(s) == SyscallOp::Link; }
inline bool is_close(Syscall s) { return syscall_op(s) == SyscallOp::Close; }
inline std::vector<Syscall> open_syscalls() { return syscalls_in(SyscallFamily::Open); }
inline std::vector<Syscall> write_syscalls() { return syscalls_in(SyscallFamily::Write); }
inline void append(std::vector<Syscall>& a, const std::vector<Syscall>& b) { a.insert(a.end(), b.begin(), b.end()); }

// Where replacements of a deleted file are looked for (Config::scope). For a
// removed directory the scope is its parent's subtree: its siblings.
inline std::string scope_root(const std::string& deleted, bool is_dir, ReplacementScope scope) {
  switch (scope) {
    case ReplacementScope::Directory: return parent_path(deleted);
    case ReplacementScope::Siblings: return is_dir ? parent_path(deleted) : parent_path(parent_path(deleted));
    case ReplacementScope::Filesystem: return "/";
  }
  return parent_path(deleted);
}

// A set that forgets its oldest members beyond a cap: "reported already"
// bookkeeping must not grow without bound in a long attach session.
template <typename T, typename Hash = std::hash<T>>
class BoundedSet {
 public:
  explicit BoundedSet(size_t cap = 1 << 16) : cap_(cap) {}
  bool contains(const T& v) const { return set_.count(v) != 0; }
  void insert(const T& v) {
    if (!set_.insert(v).second) return;
    order_.push_back(v);
    while (order_.size() > cap_) {
      set_.erase(order_.front());
      order_.pop_front();
    }
  }

 private:
  size_t cap_;
  std::unordered_set<T, Hash> set_;
  std::deque<T> order_;
};

struct PidFile {
  int32_t pid = 0;
  FileId id;
  bool operator==(const PidFile&) const = default;
};
struct PidFileHash {
  size_t operator()(const PidFile& k) const noexcept { return FileIdHash{}(k.id) * 31 + static_cast<size_t>(k.pid); }
};

inline Finding new_finding(std::string_view rule, int32_t pid, int32_t tid, const std::string& comm,
                           const std::string& path) {
  Finding f;
  f.rule = std::string(rule);
  f.pid = pid;
  f.tid = tid;
  f.comm = comm;
  f.path = path;
  return f;
}

inline void sort_evidence(std::vector<EvidenceEvent>& ev) {
  std::stable_sort(ev.begin(), ev.end(), [](const EvidenceEvent& a, const EvidenceEvent& b) {
    return a.seq != b.seq ? a.seq < b.seq : a.ts_ns < b.ts_ns;
  });
  ev.erase(std::unique(ev.begin(), ev.end(),
                       [](const EvidenceEvent& a, const EvidenceEvent& b) {
                         return a.seq == b.seq && a.ts_ns == b.ts_ns && a.syscall == b.syscall && a.pid == b.pid;
                       }),
           ev.end());
}

// The name to report an inode under: `preferred` if still bound to it.
inline std::string name_of(const InodeState& in, const std::string& preferred) {
  if (!preferred.empty() && std::find(in.names.begin(), in.names.end(), preferred) != in.names.end()) return preferred;
  return in.names.empty() ? preferred : in.names.front();
}

// Evidence that the inode's data is dirty: the writers' open and first write.
inline void add_writer_evidence(const InodeState& in, std::vector<EvidenceEvent>& out, size_t max_writers = 1) {
  size_t n = 0;
  for (const auto& w : in.writers) {
    if (n++ == max_writers) break;
    if (w.open) out.push_back(format_evidence(*w.open));
    if (w.first_write) out.push_back(format_evidence(*w.first_write));
  }
}

inline std::string seconds(uint64_t ns) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.3g s", static_cast<double>(ns) / 1e9);
  return buf;
}

inline std::string milliseconds(uint64_t ns) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.3g ms", static_cast<double>(ns) / 1e6);
  return buf;
}

}  // namespace duraudit::rules
