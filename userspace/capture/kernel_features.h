// SPDX-License-Identifier: GPL-2.0-only
// What the running kernel offers duraudit's eBPF programs, read from its BTF
// (/sys/kernel/btf/vmlinux, world-readable): the capture layer decides from
// it which programs to load, and `duraudit --version` prints it. Reading it
// needs no privilege and loads nothing into the kernel.
#pragma once

#include <string>

namespace duraudit {

struct KernelFeatures {
  std::string release;  // uname -r
  std::string machine;  // uname -m
  bool btf = false;     // vmlinux BTF is there: without it nothing loads
  // The kernel's enum bpf_map_type has BPF_MAP_TYPE_RINGBUF (Linux 5.8+),
  // the only transport duraudit uses.
  bool ringbuf = false;
  // sched_process_exit's `bool group_dead` argument (Linux 6.16+).
  bool exit_has_group_dead = false;
  // io_uring_submit_req/io_uring_complete with the arguments the programs
  // read, and struct io_rw (Linux 6.0+): io_uring requests are audited.
  bool uring_tracepoints = false;
  // exceptions:page_fault_user/kernel (x86 only): stores into shared file
  // mappings are seen.
  bool stores_visible = false;
};

// Reads the running kernel's features; never fails (a missing BTF leaves
// every BTF-derived feature false).
KernelFeatures probe_kernel_features();

}  // namespace duraudit
