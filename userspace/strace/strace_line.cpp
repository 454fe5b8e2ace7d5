// SPDX-License-Identifier: GPL-2.0-only
#include "strace/strace_line.h"

#include <errno.h>
#include <string.h>

#include <cctype>
#include <unordered_map>

#include "strace/strace_args.h"

namespace duraudit {

int signal_from_name_impl(std::string_view name);  // strace_args.cpp

namespace {

constexpr std::string_view kUnfinished = "<unfinished ...>";

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '?'; }

void skip_spaces(std::string_view s, size_t& i) {
  while (i < s.size() && is_space(s[i])) ++i;
}

std::string_view rtrim(std::string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Parses digits at s[i...]; returns false if none. Caps the value so a
// fuzzer's 400-digit number cannot overflow into nonsense.
bool parse_uint(std::string_view s, size_t& i, uint64_t& v, size_t* ndigits = nullptr) {
  size_t start = i;
  v = 0;
  while (i < s.size() && is_digit(s[i])) {
    if (v < (UINT64_MAX / 10) - 10) v = v * 10 + (s[i] - '0');
    ++i;
  }
  if (ndigits) *ndigits = i - start;
  return i > start;
}

// Fraction digits ".123456" (any precision) to ns.
uint64_t parse_fraction_ns(std::string_view s, size_t& i) {
  uint64_t ns = 0;
  int digits = 0;
  while (i < s.size() && is_digit(s[i])) {
    if (digits < 9) {
      ns = ns * 10 + (s[i] - '0');
      ++digits;
    }
    ++i;
  }
  while (digits < 9) {
    ns *= 10;
    ++digits;
  }
  return ns;
}

// A timestamp at s[i]: -t/-tt "HH:MM:SS[.frac]", -ttt "SECS.frac", -r
// "SECS.frac" (small). Must be followed by a space. Leaves i unchanged and
// returns false if there is none.
bool parse_time(std::string_view s, size_t& i, StraceTimeKind& kind, uint64_t& ns) {
  size_t j = i;
  uint64_t a = 0;
  if (!parse_uint(s, j, a)) return false;
  if (j < s.size() && s[j] == ':') {
    uint64_t m = 0, sec = 0;
    ++j;
    if (!parse_uint(s, j, m) || j >= s.size() || s[j] != ':') return false;
    ++j;
    if (!parse_uint(s, j, sec)) return false;
    uint64_t frac = 0;
    if (j < s.size() && s[j] == '.') {
      ++j;
      frac = parse_fraction_ns(s, j);
    }
    if (j >= s.size() || !is_space(s[j])) return false;
    kind = StraceTimeKind::TimeOfDay;
    ns = ((a * 60 + m) * 60 + sec) * 1000000000ull + frac;
    i = j;
    return true;
  }
  if (j < s.size() && s[j] == '.') {
    ++j;
    if (j >= s.size() || !is_digit(s[j])) return false;
    uint64_t frac = parse_fraction_ns(s, j);
    if (j >= s.size() || !is_space(s[j])) return false;
    // -r deltas are small; -ttt is seconds since the epoch. 1e8 s is ~3 years.
    kind = a >= 100000000ull ? StraceTimeKind::Epoch : StraceTimeKind::Relative;
    ns = a * 1000000000ull + frac;
    i = j;
    return true;
  }
  return false;
}

bool fail(std::string* error, const char* why) {
  if (error) *error = why;
  return false;
}

}  // namespace

bool parse_strace_line(std::string_view line, StraceLine* out, std::string* error) {
  *out = StraceLine{};
  line = rtrim(line);
  size_t i = 0;
  skip_spaces(line, i);
  if (i == line.size()) {
    out->kind = StraceLineKind::Info;
    return true;
  }
  // strace's own messages ("strace: Process 123 attached") when stderr was
  // captured together with the trace.
  if (line.substr(i, 7) == "strace:") {
    out->kind = StraceLineKind::Info;
    return true;
  }

  // ---- pid prefix ----
  if (line.substr(i, 4) == "[pid") {
    i += 4;
    skip_spaces(line, i);
    uint64_t pid = 0;
    if (!parse_uint(line, i, pid) || i >= line.size() || line[i] != ']') return fail(error, "malformed [pid N] prefix");
    out->pid = static_cast<int32_t>(pid);
    ++i;
    skip_spaces(line, i);
  } else if (is_digit(line[i])) {
    // A bare "PID " (strace -f -o FILE) is digits followed by a space; a
    // timestamp has ':' or '.' right after its first digits.
    size_t j = i;
    uint64_t pid = 0;
    parse_uint(line, j, pid);
    if (j < line.size() && is_space(line[j])) {
      out->pid = static_cast<int32_t>(pid);
      i = j;
      skip_spaces(line, i);
    }
  }

  // ---- timestamp ----
  if (i < line.size() && is_digit(line[i])) {
    if (!parse_time(line, i, out->time_kind, out->time_ns)) return fail(error, "unreadable timestamp");
    skip_spaces(line, i);
  }
  if (i >= line.size()) return fail(error, "nothing after the prefix");

  std::string_view body = line.substr(i);

  // ---- -T duration: drop a trailing " <0.000123>" ----
  if (body.back() == '>') {
    size_t lt = body.rfind('<');
    if (lt != std::string_view::npos && lt > 0 && is_space(body[lt - 1])) {
      std::string_view d = body.substr(lt + 1, body.size() - lt - 2);
      bool numeric = !d.empty() && d.find_first_not_of("0123456789.") == std::string_view::npos;
      if (numeric) body = rtrim(body.substr(0, lt));
    }
  }

  // ---- signals and exits ----
  if (body.substr(0, 4) == "--- ") {
    out->kind = StraceLineKind::Signal;
    return true;
  }
  if (body.substr(0, 4) == "+++ ") {
    std::string_view rest = body.substr(4);
    if (rest.substr(0, 12) == "exited with ") {
      size_t j = 12;
      uint64_t code = 0;
      if (!parse_uint(rest, j, code)) return fail(error, "unreadable exit status");
      out->kind = StraceLineKind::Exited;
      out->exit_status = static_cast<int>(code & 0xff);
      return true;
    }
    if (rest.substr(0, 10) == "killed by ") {
      size_t j = 10, k = j;
      while (k < rest.size() && is_name_char(rest[k])) ++k;
      out->kind = StraceLineKind::Killed;
      out->signal = signal_from_name(rest.substr(j, k - j));
      if (out->signal == 0) return fail(error, "unknown signal name in \"killed by\"");
      return true;
    }
    out->kind = StraceLineKind::Info;  // "+++ superseded by execve in pid N +++"
    return true;
  }

  // ---- "<... NAME resumed>rest" ----
  if (body.substr(0, 5) == "<... ") {
    size_t j = 5, k = j;
    while (k < body.size() && is_name_char(body[k])) ++k;
    if (k == j || body.substr(k, 9) != " resumed>") return fail(error, "malformed \"<... resumed>\"");
    out->kind = StraceLineKind::Resumed;
    out->name = std::string(body.substr(j, k - j));
    out->text = std::string(body.substr(k + 9));
    return true;
  }

  // ---- "NAME(args...)" ----
  size_t k = 0;
  while (k < body.size() && is_name_char(body[k])) ++k;
  if (k == 0 || k >= body.size() || body[k] != '(') return fail(error, "not a system call line");
  out->name = std::string(body.substr(0, k));
  std::string_view text = body.substr(k + 1);
  if (ends_with(text, kUnfinished)) {
    out->kind = StraceLineKind::Unfinished;
    out->text = std::string(text.substr(0, text.size() - kUnfinished.size()));
    return true;
  }
  // Killed mid-call: "futex(0x1, FUTEX_WAIT, 0, NULL <unfinished ...>) = ?"
  size_t marker = text.rfind(kUnfinished);
  out->kind = StraceLineKind::Call;
  if (marker != std::string_view::npos) {
    out->text = std::string(text.substr(0, marker)) + std::string(text.substr(marker + kUnfinished.size()));
  } else {
    out->text = std::string(text);
  }
  return true;
}

bool parse_strace_call(std::string_view text, StraceCall* out, std::string* error) {
  *out = StraceCall{};
  // Find the ')' closing the argument list: scan values at depth 0.
  size_t i = 0;
  int depth = 0;
  size_t close = std::string_view::npos;
  while (i < text.size()) {
    char c = text[i];
    if (c == '(' || c == '[' || c == '{') {
      ++depth;
      ++i;
    } else if (c == ')' || c == ']' || c == '}') {
      if (c == ')' && depth == 0) {
        close = i;
        break;
      }
      if (depth > 0) --depth;
      ++i;
    } else {
      i = strace_skip_value(text, i);
    }
  }
  if (close == std::string_view::npos) return fail(error, "argument list not closed");
  out->args = strace_split_top_level(text.substr(0, close));

  size_t j = close + 1;
  skip_spaces(text, j);
  if (j >= text.size() || text[j] != '=') return fail(error, "no \"= result\" after the arguments");
  ++j;
  skip_spaces(text, j);
  if (j >= text.size()) return fail(error, "empty result");
  if (text[j] == '?') {
    out->ret_kind = StraceRetKind::Unknown;
    return true;
  }
  size_t start = j;
  if (text[j] == '-') ++j;
  if (j + 1 < text.size() && text[j] == '0' && (text[j + 1] == 'x' || text[j + 1] == 'X')) {
    j += 2;
    while (j < text.size() && std::isxdigit(static_cast<unsigned char>(text[j]))) ++j;
  } else {
    while (j < text.size() && is_digit(text[j])) ++j;
  }
  auto v = strace_int(text.substr(start, j - start));
  if (!v) return fail(error, "unreadable result");
  out->ret_kind = StraceRetKind::Value;
  out->ret = *v;
  // -y decoration on the result: "= 3</tmp/x>"
  if (j < text.size() && text[j] == '<') j = strace_skip_value(text, j);
  skip_spaces(text, j);
  // errno: "= -1 ENOENT (No such file or directory)"
  size_t e = j;
  while (e < text.size() && (std::isupper(static_cast<unsigned char>(text[e])) || is_digit(text[e]) || text[e] == '_')) ++e;
  if (e > j && out->ret < 0) {
    out->errno_name = std::string(text.substr(j, e - j));
    int en = errno_from_name(out->errno_name);
    out->ret = en ? -en : -EINVAL;  // unknown name: still a failure
  }
  return true;
}

int errno_from_name(std::string_view name) {
  static const std::unordered_map<std::string, int> table = [] {
    std::unordered_map<std::string, int> t;
    for (int e = 1; e < 4096; ++e) {
      const char* n = strerrorname_np(e);
      if (n) t.emplace(n, e);
    }
    // Kernel-internal restart codes strace shows (include/linux/errno.h).
    t.emplace("ERESTARTSYS", 512);
    t.emplace("ERESTARTNOINTR", 513);
    t.emplace("ERESTARTNOHAND", 514);
    t.emplace("ENOIOCTLCMD", 515);
    t.emplace("ERESTART_RESTARTBLOCK", 516);
    t.emplace("EPROBE_DEFER", 517);
    t.emplace("EOPENSTALE", 518);
    t.emplace("ENOPARAM", 519);
    t.emplace("EBADHANDLE", 521);
    t.emplace("ENOTSYNC", 522);
    t.emplace("EBADCOOKIE", 523);
    t.emplace("ENOTSUPP", 524);
    t.emplace("ETOOSMALL", 525);
    t.emplace("ESERVERFAULT", 526);
    t.emplace("EBADTYPE", 527);
    t.emplace("EJUKEBOX", 528);
    t.emplace("EIOCBQUEUED", 529);
    t.emplace("ERECALLCONFLICT", 530);
    return t;
  }();
  auto it = table.find(std::string(name));
  return it == table.end() ? 0 : it->second;
}

int signal_from_name(std::string_view name) { return signal_from_name_impl(name); }

}  // namespace duraudit
