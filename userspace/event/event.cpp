// SPDX-License-Identifier: GPL-2.0-only
#include "event/event.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>

#include <utility>

namespace duraudit {

namespace {

// Whether `name` is one of the space-separated words of `aliases`.
constexpr bool is_alias(std::string_view aliases, std::string_view name) {
  while (!aliases.empty()) {
    size_t sp = aliases.find(' ');
    if (aliases.substr(0, sp) == name) return true;
    if (sp == std::string_view::npos) break;
    aliases.remove_prefix(sp + 1);
  }
  return false;
}

}  // namespace

std::string_view syscall_name(Syscall s) {
  auto i = static_cast<size_t>(s);
  return i < kSyscallCount ? kSyscallTable[i].name : "unknown";
}

Syscall syscall_from_name(std::string_view name) {
  for (const auto& r : kSyscallTable)
    if (r.name == name && !r.has(kScRetired)) return r.syscall;
  // strace (or another architecture) spells some differently
  for (const auto& r : kSyscallTable)
    if (is_alias(r.aliases, name) && !r.has(kScRetired)) return r.syscall;
  return Syscall::Unknown;
}

DevT kernel_dev_from_user(uint64_t st_dev) {
  return (static_cast<DevT>(major(st_dev)) << 20) | minor(st_dev);
}

bool maps_file_shared_writable(const Event& ev) {
  if (ev.syscall != Syscall::Mmap || ev.failed()) return false;
  const uint64_t type = ev.flags & MAP_TYPE;
  return (ev.arg & PROT_WRITE) && (type == MAP_SHARED || type == MAP_SHARED_VALIDATE) &&
         !(ev.flags & MAP_ANONYMOUS) && ev.fd >= 0;
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
