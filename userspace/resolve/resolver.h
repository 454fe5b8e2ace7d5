// SPDX-License-Identifier: GPL-2.0-only
// The Resolver keeps the per-process view the kernel has and the event stream
// lacks: thread -> process, fd tables (shared by threads and CLONE_FILES
// children, copied on fork), cwd, and which fds are CLOEXEC. It is the only
// place that changes that state.
//
// For each raw event it fills Event::abs_path/abs_path2 (absolute, `.`/`..`
// folded without touching the filesystem), Event::file for fd-based calls
// (from the fd table when the source did not say), and close bookkeeping; it
// emits ImplicitClose events for fds that exec (CLOEXEC), process exit, dup2
// over an open fd, and close_range take away. Sources without inode
// identities (strace) get synthetic FileIds that follow renames and links.
//
// What a caller can rely on:
//  * Implied events come before their cause, in ascending fd order, with the
//    cause's seq/ts_ns/pid/tid/comm: ImplicitClose(Exec) x N then Exec;
//    ImplicitClose(Exit) x N then Exit (none while a CLONE_FILES relative
//    still shares the table); ImplicitClose(DupOver) then Dup2/Dup3;
//    ImplicitClose(CloseRange) x N then CloseRange.
//  * abs_path/abs_path2 are empty when they cannot be resolved (relative to a
//    dirfd we never saw opened) and for symlink's target (kept in `path`).
//  * O_TMPFILE: file.unnamed = true and file.path = the directory until a
//    linkat (AT_EMPTY_PATH, or /proc/self/fd/N with AT_SYMLINK_FOLLOW) names
//    it; that linkat event carries the fd's file with the new path.
//  * fd paths follow renames of the file and of any directory above it; an
//    unlinked name is frozen (the fd keeps it, a new file there is separate).
//  * Synthetic identities (no FileId from the source) are bound per path; an
//    O_CREAT open of a path not bound this session counts as created (see
//    resolver.cpp for why). Once a session has shown identity-less opens,
//    mkdir/truncate/link/symlink bind synthetic ids too, and rename, link,
//    unlink and truncate events carry the bound file in Event::file.
//  * close() always forgets the fd, even when it failed (Linux frees it on
//    EINTR/EIO; EBADF means our entry was stale).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "event/process_identity.h"
#include "resolve/path_view.h"
#include "resolve/proc_seed.h"

namespace duraudit {

struct ResolverOptions {
  // Seed unknown live processes (cwd, open fds) from /proc/<pid> the first
  // time they are seen. Off for replay of recordings and strace logs.
  bool seed_from_proc = false;
  // cwd assumed for a process first seen without add_process() or /proc
  // (strace logs carry no cwd; `replay --cwd` sets it).
  std::string default_cwd = "/";
  // Cap on tracked processes; the least recently active are evicted.
  size_t max_processes = 65536;
  // The agent's own view (mount namespace, root; a recording's: the
  // recorder's). Processes whose identity shows another view get their
  // paths qualified (resolve/path_view.h). Unknown: no views are told apart.
  std::optional<PathViewKey> agent_view{};
  // Take handles in /proc on each new view, for host paths (live modes).
  bool live_views = false;
};

// Where a process's events come from: its view and identity.
struct ProcessOrigin {
  ViewId view = kAgentView;
  std::shared_ptr<const ProcessIdentity> identity;  // null: unknown
};

struct ResolverStats {
  uint64_t processes = 0;   // tracked now
  uint64_t fds = 0;         // open fds tracked now
  uint64_t evictions = 0;   // processes evicted by the cap
  uint64_t unknown_fds = 0; // fd-based events on fds we never saw opened
};

class Resolver {
 public:
  explicit Resolver(ResolverOptions opts = {});
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Resolves `ev` and appends it, plus any events it implies, to `out` in
  // the order they happened: ImplicitClose events come before the event that
  // caused them (exec, exit, dup2/dup3, close_range); see resolver.cpp.
  void resolve(Event ev, std::vector<Event>& out);
  // The same without moving the event: `out.back()` is the raw event (the
  // caller emplaced it there); it is resolved in place and any implied events
  // are inserted before it. resolve() is push_back + resolve_back; on the hot
  // path (one Event per call, ~300 bytes) this saves a move per event.
  void resolve_back(std::vector<Event>& out);

  // Declares a process before its first event (`run` knows the child's cwd
  // and inherited fds before exec). `cwd` absolute.
  void add_process(int32_t pid, const std::string& cwd);
  // Seeds a live process from /proc/<pid> (cwd, fds with paths, flags and
  // inode identity). Returns false if the process is gone.
  bool seed_from_proc(int32_t pid);
  // The same for a child duraudit forked that has not exec'd yet (`run`,
  // `trace`): only the fds the command will inherit (not CLOEXEC) are kept.
  bool seed_child_before_exec(int32_t pid);
  // Declares a process from a snapshot taken elsewhere (a recording's
  // process seed, written by `record` from /proc): cwd, fds, threads.
  // Replaces any process tracked under `pid`. An empty snapshot cwd means
  // ResolverOptions::default_cwd.
  void seed(int32_t pid, const ProcSnapshot& snapshot);

  ResolverStats stats() const;

  // The origin of a process running or recently exited (the last
  // kExitedOrigins exits are remembered, for verdicts settled after them).
  ProcessOrigin origin_of(int32_t pid) const;
  static constexpr size_t kExitedOrigins = 4096;
  // Where a path the Resolver made (qualified, in any view) is for the
  // host, when that can be told.
  std::optional<std::string> host_path(std::string_view path) const;
  // A path the Resolver made, opened O_PATH as its process sees it (another
  // view's: through that view's root); -1 when it cannot be. Caller closes.
  int open_as_seen(std::string_view path) const;
  // Views other than the agent's met so far.
  size_t views() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace duraudit
