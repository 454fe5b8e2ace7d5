// SPDX-License-Identifier: GPL-2.0-only
// An strace log as an EventSource: `duraudit replay --strace FILE`.
//
// Input: one file (strace -f -o FILE, or a terminal capture), stdin ("-"),
// or the per-process files of `strace -ff -o PREFIX` (PREFIX.PID; give
// PREFIX). The whole log is parsed before the first event is delivered:
// joining "<unfinished ...>" halves, ordering -ff files and deciding whether
// writes must be assumed all need the complete log (logs are finite).
//
// What an event carries (see event/event.h):
//   - pid is the thread group, tid the thread. strace prints only tids; the
//     tid -> tgid mapping follows clone results (CLONE_THREAD: same group).
//     A tid seen without a preceding clone is a thread of the traced process
//     (the first process in the log), sharing its fd table. Lines with no pid
//     prefix belong to that process; if no line in the log has a pid, it is
//     given pid 1.
//   - comm is the basename of the process's last successful execve path, or
//     "?" before one (strace does not print comm).
//   - ts_ns: -t/-tt time of day (wrapping past midnight), -ttt since the
//     epoch, -r accumulated deltas, all in ns; without timestamps,
//     ts_ns = line number * 1000 (for -ff sets: position in the merged
//     stream * 1000). A call split by "<unfinished ...>" has the time of its
//     start and is delivered at its "<... resumed>" line, so ts_ns is not
//     always monotonic in stream order.
//   - clone/clone3/fork/vfork become Fork events at the position of their
//     start, so the parent's Fork precedes the child's first event even when
//     the child ran before the parent's clone returned.
//   - "+++ exited with N +++" / "+++ killed by SIG +++" become Exit events,
//     exit_code = N << 8 or the signal number; group_dead is true for the
//     group leader (tid == tgid), false for another thread's exit.
//   - Calls that never returned ("= ?", or unfinished at end of log) yield no
//     event; exit/exit_group yield none either (the "+++" line does).
//   - Failed execve and clone yield no event; other failed calls do (ret < 0).
//   - io_uring_setup/enter/register and io_setup/submit/getevents/pgetevents
//     become events of their rows whatever their arguments look like; of
//     the calls that repeat (all but the two setups) only a thread's first
//     successful and first failed one of each, see StraceStats. They only
//     say that the process does I/O the log cannot show (docs/async-io.md).
//
// -ff sets: when every file has absolute timestamps (-t/-tt/-ttt) the files
// are merged by timestamp; otherwise (no timestamps, or -r) each child's file
// is spliced in right after the Fork that created it (parent order first,
// then files no Fork names, by pid).
//
// Filtered logs: when the log contains no write-family call at all and no
// read-family call either (strace ran with -e trace=... that left them out;
// a complete log of a program that never writes still shows the dynamic
// loader's read() calls), every successful open for
// writing (O_WRONLY/O_RDWR, creat) is followed by a synthetic Write event
// (fd = the opened fd, ret = 0, bytes = 0) and assumed_writes() is true, so
// the report can say its data findings rest on that assumption.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "event/event_source.h"

namespace duraudit {

struct StraceParseError {
  std::string file;  // file name ("-" for stdin)
  uint64_t line = 0; // 1-based line number in that file
  std::string text;  // the line (cut at 200 bytes)
  std::string reason;
};

struct StraceStats {
  uint64_t lines = 0;             // lines read, all files
  uint64_t events = 0;            // events produced (including synthetic writes)
  uint64_t unparsed_lines = 0;    // lines not understood (see parse_errors())
  uint64_t unknown_syscalls = 0;  // calls to syscalls duraudit does not model
  uint64_t unreturned_calls = 0;  // "= ?" or unfinished at end: no event
  uint64_t signals = 0;           // "--- SIG... ---" lines (ignored)
  uint64_t assumed_writes = 0;    // synthetic Write events inserted
  // io_uring_enter, io_uring_register, io_submit, io_getevents and
  // io_pgetevents after a thread's first of each (failed and successful
  // counted apart): no event, they would tell the engine nothing more.
  uint64_t repeated_async_calls = 0;
};

class StraceSource : public EventSource {
 public:
  static constexpr size_t kKeptErrors = 5;
  // The longest line read (docs/offline.md "Malformed logs"). strace prints
  // at most -s N bytes of each string (32 by default); a longer line is no
  // strace output (/dev/zero, a binary file), and holding it would take
  // unbounded memory. open() refuses such a log; from_string() counts the
  // line as unparsed and stops reading that text.
  static constexpr size_t kMaxLineBytes = size_t{1} << 20;

  // `path`: a file, "-" for stdin, or the PREFIX of `strace -ff -o PREFIX`
  // files. Returns nullptr and a sentence in *error when nothing is
  // readable, or a line is longer than kMaxLineBytes.
  static std::unique_ptr<StraceSource> open(const std::string& path, std::string* error);
  // From text in memory (tests, fuzzing). `name` is used in parse errors.
  static std::unique_ptr<StraceSource> from_string(std::string_view text, const std::string& name = "<string>");
  // From several per-pid texts, as `strace -ff` writes them.
  static std::unique_ptr<StraceSource> from_ff_strings(const std::vector<std::pair<int32_t, std::string>>& files,
                                                       const std::string& prefix = "<string>");

  bool poll(const Sink& sink, int timeout_ms) override;
  // {"strace_unparsed_lines": n, "strace_unreturned_calls": n}, zero entries omitted.
  LossCounters losses() const override;
  SourceKind kind() const override { return SourceKind::StraceLog; }
  // -ttt stamps are seconds since the epoch; -t/-tt print the local time of
  // day without a date, -r deltas, no flag nothing: no wall clock then.
  WallClock wall_clock() const override { return epoch_times_ ? WallClock::fixed(0) : WallClock::unknown(); }

  // True when writes were assumed (see the header comment).
  bool assumed_writes() const { return stats_.assumed_writes > 0; }
  // The first kKeptErrors unparsed lines, with file and line number.
  const std::vector<StraceParseError>& parse_errors() const { return errors_; }
  uint64_t unparsed_lines() const { return stats_.unparsed_lines; }
  const StraceStats& stats() const { return stats_; }
  // The traced process's working directory when the log starts, as strace
  // -y printed it ("AT_FDCWD</dir>", strace >= 5.x) on its first
  // AT_FDCWD-relative call before any chdir; empty when the log does not
  // say (no -y, older strace). Relative paths of calls with a decorated
  // dirfd are made absolute by the parser itself.
  const std::string& initial_cwd() const { return initial_cwd_; }
  // Number of input files (1 unless -ff).
  size_t files() const { return files_; }

 private:
  StraceSource() = default;
  struct Builder;

  std::vector<Event> events_;
  size_t next_ = 0;
  bool exhausted_ = false;
  StraceStats stats_;
  std::vector<StraceParseError> errors_;
  size_t files_ = 0;
  std::string initial_cwd_;
  bool epoch_times_ = false;  // every line so far has a -ttt stamp
  bool mixed_times_ = false;  // some line has another stamp, or none
};

}  // namespace duraudit
