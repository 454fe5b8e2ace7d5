// SPDX-License-Identifier: GPL-2.0-only
#include "output/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "util/file_sync.h"
#include "util/output_path.h"

namespace duraudit {

namespace {

bool is_regular(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

OutputFile::Buf::Buf(OutputFile& owner) : owner_(owner) { setp(data_, data_ + sizeof data_); }

int OutputFile::Buf::sync() {
  owner_.write_all(pbase(), static_cast<size_t>(pptr() - pbase()));
  setp(data_, data_ + sizeof data_);
  return 0;  // failures are the owner's to report; the stream stays good
}

OutputFile::Buf::int_type OutputFile::Buf::overflow(int_type c) {
  sync();
  if (!traits_type::eq_int_type(c, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
  }
  return traits_type::not_eof(c);
}

std::streamsize OutputFile::Buf::xsputn(const char* s, std::streamsize n) {
  if (n > epptr() - pptr()) {
    sync();
    if (n > epptr() - pptr()) {
      owner_.write_all(s, static_cast<size_t>(n));
      return n;
    }
  }
  std::memcpy(pptr(), s, static_cast<size_t>(n));
  pbump(static_cast<int>(n));
  return n;
}

OutputFile::OutputFile(std::string name, std::string path, int fd, bool owned)
    : name_(std::move(name)), path_(std::move(path)), fd_(fd), owned_(owned), buf_(*this), stream_(&buf_) {
  regular_ = owned_ && is_regular(fd_);
}

std::unique_ptr<OutputFile> OutputFile::open(const std::string& path, bool append, std::string* error,
                                              bool* refused) {
  OpenedOutput o;
  OutputOpen r = open_output_path(path, append ? O_APPEND : 0, /*exclusive=*/false, &o, error);
  if (refused) *refused = r == OutputOpen::Refused;
  if (r != OutputOpen::Ok) return nullptr;
  std::unique_ptr<OutputFile> f(new OutputFile(path, path, o.fd, true));
  f->truncate_pending_ = !append && o.regular;
  f->created_ = o.created;
  f->dev_ = o.dev;
  f->ino_ = o.ino;
  return f;
}

std::unique_ptr<OutputFile> OutputFile::standard_output() {
  return std::unique_ptr<OutputFile>(new OutputFile("standard output", "", STDOUT_FILENO, false));
}

std::unique_ptr<OutputFile> OutputFile::standard_error() {
  return std::unique_ptr<OutputFile>(new OutputFile("standard error", "", STDERR_FILENO, false));
}

OutputFile::~OutputFile() {
  if (finished_) return;
  // Unwinding before anything was produced (a bad option, a failed BPF
  // load): the file stays as it was.
  if (!written_ && buf_.pending() == 0 && owned_) {
    ::close(fd_);
    fd_ = -1;
    finished_ = true;
    OpenedOutput o;
    o.created = created_;
    o.dev = dev_;
    o.ino = ino_;
    remove_created_output(path_, o);
    return;
  }
  finish();
}

void OutputFile::truncate_if_pending() {
  if (!truncate_pending_) return;
  truncate_pending_ = false;
  if (::ftruncate(fd_, 0) != 0) fail("truncate " + name_, errno);
}

void OutputFile::fail(const std::string& what, int err) {
  ++failures_;
  if (in_failure_) return;
  in_failure_ = true;
  std::string message = "cannot " + what + ": " + std::strerror(err);
  if (first_error_.empty()) first_error_ = message;
  if (report_) spdlog::error("{}", message);
}

void OutputFile::write_all(const char* p, size_t n) {
  if (n == 0) return;
  if (finished_ || fd_ < 0) {
    fail("write " + name_ + " (already closed)", EBADF);
    return;
  }
  written_ = true;
  truncate_if_pending();
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail("write " + name_, errno);
      return;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  in_failure_ = false;
}

bool OutputFile::finish_fd() {
  bool ok = true;
  if (regular_ && ::fsync(fd_) != 0) {
    fail("fsync " + name_, errno);
    ok = false;
  }
  if (owned_ && ::close(fd_) != 0) {
    fail("close " + name_, errno);
    ok = false;
  }
  if (ok && regular_)
    if (int err = fsync_parent_directory(path_)) {
      fail("fsync the directory of " + name_, err);
      ok = false;
    }
  fd_ = -1;
  return ok;
}

bool OutputFile::finish() {
  if (finished_) return !failed();
  stream_.flush();
  // Nothing to say is an answer too: the old contents go.
  if (fd_ >= 0) truncate_if_pending();
  finish_fd();
  finished_ = true;
  return !failed();
}

bool OutputFile::reopen() {
  if (!owned_ || finished_) return !failed();
  OpenedOutput o;
  std::string why;
  if (OutputOpen r = open_output_path(path_, O_APPEND, /*exclusive=*/false, &o, &why); r != OutputOpen::Ok) {
    std::string message = r == OutputOpen::Refused ? why : "cannot reopen " + name_ + ": " + std::strerror(errno);
    ++failures_;
    if (first_error_.empty()) first_error_ = message;
    if (report_) spdlog::error("{}; still writing to the file opened before", message);
    return false;
  }
  stream_.flush();
  truncate_if_pending();
  finish_fd();
  fd_ = o.fd;
  regular_ = o.regular;
  created_ = o.created;
  dev_ = o.dev;
  ino_ = o.ino;
  return true;
}

}  // namespace duraudit
