// SPDX-License-Identifier: GPL-2.0-only
#include "stack/process_image.h"

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "stack/debuginfo_lookup.h"

namespace duraudit {

namespace {
uint64_t g_unwind_clock = 0;  // orders unwinds for ProcessImage::last_unwind()
}  // namespace

// One libdwfl session: the process's modules reported at their biases, and
// a process state whose only thread is the stack being unwound.
struct ProcessImage::Session {
  Dwfl* dwfl = nullptr;
  bool attached = false;
  uint64_t reported_generation = ~uint64_t{0};
  // During unwind():
  const RawStack* raw = nullptr;
  int32_t tid = 0;

  ~Session() {
    if (dwfl) dwfl_end(dwfl);
  }

  static pid_t next_thread(Dwfl*, void* arg, void** thread_arg) {
    auto* s = static_cast<Session*>(arg);
    if (*thread_arg) return 0;
    *thread_arg = s;
    return s->tid;
  }
  static bool get_thread(Dwfl*, pid_t tid, void* arg, void** thread_arg) {
    auto* s = static_cast<Session*>(arg);
    *thread_arg = s;
    return tid == s->tid;
  }
  // Memory is the copied stack and nothing else: an address outside it ends
  // the unwinding (the stack copy was cut, or the CFI is wrong).
  static bool memory_read(Dwfl*, Dwarf_Addr addr, Dwarf_Word* result, void* arg) {
    auto* s = static_cast<Session*>(arg);
    const RawStack* r = s->raw;
    if (!r || addr < r->sp || addr - r->sp > r->bytes.size() || r->bytes.size() - (addr - r->sp) < sizeof(*result))
      return false;
    std::memcpy(result, r->bytes.data() + (addr - r->sp), sizeof(*result));
    return true;
  }
  static bool set_initial_registers(Dwfl_Thread* thread, void* arg) {
    auto* s = static_cast<Session*>(arg);
    const RawStack* r = s->raw;
    Dwarf_Word regs[33];
    for (size_t i = 0; i < r->regs.size(); ++i) regs[i] = r->regs[i];
    if (r->arch == StackArch::X86_64) return dwfl_thread_state_registers(thread, 0, 17, regs);  // rip is 16
    if (r->arch == StackArch::Arm64) {
      if (!dwfl_thread_state_registers(thread, 0, 32, regs)) return false;  // x0..x30, sp
      dwfl_thread_state_register_pc(thread, regs[32]);
      return true;
    }
    return false;
  }
};

ProcessImage::ProcessImage(int32_t pid) : pid_(pid) {}

ProcessImage::ProcessImage(const ProcessImage& parent, int32_t pid) : pid_(pid), maps_(parent.maps_) {}

ProcessImage::~ProcessImage() = default;

void ProcessImage::add(ElfModuleRef module, uint64_t bias) {
  if (!module) return;
  CodeMapping m{module->low + bias, module->high + bias, bias, std::move(module)};
  if (m.end <= m.start) return;
  // An identical mapping (the same library mapped again) changes nothing.
  for (const auto& have : maps_)
    if (have.start == m.start && have.end == m.end && have.module == m.module) return;
  std::erase_if(maps_, [&](const CodeMapping& o) { return o.start < m.end && m.start < o.end; });
  auto pos = std::lower_bound(maps_.begin(), maps_.end(), m.start,
                              [](const CodeMapping& o, uint64_t start) { return o.start < start; });
  maps_.insert(pos, std::move(m));
  ++generation_;
}

const CodeMapping* ProcessImage::at(uint64_t addr) const {
  auto it = std::upper_bound(maps_.begin(), maps_.end(), addr,
                             [](uint64_t a, const CodeMapping& o) { return a < o.start; });
  if (it == maps_.begin()) return nullptr;
  --it;
  return addr < it->end ? &*it : nullptr;
}

void ProcessImage::release_unwinder() { session_.reset(); }

bool ProcessImage::ensure_session() {
  static const Dwfl_Thread_Callbacks callbacks = {
      .next_thread = &Session::next_thread,
      .get_thread = &Session::get_thread,
      .memory_read = &Session::memory_read,
      .set_initial_registers = &Session::set_initial_registers,
      .detach = nullptr,
      .thread_detach = nullptr,
  };
  if (!session_) {
    session_ = std::make_unique<Session>();
    session_->dwfl = dwfl_begin(dwfl_callbacks());
    if (!session_->dwfl) {
      session_.reset();
      return false;
    }
  }
  Session& s = *session_;
  if (s.reported_generation != generation_) {
    dwfl_report_begin(s.dwfl);
    for (const auto& m : maps_)
      dwfl_report_elf(s.dwfl, m.module->path.c_str(), m.module->path.c_str(), -1, m.bias, false);
    dwfl_report_end(s.dwfl, nullptr, nullptr);
    s.reported_generation = generation_;
  }
  // The process state needs a module to tell the architecture from: attach
  // once the first one is there.
  if (!s.attached && !maps_.empty()) s.attached = dwfl_attach_state(s.dwfl, nullptr, pid_, &callbacks, &s);
  return s.attached;
}

namespace {

struct FrameCollector {
  std::vector<std::pair<uint64_t, bool>> pcs;  // pc, is_return
  size_t max = 64;
};

int collect_frame(Dwfl_Frame* frame, void* arg) {
  auto* c = static_cast<FrameCollector*>(arg);
  Dwarf_Addr pc = 0;
  bool activation = false;
  if (!dwfl_frame_pc(frame, &pc, &activation) || pc == 0) return DWARF_CB_ABORT;
  c->pcs.emplace_back(pc, !activation);
  return c->pcs.size() >= c->max ? DWARF_CB_ABORT : DWARF_CB_OK;
}

}  // namespace

UnwoundStack ProcessImage::unwind(const RawStack& raw, int32_t tid, size_t max_frames) {
  UnwoundStack out;
  if (raw.nregs == 0 || raw.arch == StackArch::Unknown) return out;
  last_unwind_ = ++g_unwind_clock;
  FrameCollector c;
  c.max = max_frames;
  if (ensure_session()) {
    session_->raw = &raw;
    session_->tid = tid;
    // -1 at the end of the stack is normal
    if (dwfl_getthread_frames(session_->dwfl, tid, collect_frame, &c) != 0)
      spdlog::trace("stacks: pid {} tid {}: unwinding stopped after {} frames ({}; {} bytes of stack from {:#x})",
                    pid_, tid, c.pcs.size(), dwfl_errmsg(-1), raw.bytes.size(), raw.sp);
    session_->raw = nullptr;
  }
  if (c.pcs.empty()) {
    uint64_t pc = raw.arch == StackArch::X86_64 ? raw.regs[16] : raw.regs[32];
    c.pcs.emplace_back(pc, false);
  }
  out.frames.reserve(c.pcs.size());
  for (const auto& [pc, is_return] : c.pcs) {
    UnwoundFrame f;
    f.is_return = is_return;
    if (const CodeMapping* m = at(pc)) {
      f.module = m->module;
      f.vaddr = pc - m->bias;
    } else {
      f.vaddr = pc;
    }
    out.frames.push_back(std::move(f));
  }
  return out;
}

}  // namespace duraudit
