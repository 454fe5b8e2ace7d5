// SPDX-License-Identifier: GPL-2.0-only
#include "util/output_path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace duraudit {

namespace {

struct SplitPath {
  std::string dir;   // "." for a bare name
  std::string name;  // empty when the path ends in '/' (opened as given)
};

SplitPath split(const std::string& path) {
  std::filesystem::path p(path);
  SplitPath s{p.parent_path().string(), p.filename().string()};
  if (s.dir.empty()) s.dir = ".";
  return s;
}

// Anyone can create names in a sticky world-writable directory, and the
// sticky bit only stops them removing other users' names: a name there may
// have been planted for us.
bool anyone_plants_names(const struct stat& dir) {
  return S_ISDIR(dir.st_mode) && (dir.st_mode & S_ISVTX) && (dir.st_mode & S_IWOTH);
}

bool foreign_owner(uid_t uid) { return uid != geteuid() && uid != 0; }

// The refusal for an entry `st` (lstat) of a directory anyone plants names in; empty if none.
std::string refusal(const std::string& path, const std::string& dir, const struct stat& st) {
  if (S_ISLNK(st.st_mode))
    return "refusing to write " + path + ": it is a symbolic link in the world-writable sticky directory " + dir +
           ", where another user may have planted it; name the file it points to, or write elsewhere";
  if (foreign_owner(st.st_uid))
    return "refusing to write " + path + ": it belongs to uid " + std::to_string(st.st_uid) +
           ", not to you, in the world-writable sticky directory " + dir + "; remove it or write elsewhere";
  return {};
}

OutputOpen failed(const std::string& path, int err, std::string* error) {
  if (error) *error = "cannot open output file " + path + ": " + std::strerror(err);
  errno = err;
  return OutputOpen::Failed;
}

OutputOpen refused(std::string message, std::string* error) {
  if (error) *error = std::move(message);
  errno = EPERM;
  return OutputOpen::Refused;
}

}  // namespace

OutputOpen check_output_path(const std::string& path, std::string* error) {
  SplitPath s = split(path);
  struct stat dir {}, st {};
  if (s.name.empty() || ::stat(s.dir.c_str(), &dir) != 0 || !anyone_plants_names(dir)) return OutputOpen::Ok;
  if (::lstat(path.c_str(), &st) != 0) return OutputOpen::Ok;
  if (std::string r = refusal(path, s.dir, st); !r.empty()) return refused(std::move(r), error);
  return OutputOpen::Ok;
}

OutputOpen open_output_path(const std::string& path, int extra_flags, bool exclusive, OpenedOutput* out,
                            std::string* error) {
  *out = OpenedOutput{};
  SplitPath s = split(path);
  const int flags = O_WRONLY | O_CLOEXEC | extra_flags;
  int fd = -1;
  if (s.name.empty()) {
    fd = ::open(path.c_str(), flags | (exclusive ? O_CREAT | O_EXCL : O_CREAT), 0600);
    if (fd < 0) return failed(path, errno, error);
  } else {
    // One directory fd for every step, so the checks and the open see the
    // same directory even if a component above is renamed meanwhile.
    int dfd = ::open(s.dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return failed(path, errno, error);
    struct stat dir {};
    bool untrusted = ::fstat(dfd, &dir) == 0 && anyone_plants_names(dir);
    // O_EXCL never follows a symlink: a name that exists, whatever it is,
    // makes it fail, and the second open below decides.
    const int tries = 8;
    int err = 0;
    for (int i = 0; i < tries && fd < 0; ++i) {
      fd = ::openat(dfd, s.name.c_str(), flags | O_CREAT | O_EXCL, 0600);
      if (fd >= 0) {
        out->created = true;
        break;
      }
      err = errno;
      if (err != EEXIST || exclusive) break;
      if (untrusted) {
        struct stat st {};
        if (::fstatat(dfd, s.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
          if (std::string r = refusal(path, s.dir, st); !r.empty()) {
            ::close(dfd);
            return refused(std::move(r), error);
          }
      }
      fd = ::openat(dfd, s.name.c_str(), flags | (untrusted ? O_NOFOLLOW : 0));
      err = errno;
      if (fd < 0 && err != ENOENT) break;  // ENOENT: removed meanwhile (or a dangling symlink): again
    }
    if (fd < 0 && !untrusted && err == ENOENT) {
      // A dangling symlink the caller named: created through it, as before.
      fd = ::openat(dfd, s.name.c_str(), flags | O_CREAT, 0600);
      err = errno;
    }
    ::close(dfd);
    if (fd < 0) {
      if (err == ELOOP && untrusted) {
        struct stat lnk {};
        lnk.st_mode = S_IFLNK;
        return refused(refusal(path, s.dir, lnk), error);
      }
      return failed(path, err, error);
    }
    struct stat st {};
    // Planted between the check and the open: the file itself decides.
    if (untrusted && ::fstat(fd, &st) == 0 && foreign_owner(st.st_uid)) {
      ::close(fd);
      return refused(refusal(path, s.dir, st), error);
    }
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0) {
    out->regular = S_ISREG(st.st_mode);
    out->dev = st.st_dev;
    out->ino = st.st_ino;
  }
  out->fd = fd;
  return OutputOpen::Ok;
}

void remove_created_output(const std::string& path, const OpenedOutput& opened) {
  if (!opened.created) return;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && st.st_dev == opened.dev && st.st_ino == opened.ino) ::unlink(path.c_str());
}

bool same_output_path(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  if (::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  std::error_code ea, eb;
  auto ca = std::filesystem::weakly_canonical(std::filesystem::absolute(a, ea), ea);
  auto cb = std::filesystem::weakly_canonical(std::filesystem::absolute(b, eb), eb);
  if (ea || eb) return a == b;
  return ca == cb;
}

}  // namespace duraudit
