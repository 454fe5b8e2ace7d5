// SPDX-License-Identifier: GPL-2.0-only
// Where a command's output goes (-o FILE, or standard output), with every
// write checked. A failed write(2), fsync(2) or close(2) is reported at
// once, as one line on stderr ("cannot write FILE: REASON"), and remembered:
// the command then exits 1 (docs/output.md "Write errors"). The stream
// itself never goes bad, so a long-running session (attach) keeps trying
// and reports again when writes fail anew after having succeeded.
//
// finish() flushes and, for a regular file, fsyncs it and its directory
// before closing: duraudit's own findings are durable when it exits.
//
// The file is opened safely (util/output_path.h: created 0600, no planted
// symlink or foreign file in /tmp) and not truncated until the first write
// or finish(): a command that fails before producing output (a bad option,
// no privilege, no such pid) leaves an existing file as it was, and removes
// the file if it created it.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <streambuf>
#include <string>

#include <sys/types.h>

namespace duraudit {

class OutputFile {
 public:
  // Opens `path` for writing (appending, or replacing its contents at the
  // first write or finish()). On failure returns null and a sentence in
  // *error; *refused (if given) says the path was refused rather than
  // failed to open.
  static std::unique_ptr<OutputFile> open(const std::string& path, bool append, std::string* error,
                                          bool* refused = nullptr);
  // Standard output, standard error (not fsynced, not closed).
  static std::unique_ptr<OutputFile> standard_output();
  static std::unique_ptr<OutputFile> standard_error();
  int fd() const { return fd_; }

  // finish(), if not done and anything was written; otherwise the file is
  // left as it was (removed if this open created it).
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::ostream& stream() { return stream_; }
  const std::string& name() const { return name_; }

  // Report failures on stderr as they happen (the default), or only keep
  // them for first_error().
  void set_report_failures(bool report) { report_ = report; }
  // "cannot write FILE: REASON" of the first failure; empty if none.
  const std::string& first_error() const { return first_error_; }

  // Any write, fsync or close failed so far.
  bool failed() const { return failures_ > 0; }
  uint64_t failures() const { return failures_; }

  // Flush; for a regular file, fsync it and its directory, then close.
  // Returns !failed(). Later writes are dropped (and count as failures).
  bool finish();

  // Log rotation (attach SIGHUP): opens the path again for appending; the
  // old file is finished first. If the path cannot be opened the current
  // file stays in use; returns false after reporting why.
  bool reopen();

 private:
  class Buf : public std::streambuf {
   public:
    explicit Buf(OutputFile& owner);
    int sync() override;
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    size_t pending() const { return static_cast<size_t>(pptr() - pbase()); }

   private:
    OutputFile& owner_;
    char data_[1 << 16];
  };

  OutputFile(std::string name, std::string path, int fd, bool owned);
  void write_all(const char* p, size_t n);
  void truncate_if_pending();
  void fail(const std::string& what, int err);
  bool finish_fd();

  std::string name_;  // for messages
  std::string path_;  // empty for stdout
  int fd_;
  bool owned_;
  bool regular_ = false;
  bool truncate_pending_ = false;  // replace the contents at the first write or finish()
  bool created_ = false;           // this open created the file (dev_, ino_)
  bool written_ = false;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  bool finished_ = false;
  bool in_failure_ = false;  // the last write failed (report only the first of a run)
  bool report_ = true;
  uint64_t failures_ = 0;
  std::string first_error_;
  Buf buf_;
  std::ostream stream_;
};

}  // namespace duraudit
