// SPDX-License-Identifier: GPL-2.0-only
// Run-specific parts of names: what changes from one run (or generation) of
// a program to the next. Fingerprints fold them so a baseline matches the
// next run; unlink-before-durable folds them to recognise the next
// generation of a deleted file (chk-1216/<uuid> -> chk-1217/<uuid>).
#pragma once

#include <string>
#include <string_view>

namespace duraudit {

// The path or comm with run-specific parts replaced by placeholders:
//   UUIDs (8-4-4-4-12 hex)                         -> <uuid>
//   random temp names: `.tmp.XyZ12a`, `tmp_k3j2x9`,
//     Python's `tmpab12cd_x`, mkstemp tails
//     (`foo.a1B2c3`, `fooXq7Rz2`)                  -> <rand>
//   hex runs of >= 6 chars with a digit and a letter -> <hex>
//   digit runs (pids, sequence numbers, dates)     -> <n>
// Folding works per path component; '/' is never folded.
std::string fold_run_specific(std::string_view text);

}  // namespace duraudit
