// SPDX-License-Identifier: GPL-2.0-only
#include "capture/kernel_features.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <sys/utsname.h>

#include <cstring>

namespace duraudit {

namespace {

// sched_process_exit gained a `bool group_dead` argument in 6.16: look at the
// tracepoint's prototype (typedef btf_trace_sched_process_exit = void (*)(void *, task, [bool])).
bool exit_tracepoint_has_group_dead(const struct btf* vmlinux) {
  int id = btf__find_by_name_kind(vmlinux, "btf_trace_sched_process_exit", BTF_KIND_TYPEDEF);
  if (id < 0) return false;
  const struct btf_type* t = btf__type_by_id(vmlinux, id);
  t = btf__type_by_id(vmlinux, t->type);  // pointer
  if (!t || !btf_is_ptr(t)) return false;
  t = btf__type_by_id(vmlinux, t->type);  // function prototype
  return t && btf_is_func_proto(t) && btf_vlen(t) >= 3;
}

// Does the tracepoint `name` exist with `args` arguments (after the
// leading void *)? Optional programs load only where it does.
bool tracepoint_has_args(const struct btf* vmlinux, const char* name, unsigned args) {
  std::string tname = std::string("btf_trace_") + name;
  int id = btf__find_by_name_kind(vmlinux, tname.c_str(), BTF_KIND_TYPEDEF);
  if (id < 0) return false;
  const struct btf_type* t = btf__type_by_id(vmlinux, id);
  t = btf__type_by_id(vmlinux, t->type);
  if (!t || !btf_is_ptr(t)) return false;
  t = btf__type_by_id(vmlinux, t->type);
  return t && btf_is_func_proto(t) && btf_vlen(t) == args + 1;
}

// Is `value` one of the enumerators of `enum name`? The kernel's own type
// information says which map types it knows, without creating a map (which
// would need CAP_BPF).
bool enum_has_value(const struct btf* vmlinux, const char* name, const char* value) {
  int id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_ENUM);
  if (id < 0) return false;
  const struct btf_type* t = btf__type_by_id(vmlinux, id);
  const struct btf_enum* e = btf_enum(t);
  for (unsigned i = 0; i < btf_vlen(t); ++i)
    if (const char* n = btf__name_by_offset(vmlinux, e[i].name_off); n && std::strcmp(n, value) == 0) return true;
  return false;
}

}  // namespace

KernelFeatures probe_kernel_features() {
  KernelFeatures f;
  struct utsname u {};
  if (uname(&u) == 0) {
    f.release = u.release;
    f.machine = u.machine;
  }
  struct btf* vmlinux = btf__load_vmlinux_btf();
  if (!vmlinux) return f;
  f.btf = true;
  f.ringbuf = enum_has_value(vmlinux, "bpf_map_type", "BPF_MAP_TYPE_RINGBUF");
  f.exit_has_group_dead = exit_tracepoint_has_group_dead(vmlinux);
  f.uring_tracepoints = tracepoint_has_args(vmlinux, "io_uring_submit_req", 1) &&
                        tracepoint_has_args(vmlinux, "io_uring_complete", 3) &&
                        btf__find_by_name_kind(vmlinux, "io_rw", BTF_KIND_STRUCT) > 0;
  f.stores_visible =
      tracepoint_has_args(vmlinux, "page_fault_user", 3) && tracepoint_has_args(vmlinux, "page_fault_kernel", 3);
  btf__free(vmlinux);
  return f;
}

}  // namespace duraudit
