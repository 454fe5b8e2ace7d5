// SPDX-License-Identifier: GPL-2.0-only
// Sample findings shared by the output tests.
#pragma once

#include "engine/finding.h"

namespace duraudit::testing {

inline Finding sample_rename_finding() {
  Finding f;
  f.rule = "rename-without-fsync";
  f.severity = Severity::Error;
  f.pid = 4242;
  f.tid = 4243;
  f.comm = "git";
  f.path = "/repo/.git/index";
  f.message = "/repo/.git/index was published by rename before its data was fsynced";
  f.fix = "fsync the temporary file before renaming it into place, then fsync the directory";
  f.related = {{"/repo/.git/index.lock", "source", "data-not-durable"}};
  f.evidence = {
      {15, 1'000'000'000, 4242, 4243, "openat", "\"/repo/.git/index.lock\", O_WRONLY|O_CREAT|O_EXCL", 3, "open",
       "/repo/.git/index.lock", "", {}},
      {16, 1'000'250'000, 4242, 4243, "write", "3, 1024 bytes", 1024, "write", "/repo/.git/index.lock", "", {}},
      {17, 1'002'000'000, 4242, 4242, "rename", "\"/repo/.git/index.lock\", \"/repo/.git/index\"", 0, "rename",
       "/repo/.git/index.lock", "/repo/.git/index", {}},
  };
  f.replaced = true;
  f.ts_ns = 1'002'000'000;
  return f;
}

inline Finding sample_dir_finding() {
  Finding f;
  f.rule = "missing-dir-fsync";
  f.severity = Severity::Warning;
  f.pid = 7;
  f.tid = 7;
  f.comm = "apt";
  f.path = "/var/cache/apt";
  f.message = "3 entries in /var/cache/apt were never made durable";
  f.fix = "fsync the directory";
  f.related = {{"/var/cache/apt", "directory", "entry-not-durable"}};
  f.entries = 3;
  return f;
}

}  // namespace duraudit::testing
