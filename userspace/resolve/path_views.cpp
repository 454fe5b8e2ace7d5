// SPDX-License-Identifier: GPL-2.0-only
#include "resolve/path_views.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <ctime>
#include <cstdlib>

#include "event/event.h"
#include "resolve/path_normalize.h"
#include "resolve/proc_links.h"

namespace duraudit {

namespace {

// A mount table of thousands of mounts is a few hundred KiB; more is not one.
constexpr size_t kMaxMountinfoBytes = 8u << 20;

// The whole of a /proc file through an fd kept open (from its start again).
bool read_from_start(int fd, std::string& out) {
  out.clear();
  if (::lseek(fd, 0, SEEK_SET) != 0) return false;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxMountinfoBytes) return false;
  }
}

bool read_file(const std::string& path, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = read_from_start(fd, out);
  ::close(fd);
  return ok;
}

// mountinfo writes space, tab, newline and backslash as \ooo.
std::string unescape_octal(std::string_view s) {
  auto octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1]) && octal(s[i + 2]) && octal(s[i + 3])) {
      out.push_back(static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
      continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

// `base` + the part of `path` below `under` (both normalized, `path` under `under`).
std::string join_below(std::string_view base, std::string_view path, std::string_view under) {
  std::string_view rest = under == "/" ? path : path.substr(under.size());
  if (rest == "/") rest = {};
  if (base == "/") return rest.empty() ? std::string("/") : std::string(rest);
  return std::string(base) + std::string(rest);
}

}  // namespace

std::vector<MountEntry> parse_mountinfo(std::string_view text) {
  std::vector<MountEntry> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    std::string_view line = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    at = nl == std::string_view::npos ? text.size() : nl + 1;
    // id parent major:minor root mount_point ...
    std::string_view field[5];
    size_t p = 0;
    bool ok = true;
    for (auto& f : field) {
      while (p < line.size() && line[p] == ' ') ++p;
      size_t e = line.find(' ', p);
      if (e == std::string_view::npos) e = line.size();
      f = line.substr(p, e - p);
      p = e;
      if (f.empty()) ok = false;
    }
    if (!ok) continue;
    size_t colon = field[2].find(':');
    if (colon == std::string_view::npos) continue;
    uint64_t major = 0, minor = 0;
    auto r1 = std::from_chars(field[2].data(), field[2].data() + colon, major);
    auto r2 = std::from_chars(field[2].data() + colon + 1, field[2].data() + field[2].size(), minor);
    if (r1.ec != std::errc() || r2.ec != std::errc()) continue;
    MountEntry m;
    m.dev = major << 20 | minor;
    m.root = unescape_octal(field[3]);
    m.mount_point = unescape_octal(field[4]);
    if (size_t sep = line.find(" - "); sep != std::string_view::npos) {
      std::string_view rest = line.substr(sep + 3);
      m.fstype = std::string(rest.substr(0, rest.find(' ')));
    }
    if (!is_absolute_path(m.root) || !is_absolute_path(m.mount_point)) continue;
    out.push_back(std::move(m));
  }
  return out;
}

std::optional<std::string> translate_mount_path(const std::vector<MountEntry>& view_mounts,
                                                const std::vector<MountEntry>& host_mounts, std::string_view seen) {
  // The mount that holds `seen`: the longest mount point above it, the last
  // of equals (a later mount on the same point covers the earlier).
  const MountEntry* at = nullptr;
  for (const auto& m : view_mounts)
    if (path_is_under(seen, m.mount_point) && (!at || m.mount_point.size() >= at->mount_point.size())) at = &m;
  if (!at) return std::nullopt;
  const std::string in_fs = join_below(at->root, seen, at->mount_point);
  // A host mount of that filesystem showing that directory: the one whose
  // root is deepest (the shortest host path), the first of equals.
  const MountEntry* host = nullptr;
  for (const auto& h : host_mounts)
    if (h.dev == at->dev && path_is_under(in_fs, h.root) && (!host || h.root.size() > host->root.size())) host = &h;
  if (!host) return std::nullopt;
  return join_below(host->mount_point, in_fs, host->root);
}

std::optional<PathViewKey> own_path_view() { return read_proc_view("/proc/self"); }

PathViews::PathViews(std::optional<PathViewKey> agent, bool live, std::string proc_root)
    : agent_(agent), live_(live), proc_root_(std::move(proc_root)) {}

PathViews::~PathViews() {
  for (auto& v : views_) close_handles(v);
}

void PathViews::close_handles(View& v) {
  if (v.root_fd >= 0) ::close(v.root_fd);
  if (v.mountinfo_fd >= 0) ::close(v.mountinfo_fd);
  if (v.root_fd >= 0 || v.mountinfo_fd >= 0) --handles_;
  v.root_fd = v.mountinfo_fd = -1;
  v.mounts = {};  // no handle, no reason to keep its table
}

ViewId PathViews::view_for(const PathViewKey& key, int32_t pid) {
  if (!agent_ || !key.known() || key == *agent_) return kAgentView;
  for (const auto& a : agent_aliases_)
    if (a == key) return kAgentView;
  if (auto it = ids_.find(key); it != ids_.end()) {
    View& v = views_[it->second - 1];
    // Its first process was gone before we could look: try this one.
    if (v.root_fd < 0 && v.mountinfo_fd < 0 && !take_handles(v, pid)) return kAgentView;
    return it->second;
  }
  View v;
  v.key = key;
  v.same_mnt_ns = key.mnt_ns == agent_->mnt_ns;
  if (!take_handles(v, pid)) {
    agent_aliases_.push_back(key);
    return kAgentView;
  }
  views_.push_back(v);
  const auto id = static_cast<ViewId>(views_.size());
  ids_.emplace(key, id);
  return id;
}

bool PathViews::take_handles(View& v, int32_t pid) {
  if (!live_ || pid <= 0) return true;
  const std::string dir = proc_root_ + "/" + std::to_string(pid);
  v.root_fd = ::open((dir + "/root").c_str(), O_PATH | O_CLOEXEC);
  // The same namespace and the same root directory by another name (a
  // filesystem whose stat() device is not its superblock's, as btrfs
  // subvolumes): the agent's view after all.
  if (v.same_mnt_ns && v.root_fd >= 0 && chroot_dir(v) == "/") {
    ::close(v.root_fd);
    v.root_fd = -1;
    return false;
  }
  if (!v.same_mnt_ns) v.mountinfo_fd = ::open((dir + "/mountinfo").c_str(), O_RDONLY | O_CLOEXEC);
  if (v.root_fd < 0 && v.mountinfo_fd < 0) return true;
  // Bounded: the oldest view with handles gives them up.
  if (handles_ >= kMaxViewHandles)
    for (auto& old : views_)
      if (&old != &v && (old.root_fd >= 0 || old.mountinfo_fd >= 0)) {
        close_handles(old);
        break;
      }
  ++handles_;
  return true;
}

std::string PathViews::chroot_dir(const View& v) const {
  if (v.root_fd < 0) return {};
  std::string dir;
  if (!read_link("/proc/self/fd/" + std::to_string(v.root_fd), dir) || !is_absolute_path(dir) || dir.ends_with(" (deleted)")) return {};
  return dir;
}

std::optional<std::string> PathViews::host_path(ViewId view, std::string_view seen) const {
  if (view == kAgentView) return std::string(seen);
  if (view > views_.size() || !is_absolute_path(seen)) return std::nullopt;
  const View& v = views_[view - 1];
  if (v.same_mnt_ns) {
    std::string dir = chroot_dir(v);
    if (dir.empty()) return std::nullopt;
    return join_below(dir, seen, "/");
  }
  if (v.mountinfo_fd < 0) return std::nullopt;
  const MountTable& view_table = fresh(v.mounts, v.mountinfo_fd, {});
  // The host's table is PID 1's: the agent's own, unless the agent runs in
  // a container of its own (the DaemonSet, with hostPID), where it is the
  // node's and gives the node's paths.
  const MountTable* host_table = &fresh(host_mounts_, -1, proc_root_ + "/1/mountinfo");
  if (!host_table->ok) host_table = &fresh(own_mounts_, -1, proc_root_ + "/self/mountinfo");
  if (!view_table.ok || !host_table->ok) return std::nullopt;
  return translate_mount_path(view_table.mounts, host_table->mounts, seen);
}

const PathViews::MountTable& PathViews::fresh(MountTable& table, int fd, const std::string& path) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const uint64_t now = static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(ts.tv_nsec);
  if (table.read_ns != 0 && now - table.read_ns < kMountTableTtlNs) return table;
  std::string text;
  table.ok = fd >= 0 ? read_from_start(fd, text) : read_file(path, text);
  table.mounts = table.ok ? parse_mountinfo(text) : std::vector<MountEntry>{};
  table.read_ns = now;
  return table;
}

int PathViews::open_in_view(ViewId view, std::string_view seen) const {
  if (view == kAgentView || view > views_.size() || !is_absolute_path(seen)) return -1;
  const View& v = views_[view - 1];
  if (v.root_fd < 0) return -1;
  std::string rel = seen == "/" ? std::string(".") : std::string(seen.substr(1));
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, v.root_fd, rel.c_str(), &how, sizeof how);
  return fd < 0 ? -1 : static_cast<int>(fd);
}

std::string PathViews::seen_from_proc_link(ViewId view, std::string_view link) const {
  if (view == kAgentView || view > views_.size() || !is_absolute_path(link)) return std::string(link);
  const View& v = views_[view - 1];
  if (!v.same_mnt_ns) return std::string(link);
  std::string dir = chroot_dir(v);
  if (dir.empty() || dir == "/" || !path_is_under(link, dir)) return std::string(link);
  return rebase_path(link, dir, "/");
}

}  // namespace duraudit
