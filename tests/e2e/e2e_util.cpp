// SPDX-License-Identifier: GPL-2.0-only
#include "e2e/e2e_util.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace duraudit::e2e {

namespace {
std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}
}  // namespace

std::string duraudit_bin() { return env_or("DURAUDIT_BIN", "duraudit"); }
std::string test_program(const std::string& name) { return env_or("DURAUDIT_TEST_PROGRAMS", ".") + "/" + name; }
std::string demo_program(const std::string& name) {
  return std::filesystem::path(duraudit_bin()).parent_path().string() + "/demo/" + name;
}
std::string source_dir() { return env_or("DURAUDIT_SOURCE_DIR", "."); }

CommandResult run_command(const std::vector<std::string>& argv, const std::string& stdin_data) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) return {};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (!stdin_data.empty()) {
    ssize_t w = write(in[1], stdin_data.data(), stdin_data.size());
    (void)w;
  }
  close(in[1]);
  CommandResult r;
  std::array<pollfd, 2> fds{{{out[0], POLLIN, 0}, {err[0], POLLIN, 0}}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (poll(fds.data(), fds.size(), -1) < 0) break;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? r.out : r.err).append(buf, n);
      }
    }
  }
  int st = 0;
  waitpid(pid, &st, 0);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

ScratchDir::ScratchDir() {
  // build/ lives on the repository's (disk) filesystem, unlike /tmp on many hosts.
  std::string base = std::filesystem::path(duraudit_bin()).parent_path().string() + "/e2e-scratch";
  std::filesystem::create_directories(base);
  std::string tmpl = base + "/run.XXXXXX";
  std::vector<char> t(tmpl.begin(), tmpl.end());
  t.push_back('\0');
  path_ = mkdtemp(t.data()) ? std::string(t.data()) : base;
  path_ = std::filesystem::canonical(path_).string();
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

nlohmann::json parse_output_line(const std::string& line) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded()) return j;
  // One file per test process: tests run in parallel, each appends whole lines.
  static const std::string kept = [] {
    std::filesystem::create_directories(DURAUDIT_TEST_JSON_LINES_DIR);
    return std::string(DURAUDIT_TEST_JSON_LINES_DIR) + "/" + std::to_string(getpid()) + ".jsonl";
  }();
  std::ofstream(kept, std::ios::app) << line << '\n';
  return j;
}

JsonReport parse_report(const std::string& jsonl) {
  JsonReport r;
  std::istringstream in(jsonl);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = parse_output_line(line);
    if (j.is_discarded()) {
      ADD_FAILURE() << "not JSON: " << line;
      continue;
    }
    if (j.value("type", "") == "finding") r.findings.push_back(j);
    else if (j.value("type", "") == "summary") r.summary = j;
  }
  return r;
}

std::vector<nlohmann::json> JsonReport::of_rule(const std::string& rule) const {
  std::vector<nlohmann::json> v;
  for (const auto& f : findings)
    if (f.value("rule", "") == rule) v.push_back(f);
  return v;
}

std::vector<nlohmann::json> JsonReport::about(const std::string& path) const {
  std::vector<nlohmann::json> v;
  for (const auto& f : findings)
    if (f.value("path", "") == path) v.push_back(f);
  return v;
}

std::vector<nlohmann::json> JsonReport::at_least(const std::string& severity) const {
  auto rank = [](const std::string& s) { return s == "error" ? 3 : s == "warning" ? 2 : s == "notice" ? 1 : 0; };
  std::vector<nlohmann::json> v;
  for (const auto& f : findings)
    if (rank(f.value("severity", "")) >= rank(severity)) v.push_back(f);
  return v;
}

std::string JsonReport::describe() const {
  std::string s;
  for (const auto& f : findings)
    s += "  " + f.value("severity", "?") + " " + f.value("rule", "?") + " " + f.value("path", "?") + "\n";
  return s.empty() ? "  (no findings)\n" : s;
}

std::string find_tool(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  std::string dirs = std::getenv("PATH") ? std::getenv("PATH") : "";
  dirs += ":/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin";
  std::istringstream in(dirs);
  std::string d;
  while (std::getline(in, d, ':'))
    if (!d.empty() && access((d + "/" + name).c_str(), X_OK) == 0) return d + "/" + name;
  return "";
}

XfsLoopMount::XfsLoopMount(const std::string& base) : image_(base + "/xfs.img"), mnt_(base + "/mnt") {
  namespace fs = std::filesystem;
  fs::create_directories(mnt_);
  {
    std::ofstream img(image_);
  }
  fs::resize_file(image_, 300ull << 20);  // sparse
  auto mk = run_command({find_tool("mkfs.xfs"), "-q", image_});
  if (mk.status != 0) {
    error_ = "mkfs.xfs failed: " + mk.err;
    return;
  }
  auto mt = run_command({find_tool("mount"), "-o", "loop", image_, mnt_});
  if (mt.status != 0) {
    error_ = "mount -o loop failed: " + mt.err;
    return;
  }
  mounted_ = true;
}

XfsLoopMount::~XfsLoopMount() {
  if (mounted_ && run_command({find_tool("umount"), mnt_}).status != 0)
    run_command({find_tool("umount"), "-l", mnt_});  // the loop device detaches with it (autoclear)
  std::error_code ec;
  std::filesystem::remove(image_, ec);
}

}  // namespace duraudit::e2e
