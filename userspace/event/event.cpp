#include "event/event.h"

#include <fcntl.h>
#include <sys/sysmacros.h>

#include <array>
#include <utility>

namespace duraudit {

namespace {
constexpr std::array<std::pair<Syscall, std::string_view>, static_cast<size_t>(Syscall::Count_)> kNames = {{
    {Syscall::Unknown, "unknown"},
    {Syscall::Open, "open"}, {Syscall::Openat, "openat"}, {Syscall::Openat2, "openat2"}, {Syscall::Creat, "creat"},
    {Syscall::Close, "close"}, {Syscall::CloseRange, "close_range"}, {Syscall::Dup, "dup"}, {Syscall::Dup2, "dup2"},
    {Syscall::Dup3, "dup3"}, {Syscall::Fcntl, "fcntl"},
    {Syscall::Write, "write"}, {Syscall::Pwrite64, "pwrite64"}, {Syscall::Writev, "writev"},
    {Syscall::Pwritev, "pwritev"}, {Syscall::Pwritev2, "pwritev2"}, {Syscall::Ftruncate, "ftruncate"},
    {Syscall::Truncate, "truncate"}, {Syscall::Fallocate, "fallocate"}, {Syscall::CopyFileRange, "copy_file_range"},
    {Syscall::Sendfile, "sendfile"},
    {Syscall::Fsync, "fsync"}, {Syscall::Fdatasync, "fdatasync"}, {Syscall::Sync, "sync"}, {Syscall::Syncfs, "syncfs"},
    {Syscall::SyncFileRange, "sync_file_range"}, {Syscall::Msync, "msync"},
    {Syscall::Rename, "rename"}, {Syscall::Renameat, "renameat"}, {Syscall::Renameat2, "renameat2"},
    {Syscall::Link, "link"}, {Syscall::Linkat, "linkat"}, {Syscall::Symlink, "symlink"},
    {Syscall::Symlinkat, "symlinkat"}, {Syscall::Unlink, "unlink"}, {Syscall::Unlinkat, "unlinkat"},
    {Syscall::Mkdir, "mkdir"}, {Syscall::Mkdirat, "mkdirat"}, {Syscall::Rmdir, "rmdir"},
    {Syscall::Chdir, "chdir"}, {Syscall::Fchdir, "fchdir"},
    {Syscall::Fork, "fork"}, {Syscall::Exec, "exec"}, {Syscall::Exit, "exit"},
    {Syscall::ImplicitClose, "implicit-close"},
}};

constexpr bool names_in_order() {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (static_cast<size_t>(kNames[i].first) != i) return false;
  return true;
}
static_assert(names_in_order(), "kNames must list every Syscall in enum order");
}  // namespace

std::string_view syscall_name(Syscall s) {
  auto i = static_cast<size_t>(s);
  return i < kNames.size() ? kNames[i].second : "unknown";
}

Syscall syscall_from_name(std::string_view name) {
  for (const auto& [s, n] : kNames)
    if (n == name) return s;
  // strace spells some differently
  if (name == "pwrite") return Syscall::Pwrite64;
  if (name == "clone" || name == "clone3" || name == "vfork") return Syscall::Fork;
  if (name == "execve" || name == "execveat") return Syscall::Exec;
  if (name == "exit_group") return Syscall::Exit;
  if (name == "sendfile64") return Syscall::Sendfile;
  if (name == "fstatfs") return Syscall::Unknown;
  return Syscall::Unknown;
}

DevT kernel_dev_from_user(uint64_t st_dev) {
  return (static_cast<DevT>(major(st_dev)) << 20) | minor(st_dev);
}

std::string open_flags_string(uint64_t flags) {
  std::string out;
  switch (flags & O_ACCMODE) {
    case O_RDONLY: out = "O_RDONLY"; break;
    case O_WRONLY: out = "O_WRONLY"; break;
    case O_RDWR: out = "O_RDWR"; break;
    default: out = "O_ACCMODE"; break;
  }
  static constexpr std::pair<uint64_t, std::string_view> kBits[] = {
      {O_CREAT, "O_CREAT"},     {O_EXCL, "O_EXCL"},         {O_NOCTTY, "O_NOCTTY"},
      {O_TRUNC, "O_TRUNC"},     {O_APPEND, "O_APPEND"},     {O_NONBLOCK, "O_NONBLOCK"},
      {O_DIRECT, "O_DIRECT"},   {O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"},
      {O_NOATIME, "O_NOATIME"}, {O_CLOEXEC, "O_CLOEXEC"},   {O_PATH, "O_PATH"},
  };
  uint64_t rest = flags & ~static_cast<uint64_t>(O_ACCMODE);
  // O_TMPFILE includes O_DIRECTORY; O_SYNC includes O_DSYNC: test the wide ones first.
  if ((rest & O_TMPFILE) == static_cast<uint64_t>(O_TMPFILE)) { out += "|O_TMPFILE"; rest &= ~static_cast<uint64_t>(O_TMPFILE); }
  if ((rest & O_SYNC) == static_cast<uint64_t>(O_SYNC)) { out += "|O_SYNC"; rest &= ~static_cast<uint64_t>(O_SYNC); }
  else if (rest & O_DSYNC) { out += "|O_DSYNC"; rest &= ~static_cast<uint64_t>(O_DSYNC); }
  for (const auto& [bit, name] : kBits) {
    if (rest & bit) {
      out += '|';
      out += name;
      rest &= ~bit;
    }
  }
  rest &= ~static_cast<uint64_t>(0100000);  // O_LARGEFILE: noise on 64-bit
  if (rest) {
    char buf[32];
    snprintf(buf, sizeof buf, "|0%llo", static_cast<unsigned long long>(rest));
    out += buf;
  }
  return out;
}

}  // namespace duraudit
