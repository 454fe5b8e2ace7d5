// SPDX-License-Identifier: GPL-2.0-only
// Reading a live process's state from /proc, for processes that were already
// running when tracing began (attach) or whose early events we missed: cwd,
// every open fd (path, inode identity, filesystem magic, open flags, CLOEXEC)
// and its threads. Racy by nature (the process keeps running); what we read is
// a best effort snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "event/event.h"
#include "event/process_identity.h"

namespace duraudit {

struct ProcFdSnapshot {
  int32_t fd = -1;
  FileInfo file;            // id, mode, fs_magic, path (readlink text, may be "socket:[…]" or end in " (deleted)")
  uint64_t open_flags = 0;  // fdinfo `flags:` without O_CLOEXEC
  bool cloexec = false;
};

struct ProcSnapshot {
  std::string cwd;
  std::vector<ProcFdSnapshot> fds;  // ascending fd order
  std::vector<int32_t> tids;
  // A command duraudit launched (`run`, `trace`, `record -- CMD`): its fds
  // 0-2 are the standard streams of whoever started duraudit, e.g. a shell's
  // `> out.txt`. That file is the caller's choice, not the command's to make
  // durable, so writes through those fds are not audited.
  bool launched = false;
  // Its mount namespace, root, uid, cgroup and executable (null: unknown).
  // Its paths above are as /proc shows them to the reader.
  std::shared_ptr<const ProcessIdentity> identity;
};

// False if the process does not exist (or /proc/<pid> cannot be read at all).
// `proc_root` is "/proc" except in tests.
bool read_proc_snapshot(int32_t pid, ProcSnapshot& out, const std::string& proc_root = "/proc");

// The identity of a live process: /proc/PID/ns/mnt, root, status (Uid),
// cgroup (v2 line, with the container and pod it names) and exe. Null if
// the process is gone.
std::shared_ptr<const ProcessIdentity> read_proc_identity(int32_t pid, const std::string& proc_root = "/proc");

// The v2 line ("0::/path") of /proc/PID/cgroup: the path, or "".
std::string proc_cgroup_path(int32_t pid, const std::string& proc_root = "/proc");

// For a child duraudit forked that has not exec'd yet (`run`, `trace`,
// `record -- CMD`): its CLOEXEC fds are duraudit's own (BPF maps, pipes)
// and never reach the command, so only the inherited ones are kept; and it
// is marked `launched`.
void prepare_launched_snapshot(ProcSnapshot& snapshot);

}  // namespace duraudit
