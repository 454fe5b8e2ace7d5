// SPDX-License-Identifier: GPL-2.0-only
// Opening a file duraudit writes (findings, traces, baselines, recordings)
// so that another local user can neither choose what root overwrites nor
// read what it writes (docs/production.md "Threat model"):
//   - a file duraudit creates is created 0600 (less the umask);
//   - in a sticky world-writable directory (/tmp, /var/tmp), where anyone
//     can plant a name, a final component that is a symbolic link, or an
//     existing file owned by a user other than the caller and root, is
//     refused. Elsewhere a symlink is followed as the caller named it
//     (`-o /dev/stdout` keeps working);
//   - nothing is truncated here: the caller truncates at its first write,
//     once every argument and privilege has been validated, so a command
//     that fails early leaves an existing file untouched.
#pragma once

#include <sys/types.h>

#include <string>

namespace duraudit {

struct OpenedOutput {
  int fd = -1;
  bool created = false;  // this open created the file: remove it if nothing is ever written
  bool regular = false;  // a regular file (truncate, fsync); not a device, FIFO or socket
  dev_t dev = 0;
  ino_t ino = 0;
};

enum class OutputOpen { Ok, Refused, Failed };

// Whether `path` may be written, by the rules above, without opening it.
// Refused: a sentence in *error naming the path and the reason.
OutputOpen check_output_path(const std::string& path, std::string* error);

// Opens `path` write-only, O_CLOEXEC, plus `extra_flags` (O_APPEND), creating
// it 0600 if absent and never truncating it. With `exclusive` an existing
// file fails (errno EEXIST). Failed: "cannot open output file PATH: REASON";
// Refused: the sentence of check_output_path.
OutputOpen open_output_path(const std::string& path, int extra_flags, bool exclusive, OpenedOutput* out,
                            std::string* error);

// Removes `path` if it still names the file `opened` created (a file
// duraudit created but never wrote leaves nothing behind).
void remove_created_output(const std::string& path, const OpenedOutput& opened);

// Whether two output paths name the same file: the same inode when both
// exist, else the same absolute path once `.`, `..` and symlinks in the
// existing part are resolved.
bool same_output_path(const std::string& a, const std::string& b);

}  // namespace duraudit
