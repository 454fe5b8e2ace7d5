// SPDX-License-Identifier: GPL-2.0-only
// The Resolver: one parser that changes per-process state (processes, fd
// tables, cwds, synthetic identities); everything downstream only reads the
// events it produces.
//
// Ordering of the events appended to `out` for one raw event:
//   * implicit closes first, then the raw event itself:
//       exec        -> ImplicitClose(reason Exec) for each CLOEXEC fd, then Exec
//       exit        -> ImplicitClose(reason Exit) for each fd, then Exit
//                      (none when the fd table is still shared via CLONE_FILES)
//       dup2/dup3   -> ImplicitClose(reason DupOver) for newfd if open, then the dup
//       close_range -> ImplicitClose(reason CloseRange) per open fd in range,
//                      then the CloseRange event (none with CLOSE_RANGE_CLOEXEC)
//   * implicit closes of one cause come in ascending fd order, each carries
//     the cause's seq, ts_ns, pid, tid and comm, `fd` == `closed_fd`, ret 0,
//     and `last_close` computed as of that close (so the last fd of an inode
//     closed by an exit is the one with last_close set).
//   * shared writable file mappings hold their file like an fd: a close is
//     the last (last_close) only if no mapping of the process maps that
//     file either, and when the last mapping of a file goes while no fd
//     refers to it, an ImplicitClose with fd -1 and the file says so:
//       munmap/mremap -> ImplicitClose(Unmap) per such file, then the call
//       exec          -> ImplicitClose(ExecUnmap) x N, then the CLOEXEC closes
//       exit          -> ImplicitClose(ExitUnmap) x N, then the fd closes
//     (the kernel tears the address space down before it closes the fds).
//
// Failed calls are resolved (paths, file) for trace output but change no
// state. Exception: close() always releases the fd (Linux frees it even when
// close reports EINTR/EIO; EBADF means our entry was stale anyway).
#include "resolve/resolver.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <deque>
#include <iterator>
#include <limits>
#include <unordered_map>

#include "resolve/fd_table.h"
#include "resolve/open_file.h"
#include "resolve/path_normalize.h"
#include "resolve/path_registry.h"
#include "resolve/path_views.h"
#include "resolve/proc_seed.h"
#include "resolve/process_table.h"
#include "resolve/synthetic_inodes.h"

namespace duraudit {

namespace {

// <linux/close_range.h> and renameat2's flags, spelled out so the build does
// not depend on which kernel headers the libc ships.
constexpr uint64_t kCloseRangeUnshare = 1u << 1;
constexpr uint64_t kCloseRangeCloexec = 1u << 2;
constexpr uint64_t kRenameExchange = 1u << 1;
// RWF_DSYNC / RWF_SYNC (linux/fs.h), stable ABI.
constexpr uint64_t kRwfDsync = 0x2;
constexpr uint64_t kRwfSync = 0x4;
constexpr uint64_t kOTmpfile = O_TMPFILE;

bool is_tmpfile(uint64_t flags) { return (flags & kOTmpfile) == kOTmpfile; }

// "/proc/self/fd/N", "/proc/thread-self/fd/N", "/proc/<pid>/fd/N": the
// linkat(AT_SYMLINK_FOLLOW) way to give an O_TMPFILE file a name.
bool parse_proc_fd_path(std::string_view p, std::string_view& who, int32_t& fd) {
  constexpr std::string_view kProc = "/proc/";
  if (p.substr(0, kProc.size()) != kProc) return false;
  p.remove_prefix(kProc.size());
  size_t slash = p.find('/');
  if (slash == std::string_view::npos) return false;
  who = p.substr(0, slash);
  p.remove_prefix(slash);
  constexpr std::string_view kFd = "/fd/";
  if (p.substr(0, kFd.size()) != kFd) return false;
  p.remove_prefix(kFd.size());
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), fd);
  return ec == std::errc() && end == p.data() + p.size() && fd >= 0;
}

}  // namespace

struct Resolver::Impl {
  explicit Impl(ResolverOptions o)
      : opts(std::move(o)), views(opts.agent_view, opts.live_views), procs(opts.max_processes) {}

  // Declaration order matters: fd tables (in procs) point at open_fds and
  // hold TrackedPaths registered in `paths`, so they are destroyed first.
  ResolverOptions opts;
  PathViews views;
  PathRegistry paths;
  SyntheticInodes synthetic;
  uint64_t open_fds = 0;
  ProcessTable procs;
  uint64_t unknown_fds = 0;
  // Set once a source delivered an open without inode identity (strace):
  // from then on path-based calls (mkdir, truncate, link, symlink) bind
  // synthetic identities too. Live capture never sets it.
  bool synthetic_mode = false;

  // The process of the previous event: most events come in runs from one
  // thread, so the hot path skips the hash lookup and the LRU touch.
  Process* cached = nullptr;
  int32_t cached_pid = 0;
  int32_t cached_tid = 0;

  std::vector<int32_t> scratch_fds;
  std::vector<OpenFileRef> scratch_files;  // files whose last mapping went
  // Implicit closes of the event being resolved, in order (kept to reuse
  // their storage).
  std::vector<Event> pending;
  std::string scratch_path;
  // Origins of processes that exited, newest last (Resolver::origin_of).
  std::unordered_map<int32_t, ProcessOrigin> exited;
  std::deque<int32_t> exited_order;

  // ---- processes ----

  Process& new_process(int32_t pid, std::string_view cwd, const Process* keep = nullptr) {
    Process& p = procs.create(pid, keep);
    cached = nullptr;
    p.fds = std::make_shared<FdTable>(&open_fds);
    p.cwd = std::make_shared<TrackedPath>(&paths);
    paths.assign(*p.cwd, is_absolute_path(cwd) ? normalize_path(cwd) : std::string(cwd));
    p.tids = {pid};
    return p;
  }

  bool seed(int32_t pid, bool before_exec = false) {
    ProcSnapshot snap;
    if (!read_proc_snapshot(pid, snap)) return false;
    if (before_exec) prepare_launched_snapshot(snap);
    seed(pid, snap);
    return true;
  }

  void seed(int32_t pid, const ProcSnapshot& snap) {
    const ViewId view = snap.identity ? views.view_for(snap.identity->view, pid) : kAgentView;
    // /proc names paths for its reader: as seen by the process, qualified.
    auto in_view = [&](const std::string& link) {
      if (view == kAgentView || !is_absolute_path(link)) return link;
      return qualify_path(view, normalize_path(views.seen_from_proc_link(view, link)));
    };
    Process& p = new_process(pid, snap.cwd.empty() ? opts.default_cwd : in_view(snap.cwd));
    p.view = view;
    p.identity = snap.identity;
    p.tids.insert(snap.tids.begin(), snap.tids.end());
    for (auto& s : snap.fds) {
      auto of = std::make_shared<OpenFile>(&paths);
      of->id = s.file.id;
      of->mode = s.file.mode;
      of->fs_magic = s.file.fs_magic;
      of->open_flags = s.open_flags;
      of->launcher_stdio = snap.launched && s.fd >= 0 && s.fd <= 2;
      paths.assign(of->path, in_view(s.file.path));
      p.fds->install(s.fd, std::move(of), s.cloexec);
    }
  }

  Process& process_for(const Event& ev) {
    if (cached && ev.pid == cached_pid) {
      if (ev.tid != cached_tid) {
        if (ev.tid > 0) cached->add_tid(ev.tid);
        cached_tid = ev.tid;
      }
      return *cached;
    }
    Process* p = procs.find(ev.pid);
    if (!p) {
      if (!(opts.seed_from_proc && seed(ev.pid))) new_process(ev.pid, opts.default_cwd);
      p = procs.find(ev.pid);
    }
    procs.touch(p);
    if (ev.tid > 0) p->add_tid(ev.tid);  // a tid seen without a Fork is a thread of its pid
    cached = p;
    cached_pid = ev.pid;
    cached_tid = ev.tid;
    return *p;
  }

  void forget_process(int32_t pid) {
    procs.erase(pid);
    cached = nullptr;
  }

  // ---- paths ----

  // `rel` against `dirfd` (AT_FDCWD: the cwd). Leaves `out` empty when the
  // base is unknown (a dirfd never seen opened) or `rel` is empty and
  // `empty_means_dirfd` is not set (AT_EMPTY_PATH).
  void resolve_at(Process& p, int32_t dirfd, std::string_view rel, std::string& out,
                  bool empty_means_dirfd = false) {
    out.clear();
    if (rel.empty() && !empty_means_dirfd) return;
    if (is_absolute_path(rel)) {
      resolve_in_view(p.view, "/", rel, out);
      return;
    }
    const std::string* base;
    if (dirfd == AT_FDCWD) {
      base = &p.cwd->str();
    } else {
      FdEntry* e = p.fds->find(dirfd);
      if (!e) return;
      base = &e->file->path.str();
    }
    if (!is_absolute_path(*base)) return;
    // Relative to a directory: in that directory's view (an fd kept across
    // an exec into a container still names the old view's directory).
    ViewId view = kAgentView;
    const size_t prefix = view_prefix_length(*base, &view);
    if (prefix == 0) {
      resolve_path(*base, rel, out);
      return;
    }
    std::string_view seen = prefix == base->size() ? std::string_view("/") : std::string_view(*base).substr(prefix);
    resolve_in_view(view, seen, rel, out);
  }

  // `rel` against `base` (as seen in `view`), qualified: `..` stops at the
  // view's root.
  void resolve_in_view(ViewId view, std::string_view base, std::string_view rel, std::string& out) {
    if (view == kAgentView) {
      resolve_path(base, rel, out);
      return;
    }
    resolve_path(base, rel, scratch_path);
    out = qualify_path(view, scratch_path);
  }

  // ---- fds ----

  // The entry of `fd`, with its file copied into ev.file. Unknown fds are
  // counted; if the kernel named the file (live capture), the fd is learnt
  // so later events on it resolve. If the kernel names a different inode
  // than our entry (we lost an open or close), the kernel wins.
  FdEntry* fill_from_fd(Process& p, int32_t fd, Event& ev, bool learn) {
    if (fd < 0 && ev.by_identity) {
      // io_uring named the file, not an fd: any fd of ours on it names it.
      FdEntry* e = p.fds->find_by_id(ev.file.id);
      if (e) e->file->fill(ev.file);
      return e;
    }
    FdEntry* e = p.fds->find(fd);
    if (e && ev.file.id.valid() && e->file->id.valid() && ev.file.id != e->file->id) {
      ++unknown_fds;
      if (ev.failed()) return nullptr;
      bool cloexec = e->cloexec;
      p.fds->install(fd, description_from(ev.file), cloexec);
      e = p.fds->find(fd);
    } else if (!e) {
      if (fd >= 0) ++unknown_fds;
      if (!learn || ev.failed() || !ev.file.id.valid() || fd < 0) return nullptr;
      p.fds->install(fd, description_from(ev.file), false);
      e = p.fds->find(fd);
    }
    e->file->fill(ev.file);
    return e;
  }

  OpenFileRef description_from(const FileInfo& fi) {
    auto of = std::make_shared<OpenFile>(&paths);
    of->id = fi.id;
    of->mode = fi.mode;
    of->fs_magic = fi.fs_magic;
    return of;
  }

  // An implicit close caused by `cause` (its seq, time, process), fd -1.
  static Event implicit_close(const Event& cause, CloseReason why) {
    Event ic;
    ic.seq = cause.seq;
    ic.ts_ns = cause.ts_ns;
    ic.pid = cause.pid;
    ic.tid = cause.tid;
    ic.comm = cause.comm;
    ic.syscall = Syscall::ImplicitClose;
    ic.ret = 0;
    ic.close_reason = why;
    return ic;
  }

  void emit_implicit_close(Process& p, const Event& cause, int32_t fd, CloseReason why) {
    Event ic = implicit_close(cause, why);
    ic.fd = fd;
    ic.closed_fd = fd;
    bool last = false;
    FdEntry gone = p.fds->remove(fd, &last);
    if (gone) gone.file->fill(ic.file);
    ic.last_close = last && !(gone && p.maps.refers_to(gone.file->id));
    pending.push_back(std::move(ic));
  }

  // The mappings that went away left these files unmapped: each one no fd
  // of the process refers to was its last handle on the file.
  void emit_unmap_closes(Process& p, const Event& cause, std::vector<OpenFileRef>& gone, CloseReason why) {
    for (const auto& f : gone) {
      if (p.fds->refers_to(f->id)) continue;
      Event ic = implicit_close(cause, why);
      f->fill(ic.file);
      ic.last_close = true;
      pending.push_back(std::move(ic));
    }
    gone.clear();
  }

  // The description of a file named by identity only (a store into a
  // mapping, an msync): a mapping of it, else an fd on it.
  const OpenFile* file_by_id(Process& p, const FileId& id) {
    if (const OpenFileRef* f = p.maps.find_file(id)) return f->get();
    if (FdEntry* e = p.fds->find_by_id(id)) return e->file.get();
    return nullptr;
  }

  void unshare_fds(Process& p) {
    if (p.fds.use_count() > 1) p.fds = std::make_shared<FdTable>(*p.fds);
  }

  // ---- synthetic identities ----

  // Path-based calls (rename, unlink, link, truncate) under strace: name the
  // file the path refers to, if we know it.
  void fill_by_path(const std::string& abs, Event& ev) {
    if (ev.file.id.valid() || abs.empty() || synthetic.size() == 0) return;
    if (const auto* b = synthetic.find(abs)) {
      ev.file.id = b->id;
      if (ev.file.mode == 0) ev.file.mode = b->mode;
      ev.file.path = abs;
    }
  }

  // An open without kernel identity. Policy for Event::created (strace does
  // not say whether O_CREAT created the file):
  //   * O_CREAT|O_EXCL succeeded            -> created (the kernel guarantees it)
  //   * O_CREAT on a name bound this session -> not created (we know it exists)
  //   * O_CREAT on a name never seen, or unlinked earlier -> created.
  // The last case also calls a file that existed before the session "new".
  // We accept that: a trace is usually of a program that creates its files,
  // and calling them pre-existing would make every write-new-file-then-
  // forget-the-directory bug invisible (the engine treats pre-existing files
  // as durable); the price is a possible missing-dir-fsync warning for an
  // O_CREAT open of a file that was already there.
  void assign_synthetic_for_open(Event& ev, uint64_t flags) {
    synthetic_mode = true;
    if (is_tmpfile(flags) || ev.abs_path.empty()) {
      ev.file.id = synthetic.fresh();
      if (ev.file.mode == 0 && is_tmpfile(flags)) ev.file.mode = S_IFREG;
      return;
    }
    const bool creat = flags & O_CREAT;
    const bool excl = creat && (flags & O_EXCL);
    const uint32_t hint = (flags & O_DIRECTORY) ? S_IFDIR : creat ? S_IFREG : 0;
    const SyntheticInodes::Binding* b = excl ? nullptr : synthetic.find(ev.abs_path);
    if (b) {
      if (b->mode == 0 && hint != 0) synthetic.set_mode(ev.abs_path, hint);
    } else {
      b = &synthetic.bind_new(ev.abs_path, hint);
      ev.created = ev.created || creat;
      // A new file at this name: fds still naming the old one keep that name.
      paths.forget(ev.abs_path, false);
    }
    ev.file.id = b->id;
    if (ev.file.mode == 0) ev.file.mode = b->mode ? b->mode : hint;
  }

  // ---- per-syscall handlers ----

  void on_open(Process& p, Event& ev) {
    resolve_at(p, ev.dirfd, ev.path, ev.abs_path);
    uint64_t flags = ev.flags;
    if (ev.syscall == Syscall::Creat) flags |= O_CREAT | O_WRONLY | O_TRUNC;
    const bool tmpfile = is_tmpfile(flags);
    ev.file.path = ev.abs_path;
    ev.file.unnamed = tmpfile;
    if (ev.failed() || ev.ret > std::numeric_limits<int32_t>::max()) return;
    // An io_uring open into a registered-file slot installs no fd (and the
    // kernel side cannot name its inode): nothing to track.
    if (ev.by_identity) return;
    if (!ev.file.id.valid()) assign_synthetic_for_open(ev, flags);
    auto of = description_from(ev.file);
    of->open_flags = flags;
    of->unnamed = tmpfile;
    paths.assign(of->path, ev.abs_path);
    p.fds->install(static_cast<int32_t>(ev.ret), std::move(of), flags & O_CLOEXEC);
  }

  // A write through an O_SYNC/O_DSYNC description, or pwritev2 with
  // RWF_DSYNC/RWF_SYNC, is durable when it returns. Live capture reads the
  // description's flags in the kernel; sources without them (strace logs,
  // recordings) learn them from the open we saw.
  void on_data_write(Process& p, Event& ev) {
    FdEntry* e = fill_from_fd(p, ev.fd, ev, true);
    if (e && (e->file->open_flags & O_DSYNC)) ev.sync_write = true;
    if (syscall_has(ev.syscall, kScSyncFlag) && (ev.flags & (kRwfDsync | kRwfSync))) ev.sync_write = true;
  }

  void on_close(Process& p, Event& ev) {
    ev.closed_fd = ev.fd;
    ev.close_reason = CloseReason::Close;
    if (ev.by_identity) return;  // io_uring close of a registered-file slot: no fd of ours
    FdEntry* e = fill_from_fd(p, ev.fd, ev, false);
    if (!e) {
      // Never seen opened: no other fd of ours can share its inode unless
      // the kernel named it and we know that inode through another fd.
      ev.last_close = !ev.file.id.valid() || (!p.fds->refers_to(ev.file.id) && !p.maps.refers_to(ev.file.id));
      return;
    }
    const FileId id = e->file->id;
    bool last = false;
    p.fds->remove(ev.fd, &last);
    ev.last_close = last && !p.maps.refers_to(id);
  }

  // ---- shared file mappings ----

  // mmap: a shared writable mapping of a file is a handle on it. A source
  // that does not name the mapped file (strace) cannot see the stores into
  // it either: the mapping then counts as written from now on
  // (Event::stores_unseen), and the model says so in evidence.
  void on_mmap(Process& p, Event& ev) {
    const bool source_named_it = ev.file.id.valid();
    FdEntry* e = fill_from_fd(p, ev.fd, ev, true);
    if (!maps_file_shared_writable(ev) || !e || !e->file->id.valid()) return;
    const uint32_t fmt = e->file->mode & S_IFMT;
    if (fmt != 0 && fmt != S_IFREG) return;  // a device's memory, not file data
    if (!source_named_it) ev.stores_unseen = true;
    OpenFileRef file = e->file;  // copy: mapping may not move the table, but stay safe
    p.maps.map(static_cast<uint64_t>(ev.ret), ev.arg2, std::move(file), scratch_files);
    emit_unmap_closes(p, ev, scratch_files, CloseReason::Unmap);  // MAP_FIXED over another file
  }

  void on_munmap(Process& p, Event& ev) {
    if (ev.failed()) return;
    if (const Mapping* m = p.maps.at(ev.arg)) m->file->fill(ev.file);
    p.maps.unmap(ev.arg, ev.arg2, scratch_files);
    emit_unmap_closes(p, ev, scratch_files, CloseReason::Unmap);
  }

  void on_mremap(Process& p, Event& ev) {
    if (ev.failed()) return;
    constexpr uint64_t kMremapDontunmap = 4;  // linux/mman.h, since 5.7
    if (const Mapping* m = p.maps.at(ev.arg)) m->file->fill(ev.file);
    p.maps.remap(ev.arg, ev.arg2, static_cast<uint64_t>(ev.ret), ev.bytes, ev.flags & kMremapDontunmap,
                 scratch_files);
    emit_unmap_closes(p, ev, scratch_files, CloseReason::Unmap);
  }

  // A store into a mapping: fd -1 and the file's identity. Named from the
  // mapping (or an fd on the same file); the mapping's address decides when
  // the identity is unknown.
  void on_mmap_store(Process& p, Event& ev) {
    const OpenFile* f = ev.file.id.valid() ? file_by_id(p, ev.file.id) : nullptr;
    if (!f)
      if (const Mapping* m = p.maps.at(ev.arg)) f = m->file.get();
    if (f) f->fill(ev.file);
  }

  // msync: live capture names the file (from the vma at the address);
  // strace shows only the address, which the mappings resolve.
  void on_msync(Process& p, Event& ev) {
    if (ev.fd >= 0) {
      fill_from_fd(p, ev.fd, ev, true);
      return;
    }
    const OpenFile* f = ev.file.id.valid() ? file_by_id(p, ev.file.id) : nullptr;
    if (!f && !ev.file.id.valid())
      if (const Mapping* m = p.maps.at(ev.arg)) f = m->file.get();
    if (f) f->fill(ev.file);
  }

  void on_close_range(Process& p, Event& ev) {
    if (ev.failed()) return;
    const auto first = static_cast<uint32_t>(ev.fd);
    const auto last = static_cast<uint32_t>(ev.fd2);  // ~0U arrives as -1
    if (ev.flags & kCloseRangeUnshare) unshare_fds(p);
    p.fds->fds_in_range(first, last, scratch_fds);
    if (ev.flags & kCloseRangeCloexec) {
      for (int32_t fd : scratch_fds) p.fds->find(fd)->cloexec = true;
      return;
    }
    for (int32_t fd : scratch_fds) emit_implicit_close(p, ev, fd, CloseReason::CloseRange);
  }

  void on_dup(Process& p, Event& ev) {
    FdEntry* old = fill_from_fd(p, ev.fd, ev, false);
    if (ev.failed()) return;
    // Copy the reference now: installing may move table storage.
    OpenFileRef file = old ? old->file : nullptr;
    int32_t newfd = static_cast<int32_t>(ev.ret);
    bool cloexec = false;
    if (ev.syscall != Syscall::Dup) {
      if (ev.fd2 >= 0) newfd = ev.fd2;
      if (newfd == ev.fd) return;  // dup2(fd, fd): nothing happens
      if (p.fds->find(newfd)) emit_implicit_close(p, ev, newfd, CloseReason::DupOver);
      cloexec = ev.syscall == Syscall::Dup3 && (ev.flags & O_CLOEXEC);
    }
    if (file) p.fds->install(newfd, std::move(file), cloexec);
  }

  void on_fcntl(Process& p, Event& ev) {
    FdEntry* e = fill_from_fd(p, ev.fd, ev, false);
    if (ev.failed() || !e) return;
    switch (ev.arg) {
      case F_DUPFD:
      case F_DUPFD_CLOEXEC: {
        OpenFileRef file = e->file;
        p.fds->install(static_cast<int32_t>(ev.ret), std::move(file), ev.arg == F_DUPFD_CLOEXEC);
        break;
      }
      case F_SETFD:
        e->cloexec = ev.arg2 & FD_CLOEXEC;
        break;
      default:
        break;
    }
  }

  void on_rename(Process& p, Event& ev) {
    resolve_at(p, ev.dirfd, ev.path, ev.abs_path);
    resolve_at(p, ev.dirfd2, ev.path2, ev.abs_path2);
    fill_by_path(ev.abs_path, ev);
    if (ev.failed() || ev.abs_path.empty() || ev.abs_path2.empty()) return;
    if (syscall_has_flags(ev.syscall) && (ev.flags & kRenameExchange)) {
      paths.exchange(ev.abs_path, ev.abs_path2);
      synthetic.exchange(ev.abs_path, ev.abs_path2);
    } else {
      paths.rename(ev.abs_path, ev.abs_path2);
      synthetic.rename(ev.abs_path, ev.abs_path2);
    }
  }

  // The open file a linkat publishes, when it names one by fd: AT_EMPTY_PATH
  // with olddirfd = the fd, or AT_SYMLINK_FOLLOW on /proc/<self>/fd/N.
  OpenFileRef link_source_fd(Process& p, Event& ev) {
    if (!syscall_has_flags(ev.syscall)) return nullptr;  // linkat, io_uring:linkat
    if ((ev.flags & AT_EMPTY_PATH) && ev.path.empty()) {
      FdEntry* e = fill_from_fd(p, ev.dirfd, ev, false);
      return e ? e->file : nullptr;
    }
    std::string_view who;
    int32_t fd = -1;
    const std::string seen = seen_path(ev.abs_path);
    if (!(ev.flags & AT_SYMLINK_FOLLOW) || !parse_proc_fd_path(seen, who, fd)) return nullptr;
    Process* owner = nullptr;
    if (who == "self" || who == "thread-self") {
      owner = &p;
    } else {
      int32_t n = 0;
      auto [end, ec] = std::from_chars(who.data(), who.data() + who.size(), n);
      if (ec != std::errc() || end != who.data() + who.size()) return nullptr;
      owner = (n == ev.pid || n == ev.tid) ? &p : procs.find(n);
    }
    if (!owner) return nullptr;
    FdEntry* e = fill_from_fd(*owner, fd, ev, false);
    return e ? e->file : nullptr;
  }

  void on_link(Process& p, Event& ev) {
    const bool empty_path = syscall_has_flags(ev.syscall) && (ev.flags & AT_EMPTY_PATH);
    resolve_at(p, ev.dirfd, ev.path, ev.abs_path, empty_path);
    resolve_at(p, ev.dirfd2, ev.path2, ev.abs_path2);
    OpenFileRef src = link_source_fd(p, ev);
    if (!src) fill_by_path(ev.abs_path, ev);
    if (ev.failed() || ev.abs_path2.empty()) return;
    paths.forget(ev.abs_path2, false);  // link fails on an existing name; stale entries only
    if (src) {
      if (src->unnamed) {
        paths.assign(src->path, ev.abs_path2);
        src->unnamed = false;
      }
      if (src->id.dev == FileId::kSyntheticDev) synthetic.bind(ev.abs_path2, {src->id, src->mode});
      ev.file.path = src->path.str();
      ev.file.unnamed = false;
      return;
    }
    if (!synthetic_mode || ev.abs_path.empty()) return;
    const SyntheticInodes::Binding* b = synthetic.find(ev.abs_path);
    if (!b) b = &synthetic.bind_new(ev.abs_path, 0);  // existed before the session
    const SyntheticInodes::Binding existing = *b;
    synthetic.bind(ev.abs_path2, existing);
    fill_by_path(ev.abs_path, ev);
  }

  void on_symlink(Process& p, Event& ev) {
    // symlink(target, linkpath): only linkpath is a name in the namespace;
    // the target is kept verbatim in `path`, abs_path stays empty.
    resolve_at(p, ev.dirfd2, ev.path2, ev.abs_path2);
    if (ev.failed() || ev.abs_path2.empty() || !synthetic_mode) return;
    synthetic.bind_new(ev.abs_path2, S_IFLNK);
  }

  void on_remove(Process& p, Event& ev) {
    resolve_at(p, ev.dirfd, ev.path, ev.abs_path);
    fill_by_path(ev.abs_path, ev);
    const bool dir = syscall_op(ev.syscall) == SyscallOp::Rmdir ||
                     (syscall_has_flags(ev.syscall) && (ev.flags & AT_REMOVEDIR));
    if (ev.failed() || ev.abs_path.empty()) return;
    paths.forget(ev.abs_path, dir);
    synthetic.unbind(ev.abs_path, dir);
  }

  void on_mkdir(Process& p, Event& ev) {
    resolve_at(p, ev.dirfd, ev.path, ev.abs_path);
    if (ev.failed() || ev.abs_path.empty() || !synthetic_mode || ev.file.id.valid()) return;
    const auto& b = synthetic.bind_new(ev.abs_path, S_IFDIR);
    ev.file.id = b.id;
    ev.file.mode = S_IFDIR;
    ev.file.path = ev.abs_path;
  }

  void on_truncate(Process& p, Event& ev) {
    resolve_at(p, ev.dirfd, ev.path, ev.abs_path);
    fill_by_path(ev.abs_path, ev);
    if (ev.failed() || ev.abs_path.empty() || !synthetic_mode || ev.file.id.valid()) return;
    synthetic.bind_new(ev.abs_path, S_IFREG);  // existed before the session
    fill_by_path(ev.abs_path, ev);
  }

  void on_chdir(Process& p, Event& ev) {
    resolve_at(p, ev.dirfd, ev.path, ev.abs_path);
    if (!ev.failed() && !ev.abs_path.empty()) paths.assign(*p.cwd, ev.abs_path);
  }

  void on_fchdir(Process& p, Event& ev) {
    FdEntry* e = fill_from_fd(p, ev.fd, ev, false);
    if (!ev.failed() && e && is_absolute_path(e->file->path.str()))
      paths.assign(*p.cwd, e->file->path.str());
  }

  void on_fork(Process& p, Event& ev) {
    if (ev.failed() || ev.child_pid <= 0) return;
    if (ev.is_thread || ev.child_pid == ev.pid) {
      p.add_tid(ev.child_tid > 0 ? ev.child_tid : static_cast<int32_t>(ev.ret));
      return;
    }
    Process& c = procs.create(ev.child_pid, &p);
    cached = nullptr;
    c.fds = ev.shares_files ? p.fds : std::make_shared<FdTable>(*p.fds);
    c.maps = p.maps;  // a child inherits the shared mappings (vfork's child shares them until it execs)
    if (ev.flags & CLONE_FS) {
      c.cwd = p.cwd;
    } else {
      c.cwd = std::make_shared<TrackedPath>(&paths);
      paths.assign(*c.cwd, p.cwd->str());
    }
    c.tids = {ev.child_tid > 0 ? ev.child_tid : ev.child_pid};
    c.view = p.view;
    c.identity = p.identity;
  }

  void on_exec(Process& p, Event& ev) {
    // The view first: a chroot happened before the exec, and the new image's
    // path is the new root's.
    if (ev.identity && !ev.failed()) enter_view(p, views.view_for(ev.identity->view, ev.pid));
    resolve_at(p, ev.dirfd, ev.path, ev.abs_path, ev.flags & AT_EMPTY_PATH);
    if (ev.failed()) return;
    if (ev.identity) {
      auto id = std::make_shared<ProcessIdentity>(*ev.identity);
      id->exe = seen_path(ev.abs_path);
      p.identity = std::move(id);
    }
    // The old address space goes first (exec_mmap), then the CLOEXEC fds.
    p.maps.clear(scratch_files);
    emit_unmap_closes(p, ev, scratch_files, CloseReason::ExecUnmap);
    unshare_fds(p);  // exec gives the process its own fd table
    p.fds->fds_in_range(0, std::numeric_limits<uint32_t>::max(), scratch_fds);
    for (int32_t fd : scratch_fds)
      if (p.fds->find(fd)->cloexec) emit_implicit_close(p, ev, fd, CloseReason::Exec);
    // de_thread(): every other thread is gone; the exec'ing one now has tid == pid.
    p.tids = {p.pid};
    cached_tid = p.pid;
  }

  // The process now sees `view`: its cwd is re-expressed there (a chroot's
  // cwd, which we followed in the old view, loses the chroot directory).
  void enter_view(Process& p, ViewId view) {
    if (view == p.view) return;
    std::string cwd = p.cwd->str();
    if (view_of_path(cwd) == kAgentView && is_absolute_path(cwd)) cwd = views.seen_from_proc_link(view, cwd);
    cwd = seen_path(cwd);
    p.cwd = std::make_shared<TrackedPath>(&paths);  // CLONE_FS relatives keep their view's name
    paths.assign(*p.cwd, qualify_path(view, cwd));
    p.view = view;
  }

  void remember_exited(const Process& p) {
    if (!p.identity && p.view == kAgentView) return;
    if (exited.size() >= Resolver::kExitedOrigins && !exited_order.empty()) {
      exited.erase(exited_order.front());
      exited_order.pop_front();
    }
    if (exited.insert_or_assign(p.pid, ProcessOrigin{p.view, p.identity}).second) exited_order.push_back(p.pid);
  }

  ProcessOrigin origin_of(int32_t pid) {
    if (Process* p = procs.find(pid)) return ProcessOrigin{p->view, p->identity};
    if (auto it = exited.find(pid); it != exited.end()) return it->second;
    return {};
  }

  void on_exit(Event& ev) {
    Process* p = procs.find(ev.pid);
    if (p && ev.group_dead) remember_exited(*p);
    if (p && ev.group_dead) {
      // exit_mm() before exit_files(): the mappings go first.
      p->maps.clear(scratch_files);
      emit_unmap_closes(*p, ev, scratch_files, CloseReason::ExitUnmap);
      if (p->fds.use_count() == 1) {
        p->fds->fds_in_range(0, std::numeric_limits<uint32_t>::max(), scratch_fds);
        for (int32_t fd : scratch_fds) emit_implicit_close(*p, ev, fd, CloseReason::Exit);
      }
      forget_process(ev.pid);
    } else if (p) {
      p->remove_tid(ev.tid);
    }
  }

  // Resolves `ev` in place; implied events go to `pending`.
  void resolve(Event& ev) {
    if (ev.syscall == Syscall::Exit) return on_exit(ev);
    Process& p = process_for(ev);
    const SyscallInfo& sc = syscall_info(ev.syscall);
    if (sc.has(kScSynthetic)) return;  // made by us, already resolved
    switch (sc.op) {
      case SyscallOp::Open:
        on_open(p, ev);
        break;
      case SyscallOp::Close:
        on_close(p, ev);
        break;
      case SyscallOp::CloseRange:
        on_close_range(p, ev);
        break;
      case SyscallOp::Dup:
        on_dup(p, ev);
        break;
      case SyscallOp::Fcntl:
        on_fcntl(p, ev);
        break;
      case SyscallOp::Write:
        if (ev.syscall == Syscall::MmapStore)
          on_mmap_store(p, ev);
        else
          on_data_write(p, ev);
        break;
      case SyscallOp::Truncate:
        if (sc.args.path >= 0)
          on_truncate(p, ev);
        else
          fill_from_fd(p, ev.fd, ev, true);
        break;
      case SyscallOp::Fallocate:
      case SyscallOp::Copy:
      case SyscallOp::Fsync:
      case SyscallOp::Syncfs:
      case SyscallOp::SyncFileRange:
        fill_from_fd(p, ev.fd, ev, true);
        break;
      case SyscallOp::Msync:
        on_msync(p, ev);
        break;
      case SyscallOp::Mmap:
        on_mmap(p, ev);
        break;
      case SyscallOp::Munmap:
        on_munmap(p, ev);
        break;
      case SyscallOp::Mremap:
        on_mremap(p, ev);
        break;
      case SyscallOp::Rename:
        on_rename(p, ev);
        break;
      case SyscallOp::Link:
        on_link(p, ev);
        break;
      case SyscallOp::Symlink:
        on_symlink(p, ev);
        break;
      case SyscallOp::Unlink:
      case SyscallOp::Rmdir:
        on_remove(p, ev);
        break;
      case SyscallOp::Mkdir:
        on_mkdir(p, ev);
        break;
      case SyscallOp::Chdir:
        on_chdir(p, ev);
        break;
      case SyscallOp::Fchdir:
        on_fchdir(p, ev);
        break;
      case SyscallOp::Fork:
        on_fork(p, ev);
        break;
      case SyscallOp::Exec:
        on_exec(p, ev);
        break;
      default:
        if (!ev.path.empty()) resolve_at(p, ev.dirfd, ev.path, ev.abs_path);
        break;
    }
  }
};

Resolver::Resolver(ResolverOptions opts) : impl_(std::make_unique<Impl>(std::move(opts))) {}
Resolver::~Resolver() = default;

void Resolver::resolve(Event ev, std::vector<Event>& out) {
  out.push_back(std::move(ev));
  resolve_back(out);
}

void Resolver::resolve_back(std::vector<Event>& out) {
  if (out.empty()) return;
  impl_->resolve(out.back());
  auto& pending = impl_->pending;
  if (pending.empty()) return;
  // Implied events happened first: they go before the cause.
  out.insert(out.end() - 1, std::make_move_iterator(pending.begin()), std::make_move_iterator(pending.end()));
  pending.clear();
}

void Resolver::add_process(int32_t pid, const std::string& cwd) { impl_->new_process(pid, cwd); }

bool Resolver::seed_from_proc(int32_t pid) { return impl_->seed(pid); }

bool Resolver::seed_child_before_exec(int32_t pid) { return impl_->seed(pid, /*before_exec=*/true); }

void Resolver::seed(int32_t pid, const ProcSnapshot& snapshot) { impl_->seed(pid, snapshot); }

ProcessOrigin Resolver::origin_of(int32_t pid) const { return impl_->origin_of(pid); }

std::optional<std::string> Resolver::host_path(std::string_view path) const {
  ViewId view = kAgentView;
  if (view_prefix_length(path, &view) == 0) return std::string(path);
  return impl_->views.host_path(view, seen_path(path));
}

int Resolver::open_as_seen(std::string_view path) const {
  ViewId view = kAgentView;
  if (view_prefix_length(path, &view) == 0) return ::open(std::string(path).c_str(), O_PATH | O_CLOEXEC);
  return impl_->views.open_in_view(view, seen_path(path));
}

size_t Resolver::views() const { return impl_->views.size(); }

ResolverStats Resolver::stats() const {
  ResolverStats s;
  s.processes = impl_->procs.size();
  s.fds = impl_->open_fds;
  s.evictions = impl_->procs.evictions();
  s.unknown_fds = impl_->unknown_fds;
  return s;
}

}  // namespace duraudit
