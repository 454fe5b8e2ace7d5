// SPDX-License-Identifier: GPL-2.0-only
#include <gtest/gtest.h>

#include <linux/magic.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "config/filesystem_names.h"
#include "config/rules_file.h"
#include "engine/rule_catalogue.h"

namespace duraudit {
namespace {

namespace fs = std::filesystem;

// The checkout this test was built from (ctest also sets DURAUDIT_SOURCE_DIR).
fs::path source_root() { return fs::path(__FILE__).parent_path().parent_path().parent_path(); }

// Loads `text` into the defaults; returns the diagnostics.
std::vector<Diagnostic> load(const std::string& text, Config& cfg) {
  std::vector<Diagnostic> errors;
  load_rules_text(text, "r.yaml", cfg, errors);
  return errors;
}

std::vector<Diagnostic> errors_of(const std::string& text) {
  Config cfg = Config::defaults();
  return load(text, cfg);
}

// Exactly one error, at `line`, containing `fragment`.
void expect_error(const std::string& text, int line, const std::string& fragment) {
  auto errs = errors_of(text);
  ASSERT_EQ(errs.size(), 1u) << text << (errs.empty() ? "" : "\nfirst: " + errs[0].to_string());
  EXPECT_EQ(errs[0].line, line) << errs[0].to_string();
  EXPECT_EQ(errs[0].file, "r.yaml");
  EXPECT_NE(errs[0].message.find(fragment), std::string::npos) << errs[0].to_string();
  EXPECT_EQ(errs[0].to_string().rfind("r.yaml:" + std::to_string(line) + ": ", 0), 0u) << errs[0].to_string();
}

// The defaults ignore exactly the filesystems the name table calls
// volatile (one list, not two), checked against the kernel's own constants.
TEST(ConfigDefaults, IgnoreTheVolatileFilesystemsOfTheNameTable) {
  Config cfg = Config::defaults();
  for (uint64_t m : std::initializer_list<uint64_t>{TMPFS_MAGIC, RAMFS_MAGIC, PROC_SUPER_MAGIC, SYSFS_MAGIC, CGROUP2_SUPER_MAGIC, DEVPTS_SUPER_MAGIC,
                     BPF_FS_MAGIC, HUGETLBFS_MAGIC, NSFS_MAGIC, PIPEFS_MAGIC, SOCKFS_MAGIC})
    EXPECT_TRUE(cfg.fs_ignored(m)) << std::hex << m;
  for (uint64_t m : std::initializer_list<uint64_t>{EXT4_SUPER_MAGIC, XFS_SUPER_MAGIC, BTRFS_SUPER_MAGIC, NFS_SUPER_MAGIC})
    EXPECT_FALSE(cfg.fs_ignored(m)) << std::hex << m;
  size_t volatile_names = 0;
  for (const auto& n : filesystem_names()) {
    EXPECT_EQ(cfg.fs_ignored(n.magic), n.keeps_nothing) << n.name;
    volatile_names += n.keeps_nothing;
  }
  EXPECT_EQ(cfg.ignored_fs_magic.size(), volatile_fs_magics().size());
  EXPECT_GT(volatile_names, 20u);
}

TEST(ConfigRulesFile, FullSchemaLoads) {
  Config cfg = Config::defaults();
  auto errs = load(R"(version: 1
grace: 500ms
state_min_age: 2m
scope: directory
rules:
  close-without-fsync: { enabled: true, severity: error }
  sync-file-range-only: off
  truncate-in-place: notice
  state-deleted:
    enabled: false
paths:
  include: ["/data/**"]
  exclude: ["/data/tmp/**", "*.log"]
filesystems:
  ignore: [xfs, "0x12345678"]
  track: [tmpfs]
suppressions:
  - { rule: close-without-fsync, path: "/var/cache/**", comm: apt, reason: "cache is rebuilt" }
  - rule: "*"
    path: "/data/scratch/**"
    reason: scratch space
)",
                   cfg);
  ASSERT_TRUE(errs.empty()) << errs[0].to_string();
  EXPECT_EQ(cfg.grace_ns, 500'000'000ull);
  EXPECT_EQ(cfg.state_min_age_ns, 120'000'000'000ull);
  EXPECT_EQ(cfg.scope, ReplacementScope::Directory);
  EXPECT_EQ(cfg.severity_of("close-without-fsync"), Severity::Error);
  EXPECT_TRUE(cfg.rule_enabled("close-without-fsync"));
  EXPECT_FALSE(cfg.rule_enabled("sync-file-range-only"));
  EXPECT_EQ(cfg.severity_of("truncate-in-place"), Severity::Notice);
  EXPECT_FALSE(cfg.rule_enabled("state-deleted"));
  EXPECT_EQ(cfg.severity_of("rename-without-fsync"), Severity::Error);  // untouched default
  EXPECT_EQ(cfg.include_paths, (std::vector<std::string>{"/data/**"}));
  EXPECT_EQ(cfg.exclude_paths, (std::vector<std::string>{"/data/tmp/**", "*.log"}));
  EXPECT_TRUE(cfg.path_included("/data/x"));
  EXPECT_FALSE(cfg.path_included("/data/tmp/x"));
  EXPECT_FALSE(cfg.path_included("/data/app.log"));
  EXPECT_TRUE(cfg.fs_ignored(0x58465342));  // xfs
  EXPECT_TRUE(cfg.fs_ignored(0x12345678));
  EXPECT_FALSE(cfg.fs_ignored(TMPFS_MAGIC));
  EXPECT_TRUE(cfg.fs_ignored(PROC_SUPER_MAGIC));  // defaults kept
  ASSERT_EQ(cfg.suppressions.size(), 2u);
  EXPECT_EQ(cfg.suppressions[0].rule, "close-without-fsync");
  EXPECT_EQ(cfg.suppressions[0].path_glob, "/var/cache/**");
  EXPECT_EQ(cfg.suppressions[0].comm, "apt");
  EXPECT_EQ(cfg.suppressions[0].reason, "cache is rebuilt");
  EXPECT_EQ(cfg.suppressions[0].origin, "r.yaml:18");
  EXPECT_EQ(cfg.suppressions[1].rule, "*");
  EXPECT_EQ(cfg.suppressions[1].origin, "r.yaml:19");
}

TEST(ConfigRulesFile, EmptyFileChangesNothing) {
  Config cfg = Config::defaults();
  EXPECT_TRUE(load("", cfg).empty());
  EXPECT_TRUE(load("# only a comment\n", cfg).empty());
  EXPECT_EQ(cfg.grace_ns, Config::defaults().grace_ns);
}

TEST(ConfigRulesFile, UnknownTopLevelKey) {
  expect_error("version: 1\ngrace: 5s\ngrcae: 5s\n", 3, "unknown top-level key `grcae`; did you mean `grace`?");
}

TEST(ConfigRulesFile, UnknownNestedKeys) {
  expect_error("rules:\n  close-without-fsync: { enabled: true, sev: error }\n", 2, "unknown rule setting `sev`");
  expect_error("paths:\n  incldue: [\"/a/**\"]\n", 2, "did you mean `include`?");
  expect_error("filesystems:\n  ignroe: [tmpfs]\n", 2, "unknown filesystems key `ignroe`");
  expect_error("suppressions:\n  - { rule: '*', reason: x, user: bob }\n", 2, "unknown suppression key `user`");
}

TEST(ConfigRulesFile, UnknownRuleIdSuggestsNearest) {
  expect_error("rules:\n  close-without-fsync: off\n  rename-without-sync: error\n", 3,
               "unknown rule id `rename-without-sync`; did you mean `rename-without-fsync`?");
  expect_error("suppressions:\n  - rule: close-wihtout-fsync\n    reason: x\n", 2,
               "did you mean `close-without-fsync`?");
  EXPECT_EQ(nearest_rule_id("missing-dir-sync"), "missing-dir-fsync");
  EXPECT_EQ(nearest_rule_id("completely-different"), "");
}

TEST(ConfigRulesFile, BadSeverity) {
  expect_error("rules:\n  close-without-fsync:\n    severity: critical\n", 3, "unknown severity `critical`");
  expect_error("rules:\n  close-without-fsync: loud\n", 2, "neither on/off nor a severity");
  expect_error("rules:\n  close-without-fsync: { severity: none }\n", 2, "unknown severity `none`");
  expect_error("rules:\n  close-without-fsync: { enabled: maybe }\n", 2, "enabled must be true or false");
}

TEST(ConfigRulesFile, BadDuration) {
  expect_error("version: 1\n\ngrace: 5 seconds\n", 3, "grace: invalid duration \"5 seconds\"");
  expect_error("state_min_age: soon\n", 1, "state_min_age: invalid duration");
  expect_error("grace: [5s]\n", 1, "grace must be a single value");
}

TEST(ConfigRulesFile, BadGlob) {
  expect_error("paths:\n  include:\n    - \"/data/**\"\n    - \"/data/[abc\"\n", 4, "bad glob \"/data/[abc\"");
  expect_error("paths:\n  exclude: [\"data/**\"]\n", 2, "must be absolute");
  expect_error("suppressions:\n  - rule: '*'\n    path: \"\"\n    reason: x\n", 3, "bad glob");
}

TEST(ConfigRulesFile, SuppressionWithoutReason) {
  expect_error("suppressions:\n  - { rule: close-without-fsync, path: \"/x/**\" }\n", 2, "needs a non-empty `reason:`");
  expect_error("suppressions:\n  - rule: close-without-fsync\n    reason: \"  \"\n", 2, "needs a non-empty `reason:`");
  expect_error("suppressions:\n  - { path: \"/x/**\", reason: y }\n", 2, "suppression needs `rule:`");
  expect_error("suppressions:\n  - rule: '*'\n    comm: a-very-long-process-name\n    reason: y\n", 3,
               "1 to 15 characters");
}

TEST(ConfigRulesFile, BadScopeAndVersion) {
  expect_error("scope: galaxy\n", 1, "unknown scope `galaxy`");
  expect_error("version: 2\n", 1, "unsupported version `2`");
}

TEST(ConfigRulesFile, YamlSyntaxError) {
  auto errs = errors_of("version: 1\nrules:\n  close-without-fsync: { enabled: true\ngrace: 5s\n");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].message.find("YAML syntax error"), std::string::npos) << errs[0].to_string();
  EXPECT_GE(errs[0].line, 3);
  EXPECT_LE(errs[0].line, 5);
  expect_error("a: b\n  c: d\n", 2, "YAML syntax error");
}

TEST(ConfigRulesFile, WrongShapes) {
  expect_error("- just\n- a list\n", 1, "a rules file is a YAML mapping");
  expect_error("rules: [close-without-fsync]\n", 1, "rules must be a mapping");
  expect_error("suppressions: { rule: x }\n", 1, "suppressions must be a list");
}

TEST(ConfigRulesFile, DuplicateKey) {
  expect_error("grace: 1s\ngrace: 2s\n", 2, "duplicate key `grace` (first given at line 1)");
}

TEST(ConfigRulesFile, AllErrorsReportedAndConfigUnchanged) {
  Config cfg = Config::defaults();
  auto errs = load("grace: 1s\nscope: nope\nrules:\n  bogus-rule: off\nsuppressions:\n  - rule: '*'\n", cfg);
  ASSERT_EQ(errs.size(), 3u);
  EXPECT_EQ(errs[0].line, 2);
  EXPECT_EQ(errs[1].line, 4);
  EXPECT_EQ(errs[2].line, 6);
  EXPECT_EQ(cfg.grace_ns, 5'000'000'000ull) << "an invalid file must change nothing";
}

TEST(ConfigRulesFile, FilesystemNamesAndTrack) {
  Config cfg = Config::defaults();
  ASSERT_TRUE(cfg.fs_ignored(TMPFS_MAGIC));
  ASSERT_TRUE(cfg.fs_ignored(RAMFS_MAGIC));
  auto errs = load("filesystems:\n  track: [tmpfs, ramfs]\n  ignore: [nfs, fuse, 0x794c7630]\n", cfg);
  ASSERT_TRUE(errs.empty()) << errs[0].to_string();
  EXPECT_FALSE(cfg.fs_ignored(TMPFS_MAGIC));
  EXPECT_FALSE(cfg.fs_ignored(RAMFS_MAGIC));
  EXPECT_TRUE(cfg.fs_ignored(NFS_SUPER_MAGIC));
  EXPECT_TRUE(cfg.fs_ignored(0x65735546));  // fuse
  EXPECT_TRUE(cfg.fs_ignored(OVERLAYFS_SUPER_MAGIC));
  // track wins over ignore in the same file, whatever the key order.
  errs = load("filesystems:\n  track: [ext4]\n  ignore: [ext4]\n", cfg);
  ASSERT_TRUE(errs.empty());
  EXPECT_FALSE(cfg.fs_ignored(EXT4_SUPER_MAGIC));
  expect_error("filesystems:\n  ignore: [tmpfs, ext5]\n", 2, "unknown filesystem `ext5` in filesystems.ignore; did you mean `ext4`?");
}

TEST(ConfigRulesFile, FilesystemNameTable) {
  EXPECT_EQ(fs_magic_from_name("tmpfs"), TMPFS_MAGIC);
  EXPECT_EQ(fs_magic_from_name("devtmpfs"), TMPFS_MAGIC);
  EXPECT_EQ(fs_magic_from_name("proc"), PROC_SUPER_MAGIC);
  EXPECT_EQ(fs_magic_from_name("sysfs"), SYSFS_MAGIC);
  EXPECT_EQ(fs_magic_from_name("cgroup2"), CGROUP2_SUPER_MAGIC);
  EXPECT_EQ(fs_magic_from_name("ext4"), EXT4_SUPER_MAGIC);
  EXPECT_EQ(fs_magic_from_name("xfs"), XFS_SUPER_MAGIC);
  EXPECT_EQ(fs_magic_from_name("btrfs"), BTRFS_SUPER_MAGIC);
  EXPECT_EQ(fs_magic_from_name("bpf"), BPF_FS_MAGIC);
  EXPECT_EQ(fs_magic_from_name("0x01021994"), TMPFS_MAGIC);
  EXPECT_EQ(fs_magic_from_name("16914836"), TMPFS_MAGIC);
  EXPECT_EQ(fs_magic_from_name("0x"), std::nullopt);
  EXPECT_EQ(fs_magic_from_name("ext5"), std::nullopt);
  EXPECT_EQ(fs_name_from_magic(TMPFS_MAGIC), "tmpfs");
  EXPECT_EQ(fs_name_from_magic(EXT4_SUPER_MAGIC), "ext4");
  EXPECT_EQ(fs_name_from_magic(1), "");
}

TEST(ConfigRulesFile, MergeOrder) {
  Config cfg = Config::defaults();
  ASSERT_TRUE(load("grace: 1s\nrules:\n  close-without-fsync: { severity: error }\n  state-deleted: off\n"
                   "paths: { exclude: [\"/a/**\"] }\n"
                   "suppressions: [{ rule: '*', comm: a, reason: first }]\n",
                   cfg)
                  .empty());
  ASSERT_TRUE(load("grace: 2s\nrules:\n  close-without-fsync: { enabled: false }\n"
                   "paths: { exclude: [\"/b/**\"] }\n"
                   "suppressions: [{ rule: '*', comm: b, reason: second }]\n",
                   cfg)
                  .empty());
  EXPECT_EQ(cfg.grace_ns, 2'000'000'000ull);  // later file wins
  // Per-field merge: the second file disabled it, the first file's severity stays.
  EXPECT_FALSE(cfg.rule_enabled("close-without-fsync"));
  EXPECT_EQ(cfg.severity_of("close-without-fsync"), Severity::Error);
  EXPECT_FALSE(cfg.rule_enabled("state-deleted"));
  EXPECT_EQ(cfg.exclude_paths, (std::vector<std::string>{"/a/**", "/b/**"}));  // lists accumulate
  ASSERT_EQ(cfg.suppressions.size(), 2u);
  EXPECT_EQ(cfg.suppressions[0].reason, "first");
  EXPECT_EQ(cfg.suppressions[1].reason, "second");
}

TEST(ConfigRulesFile, FilesFromDiskInOrderAndUnreadable) {
  std::string tmpl = (fs::temp_directory_path() / "duraudit-rules-XXXXXX").string();
  fs::path dir = mkdtemp(tmpl.data());
  std::ofstream(dir / "a.yaml") << "grace: 1s\nscope: filesystem\n";
  std::ofstream(dir / "b.yaml") << "grace: 3s\n";
  std::ofstream(dir / "bad.yaml") << "scope: nowhere\n";
  Config cfg = Config::defaults();
  std::vector<Diagnostic> errs;
  EXPECT_TRUE(load_rules_files({(dir / "a.yaml").string(), (dir / "b.yaml").string()}, cfg, errs));
  EXPECT_EQ(cfg.grace_ns, 3'000'000'000ull);
  EXPECT_EQ(cfg.scope, ReplacementScope::Filesystem);

  errs.clear();
  EXPECT_FALSE(load_rules_files({(dir / "missing.yaml").string(), (dir / "bad.yaml").string()}, cfg, errs));
  ASSERT_EQ(errs.size(), 2u);  // both files' problems reported in one run
  EXPECT_EQ(errs[0].line, 0);
  EXPECT_EQ(errs[0].to_string().rfind((dir / "missing.yaml").string() + ": cannot read rules file", 0), 0u)
      << errs[0].to_string();
  EXPECT_EQ(errs[1].to_string().rfind((dir / "bad.yaml").string() + ":1: unknown scope", 0), 0u)
      << errs[1].to_string();
  fs::remove_all(dir);
}

// Every shipped rules file (rules/*.yaml, rules/examples/*.yaml) is valid.
TEST(ConfigRulesFile, ShippedRulesFilesAreValid) {
  const char* src = std::getenv("DURAUDIT_SOURCE_DIR");
  fs::path root = src ? fs::path(src) : source_root();
  ASSERT_TRUE(fs::is_directory(root / "rules")) << root / "rules";
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root / "rules")) {
    if (!entry.is_regular_file() || entry.path().extension() != ".yaml") continue;
    Config cfg = Config::defaults();
    std::vector<Diagnostic> errs;
    EXPECT_TRUE(load_rules_file(entry.path().string(), cfg, errs))
        << (errs.empty() ? std::string() : errs[0].to_string());
    ++checked;
  }
  EXPECT_GE(checked, 3) << "default.yaml and the examples";
}

// rules/default.yaml states exactly the built-in defaults.
TEST(ConfigRulesFile, DefaultYamlMatchesBuiltInDefaults) {
  const char* src = std::getenv("DURAUDIT_SOURCE_DIR");
  fs::path root = src ? fs::path(src) : source_root();
  Config base = Config::defaults();
  Config loaded = Config::defaults();
  std::vector<Diagnostic> errs;
  ASSERT_TRUE(load_rules_file((root / "rules/default.yaml").string(), loaded, errs))
      << (errs.empty() ? std::string() : errs[0].to_string());
  EXPECT_EQ(loaded.grace_ns, base.grace_ns);
  EXPECT_EQ(loaded.state_min_age_ns, base.state_min_age_ns);
  EXPECT_EQ(loaded.scope, base.scope);
  EXPECT_EQ(loaded.ignored_fs_magic, base.ignored_fs_magic);
  EXPECT_TRUE(loaded.suppressions.empty());
  EXPECT_TRUE(loaded.include_paths.empty());
  EXPECT_TRUE(loaded.exclude_paths.empty());
  for (const auto& r : rule_catalogue()) {
    EXPECT_TRUE(loaded.rule_enabled(r.id)) << r.id;
    EXPECT_EQ(loaded.severity_of(r.id), r.default_severity) << r.id;
  }
  // Starting from nothing, default.yaml's filesystem list rebuilds the defaults.
  Config empty;
  errs.clear();
  ASSERT_TRUE(load_rules_file((root / "rules/default.yaml").string(), empty, errs));
  EXPECT_EQ(empty.ignored_fs_magic, base.ignored_fs_magic);
}

}  // namespace
}  // namespace duraudit
