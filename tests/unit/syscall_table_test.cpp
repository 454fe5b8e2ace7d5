// SPDX-License-Identifier: GPL-2.0-only
// The syscall table (userspace/event/syscall_table.def) is consistent: ids
// dense and in order, names and aliases unique, every family / operation
// predicate agrees with the rows, argument roles well formed, and the syscall
// numbers the BPF side is given are the kernel's (checked against the
// installed kernel headers for x86_64 and arm64).
#include <gtest/gtest.h>

#include <cstdlib>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "engine/rules/ordering_window.h"
#include "engine/rules/rule_util.h"
#include "event/event.h"
#include "event/syscall_table.h"
#include "events.h"
#include "strace/strace_decode.h"

namespace duraudit {
namespace {

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

TEST(SyscallTable, IdsAreDenseAndInOrder) {
  ASSERT_EQ(std::size(kSyscallTable), kSyscallCount);
  for (size_t i = 0; i < kSyscallCount; ++i) EXPECT_EQ(static_cast<size_t>(kSyscallTable[i].syscall), i);
  EXPECT_EQ(kSyscallTable[0].syscall, Syscall::Unknown);
  EXPECT_EQ(static_cast<int>(DA_SC_COUNT_), static_cast<int>(kSyscallCount));
  EXPECT_LE(kSyscallCount, 256u) << "syscall_of_nr stores u8 wire ids";
}

TEST(SyscallTable, NamesAndAliasesAreUniqueAndResolve) {
  std::map<std::string, Syscall> seen;
  std::set<std::string> wires;
  for (const auto& r : kSyscallTable) {
    EXPECT_TRUE(wires.insert(std::string(r.wire)).second) << r.wire;
    auto [it, fresh] = seen.emplace(std::string(r.name), r.syscall);
    EXPECT_TRUE(fresh) << "name " << r.name << " used twice";
    EXPECT_EQ(syscall_name(r.syscall), r.name);
    EXPECT_EQ(syscall_from_name(r.name), r.syscall) << r.name;
  }
  for (const auto& r : kSyscallTable) {
    for (const auto& a : words(r.aliases)) {
      auto [it, fresh] = seen.emplace(a, r.syscall);
      EXPECT_TRUE(fresh) << "alias " << a << " of " << r.name << " is already " << syscall_name(it->second);
      EXPECT_EQ(syscall_from_name(a), r.syscall) << a;
    }
  }
  EXPECT_EQ(syscall_from_name("read"), Syscall::Unknown);
}

TEST(SyscallTable, EveryOperationBelongsToOneFamily) {
  std::map<SyscallOp, SyscallFamily> family_of;
  for (const auto& r : kSyscallTable) {
    auto [it, fresh] = family_of.emplace(r.op, r.family);
    EXPECT_EQ(it->second, r.family) << r.name << ": operation in two families";
  }
}

TEST(SyscallTable, FamilyPredicatesAgreeWithTheRows) {
  for (const auto& r : kSyscallTable) {
    const Syscall s = r.syscall;
    const bool write = r.family == SyscallFamily::Write;
    EXPECT_EQ(is_write_syscall(s), write) << r.name;
    EXPECT_EQ(rules::is_write_family(s), write) << r.name;
    EXPECT_EQ(duraudit::is_write_family(s), write) << r.name;  // strace decoder's
    EXPECT_EQ(is_open_syscall(s), r.family == SyscallFamily::Open) << r.name;
    EXPECT_EQ(rules::is_open(s), r.family == SyscallFamily::Open) << r.name;
    EXPECT_EQ(is_sync_syscall(s), r.family == SyscallFamily::Sync) << r.name;
    EXPECT_EQ(rules::is_rename(s), r.op == SyscallOp::Rename) << r.name;
    EXPECT_EQ(rules::is_link(s), r.op == SyscallOp::Link) << r.name;
    EXPECT_EQ(rules::is_close(s), r.op == SyscallOp::Close) << r.name;
    // the calls that make data durable are syncs
    if (rules::is_sync_call(s)) {
      EXPECT_EQ(r.family, SyscallFamily::Sync) << r.name;
    }
  }
  auto count = [](SyscallFamily f) {
    size_t n = 0;
    for (const auto& r : kSyscallTable) n += r.family == f;
    return n;
  };
  EXPECT_EQ(rules::write_syscalls().size(), count(SyscallFamily::Write));
  EXPECT_EQ(rules::open_syscalls().size(), count(SyscallFamily::Open));
  for (Syscall s : rules::write_syscalls()) EXPECT_TRUE(is_write_syscall(s));
  for (Syscall s : rules::sync_syscalls()) EXPECT_TRUE(rules::is_sync_call(s));
  // the examples the rest of the code was written against
  EXPECT_TRUE(rules::is_write_family(Syscall::Pwritev2));
  EXPECT_TRUE(rules::is_write_family(Syscall::Truncate));
  EXPECT_FALSE(rules::is_write_family(Syscall::Fsync));
  EXPECT_TRUE(rules::is_close(Syscall::ImplicitClose));
}

TEST(SyscallTable, TraitsAreConsistent) {
  for (const auto& r : kSyscallTable) {
    if (r.has(kScTimed)) {
      EXPECT_EQ(r.family, SyscallFamily::Sync) << r.name;
    }
    if (r.has(kScDataWrite)) {
      EXPECT_EQ(r.op, SyscallOp::Write) << r.name;
    }
    if (r.has(kScBytes)) {
      EXPECT_EQ(r.family, SyscallFamily::Write) << r.name;
    }
    if (r.has(kScSyncFlag) && !r.has(kScNoSyscall)) {  // a request's flags come from its SQE / iocb
      EXPECT_GE(r.args.flags, 0) << r.name << ": a sync flag needs a flags argument";
    }
    if (r.has(kScOffline)) {
      EXPECT_FALSE(syscall_on_wire(r.syscall)) << r.name;
      EXPECT_TRUE(r.nr_x86_64 >= 0 || r.nr_arm64 >= 0) << r.name << ": an offline row is a syscall strace shows";
      continue;
    }
    if (r.has(kScNoSyscall)) {
      EXPECT_EQ(r.nr_x86_64, -1) << r.name;
      EXPECT_EQ(r.nr_arm64, -1) << r.name;
      EXPECT_TRUE(syscall_on_wire(r.syscall)) << r.name;
      EXPECT_NE(r.name.find(':'), std::string_view::npos) << r.name << ": named <mechanism>:<operation>";
    } else if (r.has(kScSynthetic | kScTracepoint)) {
      EXPECT_EQ(r.nr_x86_64, -1) << r.name;
      EXPECT_EQ(r.nr_arm64, -1) << r.name;
      EXPECT_FALSE(r.has(kScSynthetic) && syscall_on_wire(r.syscall)) << r.name;
    } else if (r.syscall != Syscall::Unknown && !r.has(kScRetired)) {
      EXPECT_TRUE(r.nr_x86_64 >= 0 || r.nr_arm64 >= 0) << r.name << " has no syscall number";
      EXPECT_TRUE(syscall_on_wire(r.syscall)) << r.name;
    }
    if (r.has(kScTracepoint)) {
      EXPECT_EQ(r.family, SyscallFamily::Lifecycle) << r.name;
    }
  }
  EXPECT_FALSE(syscall_on_wire(Syscall::Unknown));
  EXPECT_FALSE(syscall_on_wire(Syscall::ImplicitClose));
}

TEST(SyscallTable, ArgumentRolesAreWellFormed) {
  for (const auto& r : kSyscallTable) {
    const SyscallArgs& a = r.args;
    const int8_t roles[] = {a.fd, a.fd2, a.dirfd, a.path, a.dirfd2, a.path2, a.flags, a.mode, a.arg, a.arg2};
    std::set<int> used;
    for (int8_t pos : roles) {
      if (pos < 0) continue;
      EXPECT_LT(pos, 6) << r.name << ": syscalls have six arguments";
      EXPECT_TRUE(used.insert(pos).second) << r.name << ": two roles at argument " << int{pos};
    }
    EXPECT_LE(a.need, 6) << r.name;
    EXPECT_FALSE(a.mode >= 0 && a.arg >= 0) << r.name << ": mode and arg are both Event::arg";
    if (a.dirfd >= 0) {
      EXPECT_GE(a.path, 0) << r.name << ": a dirfd anchors path";
    }
    if (a.dirfd2 >= 0) {
      EXPECT_GE(a.path2, 0) << r.name << ": a dirfd2 anchors path2";
    }
    // the arguments every well-formed line has include the fds and paths
    for (int8_t pos : {a.fd, a.fd2, a.dirfd, a.path, a.dirfd2, a.path2})
      if (pos >= 0) {
      EXPECT_LT(pos, a.need) << r.name;
    }
  }
}

// `#define __NR_name number` lines (and asm-generic's __NR3264_ indirection).
std::map<std::string, int> read_syscall_numbers(const std::string& file) {
  std::map<std::string, int> out, nr3264;
  std::ifstream in(file);
  std::regex num(R"(^#define\s+__NR(3264)?_(\w+)\s+(\d+)\s*$)");
  std::regex ind(R"(^#define\s+__NR_(\w+)\s+__NR3264_(\w+)\s*$)");
  std::vector<std::pair<std::string, std::string>> indirect;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, num)) {
      (m[1].matched ? nr3264 : out)[m[2]] = std::stoi(m[3]);
    } else if (std::regex_match(line, m, ind)) {
      indirect.emplace_back(m[1], m[2]);
    }
  }
  for (const auto& [name, target] : indirect)
    if (nr3264.count(target)) out[name] = nr3264[target];
  return out;
}

TEST(SyscallTable, NumbersAreTheKernelHeaders) {
  const char* x86[] = {"/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/include/asm/unistd_64.h"};
  std::map<std::string, int> x86_nrs;
  for (const char* f : x86)
    if (x86_nrs.empty()) x86_nrs = read_syscall_numbers(f);
  auto generic = read_syscall_numbers("/usr/include/asm-generic/unistd.h");
  if (x86_nrs.empty() && generic.empty()) {
    // linux-libc-dev comes with build-essential (scripts/setup.sh): in CI a
    // missing header is a broken setup, not a reason to check nothing.
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL() << "no kernel headers (linux-libc-dev) and CI=true";
    GTEST_SKIP() << "no kernel headers (linux-libc-dev)";
  }

  std::map<int, std::string> x86_used, arm_used;
  for (const auto& r : kSyscallTable) {
    std::string name(r.name);
    if (!x86_nrs.empty()) {
      if (r.nr_x86_64 >= 0) {
        ASSERT_TRUE(x86_nrs.count(name)) << name << " is not an x86_64 syscall";
        EXPECT_EQ(r.nr_x86_64, x86_nrs[name]) << name << " on x86_64";
        EXPECT_TRUE(x86_used.emplace(r.nr_x86_64, name).second) << name << " shares its number";
      } else if (!r.has(kScSynthetic | kScTracepoint | kScNoSyscall) && r.syscall != Syscall::Unknown) {
        EXPECT_FALSE(x86_nrs.count(name)) << name << " exists on x86_64: give its number";
      }
    }
    // arm64 takes the generic table; entries under __ARCH_WANT_* (renameat)
    // are not in arm64, so only the numbers given are checked.
    if (!generic.empty() && r.nr_arm64 >= 0) {
      ASSERT_TRUE(generic.count(name)) << name << " is not in asm-generic/unistd.h";
      EXPECT_EQ(r.nr_arm64, generic[name]) << name << " on arm64";
      EXPECT_TRUE(arm_used.emplace(r.nr_arm64, name).second) << name << " shares its number";
    }
    EXPECT_LT(r.nr_x86_64, DA_NR_TABLE) << name;
    EXPECT_LT(r.nr_arm64, DA_NR_TABLE) << name;
  }
}

}  // namespace
}  // namespace duraudit
