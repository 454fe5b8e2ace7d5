// SPDX-License-Identifier: GPL-2.0-only
#include "capture/bpf_capture.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <fstream>
#include <mutex>
#include <utility>
#include <vector>

#include "capture/cgroup_names.h"
#include "capture/failure_policy.h"
#include "capture/kernel_features.h"
#include "capture/wire_decoder.h"
#include "duraudit.skel.h"
#include "events.h"
#include "event/process_identity.h"
#include "util/container_origin.h"

namespace duraudit {

namespace {

// What on_record returns to end a poll() whose event budget is spent; poll()
// tells it from a real error by the budget being 0.
constexpr int kBudgetSpent = -EAGAIN;
// What on_record returns when the sink threw (poll() rethrows it).
constexpr int kSinkFailed = -ECANCELED;
// What on_stack_record returns to leave the rest of the stack ring for later
// when as many stacks wait for their events as we keep: the kernel then
// drops new stacks (ring full), never events.
constexpr int kStacksBacklogged = -ENOBUFS;

// libbpf talks a lot (verifier logs, BTF probing); users see it only with
// --log-level debug.
int libbpf_to_spdlog(enum libbpf_print_level level, const char* fmt, va_list args) {
  char buf[1024];
  int n = vsnprintf(buf, sizeof buf, fmt, args);
  std::string_view line(buf, n > 0 ? std::min<size_t>(n, sizeof buf - 1) : 0);
  while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (level == LIBBPF_WARN)
    spdlog::debug("libbpf: {}", line);
  else
    spdlog::trace("libbpf: {}", line);
  return n;
}

// syscall number (host architecture) -> wire syscall id, from the syscall
// table: every row the kernel side reports from sys_exit.
void fill_syscall_table(volatile uint8_t* table) {
  static_assert(DA_SC_COUNT_ <= 256, "syscall_of_nr holds a u8 wire id");
  for (const auto& r : kSyscallTable) {
    if (!syscall_on_wire(r.syscall) || r.has(kScTracepoint)) continue;
    int nr = host_syscall_nr(r.nr_x86_64, r.nr_arm64);
    if (nr >= 0 && nr < DA_NR_TABLE) table[nr] = static_cast<uint8_t>(r.syscall);
  }
}

void fill_failure_table(volatile uint8_t* table, bool report_all) {
  for (const auto& r : kSyscallTable)
    table[static_cast<size_t>(r.syscall)] = report_all ? static_cast<uint8_t>(DA_FAIL_KEEP_ALL) : static_cast<uint8_t>(failure_policy(r.syscall));
}

// The table's sys_enter hooks (DA_SYSCALL_ENTER): the clone family, whose
// flags sched_process_fork needs and cannot read.
struct EnterHook {
  int16_t nr_x86_64, nr_arm64;
  uint8_t action;
};
constexpr EnterHook kEnterHooks[] = {
#define DA_SYSCALL(...)
#define DA_SYSCALL_ENTER(kname, x86, arm, action) {x86, arm, action},
#include "event/syscall_table.def"
#undef DA_SYSCALL
#undef DA_SYSCALL_ENTER
};

// syscall number -> what sys_enter does: the clone family (its flags are
// needed by sched_process_fork, which cannot read them) and the calls the
// table marks timed (their entry time, for Event::duration_ns). Everything
// else returns after the table read.
void fill_enter_table(volatile uint8_t* table) {
  auto set = [&](int nr, int action) {
    if (nr >= 0 && nr < DA_NR_TABLE) table[nr] = static_cast<uint8_t>(action);
  };
  for (const auto& h : kEnterHooks) set(host_syscall_nr(h.nr_x86_64, h.nr_arm64), h.action);
  for (const auto& r : kSyscallTable)
    if (r.has(kScTimed) && syscall_on_wire(r.syscall)) set(host_syscall_nr(r.nr_x86_64, r.nr_arm64), DA_ENTER_TIME);
}

bool power_of_two(size_t v) { return v && !(v & (v - 1)); }

std::string load_failure_sentence(int err) {
  err = err < 0 ? -err : err;
  if (err == EPERM || err == EACCES)
    return "duraudit needs root or CAP_BPF+CAP_PERFMON to load eBPF programs";
  return fmt::format(
      "loading duraudit's eBPF programs failed ({}); run with --log-level debug to see the kernel verifier's log",
      strerror(err));
}

// --comm names: what the kernel can match (comm is 15 characters + NUL).
std::string check_comms(const std::set<std::string>& comms) {
  if (comms.size() > 64) return fmt::format("--comm was given {} times; at most 64 names can be traced", comms.size());
  for (const auto& c : comms) {
    if (c.empty()) return "--comm needs a process name, not an empty string";
    if (c.size() >= DA_COMM_LEN)
      return fmt::format(
          "--comm {}: the kernel keeps only the first {} characters of a process name, so this name never matches; "
          "use --comm {}",
          c, DA_COMM_LEN - 1, c.substr(0, DA_COMM_LEN - 1));
    if (c.find('/') != std::string::npos)
      return fmt::format("--comm {}: a process name has no '/'; give the executable's basename", c);
  }
  return {};
}

// Opens a cgroup v2 directory, or says why it is not one.
int open_cgroup_dir(const std::string& path, std::string* why) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    *why = errno == ENOTDIR ? fmt::format("--cgroup {}: not a directory; give a cgroup v2 directory such as "
                                          "/sys/fs/cgroup/system.slice/NAME.service",
                                          path)
                            : fmt::format("--cgroup {}: cannot open it ({})", path, strerror(errno));
    return -1;
  }
  struct statfs sfs {};
  if (fstatfs(fd, &sfs) != 0 || static_cast<unsigned long>(sfs.f_type) != CGROUP2_SUPER_MAGIC) {
    ::close(fd);
    *why = fmt::format(
        "--cgroup {}: not a cgroup v2 directory (cgroup v1 hierarchies are not supported); give a directory of the "
        "cgroup2 mount (see `grep cgroup2 /proc/mounts`)",
        path);
    return -1;
  }
  return fd;
}

// Processes running now whose comm is one of `comms` (not ourselves).
std::vector<int32_t> processes_with_comm(const std::set<std::string>& comms) {
  std::vector<int32_t> out;
  DIR* proc = opendir("/proc");
  if (!proc) return out;
  const int32_t self = getpid();
  while (dirent* d = readdir(proc)) {
    char* end = nullptr;
    long pid = strtol(d->d_name, &end, 10);
    if (*end || pid <= 0 || pid == self) continue;
    std::ifstream in(fmt::format("/proc/{}/comm", pid));
    std::string comm;
    if (std::getline(in, comm) && comms.count(comm)) out.push_back(static_cast<int32_t>(pid));
  }
  closedir(proc);
  return out;
}

}  // namespace

bool BpfCapture::check_options(const CaptureOptions& options, std::string* why) {
  if (std::string w = check_comms(options.comms); !w.empty()) {
    *why = w;
    return false;
  }
  if (!options.cgroup_path.empty()) {
    int fd = open_cgroup_dir(options.cgroup_path, why);
    if (fd < 0) return false;
    ::close(fd);
  }
  return true;
}

std::unique_ptr<BpfCapture> BpfCapture::open(const CaptureOptions& options, std::string* error_out) {
  auto fail = [&](std::string msg) -> std::unique_ptr<BpfCapture> {
    if (error_out) *error_out = std::move(msg);
    return nullptr;
  };
  static std::once_flag print_once;
  std::call_once(print_once, [] { libbpf_set_print(libbpf_to_spdlog); });

  if (!power_of_two(options.ringbuf_bytes) || options.ringbuf_bytes % sysconf(_SC_PAGESIZE) != 0)
    return fail(fmt::format("the ring buffer size {} must be a power of two and a multiple of the page size ({})",
                            options.ringbuf_bytes, sysconf(_SC_PAGESIZE)));

  if (std::string why; !check_options(options, &why)) return fail(why);
  std::unique_ptr<BpfCapture> cap(new BpfCapture());
  if (!options.cgroup_path.empty()) {
    std::string why;
    cap->cgroup_fd_ = open_cgroup_dir(options.cgroup_path, &why);
    if (cap->cgroup_fd_ < 0) return fail(why);
  }

  const KernelFeatures kernel = probe_kernel_features();
  if (!kernel.btf)
    return fail(
        "this kernel exposes no BTF type information (/sys/kernel/btf/vmlinux is missing); duraudit's eBPF "
        "programs need a kernel built with CONFIG_DEBUG_INFO_BTF=y");
  const bool exit_has_group_dead = kernel.exit_has_group_dead;
  const bool uring_tracepoints = kernel.uring_tracepoints;
  // exceptions:page_fault_user/kernel (x86 only) report the stores into
  // shared file mappings; without them (arm64) mmap records say stores are
  // not seen.
  const bool stores_visible = kernel.stores_visible;

  cap->skel_ = duraudit_bpf__open();
  if (!cap->skel_) return fail(load_failure_sentence(errno));

  auto* ro = cap->skel_->rodata;
  ro->trace_all = options.trace_all;
  ro->target_cgroup_id = options.cgroup_id;
  ro->filter_cgroup = cap->cgroup_fd_ >= 0;
  ro->filter_comm = !options.comms.empty();
  ro->self_tgid = static_cast<uint32_t>(getpid());
  ro->exit_tp_has_group_dead = exit_has_group_dead;
  cap->sees_io_uring_ = uring_tracepoints;
  if (!uring_tracepoints)
    spdlog::warn(
        "this kernel's io_uring tracepoints (io_uring_submit_req, io_uring_complete) are not the ones duraudit "
        "reads (Linux 6.0 or later): io_uring requests are not audited");
  bpf_program__set_autoload(cap->skel_->progs.handle_uring_submit, uring_tracepoints);
  bpf_program__set_autoload(cap->skel_->progs.handle_uring_complete, uring_tracepoints);
  ro->stores_visible = stores_visible;
  bpf_program__set_autoload(cap->skel_->progs.handle_page_fault_user, stores_visible);
  bpf_program__set_autoload(cap->skel_->progs.handle_page_fault_kernel, stores_visible);
  fill_syscall_table(ro->syscall_of_nr);
  fill_enter_table(ro->enter_action_of_nr);
  fill_failure_table(ro->failure_policy_of_sc, options.report_all_failures);
  if (options.budget_per_second) {
    ro->budget_ns_per_event = std::max<uint64_t>(1, 1'000'000'000ull / options.budget_per_second);
    ro->budget_burst_ns = ro->budget_ns_per_event * std::max<uint64_t>(1, options.budget_burst);
  }
  ro->wakeup_bytes = static_cast<uint32_t>(std::min(options.wakeup_bytes, options.ringbuf_bytes / 4));
  ro->stacks_enabled = options.stacks;
  size_t stack_ring = options.stacks ? options.stack_ringbuf_bytes : static_cast<size_t>(sysconf(_SC_PAGESIZE));
  if (options.stacks) {
    if (!power_of_two(stack_ring) || stack_ring % sysconf(_SC_PAGESIZE) != 0)
      return fail(fmt::format("the stack ring buffer size {} must be a power of two and a multiple of the page size",
                              stack_ring));
    ro->stack_bytes = static_cast<uint32_t>(std::min<size_t>(options.stack_bytes, DA_STACK_BYTES_MAX));
    ro->stack_wakeup_bytes = static_cast<uint32_t>(std::min<size_t>(size_t{256} << 10, stack_ring / 4));
    ro->stack_cost_ns = options.stack_rate ? 1'000'000'000ull / options.stack_rate : 0;
    ro->stack_burst = options.stack_burst ? options.stack_burst : 1;
    // close(fd) looks at the fd's file at sys_enter, while it is still there.
    for (const auto& r : kSyscallTable)
      if (r.syscall == Syscall::Close)
        if (int nr = host_syscall_nr(r.nr_x86_64, r.nr_arm64); nr >= 0 && nr < DA_NR_TABLE)
          ro->enter_action_of_nr[nr] = DA_ENTER_CLOSE;
  }

  int err = bpf_map__set_max_entries(cap->skel_->maps.events, static_cast<uint32_t>(options.ringbuf_bytes));
  if (err) return fail(fmt::format("cannot size the ring buffer to {} bytes: {}", options.ringbuf_bytes, strerror(-err)));

  err = bpf_map__set_max_entries(cap->skel_->maps.stacks, static_cast<uint32_t>(stack_ring));
  if (err) return fail(fmt::format("cannot size the stack ring buffer to {} bytes: {}", stack_ring, strerror(-err)));

  err = duraudit_bpf__load(cap->skel_);
  if (err) return fail(load_failure_sentence(err));

  int magic_fd = bpf_map__fd(cap->skel_->maps.ignored_fs_magic);
  for (uint64_t magic : options.ignored_fs_magic) {
    uint8_t one = 1;
    if (bpf_map_update_elem(magic_fd, &magic, &one, BPF_ANY))
      return fail(fmt::format("cannot register {} ignored filesystems (at most 256)", options.ignored_fs_magic.size()));
  }

  for (const auto& name : options.comms) {
    char key[DA_COMM_LEN] = {};
    memcpy(key, name.data(), name.size());  // size < DA_COMM_LEN: checked above
    uint8_t one = 1;
    if (bpf_map_update_elem(bpf_map__fd(cap->skel_->maps.traced_comms), key, &one, BPF_ANY))
      return fail(fmt::format("cannot register --comm {}: {}", name, strerror(errno)));
  }
  if (cap->cgroup_fd_ >= 0) {
    uint32_t slot = 0;
    if (bpf_map_update_elem(bpf_map__fd(cap->skel_->maps.target_cgroup), &slot, &cap->cgroup_fd_, BPF_ANY))
      return fail(fmt::format("cannot filter by --cgroup {}: {}", options.cgroup_path, strerror(errno)));
  }

  err = duraudit_bpf__attach(cap->skel_);
  if (err)
    return fail(fmt::format(
        "attaching duraudit's eBPF programs to the syscall and scheduler tracepoints failed ({}); the kernel "
        "needs BTF-enabled raw tracepoints (Linux 5.5 or later)",
        strerror(-err)));

  cap->ring_ = ring_buffer__new(bpf_map__fd(cap->skel_->maps.events), &BpfCapture::on_record, cap.get(), nullptr);
  if (!cap->ring_) return fail(fmt::format("cannot open the eBPF ring buffer: {}", strerror(errno)));
  if (options.stacks) {
    int stacks_fd = bpf_map__fd(cap->skel_->maps.stacks);
    cap->stack_ring_ = ring_buffer__new(stacks_fd, &BpfCapture::on_stack_record, cap.get(), nullptr);
    if (!cap->stack_ring_ || ring_buffer__add(cap->ring_, stacks_fd, &BpfCapture::on_stack_record, cap.get()))
      return fail(fmt::format("cannot open the eBPF stack ring buffer: {}", strerror(errno)));
  }

  // --comm: processes that exec from now on are caught in the kernel (the
  // programs are attached); those already running are found here. One that
  // execs between the two is caught by both, which is harmless.
  if (!options.comms.empty()) {
    for (int32_t pid : processes_with_comm(options.comms)) {
      std::string why;
      if (!cap->add_target(pid, &why)) return fail(why);
      cap->comm_matches_at_open_.push_back(pid);
    }
  }
  spdlog::debug(
      "capture: loaded (ring buffer {} bytes, {} ignored filesystems, exit tracepoint {} group_dead, stores into "
      "shared mappings {})",
      options.ringbuf_bytes, options.ignored_fs_magic.size(), exit_has_group_dead ? "with" : "without",
      stores_visible ? "seen" : "not seen: no page-fault tracepoint");
  return cap;
}

BpfCapture::~BpfCapture() {
  if (ring_) ring_buffer__free(ring_);
  if (stack_ring_) ring_buffer__free(stack_ring_);
  if (skel_) duraudit_bpf__destroy(skel_);
  if (cgroup_fd_ >= 0) ::close(cgroup_fd_);
}

bool BpfCapture::add_target(int32_t tgid, std::string* error_out) {
  uint32_t key = static_cast<uint32_t>(tgid);
  uint8_t one = 1;
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.traced_tgids), &key, &one, BPF_ANY)) {
    if (error_out)
      *error_out = fmt::format("cannot trace process {}: the kernel's target table is full ({})", tgid, strerror(errno));
    return false;
  }
  // A running process may have shared file mappings made before we looked:
  // watch its stores (exec, where `run` starts its command, drops this).
  bpf_map_update_elem(bpf_map__fd(skel_->maps.mapping_tgids), &key, &one, BPF_ANY);
  return true;
}

void BpfCapture::remove_target(int32_t tgid) {
  uint32_t key = static_cast<uint32_t>(tgid);
  bpf_map_delete_elem(bpf_map__fd(skel_->maps.traced_tgids), &key);
  bpf_map_delete_elem(bpf_map__fd(skel_->maps.mapping_tgids), &key);
}

int BpfCapture::on_record(void* ctx, void* data, size_t size) {
  auto* self = static_cast<BpfCapture*>(ctx);
  // libbpf is C: an exception must not unwind through it (its frames have no
  // unwind tables; the process would abort with the traced command left
  // running). Whatever the sink throws is kept, the poll stops, and poll()
  // rethrows it once libbpf has returned.
  try {
    Event e;
    auto status = capture::decode_wire_event(data, size, &e);
    if (status != capture::DecodeStatus::Ok) {
      if (self->decode_errors_++ == 0)
        spdlog::warn("capture: dropped an undecodable ring-buffer record ({})", capture::decode_status_name(status));
      return 0;
    }
    if (capture::wire_event_has_stack(data, size)) e.raw_stack = self->take_stack(e.tid, e.ts_ns);
    if (e.identity) self->name_cgroup(e);
    self->last_event_ts_ = e.ts_ns;
    e.seq = self->next_seq_++;
    (*self->sink_)(std::move(e));
  } catch (...) {
    self->sink_error_ = std::current_exception();
    return kSinkFailed;
  }
  // A negative return makes libbpf stop after this record (it is consumed).
  return --self->budget_ == 0 ? kBudgetSpent : 0;
}

void BpfCapture::name_cgroup(Event& e) {
  if (e.identity->cgroup_id == 0) return;
  if (!cgroup_names_) cgroup_names_ = std::make_unique<CgroupNames>();
  auto id = std::make_shared<ProcessIdentity>(*e.identity);
  id->cgroup = cgroup_names_->path_of(id->cgroup_id, e.pid);
  ContainerOrigin origin = parse_container_origin(id->cgroup);
  id->container_id = std::move(origin.container_id);
  id->pod_uid = std::move(origin.pod_uid);
  e.identity = std::move(id);
}

int BpfCapture::on_stack_record(void* ctx, void* data, size_t size) {
  auto* self = static_cast<BpfCapture*>(ctx);
  // As in on_record: nothing may unwind through libbpf.
  try {
    return self->keep_stack(data, size);
  } catch (...) {
    if (!self->sink_error_) self->sink_error_ = std::current_exception();
    return kSinkFailed;
  }
}

int BpfCapture::keep_stack(void* data, size_t size) {
  capture::WireStack w;
  if (capture::decode_wire_stack(data, size, &w) != capture::DecodeStatus::Ok) {
    ++unmatched_stacks_;
    return 0;
  }
  if (pending_stacks_.size() >= kMaxPendingStacks) {
    // Stacks whose events never came (lost to a full event ring) are older
    // than the events delivered since: forget them. If the rest still fill
    // the table, the events are behind: leave this stack in the ring.
    size_t before = pending_stacks_.size();
    uint64_t horizon = last_event_ts_ > 1'000'000'000 ? last_event_ts_ - 1'000'000'000 : 0;
    std::erase_if(pending_stacks_, [&](const auto& kv) { return kv.first.ts_ns < horizon; });
    unmatched_stacks_ += before - pending_stacks_.size();
    if (pending_stacks_.size() >= kMaxPendingStacks) return kStacksBacklogged;
  }
  pending_stacks_.insert_or_assign(StackKey{w.tid, w.ts_ns}, std::make_shared<RawStack>(std::move(w.stack)));
  return 0;
}

std::shared_ptr<const RawStack> BpfCapture::take_stack(int32_t tid, uint64_t ts_ns) {
  StackKey key{tid, ts_ns};
  auto it = pending_stacks_.find(key);
  if (it == pending_stacks_.end() && stack_ring_) {
    // Committed before the event was: it is in the ring by now.
    ring_buffer__consume(stack_ring_);
    it = pending_stacks_.find(key);
  }
  if (it == pending_stacks_.end()) {
    ++unmatched_stacks_;
    return nullptr;
  }
  auto out = std::move(it->second);
  pending_stacks_.erase(it);
  return out;
}

std::map<std::string, uint64_t> BpfCapture::stack_counters() const {
  std::map<std::string, uint64_t> out;
  int ncpus = libbpf_num_possible_cpus();
  std::vector<uint64_t> per_cpu(ncpus > 0 ? ncpus : 1);
  int fd = bpf_map__fd(skel_->maps.stack_counts);
  for (uint32_t what = 0; what < capture::stack_count_count(); ++what) {
    uint64_t sum = 0;
    if (bpf_map_lookup_elem(fd, &what, per_cpu.data()) == 0)
      for (uint64_t v : per_cpu) sum += v;
    out[std::string(capture::stack_count_name(what))] = sum;
  }
  out["unmatched"] = unmatched_stacks_;
  return out;
}

bool BpfCapture::poll(const Sink& sink, int timeout_ms) {
  sink_ = &sink;
  budget_ = kMaxEventsPerPoll;
  sink_error_ = nullptr;
  int n = ring_buffer__poll(ring_, timeout_ms);
  // Records below the wakeup threshold (CaptureOptions::wakeup_bytes) raise
  // no epoll event: take whatever is waiting once the wait is over.
  if (!sink_error_ && (n >= 0 || n == -EINTR || n == kStacksBacklogged)) {
    int m = ring_buffer__consume(ring_);
    if (m < 0) n = m;
  }
  sink_ = nullptr;
  if (sink_error_) std::rethrow_exception(std::exchange(sink_error_, nullptr));
  bool budget_spent = budget_ == 0 && n == kBudgetSpent;
  if (n < 0 && n != -EINTR && !budget_spent && n != kStacksBacklogged && poll_error_.empty()) {
    poll_error_ = std::string("reading the ring buffer failed: ") + strerror(-n);
    spdlog::error("capture: {}", poll_error_);
  }
  return true;
}

LossCounters BpfCapture::losses() const {
  LossCounters out;
  int ncpus = libbpf_num_possible_cpus();
  std::vector<uint64_t> per_cpu(ncpus > 0 ? ncpus : 1);
  int fd = bpf_map__fd(skel_->maps.losses);
  for (uint32_t reason = 0; reason < capture::loss_reason_count(); ++reason) {
    uint64_t sum = 0;
    if (bpf_map_lookup_elem(fd, &reason, per_cpu.data()) == 0)
      for (uint64_t v : per_cpu) sum += v;
    out[std::string(capture::loss_reason_name(reason))] = sum;
  }
  out["decode_error"] = decode_errors_;
  return out;
}

void BpfCapture::report_over_budget(const Sink& sink) {
  int fd = bpf_map__fd(skel_->maps.budgets);
  uint32_t key = 0, next = 0;
  uint32_t* prev = nullptr;
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  std::vector<Event> reports;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    key = next;
    prev = &key;
    da_budget b{};
    if (bpf_map_lookup_elem(fd, &key, &b) != 0 || b.dropped == b.reported) continue;
    Event e;
    e.syscall = Syscall::OverBudget;
    e.pid = e.tid = static_cast<int32_t>(key);
    e.ts_ns = static_cast<uint64_t>(now.tv_sec) * 1'000'000'000ull + now.tv_nsec;
    e.arg = b.dropped;
    reports.push_back(std::move(e));
  }
  for (Event& e : reports) {
    e.seq = next_seq_++;
    sink(std::move(e));
  }
}

int BpfCapture::epoll_fd() const { return ring_buffer__epoll_fd(ring_); }

}  // namespace duraudit
