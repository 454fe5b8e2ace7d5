// SPDX-License-Identifier: GPL-2.0-only
#include <gtest/gtest.h>

#include "output/fingerprint.h"

namespace duraudit {
namespace {

TEST(OutputFingerprint, FoldsDigitRuns) {
  EXPECT_EQ(fold_run_specific("/ckpt/chk-1216/_metadata"), "/ckpt/chk-<n>/_metadata");
  EXPECT_EQ(fold_run_specific("/proc/4242/fd"), "/proc/<n>/fd");
  EXPECT_EQ(fold_run_specific("/logs/app.2024-05-01.log"), "/logs/app.<n>-<n>-<n>.log");
  EXPECT_EQ(fold_run_specific("pool-1-thread-3"), "pool-<n>-thread-<n>");
}

TEST(OutputFingerprint, FoldsHexRunsOfSixOrMore) {
  EXPECT_EQ(fold_run_specific("/git/objects/9f/2cab12ef"), "/git/objects/<n>f/<hex>");
  EXPECT_EQ(fold_run_specific("/s/segment_deadbeef01.dat"), "/s/segment_<hex>.dat");
  // Short hex and plain words stay.
  EXPECT_EQ(fold_run_specific("/s/cafe/decade"), "/s/cafe/decade");
}

TEST(OutputFingerprint, FoldsUuids) {
  EXPECT_EQ(fold_run_specific("/d/123e4567-e89b-12d3-a456-426614174000.json"), "/d/<uuid>.json");
  EXPECT_EQ(fold_run_specific("/d/job-123E4567-E89B-12D3-A456-426614174000/x"), "/d/job-<uuid>/x");
}

TEST(OutputFingerprint, FoldsRandomTempSuffixes) {
  EXPECT_EQ(fold_run_specific("/d/index.tmp.XyZ12a"), "/d/index.tmp.<rand>");
  EXPECT_EQ(fold_run_specific("/d/index.tmp.Qwerty"), "/d/index.tmp.<rand>");
  EXPECT_EQ(fold_run_specific("/tmp/tmpab12cd"), "/tmp/tmp<rand>");
  EXPECT_EQ(fold_run_specific("/tmp/tmpk_xqzwpm"), "/tmp/tmp<rand>");  // Python tempfile: 8 of [a-z0-9_]
  EXPECT_EQ(fold_run_specific("/d/state.k1Q2z3"), "/d/state.<rand>");  // mkstemp("state.XXXXXX")
  EXPECT_EQ(fold_run_specific("/d/stateXq7Rz2"), "/d/state<rand>");    // mkstemp("stateXXXXXX")
  // Ordinary names survive.
  EXPECT_EQ(fold_run_specific("/etc/config.backup"), "/etc/config.backup");
  EXPECT_EQ(fold_run_specific("/srv/MyConfig"), "/srv/MyConfig");
  EXPECT_EQ(fold_run_specific("/var/lib/tmpfiles"), "/var/lib/tmpfiles");
}

TEST(OutputFingerprint, IsSixteenHexDigits) {
  std::string fp = fingerprint("close-without-fsync", "java", "/ckpt/chk-1216/_metadata");
  ASSERT_EQ(fp.size(), 16u);
  for (char c : fp) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << fp;
}

TEST(OutputFingerprint, StableAcrossRunSpecificParts) {
  EXPECT_EQ(fingerprint("rename-without-fsync", "java", "/ckpt/chk-1216/_metadata"),
            fingerprint("rename-without-fsync", "java", "/ckpt/chk-1217/_metadata"));
  EXPECT_EQ(fingerprint("rename-without-fsync", "app", "/d/f.tmp.XyZ12a"),
            fingerprint("rename-without-fsync", "app", "/d/f.tmp.Ab9Qr2"));
  EXPECT_EQ(fingerprint("close-without-fsync", "python3", "/tmp/tmpab12cd/out"),
            fingerprint("close-without-fsync", "python3", "/tmp/tmp9zk_3mq1/out"));
  // Deterministic: the same inputs give the same value every time (FNV-1a, no seed).
  EXPECT_EQ(fingerprint("r", "c", "/p"), fingerprint("r", "c", "/p"));
}

TEST(OutputFingerprint, DistinguishesRuleCommAndPath) {
  std::string base = fingerprint("close-without-fsync", "java", "/ckpt/chk-1/_metadata");
  EXPECT_NE(base, fingerprint("rename-without-fsync", "java", "/ckpt/chk-1/_metadata"));
  EXPECT_NE(base, fingerprint("close-without-fsync", "python3", "/ckpt/chk-1/_metadata"));
  EXPECT_NE(base, fingerprint("close-without-fsync", "java", "/ckpt/chk-1/_other"));
  // Field boundaries matter.
  EXPECT_NE(fingerprint("ab", "c", "/p"), fingerprint("a", "bc", "/p"));
}

TEST(OutputFingerprint, FindingOverloadUsesRuleCommPath) {
  Finding f;
  f.rule = "close-without-fsync";
  f.comm = "java";
  f.path = "/x/1";
  f.pid = 10;
  Finding g = f;
  g.pid = 99;  // pids and times are not part of the identity
  g.path = "/x/2";
  EXPECT_EQ(fingerprint(f), fingerprint(g));
  EXPECT_EQ(fingerprint(f), fingerprint(f.rule, f.comm, f.path));
}

TEST(OutputFingerprint, Fnv1aKnownVectors) {
  // Published FNV-1a 64 test vectors.
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
}

}  // namespace
}  // namespace duraudit
