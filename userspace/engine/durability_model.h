// SPDX-License-Identifier: GPL-2.0-only
// The durability model: what the engine knows about inodes (is their data
// durable, who dirtied it, which names they have) and about directory entries
// (which creates, renames, links and unlinks are not yet durable). It is
// changed in one place, DurabilityModel::apply(); rules only read it.
//
// Semantics (docs/durability-model.md):
//  - data is dirty after a write-family call (or O_TRUNC of an existing file,
//    or a store into a shared mapping of it) and durable after
//    fsync/fdatasync of the inode, msync(MS_SYNC) of a mapping of it, sync(),
//    syncfs() of its filesystem, or a write through an O_SYNC/O_DSYNC fd;
//  - an entry change is durable after an fsync/fdatasync of its directory,
//    sync() or syncfs(); a create later undone by an unlink (or rename away)
//    before that cancels out;
//  - files first seen already existing are durable as found.
//
// A process some of whose operations were not seen is "blind"
// (engine/blind_process.h): every file it touched is marked so, and the
// engine marks verdicts about it incomplete. Two causes:
//  - a source that cannot see io_uring / Linux AIO operations (an strace log,
//    set_async_io_unseen): a process that sets them up or submits them, with
//    what it touched before and after;
//  - an OverBudget event (the kernel dropped events of the process): the
//    files it is writing (it may have synced them unseen) and what it touches
//    after. A dropped call about a file it touched before and does not touch
//    again is not known (docs/production.md, "Event budgets").
#pragma once

#include <functional>

#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "config/config.h"
#include "engine/blind_process.h"
#include "engine/dirty_index.h"
#include "engine/finding.h"
#include "engine/fs_classifier.h"
#include "event/event.h"
#include "event/evidence_record.h"

namespace duraudit {

enum class Origin : uint8_t {
  Preexisting,  // first seen already existing: durable as found
  Created,      // created during the session (O_CREAT that created it, O_TMPFILE)
};

// A process that dirtied an inode in its current dirty epoch, with the events
// that prove it.
struct WriterInfo {
  int32_t pid = 0;
  int32_t tid = 0;
  std::string comm;
  EvidenceRef open;         // the writable open that preceded the write (may be null)
  EvidenceRef first_write;  // first write-family call (or O_TRUNC open) (may be null)
};

struct InodeState {
  FileId id;
  uint64_t serial = 0;      // unique per record: an inode number reused after deletion gets a new one
  uint32_t mode = 0;        // S_IFMT bits, 0 if unknown
  uint64_t fs_magic = 0;
  bool ignored = false;     // on a filesystem without durability (Config::ignored_fs_magic)
  Origin origin = Origin::Preexisting;
  uint64_t first_seen_ns = 0;
  uint64_t created_ns = 0;  // Origin::Created: when

  bool dirty = false;             // data not durable
  uint64_t dirty_since_ns = 0;
  uint64_t durable_epoch = 0;     // bumped each time dirty data becomes durable
  bool written_in_session = false;
  uint64_t last_full_sync_ns = 0; // last fsync/fdatasync/O_SYNC write of this inode (sync()/syncfs() tracked globally)
  uint64_t first_sync_file_range_ns = 0;  // 0 if never
  std::vector<WriterInfo> writers;         // this dirty epoch
  // When its data was last made durable (ordering windows compare it with
  // their opening; the rules keep the closing call themselves, as it
  // happens, rather than every inode keeping its last sync).
  uint64_t durable_ns = 0;
  // When it was last published by rename or link while its data was dirty,
  // in this dirty epoch (0 if not): rename-without-fsync reports the data a
  // writer had closed by then; close-without-fsync does not report it again.
  uint64_t published_dirty_ns = 0;
  // Processes that opened it read-only during the session: their latest
  // read open, and when they closed their last fd on it after (0 while
  // open). Data-flow evidence of succession: who read it and what they
  // wrote meanwhile. Bounded: the first kMaxReaders processes.
  struct Reader {
    int32_t pid = 0;
    uint64_t ts_ns = 0;
    uint64_t closed_ns = 0;
  };
  static constexpr size_t kMaxReaders = 4;
  std::vector<Reader> readers;

  std::vector<std::string> names;  // current absolute paths bound to it
  bool ever_named = false;
  // Touched by an async-blind process: 1 + its index in
  // DurabilityModel::blind_processes(); 0 if none.
  uint32_t blind = 0;
  uint64_t unnamed_ns = 0;         // when it lost its last name (0 while named)

  bool is_dir() const { return (mode & 0170000) == 0040000; }
  // "A durable file" for unlink-before-durable: data durable, and either it
  // existed before the session or its session data was made durable.
  bool durable_file() const {
    return !dirty && (origin == Origin::Preexisting || last_full_sync_ns != 0 || written_in_session);
  }
  const WriterInfo* writer(int32_t pid) const {
    for (const auto& w : writers)
      if (w.pid == pid) return &w;
    return nullptr;
  }
};

enum class EntryChange : uint8_t { Create, Mkdir, Symlink, Link, RenameIn, RenameOut, Unlink, Rmdir };
std::string_view entry_change_name(EntryChange c);

// A name in a directory whose change is not yet durable.
struct PendingEntry {
  std::string path;          // absolute path of the name
  EntryChange change = EntryChange::Create;  // the latest change
  bool present_at_sync = false;  // name existed when the directory was last durable
  bool present_now = false;
  int32_t pid = 0;
  int32_t tid = 0;
  std::string comm;
  uint64_t ts_ns = 0;        // latest change
  uint64_t serial = 0;       // unique per change, for "reported already" bookkeeping
  EvidenceRef evidence;      // the latest change
  // The latest change created a socket, fifo or device node: tracked (a
  // later unlink cancels it) but not a change a crash can lose.
  bool node = false;
};

struct DirRecord {
  std::string path;
  DevT dev = 0;                // 0 if unknown
  bool created_in_session = false;
  uint64_t created_ns = 0;
  bool removed = false;        // rmdir'ed and not recreated
  uint64_t removed_ns = 0;
  EvidenceRef rmdir_evidence;  // null unless removed
  int32_t removed_by = 0;
  std::map<std::string, PendingEntry> entries;  // by absolute path of the name
};

// A file a process began writing: the start of a dirty epoch by that process
// (its first write, or an O_TRUNC open). Data-flow succession looks here.
struct WriteStart {
  FileId id;
  uint64_t serial = 0;
  uint64_t ts_ns = 0;
};

// A directory renamed into `path`: where it came from, and when.
struct MovedDir {
  std::string from;
  uint64_t ts_ns = 0;
};

struct ModelLimits {
  size_t max_inodes = 1'000'000;
  size_t max_pending_dir_entries = 1'000'000;
};

// What the caps above evicted, cumulative.
struct ModelEvictions {
  uint64_t inodes = 0;
  uint64_t dir_records = 0;
  uint64_t dir_entries = 0;
};

// What a path is bound to, as far as the model knows.
struct Binding {
  enum class Kind : uint8_t { Unknown, Absent, File, Other } kind = Kind::Unknown;
  const InodeState* inode = nullptr;  // Kind::File
};

class DurabilityModel {
 public:
  DurabilityModel(const Config& cfg, ModelLimits limits, FsClassifier classify, DirIdentity dir_identity = {});

  // The one place that changes the model. Failed calls change nothing.
  void apply(const Event& ev);

  // Told how long data sat dirty each time it becomes durable (metrics).
  void set_durable_observer(std::function<void(uint64_t dirty_ns)> f) { on_durable_ = std::move(f); }
  // The source cannot show io_uring / AIO operations (strace logs): the
  // calls that set them up make a process async-blind. Off by default (live
  // capture and its recordings see the operations themselves).
  void set_async_io_unseen(bool unseen) { async_io_unseen_ = unseen; }

  // ---- queries (rules) ----
  const InodeState* find(const FileId& id) const;
  // The regular file an event's first path refers to: Event::file when it
  // names a tracked inode, else the binding of abs_path.
  const InodeState* inode_for(const Event& ev) const;
  Binding binding(const std::string& path) const;
  // Dirty, non-ignored inodes by the directories that name them.
  const DirtyIndex& dirty_index() const { return dirty_index_; }

  // Forgets inodes that lost their last name at least `grace_ns` before
  // `now_ns`: a deleted file needs no durability, and keeping its state is
  // what made a long attach session grow without end. The ids are
  // remembered (bounded) so rules can tell "deleted" from "evicted".
  void expire_deleted(uint64_t now_ns, uint64_t grace_ns);
  bool expired_deleted(const FileId& id) const { return expired_.count(id) != 0; }
  // Calls fn(path, inode) for every name bound below `dir` until fn returns false.
  template <typename Fn>
  void for_each_name_under(const std::string& dir, Fn&& fn) const;
  const DirRecord* dir(const std::string& path) const;

  // ---- succession (unlink-before-durable, state-deleted) ----
  // Are two processes one family: the same, or descended from a common
  // ancestor seen forking during the session (init and kthreadd excluded)?
  bool related(int32_t a, int32_t b) const;
  // fn(WriteStart) for each file `pid` began writing at or after `since_ns`,
  // newest first, until fn returns false.
  template <typename Fn>
  void for_each_write_start(int32_t pid, uint64_t since_ns, Fn&& fn) const;
  // Where a directory was renamed into `path` from, if it was.
  const MovedDir* moved_into(const std::string& path) const;
  // fn(dir, entry) for every pending entry whose latest change has a serial
  // above `after`, in the order of those changes, until fn returns false: a
  // rule that remembers the last serial it judged visits each change once.
  template <typename Fn>
  void for_each_entry_since(uint64_t after, Fn&& fn) const;
  const std::unordered_set<std::string>& dirs_with_pending() const { return pending_dirs_; }
  // The highest ancestor of `path` (excluding path itself) that was removed
  // during the session and is still gone; empty if none.
  std::string top_removed_ancestor(const std::string& path) const;
  // Is the directory on a filesystem without durability?
  bool dir_ignored(const std::string& dir) const;
  // Last sync() / syncfs() covering this device (0 if none).
  uint64_t last_global_sync_ns(DevT dev) const;
  // Last moment the inode's data was flushed by any full sync (fsync,
  // fdatasync, O_SYNC write, sync, syncfs).
  uint64_t last_any_sync_ns(const InodeState& in) const {
    return std::max(in.last_full_sync_ns, last_global_sync_ns(in.id.dev));
  }
  // Best known device of a directory (from inodes bound inside it or its
  // ancestors); 0 if unknown.
  DevT dir_dev(const std::string& dir) const;

  // ---- blind processes (async-blind offline, or over budget) ----
  // In the order they became so.
  const std::vector<BlindProcess>& blind_processes() const { return blind_; }
  // The blind process that touched `path`: opened, wrote, synced,
  // truncated, renamed, linked, unlinked or created it (or the file bound
  // to it now), while blind (and, async-blind, before). nullptr if none.
  const BlindProcess* blind_toucher(const std::string& path) const;
  // The blind process with this pid now, or nullptr.
  const BlindProcess* blind_process(int32_t pid) const;

  size_t inode_count() const { return inodes_.size(); }
  size_t pending_entry_count() const { return pending_entries_; }
  // Directory records (pending entries, device, identity); bounded by
  // max_inodes like the inodes, records holding nothing pending go first.
  size_t dir_record_count() const { return dirs_.size(); }
  // Evicted by the caps, by what was evicted (session/state_caps.h).
  const ModelEvictions& evictions_by_kind() const { return evictions_; }
  uint64_t evictions() const { return evictions_.inodes + evictions_.dir_records + evictions_.dir_entries; }

 private:
  struct InodeSlot {
    InodeState state;
    std::list<FileId>::iterator lru;
  };

  InodeState* find_mut(const FileId& id);
  InodeState& upsert(const FileInfo& f, const std::string& path, uint64_t ts, bool created);
  void touch(InodeSlot& slot);
  void evict_inodes();
  uint64_t magic_for(const FileInfo& f, const std::string& path) const;

  void bind(const std::string& path, InodeState* in);
  void bind_other(const std::string& path);
  void unbind(const std::string& path, uint64_t ts);
  void move_subtree(const std::string& from, const std::string& to);
  void note_dev(const std::string& path, DevT dev);
  void note_moved(const std::string& to, const std::string& from, uint64_t ts);

  DirRecord& dir_mut(const std::string& path);
  void note_entry(const std::string& path, EntryChange c, bool present_now, bool present_before, const Event& ev);
  void erase_entry(DirRecord& d, std::map<std::string, PendingEntry>::iterator it);
  void clear_entries(DirRecord& d);
  void evict_entries();

  // The event being applied as evidence: one shared record however many
  // places keep it (the open is the pending open and the entry's create).
  const EvidenceRef& shared_evidence(const Event& ev);
  EvidenceRef current_evidence_;
  void mark_dirty(InodeState& in, const Event& ev, bool first_write_is_ev);
  void mark_durable(InodeState& in, const Event& ev);
  std::function<void(uint64_t dirty_ns)> on_durable_;

  void on_open(const Event& ev);
  void on_write(const Event& ev);
  void on_fsync(const Event& ev);
  void on_msync(const Event& ev);
  void on_mmap(const Event& ev);
  void on_sync(const Event& ev);
  void on_syncfs(const Event& ev);
  void on_sync_file_range(const Event& ev);
  void on_rename(const Event& ev);
  void on_link(const Event& ev);
  void on_symlink(const Event& ev);
  void on_unlink(const Event& ev);
  void on_mkdir(const Event& ev);
  void on_rmdir(const Event& ev);
  void on_mknod(const Event& ev);
  void on_close(const Event& ev);
  void on_fork(const Event& ev);
  void on_exit(const Event& ev);
  void on_async_io(const Event& ev);
  void on_over_budget(const Event& ev);
  void make_blind(const BlindProcess& cause);
  void blind_writes_of(int32_t pid, uint32_t who);
  void note_touch(const Event& ev);
  void blind_inode(InodeState& in, uint32_t who);
  void blind_path(const std::string& path, uint32_t who);
  void note_reader(InodeState& in, const Event& ev);
  void note_write_start(const InodeState& in, const Event& ev);

  const Config& cfg_;
  ModelLimits limits_;
  FsClassifier classify_;
  DirIdentity dir_identity_;

  std::unordered_map<FileId, InodeSlot, FileIdHash> inodes_;
  std::list<FileId> lru_;  // front = most recently used
  std::unordered_set<FileId, FileIdHash> dirty_;
  uint64_t next_serial_ = 1;

  // Path bindings. An invalid FileId marks a name bound to something that
  // is not a tracked regular file (symlink, directory we made).
  std::map<std::string, FileId> names_;
  // Invariant: an inode is in dirty_index_ under each of its names exactly
  // while indexed_dirty() holds; every change of dirty, names goes through
  // mark_dirty/mark_durable/bind/unbind/move_subtree, which keep it.
  static bool indexed_dirty(const InodeState& in) { return in.dirty && !in.ignored; }
  DirtyIndex dirty_index_;
  std::deque<std::pair<uint64_t, FileId>> unnamed_queue_;  // (when it lost its last name, inode), oldest first
  std::unordered_set<FileId, FileIdHash> expired_;         // recently forgotten deleted inodes
  std::deque<FileId> expired_order_;
  std::unordered_set<std::string> absent_;  // names known not to exist (removed in session)
  std::list<std::string> absent_order_;
  static constexpr size_t kMaxRememberedAbsences = 65536;

  std::map<std::string, DirRecord> dirs_;
  std::unordered_set<std::string> pending_dirs_;
  std::map<uint64_t, std::pair<std::string, std::string>> entry_order_;  // serial -> (dir, name)
  size_t pending_entries_ = 0;
  uint64_t next_entry_serial_ = 1;

  struct PidInode {
    int32_t pid;
    FileId id;
    bool operator==(const PidInode&) const = default;
  };
  struct PidInodeHash {
    size_t operator()(const PidInode& k) const noexcept { return FileIdHash{}(k.id) ^ (size_t(k.pid) << 1); }
  };
  // The latest writable open per (process, inode): evidence for its first write.
  std::unordered_map<PidInode, EvidenceRef, PidInodeHash> pending_opens_;

  // Directory records by the directory's inode (from DirIdentity when the
  // record is made): an fsync through another path of the same directory
  // (a symlink) makes its entries durable.
  std::unordered_map<FileId, std::string, FileIdHash> dir_record_ids_;

  // Succession evidence, bounded (oldest forgotten first).
  std::unordered_map<int32_t, int32_t> parent_of_;  // tgid -> parent tgid
  std::deque<int32_t> parent_order_;
  std::unordered_map<int32_t, std::deque<WriteStart>> write_starts_;  // newest at the back
  std::deque<int32_t> write_start_order_;
  std::map<std::string, MovedDir> moved_in_;
  std::deque<std::string> moved_order_;
  uint64_t next_model_ino_ = 1;  // synthetic identities the model makes (kModelDev)

  std::unordered_map<std::string, DevT> dir_devs_;
  mutable std::unordered_map<std::string, uint64_t> dir_magic_cache_;

  // Blind processes (engine/blind_process.h). `who` values are 1 + an
  // index in blind_; a process that exits leaves the pid index (its
  // number may be reused) but stays in blind_ for the files it touched.
  bool async_io_unseen_ = false;
  std::vector<BlindProcess> blind_;
  std::unordered_map<int32_t, uint32_t> blind_by_pid_;  // live blind pid -> who
  std::unordered_map<std::string, uint32_t> blind_paths_;     // path -> who touched it
  // What each live, not (yet) async-blind process touched: it becomes
  // async-blind with them when it sets up io_uring or AIO later. Bounded
  // per process; dropped at its exit.
  struct Touches {
    std::string comm;
    std::vector<FileId> inodes;
    std::vector<std::string> paths;
  };
  std::unordered_map<int32_t, Touches> touches_;
  // Processes sharing one fd table without being threads (CLONE_FILES):
  // each can submit through the other's io_uring or AIO context. Both ways.
  std::unordered_map<int32_t, std::vector<int32_t>> fd_sharers_;

  uint64_t last_sync_ns_ = 0;
  std::unordered_map<DevT, uint64_t> last_syncfs_ns_;
  ModelEvictions evictions_;
};

template <typename Fn>
void DurabilityModel::for_each_write_start(int32_t pid, uint64_t since_ns, Fn&& fn) const {
  auto it = write_starts_.find(pid);
  if (it == write_starts_.end()) return;
  for (auto w = it->second.rbegin(); w != it->second.rend() && w->ts_ns >= since_ns; ++w)
    if (!fn(*w)) return;
}

template <typename Fn>
void DurabilityModel::for_each_entry_since(uint64_t after, Fn&& fn) const {
  for (auto it = entry_order_.upper_bound(after); it != entry_order_.end(); ++it) {
    const auto& [dirpath, name] = it->second;
    auto d = dirs_.find(dirpath);
    if (d == dirs_.end()) continue;
    auto e = d->second.entries.find(name);
    if (e == d->second.entries.end() || e->second.node) continue;
    if (!fn(d->second, e->second)) return;
  }
}

template <typename Fn>
void DurabilityModel::for_each_name_under(const std::string& dir, Fn&& fn) const {
  std::string lo = dir == "/" ? std::string("/") : dir + "/";
  std::string hi = dir == "/" ? std::string("0") : dir + "0";
  for (auto it = names_.lower_bound(lo); it != names_.end() && it->first < hi; ++it) {
    const InodeState* in = it->second.valid() ? find(it->second) : nullptr;
    if (!fn(it->first, in)) return;
  }
}

}  // namespace duraudit
