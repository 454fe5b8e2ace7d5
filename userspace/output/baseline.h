// SPDX-License-Identifier: GPL-2.0-only
// Baselines: the fingerprints of findings a team has accepted for now.
// `--write-baseline FILE` records them, `--baseline FILE` suppresses them.
//
// File format: JSON Lines, one object per fingerprint; rule, comm and path are
// there for people reading the file (and reviewing its diff), only
// `fingerprint` is matched. Blank lines and lines starting with '#' are
// ignored.
//   {"fingerprint":"9f2c0d1e5a6b7c8d","rule":"close-without-fsync","comm":"java","path":"/ckpt/chk-<n>/_metadata"}
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <string_view>

#include "engine/finding.h"

namespace duraudit {

class Baseline {
 public:
  struct Entry {
    std::string rule;
    std::string comm;
    std::string path;  // the path of the first finding seen with this fingerprint
  };

  // A baseline is a regular file of at most this many bytes (64 MiB, some
  // 400,000 fingerprints).
  static constexpr size_t kMaxBaselineBytes = size_t{64} << 20;

  // Reads `path`. On failure returns false with `error` naming FILE:LINE and
  // what is wrong (or that the file cannot be read, is not a regular file or
  // is over the limit).
  static bool load(const std::string& path, Baseline& out, std::string& error);
  // The same for a baseline's text in memory; `name` stands for the file in
  // messages.
  static bool parse(std::string_view text, const std::string& name, Baseline& out, std::string& error);

  // Records a finding (its fingerprint, computed if empty). Duplicates fold.
  void add(const Finding& f);
  void add(const std::string& fingerprint, Entry entry);
  bool contains(std::string_view fingerprint) const;
  size_t size() const { return entries_.size(); }
  // By fingerprint.
  const std::map<std::string, Entry, std::less<>>& entries() const { return entries_; }

  // Writes the file's contents (sorted by rule, path, fingerprint, so
  // re-recording an unchanged baseline is a no-op diff). --write-baseline
  // writes them to an OutputFile opened at start-up (cli/audit_options.h).
  void write(std::ostream& out) const;

 private:
  std::map<std::string, Entry, std::less<>> entries_;  // by fingerprint
};

}  // namespace duraudit
