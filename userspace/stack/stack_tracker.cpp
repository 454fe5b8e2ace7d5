// SPDX-License-Identifier: GPL-2.0-only
#include "stack/stack_tracker.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "stack/raw_stack.h"
#include "stack/unwound_stack.h"

namespace duraudit {

namespace {

// The executable the kernel loaded: bprm->interp (path2) when it names
// another file (the interpreter of a #! script), else the exec'd path.
std::string executable_of(const Event& ev) {
  if (!ev.path2.empty() && ev.path2 != ev.path && ev.path2[0] == '/') return ev.path2;
  return ev.abs_path.empty() ? ev.path : ev.abs_path;
}

}  // namespace

const ProcessImage* StackTracker::image(int32_t pid) const {
  auto it = images_.find(pid);
  return it == images_.end() ? nullptr : it->second.get();
}

void StackTracker::on_exec(const Event& ev) {
  auto img = std::make_unique<ProcessImage>(ev.pid);
  // arg2 = AT_PHDR, bytes = AT_BASE (bpf/events.h): 0 when the source did
  // not report them (stacks off, an strace log).
  if (ElfModuleRef exe = load_elf_module(executable_of(ev)); exe && ev.arg2) {
    if (exe->fixed_address)
      img->add(exe, 0);
    else if (exe->phdr_vaddr)
      img->add(exe, ev.arg2 - *exe->phdr_vaddr);
    if (!exe->interp.empty() && ev.bytes)
      if (ElfModuleRef ld = load_elf_module(exe->interp)) img->add(ld, ev.bytes - ld->low);
  }
  images_[ev.pid] = std::move(img);
}

void StackTracker::on_code_mmap(const Event& ev) {
  if (ev.failed() || !(ev.arg & PROT_EXEC) || (ev.flags & MAP_ANONYMOUS) || ev.file.path.empty()) return;
  auto it = images_.find(ev.pid);
  if (it == images_.end()) it = images_.emplace(ev.pid, std::make_unique<ProcessImage>(ev.pid)).first;
  ElfModuleRef m = load_elf_module(ev.file.path);
  if (!m) return;
  // bytes = the file offset of the mapping (bpf/events.h)
  if (auto bias = m->bias_for_mapping(static_cast<uint64_t>(ev.ret), ev.bytes)) it->second->add(m, *bias);
}

void StackTracker::seed_from_maps(int32_t pid, const std::string& text) {
  auto img = std::make_unique<ProcessImage>(pid);
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    // start-end perms offset dev inode path
    std::istringstream l(line);
    std::string range, perms, dev, path;
    uint64_t offset = 0, inode = 0;
    if (!(l >> range >> perms >> std::hex >> offset >> dev >> std::dec >> inode)) continue;
    std::getline(l >> std::ws, path);
    if (perms.size() < 3 || perms[2] != 'x' || path.empty() || path[0] != '/') continue;
    auto dash = range.find('-');
    if (dash == std::string::npos) continue;
    uint64_t start = std::stoull(range.substr(0, dash), nullptr, 16);
    if (ElfModuleRef m = load_elf_module(path))
      if (auto bias = m->bias_for_mapping(start, offset)) img->add(m, *bias);
  }
  images_[pid] = std::move(img);
}

bool StackTracker::seed_from_proc(int32_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().empty()) return false;  // a zombie: no address space left
  seed_from_maps(pid, ss.str());
  return true;
}

void StackTracker::bound_sessions() {
  size_t live = 0;
  ProcessImage* oldest = nullptr;
  for (auto& [pid, img] : images_) {
    if (!img->has_unwinder()) continue;
    ++live;
    if (!oldest || img->last_unwind() < oldest->last_unwind()) oldest = img.get();
  }
  if (live > kMaxSessions && oldest) oldest->release_unwinder();
}

std::string StackTracker::jit_symbol(int32_t pid, uint64_t addr) {
  // Written by the runtime as it compiles (Node --perf-basic-prof, Python
  // 3.12 -X perf) or at exit (Java -XX:+DumpPerfMapAtExit): re-read when it
  // changed. Lines are "START SIZE NAME", addresses in hex.
  std::string path = "/tmp/perf-" + std::to_string(pid) + ".map";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  PerfMap& pm = perf_maps_[pid];
  int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  if (pm.mtime_ns != mtime) {
    pm.entries.clear();
    pm.mtime_ns = mtime;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line) && pm.entries.size() < 1'000'000) {
      std::istringstream l(line);
      PerfMap::Entry e;
      if (!(l >> std::hex >> e.start >> e.size)) continue;
      std::getline(l >> std::ws, e.name);
      pm.entries.push_back(std::move(e));
    }
    std::sort(pm.entries.begin(), pm.entries.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  }
  auto it = std::upper_bound(pm.entries.begin(), pm.entries.end(), addr,
                             [](uint64_t a, const PerfMap::Entry& e) { return a < e.start; });
  if (it == pm.entries.begin()) return {};
  --it;
  return addr < it->start + it->size ? it->name : std::string();
}

void StackTracker::unwind(Event& ev) {
  auto it = images_.find(ev.pid);
  if (it == images_.end() && seed_missing_ && !proc_tried_[ev.pid] && seed_from_proc(ev.pid))
    it = images_.find(ev.pid);
  proc_tried_[ev.pid] = true;
  auto out = std::make_shared<UnwoundStack>();
  if (it != images_.end()) {
    *out = it->second->unwind(*ev.raw_stack, ev.tid);
    bound_sessions();
  } else {
    ++stats_.without_image;
    *out = ProcessImage(ev.pid).unwind(*ev.raw_stack, ev.tid);
  }
  for (auto& f : out->frames)
    if (!f.module) f.jit_symbol = jit_symbol(ev.pid, f.is_return && f.vaddr ? f.vaddr - 1 : f.vaddr);
  ++stats_.unwound;
  stats_.frames += out->frames.size();
  ev.stack = std::move(out);
  ev.raw_stack.reset();
}

void StackTracker::observe(Event& ev) {
  switch (ev.syscall) {
    case Syscall::Exec:
      if (!ev.failed()) on_exec(ev);
      break;
    case Syscall::Mmap:
      on_code_mmap(ev);
      break;
    case Syscall::Fork:
      if (!ev.is_thread && !ev.failed())
        if (auto it = images_.find(ev.pid); it != images_.end())
          images_[ev.child_pid] = std::make_unique<ProcessImage>(*it->second, ev.child_pid);
      break;
    default:
      break;
  }
  if (ev.raw_stack) unwind(ev);
  if (ev.syscall == Syscall::Exit && ev.group_dead) {
    images_.erase(ev.pid);
    proc_tried_.erase(ev.pid);
    perf_maps_.erase(ev.pid);
  }
}

}  // namespace duraudit
