// SPDX-License-Identifier: GPL-2.0-only
// Live capture: loads bpf/duraudit.bpf.c, follows target processes in the
// kernel, and delivers their file operations as raw duraudit::Events.
//
//   std::string err;
//   auto cap = BpfCapture::open(CaptureOptions{...}, &err);   // nullptr + sentence on failure
//   cap->add_target(pid);           // before the target runs (see SuspendedChild)
//   while (...) cap->poll(sink, 100);
//   cap->losses();                  // {"ringbuf_full_write": 3, ...}
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "event/event_source.h"
#include "stack/raw_stack.h"

struct duraudit_bpf;  // the libbpf skeleton (bpf/duraudit.skel.h)
struct ring_buffer;

namespace duraudit {

class CgroupNames;  // capture/cgroup_names.h

struct CaptureOptions {
  // Ring buffer size in bytes: a power of two and a multiple of the page
  // size. 16 MiB keeps 200k back-to-back file operations of one target
  // lossless on a 2-core machine; tests use a tiny one to provoke loss.
  size_t ringbuf_bytes = size_t{16} << 20;
  // The kernel side wakes the consumer only once this many bytes are waiting
  // (poll() drains the rest on its timeout); 0 wakes it for every record.
  // Batching saves the traced process an irq_work and duraudit a context
  // switch per event (bench/: the churn loop on tmpfs went from ~2x to ~1.3x).
  // Clamped to a quarter of the ring buffer.
  size_t wakeup_bytes = size_t{256} << 10;
  // Superblock magics whose writes are not reported (Config::ignored_fs_magic).
  std::set<uint64_t> ignored_fs_magic;
  // attach --all: trace every process except duraudit itself.
  bool trace_all = false;
  // With trace_all: only processes whose cgroup v2 id is this (0 = any).
  uint64_t cgroup_id = 0;
  // attach --comm: processes whose comm is one of these names are targets,
  // with their descendants: those running at open() (found in /proc) and
  // every process that later execs into a matching comm (decided in the
  // kernel before the new image runs). A name is what the kernel keeps as
  // comm: at most 15 characters (the executable's basename, cut). At most 64.
  std::set<std::string> comms;
  // attach --cgroup: a cgroup v2 directory (e.g. /sys/fs/cgroup/system.slice/
  // foo.service). Processes in it or in any cgroup below it are targets while
  // they are there, decided in the kernel per event. Empty = not used.
  std::string cgroup_path;
  // trace: send every failed call. Otherwise only the failures that mean
  // something downstream (capture/failure_policy.h) leave the kernel.
  bool report_all_failures = false;
  // Per-process event budget: a traced process may send at most this many
  // syscall records a second, with bursts of `budget_burst`; over it its
  // records are dropped in the kernel (loss reason process_budget) and an
  // OverBudget event names it. 0 = no budget.
  uint64_t budget_per_second = 0;
  uint64_t budget_burst = 0;

  // User stacks at the events that can become evidence (docs/stacks.md):
  // the registers and stack_bytes of user stack per event, in a ring of
  // their own (stack_ringbuf_bytes, a power of two of pages). Each process
  // may send stack_burst stacks at once, then stack_rate per second (0: no
  // limit).
  bool stacks = false;
  size_t stack_bytes = 16384;
  size_t stack_ringbuf_bytes = size_t{8} << 20;
  uint32_t stack_burst = 256;
  uint32_t stack_rate = 100;
};

class BpfCapture final : public EventSource {
 public:
  // Loads and attaches the BPF programs. On failure returns nullptr and puts
  // a sentence the user can act on in *error_out (no privilege, no BTF,
  // verifier rejection...). libbpf's own messages go to spdlog at debug level.
  static std::unique_ptr<BpfCapture> open(const CaptureOptions& options, std::string* error_out);
  // The values in `options` a user gave (comms, cgroup_path): false and a
  // sentence naming the flag when one can never work. open() checks them
  // too; callers ask first to tell a bad value (exit 2) from a failure.
  static bool check_options(const CaptureOptions& options, std::string* why);
  ~BpfCapture() override;
  BpfCapture(const BpfCapture&) = delete;
  BpfCapture& operator=(const BpfCapture&) = delete;

  // Starts tracing the process `tgid` and, from then on, every process it
  // forks (followed in the kernel, before the child first runs). Returns
  // false (and a sentence in *error_out if given) when the map is full.
  bool add_target(int32_t tgid, std::string* error_out = nullptr);
  // Stops tracing `tgid` (its descendants stay traced). A traced process is
  // forgotten by the kernel side when its last thread exits.
  void remove_target(int32_t tgid);

  // EventSource: delivers decoded events in ring-buffer order, seq from 1.
  // If `sink` throws, the poll stops at that event (it counts as delivered)
  // and poll() rethrows the exception; the capture stays usable.
  // Always returns true (a live source is never exhausted). One call
  // delivers at most kMaxEventsPerPoll events and returns: libbpf keeps
  // consuming for as long as the kernel keeps producing, so under sustained
  // load an unbounded poll would never give the caller back its loop
  // (grace-period verdicts, metrics, signals). The rest stay in the ring,
  // and the next poll returns at once.
  static constexpr uint64_t kMaxEventsPerPoll = 4096;
  bool poll(const Sink& sink, int timeout_ms) override;
  // Kernel-side loss counters summed over CPUs, plus "decode_error" for
  // records userspace could not decode. Every reason is present (0 if none).
  LossCounters losses() const override;
  SourceKind kind() const override { return SourceKind::Live; }
  // Records are stamped with bpf_ktime_get_ns(), CLOCK_MONOTONIC.
  WallClock wall_clock() const override { return WallClock::live(); }

  // At the end of a session, after the last poll: an OverBudget event for
  // every process whose latest drops over its event budget were not
  // reported yet (it was still over budget, or reported less than a second
  // ago), so the summary counts them all.
  void report_over_budget(const Sink& sink);

  // For an external epoll loop: readable when events are waiting.
  int epoll_fd() const;
  // Events delivered so far (== the last seq assigned).
  uint64_t delivered() const { return next_seq_ - 1; }
  // With CaptureOptions::comms: the processes that were already running with
  // a matching comm when the capture opened (now targets). Their fd tables
  // and cwd predate the capture: seed them from /proc (Resolver).
  const std::vector<int32_t>& comm_matches_at_open() const { return comm_matches_at_open_; }
  // Whether this kernel's io_uring tracepoints have the shape the programs
  // read (io_uring_submit_req(req), io_uring_complete(ctx, req, cqe): Linux
  // 6.0 and later). When not, io_uring requests are not audited, and the
  // session says so (docs/async-io.md).
  bool sees_io_uring() const { return sees_io_uring_; }
  // With CaptureOptions::stacks: what became of the stacks the events asked
  // for ("sent", "over_budget", "ringbuf_full", "consumer_behind",
  // "unreadable", and
  // "unmatched": sent, but its event was lost or came without it).
  std::map<std::string, uint64_t> stack_counters() const;

  // Why reading the ring buffer failed (epoll on it failed: no event can
  // be read any more), or empty. Logged once when it happens.
  const std::string& poll_error() const { return poll_error_; }

 private:
  BpfCapture() = default;
  static int on_record(void* ctx, void* data, size_t size);
  static int on_stack_record(void* ctx, void* data, size_t size);
  int keep_stack(void* data, size_t size);
  // The stack sent for the event (tid, ts_ns), read from the ring `stacks`
  // if it is not waiting yet; null if none arrived.
  std::shared_ptr<const RawStack> take_stack(int32_t tid, uint64_t ts_ns);
  // An exec's identity gets its cgroup's path and the container and pod
  // named in it (the kernel sends only the cgroup id).
  void name_cgroup(Event& e);

  ::duraudit_bpf* skel_ = nullptr;
  ring_buffer* ring_ = nullptr;
  const Sink* sink_ = nullptr;  // valid during poll()
  std::exception_ptr sink_error_;  // what the sink threw inside libbpf's callback
  uint64_t budget_ = 0;         // events this poll() may still deliver
  uint64_t next_seq_ = 1;
  uint64_t decode_errors_ = 0;
  std::vector<int32_t> comm_matches_at_open_;
  int cgroup_fd_ = -1;  // the --cgroup directory, kept open while its slot is in use
  std::unique_ptr<CgroupNames> cgroup_names_;  // made at the first exec
  bool sees_io_uring_ = false;
  std::string poll_error_;

  // Stacks: the ring `stacks` is in ring_ (so its wakeups end a poll) and in
  // stack_ring_, consumed on demand by an event whose stack has not been
  // read yet (both share the ring's consumer position; one thread uses them).
  ring_buffer* stack_ring_ = nullptr;
  struct StackKey {
    int32_t tid;
    uint64_t ts_ns;
    bool operator==(const StackKey&) const = default;
  };
  struct StackKeyHash {
    size_t operator()(const StackKey& k) const noexcept { return std::hash<uint64_t>{}(k.ts_ns * 31 + k.tid); }
  };
  static constexpr size_t kMaxPendingStacks = 2048;  // at 16 KiB each, 32 MiB at most
  std::unordered_map<StackKey, std::shared_ptr<const RawStack>, StackKeyHash> pending_stacks_;
  uint64_t last_event_ts_ = 0;  // of the latest event delivered: older pending stacks are orphans
  uint64_t unmatched_stacks_ = 0;
};

}  // namespace duraudit
