// SPDX-License-Identifier: GPL-2.0-only
#include "util/bounded_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace duraudit {

namespace {

const char* file_kind(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

std::string size_text(size_t bytes) {
  if (bytes % (1 << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

bool read_bounded_regular_file(const std::string& path, size_t max_bytes, const char* what, std::string& out,
                               std::string& error) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    error = std::string("cannot read ") + what + ": " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    error = std::string("cannot read ") + what + ": " + std::strerror(errno);
    ::close(fd);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = std::string("cannot read ") + what + ": it is " + file_kind(st.st_mode) + ", not a regular file";
    ::close(fd);
    return false;
  }
  auto too_big = [&] {
    error = std::string(what) + " is larger than the limit of " + size_text(max_bytes);
    ::close(fd);
    return false;
  };
  if (static_cast<uint64_t>(st.st_size) > max_bytes) return too_big();
  std::string data;
  data.resize(static_cast<size_t>(st.st_size) + 1);
  size_t got = 0;
  for (;;) {
    if (got == data.size()) {
      if (data.size() > max_bytes) return too_big();  // it grew while we read
      data.resize(std::min(data.size() * 2, max_bytes + 1));
    }
    ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = std::string("error reading ") + what + ": " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got > max_bytes) {
    error = std::string(what) + " is larger than the limit of " + size_text(max_bytes);
    return false;
  }
  data.resize(got);
  out = std::move(data);
  return true;
}

bool read_bounded_line(std::istream& in, std::string& line, size_t max_bytes, bool* too_long) {
  line.clear();
  *too_long = false;
  std::streambuf* sb = in.rdbuf();
  if (!sb || !in.good()) return false;
  for (;;) {
    int c = sb->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      if (line.empty()) {
        in.setstate(std::ios::failbit);
        return false;
      }
      return true;
    }
    if (c == '\n') return true;
    if (line.size() == max_bytes) {
      *too_long = true;
      return true;
    }
    line.push_back(static_cast<char>(c));
  }
}

}  // namespace duraudit
