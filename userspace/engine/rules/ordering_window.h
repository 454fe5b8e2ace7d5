// SPDX-License-Identifier: GPL-2.0-only
// The window of an ordering finding. rename-without-fsync and unlink-before-
// durable are decided at the call (a rename published data that was not
// durable; a durable file was deleted while its successor was not), but how
// bad they are depends on what follows: a program that makes the data
// durable itself a few milliseconds later (initdb's final fsync of the whole
// tree) exposed it for that long; one that never does left it exposed for
// good. So each finding waits, with the files whose durability closes its
// window, until the verdict is due (the grace period under attach, the end
// of the session otherwise); the sync calls that make a file durable are
// noted as they happen, so "closed_by" is the call that did it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/durability_model.h"
#include "event/event.h"
#include "event/evidence_record.h"

namespace duraudit::rules {

// A file whose data has to become durable to close a window.
struct AwaitedFile {
  FileId id;
  uint64_t serial = 0;
  std::string path;
  bool durable = false;    // made durable (after the window opened)
  uint64_t durable_ns = 0;
  EvidenceRef durable_by;  // the call that made it durable
};

// The calls that make data durable (fsync, fdatasync, sync, syncfs), from the syscall table.
inline bool is_sync_call(Syscall s) {
  auto op = syscall_op(s);
  return op == SyscallOp::Fsync || op == SyscallOp::Sync || op == SyscallOp::Syncfs;
}
inline std::vector<Syscall> sync_syscalls() { return syscalls_of(SyscallOp::Fsync, SyscallOp::Sync, SyscallOp::Syncfs); }

// How a window stands when its verdict is due.
struct WindowOutcome {
  size_t live = 0;        // awaited files still there (same file, still named)
  size_t open = 0;        // ... whose data is still not durable
  bool evicted = false;   // a file's state was evicted: cannot tell
  const AwaitedFile* closing = nullptr;  // the last file made durable, when all were
  bool closed() const { return live > 0 && open == 0 && !evicted; }
};

inline WindowOutcome judge_window(const std::vector<AwaitedFile>& files, const DurabilityModel& model) {
  WindowOutcome o;
  for (const auto& f : files) {
    const InodeState* in = model.find(f.id);
    if (!in) {
      if (!model.expired_deleted(f.id)) o.evicted = true;
      continue;
    }
    if (in->serial != f.serial || in->names.empty()) continue;  // deleted since: nothing left to lose
    ++o.live;
    if (!f.durable) {
      ++o.open;
    } else if (!o.closing || f.durable_ns > o.closing->durable_ns) {
      o.closing = &f;
    }
  }
  return o;
}

template <typename Payload>
class OrderingWindows {
 public:
  struct Entry {
    uint64_t key = 0;
    uint64_t opened_ns = 0;
    std::vector<AwaitedFile> files;
    Payload payload;
  };
  // A window names at most this many files (a finding shows fewer).
  static constexpr size_t kMaxFiles = 64;
  static constexpr size_t kMaxOpen = 1 << 16;

  // Opens a window at `ts`; the returned entry stays valid until settled.
  Entry& open(uint64_t ts, Payload payload) {
    uint64_t key = next_++;
    Entry& e = entries_[key];
    e.key = key;
    e.opened_ns = ts;
    e.payload = std::move(payload);
    return e;
  }
  // Adds a file the window waits for; false if it already did, or is full.
  bool await(Entry& e, const InodeState& in, const std::string& path) {
    if (e.files.size() >= kMaxFiles) return false;
    for (const auto& f : e.files)
      if (f.id == in.id && f.serial == in.serial) return false;
    e.files.push_back(AwaitedFile{in.id, in.serial, path, false, 0, nullptr});
    by_file_[in.id].push_back(e.key);
    return true;
  }

  // After a sync call was applied to the model: note the awaited files it
  // made durable. fsync/fdatasync touch one file; sync/syncfs any.
  void on_sync(const Event& ev, const DurabilityModel& model) {
    EvidenceRef call;  // this sync call, kept once however many files it closes
    // True when the window no longer waits for `id` (made durable now).
    auto check = [&](Entry& e, const FileId* only) {
      bool done = true;
      for (auto& f : e.files) {
        if (f.durable || (only && !(f.id == *only))) continue;
        const InodeState* in = model.find(f.id);
        if (in && in->serial == f.serial && in->written_in_session && !in->dirty && in->durable_ns >= e.opened_ns) {
          if (!call) call = keep_evidence(ev);
          f.durable = true;
          f.durable_ns = in->durable_ns;
          f.durable_by = call;
        } else {
          done = false;
        }
      }
      return done;
    };
    if (ev.syscall == Syscall::Sync || ev.syscall == Syscall::Syncfs) {
      for (auto& [_, e] : entries_) check(e, nullptr);
      return;
    }
    if (!ev.file.known()) return;
    auto it = by_file_.find(ev.file.id);
    if (it == by_file_.end()) return;
    // Windows settled since, or no longer waiting for this file, drop out
    // of its list here: the lists are pruned as they are read.
    std::erase_if(it->second, [&](uint64_t key) {
      auto e = entries_.find(key);
      return e == entries_.end() || check(e->second, &ev.file.id);
    });
    if (it->second.empty()) by_file_.erase(it);
  }

  // fn(entry) for every window due by `now` (opened at least `grace_ns`
  // before it), or every window when `final`, oldest first; each is then
  // forgotten.
  template <typename Fn>
  void settle(uint64_t now, bool final, uint64_t grace_ns, Fn&& fn) {
    while (!entries_.empty()) {
      auto it = entries_.begin();
      // Bounded: past the cap the oldest window is judged early.
      if (!final && it->second.opened_ns + grace_ns > now && entries_.size() <= kMaxOpen) break;
      fn(it->second);
      entries_.erase(it);
    }
    // Lists of files never synced keep the keys of settled windows until
    // read; rebuild them when they outgrow the open windows.
    if (by_file_.size() > 2 * entries_.size() + 1024) {
      by_file_.clear();
      for (auto& [key, e] : entries_)
        for (const auto& f : e.files)
          if (!f.durable) by_file_[f.id].push_back(key);
    }
  }

  size_t size() const { return entries_.size(); }

 private:
  uint64_t next_ = 1;
  std::map<uint64_t, Entry> entries_;  // in opening order
  std::unordered_map<FileId, std::vector<uint64_t>, FileIdHash> by_file_;  // may hold settled keys
};

}  // namespace duraudit::rules
