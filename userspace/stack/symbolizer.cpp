// SPDX-License-Identifier: GPL-2.0-only
#include "stack/symbolizer.h"

#include <cxxabi.h>
#include <elfutils/libdwfl.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "stack/debuginfo_lookup.h"

namespace duraudit {

namespace {

std::string demangle(const char* name) {
  if (!name) return {};
  if (name[0] == '_' && name[1] == 'Z') {
    int status = 0;
    char* d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    if (status == 0 && d) {
      std::string out(d);
      std::free(d);
      return out;
    }
    std::free(d);
  }
  return name;
}

// One offline libdwfl session per module, the module at bias 0 (so its
// addresses are its ELF virtual addresses).
class ModuleSymbols {
 public:
  explicit ModuleSymbols(const ElfModule& m) {
    dwfl_ = dwfl_begin(dwfl_callbacks());
    if (!dwfl_) return;
    dwfl_report_begin(dwfl_);
    mod_ = dwfl_report_elf(dwfl_, m.path.c_str(), m.path.c_str(), -1, 0, false);
    dwfl_report_end(dwfl_, nullptr, nullptr);
  }
  ~ModuleSymbols() {
    if (dwfl_) dwfl_end(dwfl_);
  }
  ModuleSymbols(const ModuleSymbols&) = delete;
  ModuleSymbols& operator=(const ModuleSymbols&) = delete;

  void lookup(uint64_t addr, StackFrame& f) {
    if (!mod_) return;
    GElf_Off off = 0;
    GElf_Sym sym;
    if (const char* name = dwfl_module_addrinfo(mod_, addr, &off, &sym, nullptr, nullptr, nullptr))
      f.function = demangle(name);
    if (Dwfl_Line* line = dwfl_module_getsrc(mod_, addr)) {
      int lineno = 0;
      if (const char* src = dwfl_lineinfo(line, nullptr, &lineno, nullptr, nullptr, nullptr)) {
        f.file = src;
        f.line = lineno > 0 ? static_cast<uint32_t>(lineno) : 0;
      }
    }
  }

 private:
  Dwfl* dwfl_ = nullptr;
  Dwfl_Module* mod_ = nullptr;
};

struct Cache {
  std::mutex mu;
  std::map<const ElfModule*, std::pair<ElfModuleRef, std::unique_ptr<ModuleSymbols>>> modules;
  std::map<std::pair<const ElfModule*, uint64_t>, StackFrame> frames;
};

Cache& cache() {
  static Cache c;
  return c;
}

}  // namespace

StackFrame symbolize_frame(const UnwoundFrame& uf) {
  StackFrame f;
  f.offset = uf.vaddr;
  if (!uf.module) {
    f.function = uf.jit_symbol;
    return f;
  }
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  uint64_t addr = uf.is_return && uf.vaddr ? uf.vaddr - 1 : uf.vaddr;  // the call, not the instruction after it
  auto key = std::make_pair(uf.module.get(), addr);
  if (auto it = c.frames.find(key); it != c.frames.end()) {
    StackFrame hit = it->second;
    hit.offset = uf.vaddr;
    return hit;
  }
  auto& slot = c.modules[uf.module.get()];
  if (!slot.second) {
    slot.first = uf.module;  // keeps the key's module alive as long as its entry
    slot.second = std::make_unique<ModuleSymbols>(*uf.module);
  }
  f.module = uf.module->path;
  slot.second->lookup(addr, f);
  // Bounded: a long session's distinct call sites are many, but each is small.
  if (c.frames.size() >= 1 << 18) c.frames.clear();
  c.frames.emplace(key, f);
  return f;
}

std::vector<StackFrame> symbolize_stack(const UnwoundStack& stack) {
  std::vector<StackFrame> out;
  out.reserve(stack.frames.size());
  for (const auto& f : stack.frames) out.push_back(symbolize_frame(f));
  return out;
}

}  // namespace duraudit
