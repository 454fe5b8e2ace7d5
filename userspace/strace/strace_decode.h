// SPDX-License-Identifier: GPL-2.0-only
// One complete strace call -> the raw Event fields it stands for (see the
// field comments in event/event.h). The source adds what needs context:
// seq, ts_ns, pid (tgid), tid, comm, and Fork's child_pid.
#pragma once

#include <string>
#include <string_view>

#include "event/event.h"
#include "strace/strace_line.h"

namespace duraudit {

enum class StraceDecode {
  Event,      // *ev holds an event
  NoEvent,    // a syscall we know that yields no event here (failed execve,
              // failed clone, exit/exit_group: the "+++" line carries the exit)
  Unknown,    // a syscall duraudit does not model (mmap, read, ...)
  Malformed,  // ours, but the arguments do not fit (reason in *error)
};

// A relative path next to a dirfd that strace decorated (-y: "3</dir>",
// and in strace >= 5.x "AT_FDCWD</cwd>") is made absolute against that
// decoration, so it resolves without knowing the fd or the cwd. When `cwd`
// is given it receives the AT_FDCWD decoration of the call, if any.
StraceDecode decode_strace_call(std::string_view name, const StraceCall& call, Event* ev, std::string* error,
                                std::string* cwd = nullptr);

// write, pwrite64, writev, pwritev, pwritev2, ftruncate, truncate,
// fallocate, copy_file_range, sendfile (and strace's aliases).
bool is_write_family(Syscall s);

}  // namespace duraudit
