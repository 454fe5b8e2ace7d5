// SPDX-License-Identifier: GPL-2.0-only
// The operators' rules directory (config/rules_dir.h): *.yaml only, name
// order, a missing directory is no error, an unreadable one is.
#include "config/rules_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace duraudit {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/duraudit-rulesd-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

TEST(RulesDir, ListsYamlFilesInNameOrderSkippingHiddenAndOthers) {
  TempDir t;
  for (const char* n : {"20-db.yaml", "10-base.yaml", "99-local.yaml", "notes.txt", "old.yaml.bak", ".tmp.yaml",
                        "x.yml"})
    std::ofstream(t.path / n) << "version: 1\n";
  // A ConfigMap mount: the files are symlinks into a hidden ..data directory.
  fs::create_directory(t.path / "..data");
  std::ofstream(t.path / "..data" / "50-cm.yaml") << "version: 1\n";
  fs::create_symlink("..data/50-cm.yaml", t.path / "50-cm.yaml");
  std::vector<std::string> files;
  std::string error;
  ASSERT_TRUE(list_rules_dir(t.path.string(), &files, &error)) << error;
  const std::string d = t.path.string() + "/";
  EXPECT_EQ(files, (std::vector<std::string>{d + "10-base.yaml", d + "20-db.yaml", d + "50-cm.yaml", d + "99-local.yaml"}));
}

TEST(RulesDir, MissingDirectoryIsNoFiles) {
  std::vector<std::string> files{"stale"};
  std::string error;
  EXPECT_TRUE(list_rules_dir("/nonexistent/duraudit/rules.d", &files, &error)) << error;
  EXPECT_TRUE(files.empty());
}

TEST(RulesDir, NotADirectoryOrADirectoryEntryIsAnError) {
  TempDir t;
  std::ofstream(t.path / "file") << "x";
  std::vector<std::string> files;
  std::string error;
  EXPECT_FALSE(list_rules_dir((t.path / "file").string(), &files, &error));
  EXPECT_NE(error.find("rules directory " + (t.path / "file").string() + ": Not a directory"), std::string::npos)
      << error;
  fs::create_directory(t.path / "d");
  fs::create_directory(t.path / "d" / "sub.yaml");
  EXPECT_FALSE(list_rules_dir((t.path / "d").string(), &files, &error));
  EXPECT_NE(error.find("sub.yaml is not a regular file"), std::string::npos) << error;
  fs::remove(t.path / "d" / "sub.yaml");
  fs::create_symlink("missing.yaml", t.path / "d" / "dangling.yaml");
  EXPECT_FALSE(list_rules_dir((t.path / "d").string(), &files, &error));
  EXPECT_NE(error.find("dangling.yaml: No such file or directory"), std::string::npos) << error;
}

TEST(RulesDir, UnreadableDirectoryIsAnError) {
  TempDir t;
  fs::create_directory(t.path / "d");
  chmod((t.path / "d").c_str(), 0);
  // Root reads every directory: the check runs in a child that is nobody.
  auto check = [&] {
    std::vector<std::string> files;
    std::string error;
    return !list_rules_dir((t.path / "d").string(), &files, &error) &&
           error.find("rules directory " + (t.path / "d").string() + ": Permission denied") != std::string::npos;
  };
  if (geteuid() != 0) {
    EXPECT_TRUE(check());
  } else {
    chmod(t.path.c_str(), 0755);  // mkdtemp made it 0700: nobody must reach d
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) _exit(setgid(65534) == 0 && setuid(65534) == 0 && check() ? 0 : 1);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "as uid 65534, the listing did not fail with EACCES";
  }
  chmod((t.path / "d").c_str(), 0700);
}

}  // namespace
}  // namespace duraudit
