// SPDX-License-Identifier: GPL-2.0-only
#include "strace/strace_args.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cctype>
#include <unordered_map>

namespace duraudit {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_ident(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Past a "..." string starting at text[i] == '"', including a `...` marker.
size_t skip_string(std::string_view text, size_t i) {
  ++i;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\\') {
      i += 2;
      continue;
    }
    ++i;
    if (c == '"') break;
  }
  if (i > text.size()) i = text.size();
  if (text.substr(i, 3) == "...") i += 3;
  return i;
}

// Past a -y decoration "<...>" starting at text[i] == '<'. Nested <> count
// (-yy prints "</dev/null<char 1:3>>"), [] hides '>' (TCP "a->b"), and
// backslash escapes a character.
size_t skip_decoration(std::string_view text, size_t i) {
  int angle = 0, square = 0;
  while (i < text.size()) {
    char c = text[i++];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c == '[') ++square;
    else if (c == ']' && square > 0) --square;
    else if (square == 0 && c == '<') ++angle;
    else if (square == 0 && c == '>' && --angle == 0) break;
  }
  return i > text.size() ? text.size() : i;
}

}  // namespace

size_t strace_skip_value(std::string_view text, size_t i) {
  if (i >= text.size()) return text.size();
  char c = text[i];
  if (c == '"') return skip_string(text, i);
  if (c == '/' && text.substr(i, 2) == "/*") {
    size_t end = text.find("*/", i + 2);
    return end == std::string_view::npos ? text.size() : end + 2;
  }
  if (c == '<' && i > 0 && (is_ident(text[i - 1]) || text[i - 1] == ']')) return skip_decoration(text, i);
  if (c == '(' || c == '[' || c == '{') {
    // A group: scan to its matching close, skipping nested values.
    int depth = 0;
    while (i < text.size()) {
      char d = text[i];
      if (d == '(' || d == '[' || d == '{') {
        ++depth;
        ++i;
      } else if (d == ')' || d == ']' || d == '}') {
        ++i;
        if (--depth == 0) return i;
      } else {
        i = strace_skip_value(text, i);
      }
    }
    return text.size();
  }
  return i + 1;
}

std::vector<std::string> strace_split_top_level(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0, i = 0;
  while (i < text.size()) {
    if (text[i] == ',') {
      out.emplace_back(trim(text.substr(start, i - start)));
      start = ++i;
      continue;
    }
    i = strace_skip_value(text, i);
  }
  std::string_view last = trim(text.substr(start));
  if (!last.empty() || !out.empty()) out.emplace_back(last);
  return out;
}

std::string strace_unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\' || i + 1 >= s.size()) {
      out += c;
      continue;
    }
    char e = s[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'v': out += '\v'; break;
      case 'f': out += '\f'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'e': out += '\x1b'; break;
      case 'x': {
        unsigned v = 0;
        int n = 0;
        while (n < 2 && i + 1 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1]))) {
          char h = s[++i];
          v = v * 16 + (std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
          ++n;
        }
        if (n == 0) out += 'x';
        else out += static_cast<char>(v);
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          unsigned v = e - '0';
          int n = 1;
          while (n < 3 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7') {
            v = v * 8 + (s[++i] - '0');
            ++n;
          }
          out += static_cast<char>(v & 0xff);
        } else {
          out += e;  // \" \\ and anything strace escapes literally
        }
    }
  }
  return out;
}

std::optional<std::string> strace_string(std::string_view arg, bool* truncated) {
  arg = trim(arg);
  if (arg.empty() || arg.front() != '"') return std::nullopt;
  size_t end = skip_string(arg, 0);
  bool trunc = false;
  std::string_view body = arg.substr(1, end - 1);
  if (body.size() >= 3 && body.substr(body.size() - 3) == "...") {
    trunc = true;
    body.remove_suffix(3);
  }
  if (!body.empty() && body.back() == '"') body.remove_suffix(1);
  if (truncated) *truncated = trunc;
  return strace_unescape(body);
}

std::string_view strace_strip_decoration(std::string_view arg) {
  arg = trim(arg);
  // Comments: "0x7ffd /* 41 vars */"
  size_t c = arg.find("/*");
  if (c != std::string_view::npos && (arg.empty() || arg.front() != '"')) arg = trim(arg.substr(0, c));
  // Decoration: first '<' after an identifier character.
  for (size_t i = 1; i < arg.size(); ++i) {
    if (arg[i] == '<' && is_ident(arg[i - 1])) return trim(arg.substr(0, i));
    if (arg[i] == '"') break;
  }
  return arg;
}

std::optional<std::string> strace_decoration_path(std::string_view arg) {
  arg = trim(arg);
  if (arg.empty() || arg.front() == '"') return std::nullopt;
  size_t open = std::string_view::npos;
  for (size_t i = 1; i < arg.size(); ++i)
    if (arg[i] == '<' && is_ident(arg[i - 1])) {
      open = i;
      break;
    }
  if (open == std::string_view::npos || open + 1 >= arg.size() || arg[open + 1] != '/') return std::nullopt;
  size_t end = skip_decoration(arg, open);  // just past the matching '>'
  if (end <= open + 1 || arg[end - 1] != '>') return std::nullopt;
  std::string_view body = arg.substr(open + 1, end - open - 2);
  // -yy device details: "/dev/null<char 1:3>"; an unescaped '<' starts them.
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\\') {
      ++i;
      continue;
    }
    if (body[i] == '<') {
      body = body.substr(0, i);
      break;
    }
  }
  std::string path = strace_unescape(body);
  constexpr std::string_view kDeleted = " (deleted)";
  if (path.size() >= kDeleted.size() && path.compare(path.size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0)
    return std::nullopt;
  return path;
}

namespace {

std::optional<int64_t> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  if (s.front() == '-') {
    neg = true;
    s.remove_prefix(1);
  }
  bool complement = false;
  if (!s.empty() && s.front() == '~') {
    complement = true;
    s.remove_prefix(1);
  }
  // Type suffixes: ~0U, 1UL, 0LL
  while (!s.empty() && (s.back() == 'U' || s.back() == 'L' || s.back() == 'u' || s.back() == 'l')) s.remove_suffix(1);
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s.front()))) return std::nullopt;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return std::nullopt;
    if (d >= base) return std::nullopt;
    v = v * base + d;  // wraps on overflow, harmlessly
  }
  if (complement) {
    // ~0U is a 32-bit all-ones; ~0UL 64-bit. Without the suffix we cannot
    // tell; strace uses ~0U for unsigned int arguments (close_range).
    v = ~v & 0xffffffffull;
  }
  int64_t r = static_cast<int64_t>(v);
  return neg ? -r : r;
}

const std::unordered_map<std::string_view, int64_t>& constants() {
#define K(x) {#x, static_cast<int64_t>(x)}
  static const std::unordered_map<std::string_view, int64_t> table = [] {
    std::unordered_map<std::string_view, int64_t> t = {
        // open(2)
        K(O_RDONLY), K(O_WRONLY), K(O_RDWR), K(O_CREAT), K(O_EXCL), K(O_NOCTTY), K(O_TRUNC), K(O_APPEND),
        K(O_NONBLOCK), K(O_NDELAY), K(O_DSYNC), K(O_SYNC), K(O_RSYNC), K(O_DIRECT), K(O_DIRECTORY), K(O_NOFOLLOW),
        K(O_NOATIME), K(O_CLOEXEC), K(O_PATH), K(O_TMPFILE), K(O_ASYNC), K(FASYNC),
        // glibc defines O_LARGEFILE as 0 on 64-bit; strace prints the kernel's bit.
        {"O_LARGEFILE", 0100000},
        // *at(2)
        K(AT_FDCWD), K(AT_SYMLINK_NOFOLLOW), K(AT_REMOVEDIR), K(AT_SYMLINK_FOLLOW), K(AT_NO_AUTOMOUNT),
        K(AT_EMPTY_PATH), K(AT_EACCESS),
        // renameat2(2)
        K(RENAME_NOREPLACE), K(RENAME_EXCHANGE), K(RENAME_WHITEOUT),
        // fcntl(2)
        K(F_DUPFD), K(F_GETFD), K(F_SETFD), K(F_GETFL), K(F_SETFL), K(F_GETLK), K(F_SETLK), K(F_SETLKW),
        K(F_SETOWN), K(F_GETOWN), K(F_SETSIG), K(F_GETSIG), K(F_SETLEASE), K(F_GETLEASE), K(F_NOTIFY),
        K(F_DUPFD_CLOEXEC), K(F_SETPIPE_SZ), K(F_GETPIPE_SZ), K(F_ADD_SEALS), K(F_GET_SEALS), K(F_OFD_GETLK),
        K(F_OFD_SETLK), K(F_OFD_SETLKW), K(FD_CLOEXEC),
        // clone(2)
        K(CLONE_VM), K(CLONE_FS), K(CLONE_FILES), K(CLONE_SIGHAND), K(CLONE_PIDFD), K(CLONE_PTRACE),
        K(CLONE_VFORK), K(CLONE_PARENT), K(CLONE_THREAD), K(CLONE_NEWNS), K(CLONE_SYSVSEM), K(CLONE_SETTLS),
        K(CLONE_PARENT_SETTID), K(CLONE_CHILD_CLEARTID), K(CLONE_DETACHED), K(CLONE_UNTRACED),
        K(CLONE_CHILD_SETTID), K(CLONE_NEWCGROUP), K(CLONE_NEWUTS), K(CLONE_NEWIPC), K(CLONE_NEWUSER),
        K(CLONE_NEWPID), K(CLONE_NEWNET), K(CLONE_IO), K(CLONE_NEWTIME),
        {"CLONE_CLEAR_SIGHAND", 0x100000000LL}, {"CLONE_INTO_CGROUP", 0x200000000LL},
        // msync(2), sync_file_range(2), fallocate(2), pwritev2(2), close_range(2)
        K(MS_ASYNC), K(MS_INVALIDATE), K(MS_SYNC), K(SYNC_FILE_RANGE_WAIT_BEFORE), K(SYNC_FILE_RANGE_WRITE),
        K(SYNC_FILE_RANGE_WAIT_AFTER), K(FALLOC_FL_KEEP_SIZE), K(FALLOC_FL_PUNCH_HOLE), K(FALLOC_FL_NO_HIDE_STALE),
        K(FALLOC_FL_COLLAPSE_RANGE), K(FALLOC_FL_ZERO_RANGE), K(FALLOC_FL_INSERT_RANGE), K(FALLOC_FL_UNSHARE_RANGE),
        K(RWF_HIPRI), K(RWF_DSYNC), K(RWF_SYNC), K(RWF_NOWAIT), K(RWF_APPEND), K(CLOSE_RANGE_UNSHARE),
        K(CLOSE_RANGE_CLOEXEC),
        // mmap(2), mremap(2): a shared writable file mapping is a handle on the file
        K(PROT_NONE), K(PROT_READ), K(PROT_WRITE), K(PROT_EXEC), K(MAP_SHARED), K(MAP_PRIVATE),
        K(MAP_SHARED_VALIDATE), K(MAP_FIXED), K(MAP_ANONYMOUS), {"MAP_ANON", MAP_ANONYMOUS}, K(MAP_DENYWRITE),
        K(MAP_EXECUTABLE), K(MAP_NORESERVE), K(MAP_POPULATE), K(MAP_NONBLOCK), K(MAP_STACK), K(MAP_HUGETLB),
        K(MAP_GROWSDOWN), K(MAP_LOCKED), K(MAP_SYNC), K(MAP_FIXED_NOREPLACE), K(MREMAP_MAYMOVE), K(MREMAP_FIXED),
        {"MREMAP_DONTUNMAP", 4},
        // mknod(2) file types
        K(S_IFIFO), K(S_IFSOCK), K(S_IFCHR), K(S_IFBLK), K(S_IFREG), K(S_IFDIR),
        // misc pointers strace spells out
        {"NULL", 0},
    };
    return t;
  }();
#undef K
  return table;
}

}  // namespace

int signal_from_name_impl(std::string_view name) {
  static const std::unordered_map<std::string, int> table = [] {
    std::unordered_map<std::string, int> t;
    for (int s = 1; s < NSIG; ++s) {
      const char* abbrev = sigabbrev_np(s);
      if (abbrev) t.emplace(std::string("SIG") + abbrev, s);
    }
    t.emplace("SIGIOT", SIGABRT);
    t.emplace("SIGPOLL", SIGIO);
    t.emplace("SIGRTMIN", SIGRTMIN);
    return t;
  }();
  auto it = table.find(std::string(name));
  return it == table.end() ? 0 : it->second;
}

std::optional<int64_t> strace_constant(std::string_view name) {
  const auto& t = constants();
  auto it = t.find(name);
  if (it != t.end()) return it->second;
  if (name.size() > 3 && name.substr(0, 3) == "SIG") {
    int s = signal_from_name_impl(name);
    if (s) return s;
  }
  return std::nullopt;
}

namespace {

// Evaluates "A|B|0x40" (or a lone number/constant). `known` counts the parts
// that were understood.
uint64_t eval_or(std::string_view s, int* known, int* parts) {
  uint64_t v = 0;
  *known = *parts = 0;
  size_t start = 0;
  while (start <= s.size()) {
    size_t bar = s.find('|', start);
    std::string_view part = trim(s.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (!part.empty()) {
      ++*parts;
      if (auto n = parse_number(part)) {
        v |= static_cast<uint64_t>(*n);
        ++*known;
      } else if (auto k = strace_constant(part)) {
        v |= static_cast<uint64_t>(*k);
        ++*known;
      }
    }
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return v;
}

}  // namespace

std::optional<int64_t> strace_int(std::string_view arg) {
  std::string_view s = strace_strip_decoration(arg);
  if (s.empty()) return std::nullopt;
  if (auto n = parse_number(s)) return n;
  if (auto k = strace_constant(s)) return k;
  int known = 0, parts = 0;
  uint64_t v = eval_or(s, &known, &parts);
  if (known == 0) return std::nullopt;
  return static_cast<int64_t>(v);
}

uint64_t strace_flags(std::string_view arg) {
  std::string_view s = strace_strip_decoration(arg);
  int known = 0, parts = 0;
  return eval_or(s, &known, &parts);
}

std::optional<std::string> strace_named_arg(const std::vector<std::string>& args, std::string_view name) {
  for (const auto& a : args) {
    std::string_view v = a;
    if (v.size() > name.size() && v.substr(0, name.size()) == name && v[name.size()] == '=')
      return std::string(trim(v.substr(name.size() + 1)));
  }
  return std::nullopt;
}

std::optional<std::string> strace_field(std::string_view arg, std::string_view name) {
  arg = trim(arg);
  if (!arg.empty() && arg.front() == '{') {
    size_t end = strace_skip_value(arg, 0);
    std::string_view inner = arg.substr(1, end >= 2 ? end - 2 : 0);
    return strace_named_arg(strace_split_top_level(inner), name);
  }
  return strace_named_arg({std::string(arg)}, name);
}

}  // namespace duraudit
