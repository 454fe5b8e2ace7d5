// SPDX-License-Identifier: GPL-2.0-only
#include "strace/strace_source.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "strace/strace_decode.h"
#include "strace/strace_line.h"
#include "util/bounded_read.h"

namespace duraudit {

namespace {

constexpr uint64_t kNsPerDay = 86400ull * 1000000000ull;
constexpr int32_t kPidWhenUnknown = 1;

// One event of one file before pids are resolved.
struct Rec {
  uint64_t key = 0;      // order within its file: 2 * line (+1 for synthetic)
  bool absolute_ts = false;
  int32_t raw_pid = 0;   // tid as printed; 0 = no prefix
  std::string cwd;       // the call's AT_FDCWD</cwd> decoration, if any
  Event ev;
};

// A call whose first half ("<unfinished ...>") has been read.
struct Pending {
  std::string name;
  std::string text;
  uint64_t ts = 0;
  uint64_t line = 0;
  bool absolute_ts = false;
};

struct FileRecs {
  std::string name;
  int32_t file_pid = 0;  // -ff: the PID suffix
  bool all_absolute = true;
  bool any_event = false;
  std::vector<Rec> recs;
  // io_uring_enter, io_submit, io_getevents... already kept for a thread
  // (and whether they failed): one of each is all the engine needs.
  std::unordered_map<int32_t, std::set<std::pair<Syscall, bool>>> async_seen;
};

bool is_fork_name(std::string_view n) { return n == "clone" || n == "clone3" || n == "fork" || n == "vfork"; }

std::string basename_of(const std::string& p) {
  size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

bool is_read_family_name(std::string_view n) {
  return n == "read" || n == "pread64" || n == "readv" || n == "preadv" || n == "preadv2";
}

bool opens_for_write(const Event& ev) {
  switch (ev.syscall) {
    case Syscall::Open: case Syscall::Openat: case Syscall::Openat2: case Syscall::Creat: break;
    default: return false;
  }
  if (ev.failed()) return false;
  uint64_t acc = ev.flags & O_ACCMODE;
  return acc == O_WRONLY || acc == O_RDWR;
}

}  // namespace

struct StraceSource::Builder {
  explicit Builder(StraceSource& s) : src(s) {}
  StraceSource& src;
  std::vector<FileRecs> files;
  std::string refusal;  // a line over kMaxLineBytes: the log is not replayed
  bool saw_write_family = false;
  // read(2) and friends are in the same strace class as write (%desc):
  // a log that shows them was not filtered to leave writes out, so a
  // program that never wrote (only created, renamed, unlinked) is taken at
  // its word instead of having writes assumed.
  bool saw_read_family = false;
  int32_t root_hint = 0;  // -ff: the first file no Fork names

  void error(const std::string& file, uint64_t line, std::string_view text, const std::string& reason) {
    ++src.stats_.unparsed_lines;
    if (src.errors_.size() < kKeptErrors)
      src.errors_.push_back({file, line, std::string(text.substr(0, 200)), reason});
  }

  // Decodes one complete call (joined if it was split) into fr.recs.
  void complete_call(FileRecs& fr, const std::string& name, std::string_view text, uint64_t ts, bool absolute,
                     int32_t pid, uint64_t start_line, uint64_t end_line, std::string_view raw) {
    StraceCall call;
    std::string why;
    if (!parse_strace_call(text, &call, &why)) {
      error(fr.name, end_line, raw, why);
      return;
    }
    Event ev;
    std::string cwd;
    switch (decode_strace_call(name, call, &ev, &why, &cwd)) {
      case StraceDecode::Unknown:
        ++src.stats_.unknown_syscalls;
        if (is_read_family_name(name)) saw_read_family = true;
        return;
      case StraceDecode::NoEvent:
        return;
      case StraceDecode::Malformed:
        error(fr.name, end_line, raw, name + ": " + why);
        return;
      case StraceDecode::Event:
        break;
    }
    if (is_write_family(ev.syscall)) saw_write_family = true;
    if (call.ret_kind == StraceRetKind::Unknown) {
      ++src.stats_.unreturned_calls;
      return;
    }
    // A ring is entered for every batch: io_uring_enter can be most of a
    // log. What the engine learns from it (this process uses io_uring) the
    // first one tells.
    if (syscall_op(ev.syscall) == SyscallOp::AsyncIo &&
        !fr.async_seen[pid].emplace(ev.syscall, ev.failed()).second) {
      ++src.stats_.repeated_async_calls;
      return;
    }
    Rec r;
    // A Fork goes where the clone started: its child may print lines before
    // the parent's "<... clone resumed>", and must not precede its own birth.
    r.key = 2 * (is_fork_name(name) ? start_line : end_line);
    r.absolute_ts = absolute;
    r.raw_pid = pid;
    r.cwd = std::move(cwd);
    ev.ts_ns = ts;
    r.ev = std::move(ev);
    fr.recs.push_back(std::move(r));
  }

  void read_file(std::istream& in, std::string name, int32_t file_pid) {
    FileRecs fr;
    fr.name = std::move(name);
    fr.file_pid = file_pid;
    std::unordered_map<int32_t, Pending> pending;
    std::string raw;
    uint64_t lineno = 0;
    uint64_t rel_ts = 0, last_tod = 0, tod_days = 0;
    bool seen_tod = false;
    StraceLine ln;
    std::string why;
    bool too_long = false;
    while (read_bounded_line(in, raw, StraceSource::kMaxLineBytes, &too_long)) {
      ++lineno;
      ++src.stats_.lines;
      if (too_long) {
        error(fr.name, lineno, raw, "longer than 1 MiB");
        refusal = "cannot replay strace log " + fr.name + ": line " + std::to_string(lineno) +
                  " is longer than 1 MiB, the limit; this is not strace output (strace prints at most -s N bytes "
                  "of each string)";
        break;
      }
      if (!parse_strace_line(raw, &ln, &why)) {
        error(fr.name, lineno, raw, why);
        continue;
      }
      if (ln.kind == StraceLineKind::Info && ln.name.empty() && ln.pid == 0 && ln.time_kind == StraceTimeKind::None)
        continue;  // blank or "strace:" message
      uint64_t ts = lineno * 1000;
      bool absolute = false;
      // ts_ns is a wall clock only if every line has -ttt's epoch stamp.
      if (ln.time_kind == StraceTimeKind::Epoch) src.epoch_times_ = src.epoch_times_ || !src.mixed_times_;
      else src.mixed_times_ = true, src.epoch_times_ = false;
      switch (ln.time_kind) {
        case StraceTimeKind::None: break;
        case StraceTimeKind::TimeOfDay:
          // Past midnight the time of day restarts: keep it increasing.
          if (seen_tod && ln.time_ns + kNsPerDay / 2 < last_tod) ++tod_days;
          last_tod = ln.time_ns;
          seen_tod = true;
          ts = ln.time_ns + tod_days * kNsPerDay;
          absolute = true;
          break;
        case StraceTimeKind::Epoch:
          ts = ln.time_ns;
          absolute = true;
          break;
        case StraceTimeKind::Relative:
          rel_ts += ln.time_ns;
          ts = rel_ts;
          break;
      }
      int32_t pid = ln.pid ? ln.pid : file_pid;
      switch (ln.kind) {
        case StraceLineKind::Info:
          break;
        case StraceLineKind::Signal:
          ++src.stats_.signals;
          break;
        case StraceLineKind::Call:
          complete_call(fr, ln.name, ln.text, ts, absolute, pid, lineno, lineno, raw);
          break;
        case StraceLineKind::Unfinished: {
          auto [it, fresh] = pending.try_emplace(pid);
          if (!fresh) ++src.stats_.unreturned_calls;  // a start never resumed
          it->second = Pending{ln.name, ln.text, ts, lineno, absolute};
          break;
        }
        case StraceLineKind::Resumed: {
          auto it = pending.find(pid);
          if (it == pending.end() && (ln.name == "execve" || ln.name == "execveat")) {
            // A non-leader thread's execve resumes under the leader's pid
            // (the kernel gives the exec'ing thread the tgid).
            for (auto p = pending.begin(); p != pending.end(); ++p)
              if (p->second.name == ln.name) {
                it = p;
                break;
              }
          }
          if (it == pending.end() || it->second.name != ln.name) {
            error(fr.name, lineno, raw, "\"<... " + ln.name + " resumed>\" without its \"<unfinished ...>\" start");
            break;
          }
          Pending p = std::move(it->second);
          pending.erase(it);
          std::string joined = p.text + ln.text;
          complete_call(fr, p.name, joined, p.ts, p.absolute_ts, pid, p.line, lineno, raw);
          break;
        }
        case StraceLineKind::Exited:
        case StraceLineKind::Killed: {
          // A thread killed mid-call leaves its start pending: it never returns.
          if (auto it = pending.find(pid); it != pending.end()) {
            if (it->second.name != "exit_group" && it->second.name != "exit") ++src.stats_.unreturned_calls;
            pending.erase(it);
          }
          fr.async_seen.erase(pid);  // its tid may be reused
          Rec r;
          r.key = 2 * lineno;
          r.absolute_ts = absolute;
          r.raw_pid = pid;
          r.ev.syscall = Syscall::Exit;
          r.ev.ts_ns = ts;
          r.ev.exit_code = ln.kind == StraceLineKind::Exited ? (ln.exit_status << 8) : ln.signal;
          fr.recs.push_back(std::move(r));
          break;
        }
      }
      if (ln.kind == StraceLineKind::Call || ln.kind == StraceLineKind::Unfinished ||
          ln.kind == StraceLineKind::Resumed || ln.kind == StraceLineKind::Exited ||
          ln.kind == StraceLineKind::Killed) {
        if (!absolute) fr.all_absolute = false;
        fr.any_event = true;
      }
    }
    for (const auto& [pid, p] : pending) {
      // Still inside a call when the log ended. exit/exit_group never return.
      if (p.name == "exit_group" || p.name == "exit") continue;
      // A write-family start still counts as a write call being present.
      Event probe;
      StraceCall none;
      if (decode_strace_call(p.name, none, &probe, nullptr) != StraceDecode::Unknown && is_write_family(probe.syscall))
        saw_write_family = true;
      ++src.stats_.unreturned_calls;
    }
    std::stable_sort(fr.recs.begin(), fr.recs.end(), [](const Rec& a, const Rec& b) { return a.key < b.key; });
    files.push_back(std::move(fr));
  }

  // Orders all records into one stream.
  std::vector<Rec> merge() {
    if (files.size() == 1) return std::move(files[0].recs);
    std::vector<Rec> out;
    std::map<int32_t, size_t> by_pid;
    for (size_t i = 0; i < files.size(); ++i) by_pid[files[i].file_pid] = i;
    std::set<int32_t> children;
    for (const auto& f : files)
      for (const auto& r : f.recs)
        if (r.ev.syscall == Syscall::Fork) children.insert(r.ev.child_tid);
    std::vector<bool> done(files.size(), false);
    // Splice each child's file in after the Fork that created it.
    auto emit = [&](auto&& self, size_t fi) -> void {
      done[fi] = true;
      for (auto& r : files[fi].recs) {
        bool fork = r.ev.syscall == Syscall::Fork;
        int32_t child = r.ev.child_tid;
        out.push_back(std::move(r));
        if (fork) {
          auto it = by_pid.find(child);
          if (it != by_pid.end() && !done[it->second]) self(self, it->second);
        }
      }
    };
    for (const auto& [pid, fi] : by_pid)  // roots first: files no Fork names
      if (!done[fi] && !children.count(pid)) {
        if (root_hint == 0 && !files[fi].recs.empty()) root_hint = pid;
        emit(emit, fi);
      }
    for (const auto& [pid, fi] : by_pid)
      if (!done[fi]) emit(emit, fi);
    bool all_absolute = std::all_of(files.begin(), files.end(),
                                     [](const FileRecs& f) { return f.all_absolute || !f.any_event; });
    if (all_absolute) {
      std::stable_sort(out.begin(), out.end(), [](const Rec& a, const Rec& b) { return a.ev.ts_ns < b.ev.ts_ns; });
    } else {
      for (size_t i = 0; i < out.size(); ++i) out[i].ev.ts_ns = (i + 1) * 1000;
    }
    return out;
  }

  // Pids, comm, Fork children; then the synthetic writes of filtered logs.
  void finish() {
    std::vector<Rec> recs = merge();
    // The traced process: the first pid that no clone created.
    std::set<int32_t> children;
    for (const auto& r : recs)
      if (r.ev.syscall == Syscall::Fork) children.insert(r.ev.child_tid);
    int32_t root = root_hint;
    if (root == 0) {
      for (const auto& r : recs)
        if (r.raw_pid != 0 && !children.count(r.raw_pid)) {
          root = r.raw_pid;
          break;
        }
    }
    if (root == 0) {
      for (const auto& r : recs)
        if (r.raw_pid != 0) {
          root = r.raw_pid;
          break;
        }
    }
    if (root == 0) root = kPidWhenUnknown;

    std::unordered_map<int32_t, int32_t> tgid_of{{root, root}};
    std::unordered_map<int32_t, std::string> comm_of;
    auto tgid = [&](int32_t tid) {
      auto [it, fresh] = tgid_of.try_emplace(tid, root);  // unknown tid: a thread of the traced process
      return it->second;
    };
    auto comm = [&](int32_t pid) {
      auto it = comm_of.find(pid);
      return it == comm_of.end() ? std::string("?") : it->second;
    };

    // The traced process's cwd at its start: the first AT_FDCWD decoration
    // it printed, unless it changed directory before that.
    for (const auto& r : recs) {
      int32_t tid = r.raw_pid ? r.raw_pid : root;
      if (tid != root) continue;
      if (r.ev.syscall == Syscall::Chdir || r.ev.syscall == Syscall::Fchdir) break;
      if (!r.cwd.empty()) {
        src.initial_cwd_ = r.cwd;
        break;
      }
    }

    auto& out = src.events_;
    out.reserve(recs.size());
    for (auto& r : recs) {
      Event& ev = r.ev;
      ev.tid = r.raw_pid ? r.raw_pid : root;
      ev.pid = tgid(ev.tid);
      switch (ev.syscall) {
        case Syscall::Fork:
          ev.child_pid = ev.is_thread ? ev.pid : ev.child_tid;
          tgid_of[ev.child_tid] = ev.child_pid;
          if (!ev.is_thread) {
            if (auto it = comm_of.find(ev.pid); it != comm_of.end()) comm_of[ev.child_pid] = it->second;
          }
          break;
        case Syscall::Exec:
          comm_of[ev.pid] = basename_of(ev.path).substr(0, 15);  // TASK_COMM_LEN - 1, as the kernel does
          break;
        case Syscall::Exit:
          ev.group_dead = ev.tid == ev.pid;
          break;
        default:
          break;
      }
      ev.comm = comm(ev.pid);
      bool synth = !saw_write_family && !saw_read_family && opens_for_write(ev);
      out.push_back(std::move(ev));
      if (synth) {
        const Event& open = out.back();
        Event w;
        w.syscall = Syscall::Write;
        w.ts_ns = open.ts_ns;
        w.pid = open.pid;
        w.tid = open.tid;
        w.comm = open.comm;
        w.fd = static_cast<int32_t>(open.ret);
        w.ret = 0;
        w.bytes = 0;
        out.push_back(std::move(w));
        ++src.stats_.assumed_writes;
      }
    }
    src.stats_.events = out.size();
    src.files_ = files.size();
  }
};

std::unique_ptr<StraceSource> StraceSource::from_string(std::string_view text, const std::string& name) {
  std::unique_ptr<StraceSource> s(new StraceSource());
  Builder b(*s);
  std::istringstream in{std::string(text)};
  b.read_file(in, name, 0);
  b.finish();
  return s;
}

std::unique_ptr<StraceSource> StraceSource::from_ff_strings(const std::vector<std::pair<int32_t, std::string>>& files,
                                                            const std::string& prefix) {
  std::unique_ptr<StraceSource> s(new StraceSource());
  Builder b(*s);
  for (const auto& [pid, text] : files) {
    std::istringstream in{text};
    b.read_file(in, prefix + "." + std::to_string(pid), pid);
  }
  b.finish();
  return s;
}

std::unique_ptr<StraceSource> StraceSource::open(const std::string& path, std::string* error) {
  std::unique_ptr<StraceSource> s(new StraceSource());
  Builder b(*s);
  auto refused = [](const Builder& b, std::string* error) {
    if (b.refusal.empty()) return false;
    if (error) *error = b.refusal;
    return true;
  };
  if (path == "-") {
    b.read_file(std::cin, "-", 0);
    if (refused(b, error)) return nullptr;
    b.finish();
    return s;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      if (error) *error = path + " is a directory, not an strace log";
      return nullptr;
    }
    std::ifstream in(path);
    if (!in) {
      if (error) *error = "cannot read strace log " + path + ": " + strerror(errno);
      return nullptr;
    }
    b.read_file(in, path, 0);
    if (refused(b, error)) return nullptr;
    b.finish();
    return s;
  }
  int saved = errno;
  // strace -ff -o PREFIX writes PREFIX.PID per process.
  std::string dir = ".", base = path;
  if (size_t slash = path.find_last_of('/'); slash != std::string::npos) {
    dir = slash == 0 ? "/" : path.substr(0, slash);
    base = path.substr(slash + 1);
  }
  std::vector<std::pair<int32_t, std::string>> parts;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string_view n = e->d_name;
      if (n.size() <= base.size() + 1 || n.substr(0, base.size()) != base || n[base.size()] != '.') continue;
      std::string_view suffix = n.substr(base.size() + 1);
      if (suffix.size() > 9 || suffix.find_first_not_of("0123456789") != std::string_view::npos) continue;
      parts.emplace_back(std::stoi(std::string(suffix)), (dir == "/" ? "" : dir) + "/" + std::string(n));
    }
    ::closedir(d);
  }
  if (parts.empty()) {
    if (error)
      *error = "cannot read strace log " + path + ": " + strerror(saved) +
               " (nor are there " + path + ".PID files from strace -ff)";
    return nullptr;
  }
  std::sort(parts.begin(), parts.end());
  for (const auto& [pid, file] : parts) {
    std::ifstream in(file);
    if (!in) {
      if (error) *error = "cannot read strace log " + file + ": " + strerror(errno);
      return nullptr;
    }
    b.read_file(in, file, pid);
    if (refused(b, error)) return nullptr;
  }
  b.finish();
  return s;
}

bool StraceSource::poll(const Sink& sink, int /*timeout_ms*/) {
  // Everything is in memory: deliver in batches so a caller can interleave
  // other work (signals, metrics) on long logs.
  constexpr size_t kBatch = 4096;
  if (exhausted_) return false;
  size_t end = std::min(events_.size(), next_ + kBatch);
  for (; next_ < end; ++next_) {
    Event ev = std::move(events_[next_]);
    ev.seq = next_ + 1;
    sink(std::move(ev));
  }
  if (next_ < events_.size()) return true;
  exhausted_ = true;
  events_.clear();
  events_.shrink_to_fit();
  return false;
}

LossCounters StraceSource::losses() const {
  LossCounters c;
  if (stats_.unparsed_lines) c["strace_unparsed_lines"] = stats_.unparsed_lines;
  if (stats_.unreturned_calls) c["strace_unreturned_calls"] = stats_.unreturned_calls;
  return c;
}

}  // namespace duraudit
