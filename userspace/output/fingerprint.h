// Stable finding identities for baselines (DESIGN.md "Output": fingerprint).
//
// A fingerprint is rule + comm + path with the parts that change from run to
// run folded away, hashed to 16 hex digits. Two runs of the same program that
// make the same mistake on `chk-1216/_metadata` and `chk-1217/_metadata`, or on
// `index.tmp.XyZ12a` and `index.tmp.Qw3rTy`, get the same fingerprint, so a
// baseline written by one run suppresses the finding in the next.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/finding.h"

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

// 64-bit FNV-1a, the hash behind fingerprints (not cryptographic: collisions
// only merge two baseline entries).
uint64_t fnv1a64(std::string_view data, uint64_t seed = 0xcbf29ce484222325ull);

// 16 lowercase hex digits over rule, folded comm and folded path.
std::string fingerprint(const Finding& f);
std::string fingerprint(std::string_view rule, std::string_view comm, std::string_view path);

}  // namespace duraudit
