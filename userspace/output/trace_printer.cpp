// SPDX-License-Identifier: GPL-2.0-only
#include "output/trace_printer.h"

#include <string.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include "config/filesystem_names.h"
#include "event/event_format.h"
#include "output/json_line.h"
#include "util/text_escape.h"

namespace duraudit {

namespace {

std::string errno_name(int64_t ret) {
  const char* n = strerrorname_np(static_cast<int>(-ret));
  return n ? n : std::to_string(-ret);
}

std::string dev_string(DevT dev) {
  if (dev == FileId::kSyntheticDev) return "synthetic";
  return fmt::format("{}:{}", dev >> 20, dev & 0xfffff);
}

std::string file_type(uint32_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return "file";
    case S_IFDIR: return "dir";
    case S_IFLNK: return "symlink";
    case S_IFIFO: return "fifo";
    case S_IFSOCK: return "socket";
    case S_IFCHR: return "chardev";
    case S_IFBLK: return "blockdev";
    default: return "";
  }
}

bool is_open(Syscall s) { return is_open_syscall(s); }

}  // namespace

nlohmann::ordered_json event_to_json(const Event& ev, std::optional<int64_t> wall_offset_ns) {
  nlohmann::ordered_json j = json_record("event");
  j["seq"] = ev.seq;
  j["ts_ns"] = ev.ts_ns;
  if (wall_offset_ns) j["time"] = rfc3339_utc(static_cast<int64_t>(ev.ts_ns) + *wall_offset_ns);
  j["pid"] = ev.pid;
  j["tid"] = ev.tid;
  j["comm"] = ev.comm;
  j["syscall"] = syscall_name(ev.syscall);
  if (!ev.abs_path.empty()) j["path"] = ev.abs_path;
  else if (!ev.file.path.empty()) j["path"] = ev.file.path;
  if (!ev.abs_path2.empty()) j["new_path"] = ev.abs_path2;
  if (ev.fd >= 0) j["fd"] = ev.fd;
  if (ev.closed_fd >= 0) j["closed_fd"] = ev.closed_fd;
  if (is_open(ev.syscall)) j["flags"] = open_flags_string(ev.flags);
  else if (ev.flags) j["flags"] = ev.flags;
  j["ret"] = ev.ret;
  if (ev.failed()) j["errno"] = errno_name(ev.ret);
  if (ev.file.known()) {
    j["dev"] = dev_string(ev.file.id.dev);
    j["ino"] = ev.file.id.ino;
    if (auto t = file_type(ev.file.mode); !t.empty()) j["file_type"] = t;
    if (ev.file.fs_magic) {
      auto name = fs_name_from_magic(ev.file.fs_magic);
      j["fs"] = name.empty() ? fmt::format("{:#x}", ev.file.fs_magic) : std::string(name);
    }
  }
  if (is_open(ev.syscall)) j["created"] = ev.created;
  if (ev.bytes) j["bytes"] = ev.bytes;
  if (ev.sync_write) j["sync_write"] = true;
  if (ev.syscall == Syscall::Fork) {
    j["child_pid"] = ev.child_pid;
    j["child_tid"] = ev.child_tid;
    j["thread"] = ev.is_thread;
    j["shares_files"] = ev.shares_files;
  }
  if (ev.syscall == Syscall::Exit) {
    j["group_dead"] = ev.group_dead;
    j["exit_code"] = ev.exit_code;
  }
  return j;
}

void TracePrinter::print(const Event& ev) {
  if (format_ == Format::Json) {
    out_ << json_line(event_to_json(ev, clock_.offset_ns())) << '\n';
    return;
  }
  if (first_ts_ == 0) first_ts_ = ev.ts_ns;
  double rel = (ev.ts_ns - first_ts_) / 1e9;
  // comm and paths come from the traced processes: escaped (text_escape.h).
  std::string line = fmt::format("{:10.6f} {}[{}", rel, escape_text(ev.comm), ev.pid);
  if (ev.tid != ev.pid) line += fmt::format("/{}", ev.tid);
  line += fmt::format("] {}({})", syscall_name(ev.syscall), escape_text(format_event_args(ev)));
  if (ev.failed()) line += fmt::format(" = -1 {}", errno_name(ev.ret));
  else line += fmt::format(" = {}", ev.ret);
  if (ev.file.known() && ev.syscall != Syscall::Exit) {
    std::string fs = ev.file.fs_magic ? std::string(fs_name_from_magic(ev.file.fs_magic)) : "";
    line += fmt::format("  <{}{}{} ino {}{}>", fs, fs.empty() ? "" : " ", dev_string(ev.file.id.dev), ev.file.id.ino,
                        ev.created ? " created" : "");
  }
  out_ << line << '\n';
}

}  // namespace duraudit
