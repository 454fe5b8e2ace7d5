// SPDX-License-Identifier: GPL-2.0-only
// Stable finding identities for baselines (docs/output.md: fingerprint).
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
#include "util/run_specific.h"

namespace duraudit {


// 64-bit FNV-1a, the hash behind fingerprints (not cryptographic: collisions
// only merge two baseline entries).
uint64_t fnv1a64(std::string_view data, uint64_t seed = 0xcbf29ce484222325ull);

// 16 lowercase hex digits over rule, folded comm and folded path.
std::string fingerprint(const Finding& f);
std::string fingerprint(std::string_view rule, std::string_view comm, std::string_view path);

}  // namespace duraudit
