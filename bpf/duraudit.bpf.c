// SPDX-License-Identifier: GPL-2.0
/* duraudit's kernel side: turns the file operations of traced processes into
 * ring-buffer records (bpf/events.h).
 *
 * Attach points need neither kprobes nor tracefs:
 *   tp_btf/sys_enter             only clone/clone3/fork/vfork (stash the clone
 *                                flags for sched_process_fork) and the sync
 *                                calls (stash the entry time for duration_ns)
 *   tp_btf/sys_exit              every traced syscall, arguments still in pt_regs
 *   tp_btf/sched_process_fork    Fork (parent context: precedes the child's events)
 *   tp_btf/sched_process_exec    Exec (execve clobbers the argument registers)
 *   tp_btf/sched_process_exit    Exit (exit_group never reaches sys_exit)
 *   tp_btf/page_fault_user,      stores into shared writable file mappings
 *   tp_btf/page_fault_kernel     (x86 only; optional, see "Shared file mappings")
 *
 * Cost for everyone else: sys_exit loads the syscall number and one byte of a
 * rodata table; only the ~40 syscalls we care about go on to one hash lookup
 * of the tgid. Writes are deduplicated here (see "Write deduplication").
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "events.h"
#include "core_fixes.h"

char LICENSE[] SEC("license") = "GPL";

/* ---- configuration, set by userspace before load ---- */

/* attach --all: every process (but duraudit itself) is a target. */
const volatile bool trace_all = false;
/* With trace_all: only processes in this cgroup (v2 id); 0 = any. */
const volatile __u64 target_cgroup_id = 0;
/* attach --cgroup: processes in the cgroup v2 directory in slot 0 of
 * target_cgroup, or in any cgroup below it, are targets (while there). */
const volatile bool filter_cgroup = false;
/* attach --comm: a process whose comm is in traced_comms after an exec
 * becomes a target, with its descendants (traced_tgids). */
const volatile bool filter_comm = false;
/* duraudit's own tgid: never traced, so its output is not fed back to it. */
const volatile __u32 self_tgid = 0;
/* sched_process_exit carries (task, group_dead) since v6.16; before, only
 * (task). Userspace checks the tracepoint's BTF prototype. */
const volatile bool exit_tp_has_group_dead = false;
/* syscall number -> enum da_syscall (0 = not ours). */
const volatile __u8 syscall_of_nr[DA_NR_TABLE] = {};
/* syscall number -> enum da_enter_action (0 = sys_enter returns at once). */
const volatile __u8 enter_action_of_nr[DA_NR_TABLE] = {};
/* Wake the consumer once this many bytes wait in the ring buffer; 0 wakes it
 * for every record. Userspace polls with a timeout and drains on it. */
const volatile __u32 wakeup_bytes = 0;
/* enum da_syscall -> enum da_failure_policy: which failed calls are sent. */
const volatile __u8 failure_policy_of_sc[DA_SC_COUNT_] = {};
/* Per-process event budget (--process-budget): 1e9 / events per second,
 * and the burst allowed, in ns of credit. 0 = no budget. */
const volatile __u64 budget_ns_per_event = 0;
const volatile __u64 budget_burst_ns = 0;
/* User stacks (see "User stacks"): on, and how many bytes of user stack
 * are copied from sp (<= DA_STACK_BYTES_MAX). */
const volatile bool stacks_enabled = false;
const volatile __u32 stack_bytes = 16384;
/* Like wakeup_bytes, for the ring `stacks`. */
const volatile __u32 stack_wakeup_bytes = 0;
/* Per-process stack budget: a burst of stack_burst stacks, refilled at one
 * per stack_cost_ns; stack_cost_ns == 0 means no limit. */
const volatile __u64 stack_cost_ns = 0;
const volatile __u64 stack_burst = 0;

/* ---- maps ---- */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* resized by userspace (CaptureOptions) */
} events SEC(".maps");

/* tgids being traced; fork adds children, the group's exit removes it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} traced_tgids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target_cgroup SEC(".maps");

/* comm (NUL-padded to 16 bytes, as bpf_get_current_comm() writes it) */
struct da_comm_key {
	char comm[DA_COMM_LEN];
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct da_comm_key);
	__type(value, __u8);
} traced_comms SEC(".maps");

/* Filesystem magics whose writes do not matter (tmpfs, proc, ...). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, __u8);
} ignored_fs_magic SEC(".maps");

struct da_scratch {
	struct da_event e;
	char data[2 * DA_PATH_MAX];
};

/* One record under construction per CPU (too big for the 512-byte stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct da_scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DA_LOSS_COUNT_);
	__type(key, __u32);
	__type(value, __u64);
} losses SEC(".maps");

/* Event budgets of traced processes (struct da_budget, see "Event
 * budgets"). LRU: a process that went quiet can lose its entry, and starts
 * again with a full bucket; one that exits is removed. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct da_budget);
} budgets SEC(".maps");

/* Clone flags of a traced thread between its clone/clone3/fork/vfork
 * sys_enter and the sched_process_fork that the call fires (keyed by tid;
 * removed there or when the thread exits). LRU: a stash orphaned by a clone
 * that failed before forking is overwritten or evicted, never a leak. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} clone_flags_of_tid SEC(".maps");

/* sys_enter time of a traced thread's sync call in progress (fsync,
 * fdatasync, sync, syncfs, sync_file_range, msync), keyed by tid, taken
 * back at its sys_exit: the call's duration for
 * duraudit_sync_duration_seconds. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} sync_enter_ts SEC(".maps");

/* ---- Write deduplication ----
 *
 * Userspace needs to hear "(process, inode) became dirty", not every write.
 * Epoch boundaries take a fresh value from one global, increasing counter:
 *   inode_gen[dev,ino]  last fsync/fdatasync of the inode (successful or
 *                       not), O_SYNC write, ftruncate, or O_TRUNC open
 *   dev_gen[dev]        last syncfs of the filesystem
 *   gens[DA_GEN_GLOBAL] last sync(), or truncate(path) (whose inode the
 *                       kernel side cannot name at sys_exit)
 * so the epoch an inode is in is simply max(inode_gen, dev_gen, global gen).
 * A boundary is not only "the data became durable": it is any point after
 * which the rules need to see the next write again. A FAILED fsync must not
 * hide the write that follows it (fsync-error-ignored), and a truncation
 * makes the data dirty again, so the rewrite after it must be reported
 * (truncate-in-place). Over-reporting is harmless (userspace sees one more
 * "dirty" event); under-reporting hides bugs.
 * dirty[tgid,dev,ino] holds the epoch (<< 1 | synced) in which that process
 * last reported a write: equal means "already told userspace", and one u64
 * lets concurrent threads claim a report with a compare-and-swap.
 * inode_gen is an LRU: an evicted inode gets a fresh value on its next write,
 * which only causes one extra (harmless) report, never a missed one.
 */
#define DA_GEN_GLOBAL 0
#define DA_GEN_COUNTER 1
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} gens SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct da_inode_key);
	__type(value, __u64);
} inode_gen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} dev_gen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 131072);
	__type(key, struct da_dirty_key);
	__type(value, __u64);
} dirty SEC(".maps");

/* ---- helpers ---- */

static __always_inline void count_loss(__u32 reason)
{
	__u64 *c = bpf_map_lookup_elem(&losses, &reason);
	if (c)
		(*c)++;
}

/* TRACED_BY_MAP: the tgid is in traced_tgids (add_target, a traced parent,
 * a --comm match), so its children are added too and its exit removes it.
 * TRACED_BY_PREDICATE: --all or --cgroup says so for the current task, and
 * will say so for its children: nothing to store. */
enum { NOT_TRACED = 0, TRACED_BY_MAP = 1, TRACED_BY_PREDICATE = 2 };

/* Whether `tgid` is traced. Callers pass the current task's tgid (the
 * predicates look at the current task's cgroup). */
static __always_inline int traced(__u32 tgid)
{
	if (tgid == self_tgid)
		return NOT_TRACED;
	if (bpf_map_lookup_elem(&traced_tgids, &tgid))
		return TRACED_BY_MAP;
	if (trace_all && (!target_cgroup_id || bpf_get_current_cgroup_id() == target_cgroup_id))
		return TRACED_BY_PREDICATE;
	if (filter_cgroup && bpf_current_task_under_cgroup(&target_cgroup, 0) == 1)
		return TRACED_BY_PREDICATE;
	return NOT_TRACED;
}

static __always_inline __u64 next_gen(void)
{
	__u32 k = DA_GEN_COUNTER;
	__u64 *c = bpf_map_lookup_elem(&gens, &k);
	if (!c)
		return 0;
	return __sync_fetch_and_add(c, 1) + 1;
}

/* Starts a new dedup epoch for one inode: the next write to it, by any
 * process, is reported again. */
static __always_inline void new_inode_epoch(__u64 dev, __u64 ino)
{
	struct da_inode_key ik = { .dev = dev, .ino = ino };
	__u64 ng = next_gen();
	bpf_map_update_elem(&inode_gen, &ik, &ng, BPF_ANY);
}

/* The same for every inode (sync(), truncate(path)). */
static __always_inline void new_global_epoch(void)
{
	__u32 k = DA_GEN_GLOBAL;
	__u64 *g = bpf_map_lookup_elem(&gens, &k);
	__u64 ng = next_gen();
	if (g)
		*g = ng;
}

static __always_inline struct da_scratch *scratch_begin(__u16 type, __u16 sc, __u64 pid_tgid)
{
	__u32 zero = 0;
	struct da_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return NULL;
	__builtin_memset(&s->e, 0, sizeof(s->e));
	s->e.head.type = type;
	s->e.head.syscall = sc;
	s->e.head.ts_ns = bpf_ktime_get_ns();
	s->e.pid = pid_tgid >> 32;
	s->e.tid = (__u32)pid_tgid;
	s->e.fd = -1;
	s->e.fd2 = -1;
	s->e.dirfd = DA_AT_FDCWD;
	s->e.dirfd2 = DA_AT_FDCWD;
	bpf_get_current_comm(s->e.comm, sizeof(s->e.comm));
	return s;
}

/* A record about work `task` asked for but another context carries out (an
 * io_uring request completing in a worker or in task work): the submitter's
 * pid, tid and comm, not the current thread's. */
static __always_inline struct da_scratch *scratch_begin_task(__u16 type, __u16 sc, struct task_struct *task)
{
	__u64 pid_tgid = (__u64)BPF_CORE_READ(task, tgid) << 32 | (__u32)BPF_CORE_READ(task, pid);
	struct da_scratch *s = scratch_begin(type, sc, pid_tgid);
	if (!s)
		return NULL;
	/* An SQPOLL thread submits for the whole process: name the process
	 * (its leader), not "iou-sqp-PID". */
	if (BPF_CORE_READ(task, flags) & DA_PF_IO_WORKER)
		task = BPF_CORE_READ(task, group_leader);
	bpf_probe_read_kernel_str(s->e.comm, sizeof(s->e.comm), BPF_CORE_READ(task, comm));
	return s;
}

/* Whether a failed call (ret < 0) of `sc` is sent (enum da_failure_policy). */
static __always_inline bool failure_reported(__u16 sc, long ret)
{
	if (sc >= DA_SC_COUNT_)
		return true;
	switch (failure_policy_of_sc[sc]) {
	case DA_FAIL_KEEP_ALL:
		return true;
	case DA_FAIL_KEEP_UNLESS_EBADF:
		return ret != -DA_EBADF;
	case DA_FAIL_KEEP_DATA_LOSS:
		return ret == -DA_EIO || ret == -DA_ENOSPC || ret == -DA_EDQUOT;
	case DA_FAIL_KEEP_EEXIST:
		return ret == -DA_EEXIST;
	default:
		return false;
	}
}

/* ---- Event budgets ----
 *
 * One traced process must not be able to fill the ring buffer (and the
 * consumer's core) with cheap calls and so blind duraudit to everyone else.
 * With a budget set, every syscall record (not fork/exec/exit: the process
 * tree must stay right) spends one token of its process's bucket; a record
 * over budget is dropped and counted (DA_LOSS_PROCESS_BUDGET, and in the
 * process's entry), and a DA_EV_BUDGET record tells userspace which process
 * it was: at its first drop, then at most once a second while it keeps
 * dropping, and at its exit. Userspace marks that process's findings
 * incomplete; everyone else's stay whole. Threads of one process race on
 * the entry without atomics: at worst a few more records pass. */
static __always_inline void send_budget_report(__u32 tgid, const char *comm, struct da_budget *b, __u64 now)
{
	struct da_event *r = bpf_ringbuf_reserve(&events, DA_EVENT_FIXED_SIZE, 0);
	if (!r) {
		count_loss(DA_LOSS_RINGBUF_FULL_SYSCALL);
		return; /* the next drop tries again */
	}
	__builtin_memset(r, 0, DA_EVENT_FIXED_SIZE);
	r->head.type = DA_EV_BUDGET;
	r->head.size = DA_EVENT_FIXED_SIZE;
	r->head.syscall = DA_SC_OVER_BUDGET;
	r->head.ts_ns = now;
	r->pid = tgid;
	r->tid = tgid;
	bpf_probe_read_kernel(r->comm, sizeof(r->comm), comm);
	r->fd = -1;
	r->fd2 = -1;
	r->dirfd = DA_AT_FDCWD;
	r->dirfd2 = DA_AT_FDCWD;
	r->arg = b->dropped;
	bpf_ringbuf_submit(r, 0);
	b->reported = b->dropped;
	b->reported_ns = now;
}

/* Spends one token of the record's process; false when it is over budget
 * (the record is then dropped and counted here). */
static __always_inline bool within_budget(struct da_event *e)
{
	if (!budget_ns_per_event || e->head.type != DA_EV_SYSCALL)
		return true;
	__u32 tgid = e->pid;
	__u64 now = e->head.ts_ns;
	struct da_budget *b = bpf_map_lookup_elem(&budgets, &tgid);
	if (!b) {
		struct da_budget fresh = { .tat = now + budget_ns_per_event };
		bpf_map_update_elem(&budgets, &tgid, &fresh, BPF_NOEXIST);
		return true;
	}
	__u64 tat = b->tat > now ? b->tat : now;
	if (tat - now <= budget_burst_ns) {
		b->tat = tat + budget_ns_per_event;
		return true;
	}
	count_loss(DA_LOSS_PROCESS_BUDGET);
	__sync_fetch_and_add(&b->dropped, 1);
	if (!b->reported_ns || now - b->reported_ns >= 1000000000ull)
		send_budget_report(tgid, e->comm, b, now);
	return false;
}

/* At a traced process's exit: the drops not yet reported, then its entry. */
static __always_inline void finish_budget(__u32 tgid, const char *comm)
{
	struct da_budget *b = bpf_map_lookup_elem(&budgets, &tgid);
	if (!b)
		return;
	if (b->dropped != b->reported)
		send_budget_report(tgid, comm, b, bpf_ktime_get_ns());
	bpf_map_delete_elem(&budgets, &tgid);
}

/* Sends the record (fixed part + strings). Returns 0 on success, and when
 * the record is a failed call userspace does not need (dropped on purpose:
 * nothing to retry). */
/* The flags for bpf_ringbuf_output() of `size` bytes into `ring`. A wakeup
 * is an irq_work (a self-IPI) for the traced process and a context switch
 * for the consumer; one per record doubled the cost of a syscall-dense loop
 * (docs/benchmarks.md). Wake the consumer when the unread data crosses a
 * multiple of `threshold`: once per batch, and again per batch while it
 * lags, so a wakeup lost to a race between CPUs is made up by the next
 * crossing. threshold 0: flags 0, the kernel's own choice. */
static __always_inline __u64 batched_wakeup(void *ring, __u64 threshold, __u64 size)
{
	if (!threshold)
		return 0;
	__u64 avail = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA);
	return avail / threshold != (avail + size) / threshold ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline int scratch_submit(struct da_scratch *s, __u32 loss_reason)
{
	if (s->e.head.type == DA_EV_SYSCALL && s->e.ret < 0 && !failure_reported(s->e.head.syscall, s->e.ret))
		return 0;
	if (!within_budget(&s->e))
		return -1;
	__u32 l1 = s->e.path_len, l2 = s->e.path2_len;
	if (l1 > DA_PATH_MAX)
		l1 = DA_PATH_MAX;
	if (l2 > DA_PATH_MAX)
		l2 = DA_PATH_MAX;
	__u32 size = DA_EVENT_FIXED_SIZE + l1 + l2;
	s->e.head.size = size;
	if (bpf_ringbuf_output(&events, s, size, batched_wakeup(&events, wakeup_bytes, size))) {
		count_loss(loss_reason);
		return -1;
	}
	return 0;
}

/* Reads a user string into the record's string area at `off`; returns the
 * bytes stored (NUL included), 0 when unreadable. */
static __always_inline __u32 read_user_path(struct da_scratch *s, __u32 off, const char *upath,
					    long ret, __u16 trunc_flag)
{
	if (off > DA_PATH_MAX)
		off = DA_PATH_MAX;
	long n = bpf_probe_read_user_str(&s->data[off], DA_PATH_MAX, upath);
	if (n <= 0) {
		s->e.head.flags |= DA_F_PATH_UNREADABLE;
		if (ret >= 0)
			count_loss(DA_LOSS_PATH_UNREADABLE);
		/* store "" so the record still says a path was passed */
		s->data[off] = 0;
		return 1;
	}
	/* A path the kernel accepted always fits (DA_PATH_MAX == PATH_MAX);
	 * a longer one was rejected with ENAMETOOLONG and is only cut here. */
	if (n >= DA_PATH_MAX && ret == -DA_ENAMETOOLONG) {
		s->e.head.flags |= trunc_flag;
		count_loss(DA_LOSS_PATH_TRUNCATED);
	}
	return n > DA_PATH_MAX ? DA_PATH_MAX : n;
}

static __always_inline void read_path1(struct da_scratch *s, const char *p, long ret)
{
	s->e.path_len = read_user_path(s, 0, p, ret, DA_F_PATH_TRUNCATED);
}

static __always_inline void read_path2(struct da_scratch *s, const char *p, long ret)
{
	s->e.path2_len = read_user_path(s, s->e.path_len, p, ret, DA_F_PATH2_TRUNCATED);
}

/* task->files->fdt->fd[fd], or NULL. */
static __always_inline struct file *task_fd_to_file(struct task_struct *task, int fd)
{
	if (fd < 0 || !task)
		return NULL;
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt)
		return NULL;
	unsigned int max_fds = BPF_CORE_READ(fdt, max_fds);
	if ((unsigned int)fd >= max_fds)
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* current->files->fdt->fd[fd], or NULL. */
static __always_inline struct file *fd_to_file(int fd)
{
	return task_fd_to_file(bpf_get_current_task_btf(), fd);
}

static __always_inline void fill_file(struct da_event *e, struct file *f)
{
	if (!f)
		return;
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	if (!inode)
		return;
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);
	e->ino = BPF_CORE_READ(inode, i_ino);
	e->mode = BPF_CORE_READ(inode, i_mode) & DA_S_IFMT;
	e->dev = BPF_CORE_READ(sb, s_dev);
	e->fs_magic = BPF_CORE_READ(sb, s_magic);
	e->head.flags |= DA_F_FILE_VALID;
}

static __always_inline void fill_fd_file(struct da_event *e, int fd)
{
	fill_file(e, fd_to_file(fd));
}

/* User stacks (see "User stacks" below): the stack of the event being built
 * in `s`, sent to the ring `stacks` before the event, when stacks are on and
 * the process has budget left. */
static __always_inline void attach_stack(struct da_scratch *s, __u64 pid_tgid);
static __always_inline bool opens_for_writing(const struct da_event *e);
static __always_inline bool stack_wanted_at_exit(__u16 sc, long ret, __u64 pid_tgid);

/* ---- syscall handlers ---- */

static __always_inline int emit_syscall(struct da_scratch *s)
{
	return scratch_submit(s, DA_LOSS_RINGBUF_FULL_SYSCALL);
}

static __always_inline int on_open(struct pt_regs *regs, __u16 sc, long ret, __u64 pid_tgid)
{
	struct da_scratch *s = scratch_begin(DA_EV_SYSCALL, sc, pid_tgid);
	if (!s)
		return 0;
	struct da_event *e = &s->e;
	const char *path;
	e->ret = ret;
	switch (sc) {
	case DA_SC_OPEN:
		path = (const char *)DA_ARG1(regs);
		e->flags = (__u32)DA_ARG2(regs);
		e->arg = (__u32)DA_ARG3(regs);
		break;
	case DA_SC_CREAT:
		path = (const char *)DA_ARG1(regs);
		e->flags = DA_CREAT_FLAGS;
		e->arg = (__u32)DA_ARG2(regs);
		break;
	case DA_SC_OPENAT:
		e->dirfd = (int)DA_ARG1(regs);
		path = (const char *)DA_ARG2(regs);
		e->flags = (__u32)DA_ARG3(regs);
		e->arg = (__u32)DA_ARG4(regs);
		break;
	default: { /* openat2(dirfd, path, struct open_how *how, size) */
		struct { __u64 flags, mode, resolve; } how = {};
		e->dirfd = (int)DA_ARG1(regs);
		path = (const char *)DA_ARG2(regs);
		bpf_probe_read_user(&how, sizeof(how), (const void *)DA_ARG3(regs));
		e->flags = how.flags;
		e->arg = how.mode;
		e->arg2 = how.resolve;
		break;
	}
	}
	read_path1(s, path, ret);
	if (ret >= 0) {
		struct file *f = fd_to_file(ret);
		fill_file(e, f);
		if (f && (BPF_CORE_READ(f, f_mode) & DA_FMODE_CREATED)) {
			e->head.flags |= DA_F_CREATED;
			/* A new file may reuse a freed inode number (and, on
			 * filesystems without i_generation, its whole key):
			 * its first write must be reported. */
			struct da_dirty_key dk = {
				.dev = e->dev,
				.ino = e->ino,
				.tgid = pid_tgid >> 32,
				.igen = BPF_CORE_READ(f, f_inode, i_generation),
			};
			bpf_map_delete_elem(&dirty, &dk);
		}
		/* O_TRUNC emptied an existing file: its data is dirty again, so
		 * the rewrite that follows must be reported even if this process
		 * already reported a write in the current epoch. */
		if ((e->flags & DA_O_TRUNC) && (e->head.flags & DA_F_FILE_VALID) &&
		    e->mode == DA_S_IFREG && !(e->head.flags & DA_F_CREATED))
			new_inode_epoch(e->dev, e->ino);
		if (opens_for_writing(e))
			attach_stack(s, pid_tgid);
	}
	emit_syscall(s);
	return 0;
}

/* What report_write() sends about one write, besides the file's identity. */
struct da_write {
	__u16 sc;
	__u16 head_flags; /* extra da_event_flags (DA_F_FIXED_FILE) */
	bool call_sync;   /* this call alone is synchronous (RWF_DSYNC/RWF_SYNC) */
	/* a store into a shared mapping: the file's O_DSYNC and IS_SYNC do
	 * not make it durable (only the write syscalls honour them) */
	bool store;
	int fd, fd2;
	long ret;
	__u64 bytes, flags, arg;
};

static __always_inline int report_write(struct file *f, const struct da_write *w, __u64 pid_tgid,
					struct task_struct *task);

/* Write family: the fd and byte count from the registers, then
 * report_write(). */
static __always_inline int on_write(struct pt_regs *regs, __u16 sc, long ret, __u64 pid_tgid)
{
	int fd, fd2 = -1;
	__u64 bytes;

	switch (sc) {
	case DA_SC_FALLOCATE: /* fallocate(fd, mode, offset, len) = 0 */
		if (ret != 0)
			return 0;
		fd = (int)DA_ARG1(regs);
		bytes = DA_ARG4(regs);
		break;
	case DA_SC_COPY_FILE_RANGE: /* copy_file_range(fd_in, off_in, fd_out, off_out, len, flags) */
		fd = (int)DA_ARG3(regs);
		fd2 = (int)DA_ARG1(regs);
		bytes = ret;
		break;
	case DA_SC_SENDFILE: /* sendfile(out_fd, in_fd, offset, count) */
		fd = (int)DA_ARG1(regs);
		fd2 = (int)DA_ARG2(regs);
		bytes = ret;
		break;
	default:
		fd = (int)DA_ARG1(regs);
		bytes = ret;
		break;
	}
	if (ret < 0 || (sc != DA_SC_FALLOCATE && ret == 0))
		return 0; /* nothing was written */

	/* pwritev2(fd, iov, iovcnt, pos_l, pos_h, flags): RWF_DSYNC/RWF_SYNC
	 * make this one write durable at return. */
	bool call_sync = sc == DA_SC_PWRITEV2 && (DA_ARG6(regs) & (DA_RWF_DSYNC | DA_RWF_SYNC));
	struct da_write w = {
		.sc = sc,
		.fd = fd,
		.fd2 = fd2,
		.ret = ret,
		.bytes = bytes,
		.call_sync = call_sync,
	};
	if (sc == DA_SC_FALLOCATE) {
		w.flags = (__u32)DA_ARG2(regs);
		w.arg = bytes;
	}
	return report_write(fd_to_file(fd), &w, pid_tgid, NULL);
}

/* Reports a write to `f` (the write family, io_uring and AIO writes, stores
 * into shared mappings): returns after a few reads for anything that is not
 * a regular file on a filesystem that matters, and sends at most one record
 * per (tgid, inode, durability epoch). `task` is the process the write is
 * for when it is not the current one (NULL: current). */
static __always_inline int report_write(struct file *f, const struct da_write *w, __u64 pid_tgid,
					struct task_struct *task)
{
	__u16 sc = w->sc;
	if (!f)
		return 0;
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	if (!inode)
		return 0;
	__u32 mode = BPF_CORE_READ(inode, i_mode) & DA_S_IFMT;
	if (mode != DA_S_IFREG)
		return 0; /* pipes, sockets, ttys, devices */
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);
	__u64 magic = BPF_CORE_READ(sb, s_magic);
	if (bpf_map_lookup_elem(&ignored_fs_magic, &magic))
		return 0; /* tmpfs, proc, ... */

	struct da_inode_key ik = {
		.dev = BPF_CORE_READ(sb, s_dev),
		.ino = BPF_CORE_READ(inode, i_ino),
	};
	bool sync = w->call_sync ||
		    (!w->store && ((BPF_CORE_READ(f, f_flags) & DA_O_DSYNC) ||
				   (BPF_CORE_READ(sb, s_flags) & DA_SB_SYNCHRONOUS) ||
				   (BPF_CORE_READ(inode, i_flags) & DA_S_SYNC)));

	/* the current epoch of this inode */
	__u64 epoch, *g;
	g = bpf_map_lookup_elem(&inode_gen, &ik);
	if (g) {
		epoch = *g;
	} else {
		epoch = next_gen();
		bpf_map_update_elem(&inode_gen, &ik, &epoch, BPF_NOEXIST);
	}
	g = bpf_map_lookup_elem(&dev_gen, &ik.dev);
	if (g && *g > epoch)
		epoch = *g;
	__u32 k = DA_GEN_GLOBAL;
	g = bpf_map_lookup_elem(&gens, &k);
	if (g && *g > epoch)
		epoch = *g;
	__u64 tag = epoch << 1 | sync;

	/* claim the report for this epoch, or learn it was made */
	struct da_dirty_key dk = {
		.dev = ik.dev,
		.ino = ik.ino,
		.tgid = pid_tgid >> 32,
		.igen = BPF_CORE_READ(inode, i_generation),
	};
	__u64 prev = 0, *st = bpf_map_lookup_elem(&dirty, &dk);
	if (st) {
		prev = *st;
		if (prev == tag)
			return 0; /* already reported in this epoch */
		if (__sync_val_compare_and_swap(st, prev, tag) != prev)
			return 0; /* another thread of the process just reported it */
	} else {
		long err = bpf_map_update_elem(&dirty, &dk, &tag, BPF_NOEXIST);
		if (err == -17 /* EEXIST: another thread just reported it */)
			return 0;
		if (err)
			count_loss(DA_LOSS_DEDUP_MAP_FULL); /* report anyway */
	}

	struct da_scratch *s = task ? scratch_begin_task(DA_EV_SYSCALL, sc, task) :
				      scratch_begin(DA_EV_SYSCALL, sc, pid_tgid);
	if (!s)
		return 0;
	struct da_event *e = &s->e;
	e->ret = w->ret;
	e->fd = w->fd;
	e->fd2 = w->fd2;
	e->bytes = w->bytes;
	e->flags = w->flags;
	e->arg = w->arg;
	e->head.flags |= w->head_flags;
	e->dev = ik.dev;
	e->ino = ik.ino;
	e->mode = mode;
	e->fs_magic = magic;
	e->head.flags |= DA_F_FILE_VALID | DA_F_DEDUP | (sync ? DA_F_SYNC_WRITE : 0);
	if (!task) /* the writer's own context: its user stack is the current one */
		attach_stack(s, pid_tgid);

	if (scratch_submit(s, DA_LOSS_RINGBUF_FULL_WRITE)) {
		/* Not delivered: forget the claim so the next write retries. */
		st = bpf_map_lookup_elem(&dirty, &dk);
		if (st)
			__sync_val_compare_and_swap(st, tag, prev);
		return 0;
	}
	if (sync) {
		/* The data is durable now: other processes' claims on this inode
		 * are stale, and so is ours for non-sync writes. */
		__u64 ng = next_gen();
		bpf_map_update_elem(&inode_gen, &ik, &ng, BPF_ANY);
		__u64 ntag = ng << 1 | 1;
		bpf_map_update_elem(&dirty, &dk, &ntag, BPF_ANY);
	}
	return 0;
}

/* The duration of the sync call returning now, from its sys_enter stash
 * (0 when the thread became a target while inside the call). */
static __always_inline __u64 take_sync_duration(__u64 pid_tgid, __u64 now)
{
	__u32 tid = (__u32)pid_tgid;
	__u64 *t = bpf_map_lookup_elem(&sync_enter_ts, &tid);
	if (!t)
		return 0;
	__u64 start = *t;
	bpf_map_delete_elem(&sync_enter_ts, &tid);
	return start && start <= now ? now - start : 0;
}

static __always_inline int on_other(struct pt_regs *regs, __u16 sc, long nr, long ret, __u64 pid_tgid)
{
	/* fcntl: only the commands that change the fd table matter */
	if (sc == DA_SC_FCNTL) {
		int cmd = (int)DA_ARG2(regs);
		if (cmd != DA_F_DUPFD && cmd != DA_F_DUPFD_CLOEXEC && cmd != DA_F_SETFD)
			return 0;
	}

	struct da_scratch *s = scratch_begin(DA_EV_SYSCALL, sc, pid_tgid);
	if (!s)
		return 0;
	struct da_event *e = &s->e;
	e->ret = ret;
	/* the calls the syscall table marks timed (kScTimed) */
	if (nr >= 0 && nr < DA_NR_TABLE && enter_action_of_nr[nr] == DA_ENTER_TIME)
		e->duration_ns = take_sync_duration(pid_tgid, e->head.ts_ns);

	switch (sc) {
	/* fd table */
	case DA_SC_CLOSE:
	case DA_SC_DUP:
	case DA_SC_FCHDIR:
		e->fd = (int)DA_ARG1(regs);
		break;
	case DA_SC_CLOSE_RANGE:
		e->fd = (int)DA_ARG1(regs);
		e->fd2 = (int)DA_ARG2(regs);
		e->flags = (__u32)DA_ARG3(regs);
		break;
	case DA_SC_DUP2:
	case DA_SC_DUP3:
		e->fd = (int)DA_ARG1(regs);
		e->fd2 = (int)DA_ARG2(regs);
		if (sc == DA_SC_DUP3)
			e->flags = (__u32)DA_ARG3(regs);
		break;
	case DA_SC_FCNTL:
		e->fd = (int)DA_ARG1(regs);
		e->arg = (__u32)DA_ARG2(regs);
		e->arg2 = DA_ARG3(regs);
		break;

	/* truncation: every call is reported (truncate-in-place needs each),
	 * and a successful one makes the data dirty: new epoch, so the next
	 * write is reported too */
	case DA_SC_FTRUNCATE:
		e->fd = (int)DA_ARG1(regs);
		e->arg = DA_ARG2(regs);
		fill_fd_file(e, e->fd);
		if (ret == 0 && (e->head.flags & DA_F_FILE_VALID))
			new_inode_epoch(e->dev, e->ino);
		break;
	case DA_SC_TRUNCATE:
		read_path1(s, (const char *)DA_ARG1(regs), ret);
		e->arg = DA_ARG2(regs);
		/* The inode behind the path is not known here (no path walk in
		 * BPF): every inode starts a new epoch, which costs at most one
		 * extra write report per (process, inode). */
		if (ret == 0)
			new_global_epoch();
		break;

	/* syncs: each one starts a new epoch. A success because the data is
	 * durable now; a FAILURE too, because after it the kernel may have
	 * dropped the dirty pages (and cleared the error): the process writing
	 * again must be seen (fsync-error-ignored), not deduplicated against a
	 * report from before the failed sync. */
	case DA_SC_FSYNC:
	case DA_SC_FDATASYNC:
	case DA_SC_SYNCFS:
		e->fd = (int)DA_ARG1(regs);
		fill_fd_file(e, e->fd);
		if (e->head.flags & DA_F_FILE_VALID) {
			if (sc == DA_SC_SYNCFS) {
				__u64 ng = next_gen();
				bpf_map_update_elem(&dev_gen, &e->dev, &ng, BPF_ANY);
			} else {
				new_inode_epoch(e->dev, e->ino);
			}
		}
		break;
	case DA_SC_SYNC:
		new_global_epoch();
		break;
	case DA_SC_SYNC_FILE_RANGE: /* (fd, offset, nbytes, flags) */
		e->fd = (int)DA_ARG1(regs);
		e->arg = DA_ARG2(regs);
		e->arg2 = DA_ARG3(regs);
		e->flags = (__u32)DA_ARG4(regs);
		fill_fd_file(e, e->fd);
		break;
	/* msync: on_msync (shared file mappings) */

	/* namespace */
	case DA_SC_RENAME:
	case DA_SC_LINK:
	case DA_SC_SYMLINK: /* (oldpath|target, newpath|linkpath) */
		read_path1(s, (const char *)DA_ARG1(regs), ret);
		read_path2(s, (const char *)DA_ARG2(regs), ret);
		break;
	case DA_SC_RENAMEAT:
	case DA_SC_RENAMEAT2:
	case DA_SC_LINKAT: /* (olddirfd, oldpath, newdirfd, newpath[, flags]) */
		e->dirfd = (int)DA_ARG1(regs);
		read_path1(s, (const char *)DA_ARG2(regs), ret);
		e->dirfd2 = (int)DA_ARG3(regs);
		read_path2(s, (const char *)DA_ARG4(regs), ret);
		if (sc != DA_SC_RENAMEAT)
			e->flags = (__u32)DA_ARG5(regs);
		/* linkat(fd, "", ..., AT_EMPTY_PATH) publishes the file behind fd
		 * (O_TMPFILE): say which inode that is. */
		if (sc == DA_SC_LINKAT && (e->flags & DA_AT_EMPTY_PATH))
			fill_fd_file(e, e->dirfd);
		break;
	case DA_SC_SYMLINKAT: /* (target, newdirfd, linkpath) */
		read_path1(s, (const char *)DA_ARG1(regs), ret);
		e->dirfd2 = (int)DA_ARG2(regs);
		read_path2(s, (const char *)DA_ARG3(regs), ret);
		break;
	case DA_SC_UNLINK:
	case DA_SC_RMDIR:
	case DA_SC_CHDIR:
		read_path1(s, (const char *)DA_ARG1(regs), ret);
		break;
	case DA_SC_MKDIR:
		read_path1(s, (const char *)DA_ARG1(regs), ret);
		e->arg = (__u32)DA_ARG2(regs);
		break;
	case DA_SC_UNLINKAT: /* (dirfd, path, flags) */
		e->dirfd = (int)DA_ARG1(regs);
		read_path1(s, (const char *)DA_ARG2(regs), ret);
		e->flags = (__u32)DA_ARG3(regs);
		break;
	case DA_SC_BIND: { /* (fd, struct sockaddr *addr, addrlen): AF_UNIX paths only */
		const char *ua = (const char *)DA_ARG2(regs);
		__u16 family = 0;
		char first = 0;
		if (ret != 0 || (__u32)DA_ARG3(regs) <= 2)
			return 0;
		bpf_probe_read_user(&family, sizeof(family), ua);
		bpf_probe_read_user(&first, 1, ua + 2);
		if (family != DA_AF_UNIX || first == 0)
			return 0; /* not a unix socket, or abstract / unnamed */
		e->fd = (int)DA_ARG1(regs);
		read_path1(s, ua + 2, ret);
		break;
	}
	case DA_SC_MKNOD: /* (path, mode, dev) */
		read_path1(s, (const char *)DA_ARG1(regs), ret);
		e->arg = (__u32)DA_ARG2(regs);
		break;
	case DA_SC_MKNODAT: /* (dirfd, path, mode, dev) */
		e->dirfd = (int)DA_ARG1(regs);
		read_path1(s, (const char *)DA_ARG2(regs), ret);
		e->arg = (__u32)DA_ARG3(regs);
		break;
	/* the process uses io_uring / AIO (its requests come from the handlers
	 * below); io_uring_setup returns the ring's fd */
	case DA_SC_IO_URING_SETUP:
	case DA_SC_IO_SETUP:
		if (ret < 0)
			return 0;
		e->arg = (__u32)DA_ARG1(regs);
		break;
	case DA_SC_MKDIRAT: /* (dirfd, path, mode) */
		e->dirfd = (int)DA_ARG1(regs);
		read_path1(s, (const char *)DA_ARG2(regs), ret);
		e->arg = (__u32)DA_ARG3(regs);
		break;
	default:
		return 0;
	}
	if (stack_wanted_at_exit(sc, ret, pid_tgid))
		attach_stack(s, pid_tgid);
	emit_syscall(s);
	return 0;
}

/* ---- io_uring ----
 *
 * A request never passes through write(2) or fsync(2): the program fills an
 * SQE, io_uring_enter (or an SQPOLL thread) submits it, and it completes in
 * task work, an io-wq worker or an interrupt. Two tracepoints see every
 * request of every ring:
 *   io_uring:io_uring_submit_req  after the request was prepared: its paths
 *                                 are kernel strings (struct filename) only
 *                                 until it runs, so open/namespace requests
 *                                 are stashed here, by request pointer;
 *   io_uring:io_uring_complete    when its CQE is posted: the result, and
 *                                 req->file for the file-based requests.
 * The process a request is for is req->tctx->task (the submitter), whatever
 * thread completes it. A request whose CQE is skipped
 * (IOSQE_CQE_SKIP_SUCCESS) is not seen (docs/async-io.md). */
#define DA_IORING_FSYNC_DATASYNC 1u

/* Requests with paths between submission and completion. LRU: a request
 * whose completion we never see (the ring torn down) is evicted, not leaked;
 * 256 in flight at once is far beyond what programs do with these. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct da_scratch);
} uring_stash SEC(".maps");

/* IORING_OP_* (uapi, stable) -> wire id; 0 = not ours. */
static __always_inline __u16 uring_sc_of_op(__u8 op)
{
	switch (op) {
	case 2: return DA_SC_IOU_WRITEV;            /* IORING_OP_WRITEV */
	case 3: return DA_SC_IOU_FSYNC;             /* IORING_OP_FSYNC */
	case 5: return DA_SC_IOU_WRITE_FIXED;       /* IORING_OP_WRITE_FIXED */
	case 8: return DA_SC_IOU_SYNC_FILE_RANGE;   /* IORING_OP_SYNC_FILE_RANGE */
	case 17: return DA_SC_IOU_FALLOCATE;        /* IORING_OP_FALLOCATE */
	case 18: return DA_SC_IOU_OPENAT;           /* IORING_OP_OPENAT */
	case 19: return DA_SC_IOU_CLOSE;            /* IORING_OP_CLOSE */
	case 23: return DA_SC_IOU_WRITE;            /* IORING_OP_WRITE */
	case 28: return DA_SC_IOU_OPENAT2;          /* IORING_OP_OPENAT2 */
	case 35: return DA_SC_IOU_RENAMEAT;         /* IORING_OP_RENAMEAT */
	case 36: return DA_SC_IOU_UNLINKAT;         /* IORING_OP_UNLINKAT */
	case 37: return DA_SC_IOU_MKDIRAT;          /* IORING_OP_MKDIRAT */
	case 38: return DA_SC_IOU_SYMLINKAT;        /* IORING_OP_SYMLINKAT */
	case 39: return DA_SC_IOU_LINKAT;           /* IORING_OP_LINKAT */
	case 55: return DA_SC_IOU_FTRUNCATE;        /* IORING_OP_FTRUNCATE (6.9) */
	case 61: return DA_SC_IOU_WRITE_FIXED;      /* IORING_OP_WRITEV_FIXED (6.15) */
	default: return 0;
	}
}

static __always_inline bool uring_has_paths(__u16 sc)
{
	return sc == DA_SC_IOU_OPENAT || sc == DA_SC_IOU_OPENAT2 || sc == DA_SC_IOU_RENAMEAT ||
	       sc == DA_SC_IOU_UNLINKAT || sc == DA_SC_IOU_MKDIRAT || sc == DA_SC_IOU_LINKAT ||
	       sc == DA_SC_IOU_SYMLINKAT;
}

/* A struct filename's name (a kernel string) into the record at `off`. */
static __always_inline __u32 read_filename(struct da_scratch *s, __u32 off, struct filename *fn,
					   __u16 trunc_flag)
{
	if (off > DA_PATH_MAX)
		off = DA_PATH_MAX;
	const char *name = BPF_CORE_READ(fn, name);
	long n = name ? bpf_probe_read_kernel_str(&s->data[off], DA_PATH_MAX, name) : -1;
	if (n <= 0) {
		s->e.head.flags |= DA_F_PATH_UNREADABLE;
		count_loss(DA_LOSS_PATH_UNREADABLE);
		s->data[off] = 0;
		return 1;
	}
	return n > DA_PATH_MAX ? DA_PATH_MAX : n;
}

static __always_inline void filename1(struct da_scratch *s, struct filename *fn)
{
	s->e.path_len = read_filename(s, 0, fn, DA_F_PATH_TRUNCATED);
}

static __always_inline void filename2(struct da_scratch *s, struct filename *fn)
{
	s->e.path2_len = read_filename(s, s->e.path_len, fn, DA_F_PATH2_TRUNCATED);
}

/* The submitter of `req`, if it is a target. */
static __always_inline struct task_struct *uring_target(struct io_kiocb *req)
{
	struct task_struct *task = BPF_CORE_READ(req, tctx, task);
	if (!task)
		return NULL;
	return traced(BPF_CORE_READ(task, tgid)) ? task : NULL;
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(handle_uring_submit, struct io_kiocb *req)
{
	__u16 sc = uring_sc_of_op(BPF_CORE_READ(req, opcode));
	if (!sc || !uring_has_paths(sc))
		return 0;
	struct task_struct *task = uring_target(req);
	if (!task)
		return 0;
	struct da_scratch *s = scratch_begin_task(DA_EV_SYSCALL, sc, task);
	if (!s)
		return 0;
	struct da_event *e = &s->e;
	switch (sc) {
	case DA_SC_IOU_OPENAT:
	case DA_SC_IOU_OPENAT2: {
		struct io_open *o = (struct io_open *)req;
		e->dirfd = BPF_CORE_READ(o, dfd);
		e->flags = BPF_CORE_READ(o, how.flags);
		e->arg = BPF_CORE_READ(o, how.mode);
		if (sc == DA_SC_IOU_OPENAT2)
			e->arg2 = BPF_CORE_READ(o, how.resolve);
		__u32 slot = BPF_CORE_READ(o, file_slot);
		if (slot) { /* a direct descriptor: slot - 1, or IORING_FILE_INDEX_ALLOC */
			e->head.flags |= DA_F_FIXED_FILE;
			e->fd2 = (int)(slot - 1);
		}
		filename1(s, BPF_CORE_READ(o, filename));
		break;
	}
	case DA_SC_IOU_RENAMEAT: {
		struct io_rename *r = (struct io_rename *)req;
		e->dirfd = BPF_CORE_READ(r, old_dfd);
		e->dirfd2 = BPF_CORE_READ(r, new_dfd);
		e->flags = (__u32)BPF_CORE_READ(r, flags);
		filename1(s, BPF_CORE_READ(r, oldpath));
		filename2(s, BPF_CORE_READ(r, newpath));
		break;
	}
	case DA_SC_IOU_UNLINKAT: {
		struct io_unlink *u = (struct io_unlink *)req;
		e->dirfd = BPF_CORE_READ(u, dfd);
		e->flags = (__u32)BPF_CORE_READ(u, flags);
		filename1(s, BPF_CORE_READ(u, filename));
		break;
	}
	case DA_SC_IOU_MKDIRAT: {
		struct io_mkdir *m = (struct io_mkdir *)req;
		e->dirfd = BPF_CORE_READ(m, dfd);
		e->arg = BPF_CORE_READ(m, mode);
		filename1(s, BPF_CORE_READ(m, filename));
		break;
	}
	default: { /* LINKAT (old_dfd, oldpath, new_dfd, newpath, flags); SYMLINKAT
		    * (target in oldpath, new_dfd, linkpath in newpath) */
		struct io_link *l = (struct io_link *)req;
		if (sc == DA_SC_IOU_LINKAT) {
			e->dirfd = BPF_CORE_READ(l, old_dfd);
			e->flags = (__u32)BPF_CORE_READ(l, flags);
		}
		e->dirfd2 = BPF_CORE_READ(l, new_dfd);
		filename1(s, BPF_CORE_READ(l, oldpath));
		filename2(s, BPF_CORE_READ(l, newpath));
		break;
	}
	}
	__u64 key = (__u64)req;
	if (bpf_map_update_elem(&uring_stash, &key, s, BPF_ANY))
		count_loss(DA_LOSS_ASYNC_STASH);
	return 0;
}

/* A stashed request completed: its result (and the file an open made). */
static __always_inline int uring_complete_stashed(struct io_kiocb *req, struct task_struct *task, __s32 res)
{
	__u64 key = (__u64)req;
	struct da_scratch *s = bpf_map_lookup_elem(&uring_stash, &key);
	if (!s) {
		count_loss(DA_LOSS_ASYNC_STASH);
		return 0;
	}
	struct da_event *e = &s->e;
	e->head.ts_ns = bpf_ktime_get_ns();
	e->ret = res;
	__u16 sc = e->head.syscall;
	if ((sc == DA_SC_IOU_OPENAT || sc == DA_SC_IOU_OPENAT2) && res >= 0 &&
	    !(e->head.flags & DA_F_FIXED_FILE)) {
		struct file *f = task_fd_to_file(task, res);
		fill_file(e, f);
		if (f && (BPF_CORE_READ(f, f_mode) & DA_FMODE_CREATED)) {
			e->head.flags |= DA_F_CREATED;
			struct da_dirty_key dk = {
				.dev = e->dev,
				.ino = e->ino,
				.tgid = e->pid,
				.igen = BPF_CORE_READ(f, f_inode, i_generation),
			};
			bpf_map_delete_elem(&dirty, &dk);
		}
		if ((e->flags & DA_O_TRUNC) && (e->head.flags & DA_F_FILE_VALID) &&
		    e->mode == DA_S_IFREG && !(e->head.flags & DA_F_CREATED))
			new_inode_epoch(e->dev, e->ino);
	}
	scratch_submit(s, DA_LOSS_RINGBUF_FULL_SYSCALL);
	bpf_map_delete_elem(&uring_stash, &key);
	return 0;
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(handle_uring_complete, void *ctx_, void *vreq, struct io_uring_cqe *cqe)
{
	struct io_kiocb *req = vreq;
	__u16 sc = uring_sc_of_op(BPF_CORE_READ(req, opcode));
	if (!sc)
		return 0;
	struct task_struct *task = uring_target(req);
	if (!task)
		return 0;
	__s32 res = BPF_CORE_READ(cqe, res);
	if (uring_has_paths(sc))
		return uring_complete_stashed(req, task, res);

	struct file *f = BPF_CORE_READ(req, file);
	__u64 pid_tgid = (__u64)BPF_CORE_READ(task, tgid) << 32 | (__u32)BPF_CORE_READ(task, pid);
	switch (sc) {
	case DA_SC_IOU_WRITE:
	case DA_SC_IOU_WRITEV:
	case DA_SC_IOU_WRITE_FIXED: {
		if (res <= 0)
			return 0; /* nothing was written */
		struct io_rw *rw = (struct io_rw *)req;
		__u32 rwf = BPF_CORE_READ(rw, flags);
		struct da_write w = {
			.sc = sc,
			.head_flags = DA_F_FIXED_FILE, /* the sqe's fd is gone by now */
			.call_sync = rwf & (DA_RWF_DSYNC | DA_RWF_SYNC),
			.fd = -1,
			.fd2 = -1,
			.ret = res,
			.bytes = res,
			.flags = rwf,
		};
		return report_write(f, &w, pid_tgid, task);
	}
	case DA_SC_IOU_FALLOCATE: {
		if (res != 0)
			return 0;
		struct io_sync *sy = (struct io_sync *)req;
		struct da_write w = {
			.sc = sc,
			.head_flags = DA_F_FIXED_FILE,
			.fd = -1,
			.fd2 = -1,
			.ret = res,
			.bytes = BPF_CORE_READ(sy, len),
			.flags = (__u32)BPF_CORE_READ(sy, mode),
			.arg = BPF_CORE_READ(sy, len),
		};
		return report_write(f, &w, pid_tgid, task);
	}
	default:
		break;
	}

	struct da_scratch *s = scratch_begin_task(DA_EV_SYSCALL, sc, task);
	if (!s)
		return 0;
	struct da_event *e = &s->e;
	e->ret = res;
	switch (sc) {
	case DA_SC_IOU_CLOSE: {
		struct io_close *c = (struct io_close *)req;
		__u32 slot = BPF_CORE_READ(c, file_slot);
		if (slot) {
			e->head.flags |= DA_F_FIXED_FILE;
			e->arg = slot - 1;
		} else {
			e->fd = BPF_CORE_READ(c, fd);
		}
		break;
	}
	case DA_SC_IOU_FSYNC:
	case DA_SC_IOU_SYNC_FILE_RANGE: {
		struct io_sync *sy = (struct io_sync *)req;
		e->head.flags |= DA_F_FIXED_FILE;
		e->flags = (__u32)BPF_CORE_READ(sy, flags);
		e->arg = BPF_CORE_READ(sy, off);
		e->arg2 = BPF_CORE_READ(sy, len);
		fill_file(e, f);
		/* success or failure, a new epoch (see "Write deduplication") */
		if (sc == DA_SC_IOU_FSYNC && (e->head.flags & DA_F_FILE_VALID))
			new_inode_epoch(e->dev, e->ino);
		break;
	}
	case DA_SC_IOU_FTRUNCATE: {
		struct io_ftrunc *t = (struct io_ftrunc *)req;
		e->head.flags |= DA_F_FIXED_FILE;
		e->arg = BPF_CORE_READ(t, len);
		fill_file(e, f);
		if (res == 0 && (e->head.flags & DA_F_FILE_VALID))
			new_inode_epoch(e->dev, e->ino);
		break;
	}
	default:
		return 0;
	}
	emit_syscall(s);
	return 0;
}

/* ---- Linux AIO ----
 *
 * io_submit(ctx, nr, iocbpp) hands the kernel iocbs; io_getevents /
 * io_pgetevents(ctx, min_nr, nr, events, ...) return their completions. Both
 * are read at sys_exit, from the caller's memory (bounded: the first
 * DA_AIO_MAX iocbs / events of a call). Writes are reported when accepted,
 * through report_write() like pwrite(2); syncs (IOCB_CMD_FSYNC/FDSYNC) are
 * stashed by (tgid, iocb address) and reported with their completion. */
#define DA_AIO_MAX 64
#define DA_IOCB_CMD_PWRITE 1
#define DA_IOCB_CMD_FSYNC 2
#define DA_IOCB_CMD_FDSYNC 3
#define DA_IOCB_CMD_PWRITEV 8

struct da_iocb { /* struct iocb, little-endian field order */
	__u64 aio_data;
	__u32 aio_key;
	__u32 aio_rw_flags;
	__u16 aio_lio_opcode;
	__s16 aio_reqprio;
	__u32 aio_fildes;
	__u64 aio_buf;
	__u64 aio_nbytes;
	__s64 aio_offset;
	__u64 aio_reserved2;
	__u32 aio_flags;
	__u32 aio_resfd;
};

struct da_io_event {
	__u64 data;
	__u64 obj; /* the iocb's address */
	__s64 res;
	__s64 res2;
};

struct da_aio_key {
	__u64 iocb;
	__u32 tgid;
	__u32 pad;
};

struct da_aio_sync {
	__u64 dev, ino, fs_magic;
	__u64 submit_ns;
	__s32 fd;
	__u32 mode;
	__u16 sc;
	__u16 valid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct da_aio_key);
	__type(value, struct da_aio_sync);
} aio_stash SEC(".maps");

struct da_aio_loop {
	__u64 pid_tgid;
	__u64 base; /* iocbpp or events */
	long n;
};

static long aio_submit_one(__u32 i, void *vctx)
{
	struct da_aio_loop *c = vctx;
	if (i >= c->n)
		return 1;
	__u64 uptr = 0;
	struct da_iocb cb = {};
	if (bpf_probe_read_user(&uptr, sizeof(uptr), (const void *)(c->base + (__u64)i * 8)) ||
	    bpf_probe_read_user(&cb, sizeof(cb), (const void *)uptr))
		return 0;
	int fd = (int)cb.aio_fildes;
	if (cb.aio_lio_opcode == DA_IOCB_CMD_PWRITE || cb.aio_lio_opcode == DA_IOCB_CMD_PWRITEV) {
		struct da_write w = {
			.sc = cb.aio_lio_opcode == DA_IOCB_CMD_PWRITE ? DA_SC_AIO_PWRITE : DA_SC_AIO_PWRITEV,
			.call_sync = cb.aio_rw_flags & (DA_RWF_DSYNC | DA_RWF_SYNC),
			.fd = fd,
			.fd2 = -1,
			/* accepted, not yet done: what was asked (PWRITEV: iovecs) */
			.ret = (long)cb.aio_nbytes,
			.bytes = cb.aio_lio_opcode == DA_IOCB_CMD_PWRITE ? cb.aio_nbytes : 0,
			.flags = cb.aio_rw_flags,
			.arg = uptr,
		};
		if (cb.aio_nbytes == 0 && cb.aio_lio_opcode == DA_IOCB_CMD_PWRITE)
			return 0;
		report_write(fd_to_file(fd), &w, c->pid_tgid, NULL);
	} else if (cb.aio_lio_opcode == DA_IOCB_CMD_FSYNC || cb.aio_lio_opcode == DA_IOCB_CMD_FDSYNC) {
		struct da_aio_key k = { .iocb = uptr, .tgid = c->pid_tgid >> 32 };
		struct da_aio_sync v = {
			.fd = fd,
			.sc = cb.aio_lio_opcode == DA_IOCB_CMD_FSYNC ? DA_SC_AIO_FSYNC : DA_SC_AIO_FDSYNC,
			.submit_ns = bpf_ktime_get_ns(),
		};
		struct file *f = fd_to_file(fd);
		struct inode *inode = f ? BPF_CORE_READ(f, f_inode) : NULL;
		if (inode) {
			v.ino = BPF_CORE_READ(inode, i_ino);
			v.mode = BPF_CORE_READ(inode, i_mode) & DA_S_IFMT;
			v.dev = BPF_CORE_READ(inode, i_sb, s_dev);
			v.fs_magic = BPF_CORE_READ(inode, i_sb, s_magic);
			v.valid = 1;
		}
		if (bpf_map_update_elem(&aio_stash, &k, &v, BPF_ANY))
			count_loss(DA_LOSS_ASYNC_STASH);
	}
	return 0;
}

static long aio_reap_one(__u32 i, void *vctx)
{
	struct da_aio_loop *c = vctx;
	if (i >= c->n)
		return 1;
	struct da_io_event ev = {};
	if (bpf_probe_read_user(&ev, sizeof(ev), (const void *)(c->base + (__u64)i * sizeof(ev))))
		return 0;
	struct da_aio_key k = { .iocb = ev.obj, .tgid = c->pid_tgid >> 32 };
	struct da_aio_sync *v = bpf_map_lookup_elem(&aio_stash, &k);
	if (!v)
		return 0; /* not a sync we stashed */
	struct da_scratch *s = scratch_begin(DA_EV_SYSCALL, v->sc, c->pid_tgid);
	if (s) {
		struct da_event *e = &s->e;
		e->ret = ev.res;
		e->fd = v->fd;
		e->arg = ev.obj;
		if (v->valid) {
			e->dev = v->dev;
			e->ino = v->ino;
			e->fs_magic = v->fs_magic;
			e->mode = v->mode;
			e->head.flags |= DA_F_FILE_VALID;
			new_inode_epoch(v->dev, v->ino);
		}
		if (v->submit_ns && v->submit_ns <= e->head.ts_ns)
			e->duration_ns = e->head.ts_ns - v->submit_ns;
		emit_syscall(s);
	}
	bpf_map_delete_elem(&aio_stash, &k);
	return 0;
}

static __always_inline int on_aio(struct pt_regs *regs, __u16 sc, long ret, __u64 pid_tgid)
{
	if (ret <= 0)
		return 0;
	struct da_aio_loop c = { .pid_tgid = pid_tgid, .n = ret };
	if (sc == DA_SC_IO_SUBMIT) {
		c.base = DA_ARG3(regs);
		bpf_loop(DA_AIO_MAX, aio_submit_one, &c, 0);
	} else {
		c.base = DA_ARG4(regs);
		bpf_loop(DA_AIO_MAX, aio_reap_one, &c, 0);
	}
	return 0;
}

/* ---- Shared file mappings ----
 *
 * A store into a MAP_SHARED, PROT_WRITE mapping of a file changes the file
 * without a syscall. What is sent:
 *   mmap     at sys_exit, only successful shared writable mappings of a
 *            regular file on a filesystem that matters, with its identity;
 *            the process is then marked in mapping_tgids
 *   munmap, mremap  successful calls of processes in mapping_tgids (the
 *            allocator unmaps anonymous memory all the time: everyone else
 *            pays one hash lookup)
 *   msync    one record per distinct file mapped shared in [addr, addr+len)
 *            (up to DA_MSYNC_MAX_VMAS vmas), named from vma->vm_file; an
 *            MS_SYNC msync starts a new write epoch for it, like fsync
 *   stores   exceptions:page_fault_user / page_fault_kernel (x86): a write
 *            fault at a shared writable file mapping of a process in
 *            mapping_tgids, deduplicated like the write syscalls. A clean
 *            page of such a mapping is mapped read-only (write notify), so
 *            its first store faults; writeback (msync, fsync, the flusher)
 *            makes it read-only again, so the first store after a sync
 *            faults again: "written after its last sync" is seen.
 * Without the page-fault tracepoints (arm64) stores_visible is false and the
 * mmap record says so (DA_F_STORES_UNSEEN): userspace counts the mapping as
 * written from the mmap on.
 */

/* Set by userspace: the page-fault programs are loaded and attached. */
const volatile bool stores_visible = false;

/* tgids that may have a shared writable file mapping: those that made one
 * while traced, their forked children, and processes attached while already
 * running (add_target: their mappings predate us). exec and exit drop it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} mapping_tgids SEC(".maps");

/* What bpf_find_vma's callback saw of the vma at an address. */
struct da_vma_info {
	__u64 start, end;
	__u64 vm_flags;
	struct file *file;
};

static long read_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct da_vma_info *v = data;
	v->start = vma->vm_start;
	v->end = vma->vm_end;
	v->vm_flags = BPF_CORE_READ(vma, vm_flags);
	v->file = vma->vm_file;
	return 0;
}

/* The vma of the current process at `addr`: 0, -ENOENT (none there) or
 * -EBUSY (the mmap lock was taken: not waited for in a tracepoint). */
static __always_inline long vma_at(__u64 addr, struct da_vma_info *v)
{
	struct task_struct *task = bpf_get_current_task_btf();
	return bpf_find_vma(task, addr, read_vma, v, 0);
}

static __always_inline int on_code_mmap(struct pt_regs *regs, long ret, __u64 pid_tgid);

static __always_inline int on_mmap(struct pt_regs *regs, long ret, __u64 pid_tgid)
{
	/* mmap(addr, length, prot, flags, fd, offset) = address */
	if (ret < 0)
		return 0;
	__u32 prot = (__u32)DA_ARG3(regs);
	__u32 flags = (__u32)DA_ARG4(regs);
	__u32 type = flags & DA_MAP_TYPE;
	if (stacks_enabled && (prot & DA_PROT_EXEC) && !(prot & DA_PROT_WRITE) && !(flags & DA_MAP_ANONYMOUS))
		return on_code_mmap(regs, ret, pid_tgid);
	if (!(prot & DA_PROT_WRITE) || (type != DA_MAP_SHARED && type != DA_MAP_SHARED_VALIDATE) ||
	    (flags & DA_MAP_ANONYMOUS))
		return 0;
	int fd = (int)DA_ARG5(regs);
	struct file *f = fd_to_file(fd);
	if (!f)
		return 0;
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	if (!inode || (BPF_CORE_READ(inode, i_mode) & DA_S_IFMT) != DA_S_IFREG)
		return 0; /* a device (/dev/mem, a GPU...), not file data */
	__u64 magic = BPF_CORE_READ(inode, i_sb, s_magic);
	if (bpf_map_lookup_elem(&ignored_fs_magic, &magic))
		return 0; /* tmpfs, shm, ... */

	__u32 tgid = pid_tgid >> 32;
	__u8 one = 1;
	if (bpf_map_update_elem(&mapping_tgids, &tgid, &one, BPF_ANY))
		count_loss(DA_LOSS_TARGET_MAP_FULL);

	struct da_scratch *s = scratch_begin(DA_EV_SYSCALL, DA_SC_MMAP, pid_tgid);
	if (!s)
		return 0;
	struct da_event *e = &s->e;
	e->ret = ret;
	e->fd = fd;
	e->arg = prot;
	e->arg2 = DA_ARG2(regs);
	e->flags = flags;
	fill_file(e, f);
	if (!stores_visible)
		e->head.flags |= DA_F_STORES_UNSEEN;
	emit_syscall(s);
	return 0;
}

static __always_inline int on_unmap(struct pt_regs *regs, __u16 sc, long ret, __u64 pid_tgid)
{
	__u32 tgid = pid_tgid >> 32;
	if (ret < 0 || !bpf_map_lookup_elem(&mapping_tgids, &tgid))
		return 0;
	struct da_scratch *s = scratch_begin(DA_EV_SYSCALL, sc, pid_tgid);
	if (!s)
		return 0;
	struct da_event *e = &s->e;
	e->ret = ret;
	e->arg = DA_ARG1(regs);  /* munmap(addr, len), mremap(old, old_len, new_len, flags[, new]) */
	e->arg2 = DA_ARG2(regs);
	if (sc == DA_SC_MREMAP) {
		e->bytes = DA_ARG3(regs);
		e->flags = (__u32)DA_ARG4(regs);
	}
	emit_syscall(s);
	return 0;
}

/* msync(addr, len, flags): the files it flushed are those mapped shared in
 * the range. One record per distinct file (a range over one mapping, the
 * common case, gives one record); none found: one record without a file. */
/* One msync record: for `file` (NULL: no file in the range). Returns 0
 * unless the record could not be started. */
static __always_inline int send_msync(__u64 pid_tgid, long ret, __u64 addr, __u64 len, __u32 flags,
				      __u64 duration, struct file *file)
{
	struct da_scratch *s = scratch_begin(DA_EV_SYSCALL, DA_SC_MSYNC, pid_tgid);
	if (!s)
		return -1;
	s->e.ret = ret;
	s->e.arg = addr;
	s->e.arg2 = len;
	s->e.flags = flags;
	s->e.duration_ns = duration;
	fill_file(&s->e, file);
	emit_syscall(s);
	return 0;
}

static __always_inline int on_msync(struct pt_regs *regs, long nr, long ret, __u64 pid_tgid)
{
	__u64 addr = DA_ARG1(regs), len = DA_ARG2(regs);
	__u32 flags = (__u32)DA_ARG3(regs);
	__u64 duration = 0;
	if (nr >= 0 && nr < DA_NR_TABLE && enter_action_of_nr[nr] == DA_ENTER_TIME)
		duration = take_sync_duration(pid_tgid, bpf_ktime_get_ns());
	__u64 end = addr + (len ? len : 1);
	__u64 last_dev = 0, last_ino = 0;
	int sent = 0;

	for (int i = 0; i < DA_MSYNC_MAX_VMAS && addr < end; i++) {
		struct da_vma_info v = {};
		long err = vma_at(addr, &v);
		if (err) {
			if (err == -16 /* EBUSY */)
				count_loss(DA_LOSS_MAPPING_BUSY);
			break; /* a gap (msync fails with ENOMEM there), or busy */
		}
		addr = v.end;
		/* a local copy: inside BPF_CORE_READ, v.file would be a CO-RE
		 * relocation against our own struct */
		struct file *file = v.file;
		if (!file || !(v.vm_flags & DA_VM_SHARED))
			continue;
		struct inode *inode = BPF_CORE_READ(file, f_inode);
		if (!inode)
			continue;
		__u64 dev = BPF_CORE_READ(inode, i_sb, s_dev), ino = BPF_CORE_READ(inode, i_ino);
		if (dev == last_dev && ino == last_ino)
			continue; /* the same file, mapped in pieces */
		last_dev = dev;
		last_ino = ino;
		/* MS_SYNC writes the range back and waits (vfs_fsync_range,
		 * datasync): like an fdatasync, a new epoch, whether it worked or
		 * not (see the syncs in on_other). */
		if (flags & DA_MS_SYNC)
			new_inode_epoch(dev, ino);
		if (send_msync(pid_tgid, ret, DA_ARG1(regs), len, flags, duration, file))
			return 0;
		sent++;
	}
	if (!sent) /* nothing shared and file-backed in the range: the call itself */
		send_msync(pid_tgid, ret, DA_ARG1(regs), len, flags, duration, NULL);
	return 0;
}

/* A page fault of a process with shared file mappings. Cheapest tests
 * first: the error code (a register), one hash lookup, then the vma. */
static __always_inline int on_store_fault(unsigned long address, unsigned long error_code)
{
	if (!(error_code & DA_X86_PF_WRITE))
		return 0; /* a read or an instruction fetch */
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (!bpf_map_lookup_elem(&mapping_tgids, &tgid) || !traced(tgid))
		return 0;
	struct da_vma_info v = {};
	long err = vma_at(address, &v);
	if (err) {
		if (err == -16 /* EBUSY */)
			count_loss(DA_LOSS_MAPPING_BUSY);
		return 0;
	}
	if (!v.file || (v.vm_flags & (DA_VM_SHARED | DA_VM_WRITE)) != (DA_VM_SHARED | DA_VM_WRITE))
		return 0; /* anonymous or private (copy-on-write) memory */
	struct da_write w = {
		.sc = DA_SC_MMAP_STORE,
		.fd = -1,
		.fd2 = -1,
		.arg = address,
		.store = true,
	};
	return report_write(v.file, &w, pid_tgid, NULL);
}

/* x86 only: btf_trace_page_fault_user(void *, unsigned long address,
 * struct pt_regs *, unsigned long error_code). Userspace does not load
 * these where the kernel has no such tracepoint. */
SEC("tp_btf/page_fault_user")
int BPF_PROG(handle_page_fault_user, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	return on_store_fault(address, error_code);
}

/* The kernel storing into a user mapping (read(2) into a mapped buffer,
 * copy_to_user): the same fault, taken in kernel mode. */
SEC("tp_btf/page_fault_kernel")
int BPF_PROG(handle_page_fault_kernel, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	return on_store_fault(address, error_code);
}


/* ---- User stacks ----
 *
 * Findings name the line of the program that made the deciding call: the
 * events that can become evidence carry the user stack at the call. Debian's
 * binaries and most release builds have no frame pointers, so the kernel's
 * own stack walk (bpf_get_stack) stops after a frame or two; instead, as
 * `perf record --call-graph dwarf` does, the user registers and a bounded
 * copy of the user stack from the stack pointer up go to userspace, which
 * unwinds them with the binaries' DWARF CFI (.eh_frame, present even in
 * stripped binaries). The record (struct da_stack) goes to its own ring,
 * `stacks`, so events stay small and a flood of stacks cannot push events
 * out; the event it belongs to says so (DA_F_STACK) and follows it.
 *
 * Which events: writable opens of regular files that matter, the first
 * write of a durability epoch (already one per (process, inode, epoch),
 * report_write), a close of an fd whose file this process wrote in the
 * current epoch without syncing (decided at sys_enter, while the fd still
 * names the file: close_stack_wanted), successful renames, links, unlinks,
 * rmdirs and truncations, sync_file_range, and failed fsync/fdatasync/syncfs.
 * Cost: each process has a token bucket (stack_burst stacks at once, one
 * more every stack_cost_ns); a stack over budget is counted, not sent.
 */


struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by userspace (CaptureOptions) */
} stacks SEC(".maps");

#define DA_PAGE 4096
struct da_stack_scratch {
	struct da_stack s;
	__u8 data[DA_STACK_BYTES_MAX + DA_PAGE]; /* slack: the verifier sees a read of up to a page at any offset */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct da_stack_scratch);
} stack_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DA_STACK_COUNT_);
	__type(key, __u32);
	__type(value, __u64);
} stack_counts SEC(".maps");

/* tgid -> its token bucket. LRU: a process that exited is evicted in time,
 * and one evicted while alive starts again with a full bucket. Threads
 * update it without a lock: a race costs or grants one stack. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct da_stack_bucket);
} stack_budget SEC(".maps");

/* tid -> 1 between a close's sys_enter that found unsynced data behind the
 * fd and its sys_exit (where the fd is gone). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} close_stack_wanted SEC(".maps");

static __always_inline void count_stack(__u32 what)
{
	__u64 *c = bpf_map_lookup_elem(&stack_counts, &what);
	if (c)
		(*c)++;
}

static __always_inline bool stack_budget_take(__u32 tgid, __u64 now)
{
	if (!stack_cost_ns)
		return true;
	__u64 cap = stack_burst * stack_cost_ns;
	struct da_stack_bucket *b = bpf_map_lookup_elem(&stack_budget, &tgid);
	if (!b) {
		struct da_stack_bucket fresh = { .tokens_ns = cap > stack_cost_ns ? cap - stack_cost_ns : 0,
						 .last_ns = now };
		bpf_map_update_elem(&stack_budget, &tgid, &fresh, BPF_ANY);
		return true;
	}
	__u64 t = b->tokens_ns + (now > b->last_ns ? now - b->last_ns : 0);
	if (t > cap)
		t = cap;
	b->last_ns = now;
	if (t < stack_cost_ns) {
		b->tokens_ns = t;
		return false;
	}
	b->tokens_ns = t - stack_cost_ns;
	return true;
}

static long read_vma_end(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	*(__u64 *)data = vma->vm_end;
	return 0;
}

/* The user registers of the current task, in DWARF numbering. */
static __always_inline void read_user_regs(struct da_stack *st, struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	st->arch = DA_ARCH_X86_64;
	st->nregs = 17;
	st->regs[0] = BPF_CORE_READ(regs, ax);
	st->regs[1] = BPF_CORE_READ(regs, dx);
	st->regs[2] = BPF_CORE_READ(regs, cx);
	st->regs[3] = BPF_CORE_READ(regs, bx);
	st->regs[4] = BPF_CORE_READ(regs, si);
	st->regs[5] = BPF_CORE_READ(regs, di);
	st->regs[6] = BPF_CORE_READ(regs, bp);
	st->regs[7] = BPF_CORE_READ(regs, sp);
	st->regs[8] = BPF_CORE_READ(regs, r8);
	st->regs[9] = BPF_CORE_READ(regs, r9);
	st->regs[10] = BPF_CORE_READ(regs, r10);
	st->regs[11] = BPF_CORE_READ(regs, r11);
	st->regs[12] = BPF_CORE_READ(regs, r12);
	st->regs[13] = BPF_CORE_READ(regs, r13);
	st->regs[14] = BPF_CORE_READ(regs, r14);
	st->regs[15] = BPF_CORE_READ(regs, r15);
	st->regs[16] = BPF_CORE_READ(regs, ip);
	st->sp = st->regs[7];
#elif defined(__TARGET_ARCH_arm64)
	st->arch = DA_ARCH_ARM64;
	st->nregs = 33;
	bpf_probe_read_kernel(st->regs, 31 * sizeof(__u64), &regs->regs[0]);
	st->regs[31] = BPF_CORE_READ(regs, sp);
	st->regs[32] = BPF_CORE_READ(regs, pc);
	st->sp = st->regs[31];
#endif
}

/* Sends the current task's user stack for the event (pid_tgid, ts_ns, sc)
 * about to be sent. Returns 1 when it was sent. Not inlined: one copy of
 * this code serves every call site. */
static __noinline int send_stack(__u64 pid_tgid, __u64 ts_ns, __u32 sc)
{
	/* Events first: when userspace is behind, a stack would slow it down
	 * further and the events after it could be lost. */
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 2) {
		count_stack(DA_STACK_CONSUMER_BEHIND);
		return 0;
	}
	if (!stack_budget_take(pid_tgid >> 32, ts_ns)) {
		count_stack(DA_STACK_OVER_BUDGET);
		return 0;
	}
	__u32 zero = 0;
	struct da_stack_scratch *st = bpf_map_lookup_elem(&stack_scratch, &zero);
	if (!st)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (!regs) {
		count_stack(DA_STACK_UNREADABLE);
		return 0;
	}
	__builtin_memset(&st->s, 0, sizeof(st->s));
	st->s.head.type = DA_EV_STACK;
	st->s.head.syscall = sc;
	st->s.head.ts_ns = ts_ns;
	st->s.pid = pid_tgid >> 32;
	st->s.tid = (__u32)pid_tgid;
	read_user_regs(&st->s, regs);

	/* Never past the end of the stack's mapping (the main thread's stack
	 * ends a few KiB above main()): a read that crosses it fails whole. */
	__u64 sp = st->s.sp, end = 0, len = stack_bytes;
	if (bpf_find_vma(task, sp, read_vma_end, &end, 0) == 0 && end > sp && end - sp < len)
		len = end - sp;
	if (len > DA_STACK_BYTES_MAX)
		len = DA_STACK_BYTES_MAX;
	/* A page at a time: a read cannot fault pages in here, and one page
	 * that is not resident (the untouched middle of a large local array,
	 * which is common on a thread's young stack) would fail a single read
	 * of the whole range. A failed read leaves zeros, which is what an
	 * untouched anonymous page holds; the copy ends after the last page
	 * that could be read. */
	__u64 copied = 0, good = 0;
	for (int i = 0; i < DA_STACK_BYTES_MAX / DA_PAGE + 1; i++) {
		if (copied >= len || copied >= DA_STACK_BYTES_MAX)
			break;
		__u64 addr = sp + copied;
		__u64 chunk = DA_PAGE - (addr & (DA_PAGE - 1));
		if (chunk > len - copied)
			chunk = len - copied;
		if (chunk > DA_PAGE)
			chunk = DA_PAGE;
		long err = bpf_probe_read_user(&st->data[copied], chunk, (const void *)addr);
		copied += chunk;
		if (!err)
			good = copied;
	}
	len = good;
	if (!len) /* the registers alone still name the innermost frame */
		count_stack(DA_STACK_UNREADABLE);
	st->s.stack_len = len;
	__u64 size = DA_STACK_FIXED_SIZE + len;
	st->s.head.size = size;
	if (bpf_ringbuf_output(&stacks, st, size, batched_wakeup(&stacks, stack_wakeup_bytes, size))) {
		count_stack(DA_STACK_RINGBUF_FULL);
		return 0;
	}
	count_stack(DA_STACK_SENT);
	return 1;
}

static __always_inline void attach_stack(struct da_scratch *s, __u64 pid_tgid)
{
	if (stacks_enabled && send_stack(pid_tgid, s->e.head.ts_ns, s->e.head.syscall))
		s->e.head.flags |= DA_F_STACK;
}

/* A successful open that can start a file's unsynced life: for writing, of
 * a regular file on a filesystem that matters. */
static __always_inline bool opens_for_writing(const struct da_event *e)
{
	if (!stacks_enabled || !(e->head.flags & DA_F_FILE_VALID) || e->mode != DA_S_IFREG)
		return false;
	if (!(e->flags & DA_O_ACCMODE) && !(e->flags & (DA_O_CREAT | DA_O_TRUNC)))
		return false;
	__u64 magic = e->fs_magic;
	return !bpf_map_lookup_elem(&ignored_fs_magic, &magic);
}

/* The durability epoch `ik` is in now (see "Write deduplication"). */
static __always_inline __u64 current_epoch(struct da_inode_key *ik)
{
	__u64 epoch = 0, *g = bpf_map_lookup_elem(&inode_gen, ik);
	if (g)
		epoch = *g;
	g = bpf_map_lookup_elem(&dev_gen, &ik->dev);
	if (g && *g > epoch)
		epoch = *g;
	__u32 k = DA_GEN_GLOBAL;
	g = bpf_map_lookup_elem(&gens, &k);
	if (g && *g > epoch)
		epoch = *g;
	return epoch;
}

/* Whether process `tgid` reported a non-synchronous write to `f`'s inode
 * in the inode's current epoch: its data may not be durable. */
static __always_inline bool file_unsynced_by(struct file *f, __u32 tgid)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	if (!inode)
		return false;
	struct da_dirty_key dk = {
		.dev = BPF_CORE_READ(inode, i_sb, s_dev),
		.ino = BPF_CORE_READ(inode, i_ino),
		.tgid = tgid,
		.igen = BPF_CORE_READ(inode, i_generation),
	};
	__u64 *tag = bpf_map_lookup_elem(&dirty, &dk);
	if (!tag || (*tag & 1))
		return false;
	struct da_inode_key ik = { .dev = dk.dev, .ino = dk.ino };
	return (*tag >> 1) >= current_epoch(&ik);
}

/* close(fd) at sys_enter (only with stacks on): remember whether its sys_exit
 * should take the stack. */
static __always_inline int on_close_enter(struct pt_regs *regs, __u64 pid_tgid)
{
	struct file *f = fd_to_file((int)DA_ARG1(regs));
	if (!f || !file_unsynced_by(f, pid_tgid >> 32))
		return 0;
	__u32 tid = (__u32)pid_tgid;
	__u8 one = 1;
	bpf_map_update_elem(&close_stack_wanted, &tid, &one, BPF_ANY);
	return 0;
}

static __always_inline bool stack_wanted_at_exit(__u16 sc, long ret, __u64 pid_tgid)
{
	if (!stacks_enabled)
		return false;
	switch (sc) {
	case DA_SC_CLOSE: {
		__u32 tid = (__u32)pid_tgid;
		if (!bpf_map_lookup_elem(&close_stack_wanted, &tid))
			return false;
		bpf_map_delete_elem(&close_stack_wanted, &tid);
		return true;
	}
	case DA_SC_RENAME:
	case DA_SC_RENAMEAT:
	case DA_SC_RENAMEAT2:
	case DA_SC_LINK:
	case DA_SC_LINKAT:
	case DA_SC_SYMLINK:
	case DA_SC_SYMLINKAT:
	case DA_SC_UNLINK:
	case DA_SC_UNLINKAT:
	case DA_SC_RMDIR:
	case DA_SC_TRUNCATE:
	case DA_SC_FTRUNCATE:
		return ret == 0;
	case DA_SC_SYNC_FILE_RANGE:
		return true;
	case DA_SC_FSYNC:
	case DA_SC_FDATASYNC:
	case DA_SC_SYNCFS:
		return ret < 0;
	default:
		return false;
	}
}

/* A PROT_EXEC mapping of a file (stacks on): where a library's code is. */
static __always_inline int on_code_mmap(struct pt_regs *regs, long ret, __u64 pid_tgid)
{
	int fd = (int)DA_ARG5(regs);
	struct file *f = fd_to_file(fd);
	if (!f)
		return 0;
	struct da_scratch *s = scratch_begin(DA_EV_SYSCALL, DA_SC_MMAP, pid_tgid);
	if (!s)
		return 0;
	struct da_event *e = &s->e;
	e->ret = ret;
	e->fd = fd;
	e->arg = (__u32)DA_ARG3(regs);
	e->arg2 = DA_ARG2(regs);
	e->flags = (__u32)DA_ARG4(regs);
	e->bytes = DA_ARG6(regs);
	fill_file(e, f);
	emit_syscall(s);
	return 0;
}

/* The new image of an exec (stacks on): where the kernel mapped the
 * executable (AT_PHDR) and its interpreter (AT_BASE), and which file it
 * loaded (bprm->interp: the interpreter of a #! script). */
static __always_inline void exec_image(struct da_scratch *s, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *mm = task->mm;
	if (mm) {
		const unsigned long *auxv = mm->saved_auxv;
		for (int i = 0; i < DA_AUXV_PAIRS; i++) {
			__u64 pair[2] = {};
			if (bpf_probe_read_kernel(pair, sizeof(pair), &auxv[2 * i]) || pair[0] == DA_AT_NULL)
				break;
			if (pair[0] == DA_AT_PHDR)
				s->e.arg2 = pair[1];
			else if (pair[0] == DA_AT_BASE)
				s->e.bytes = pair[1];
		}
	}
	__u32 off = s->e.path_len;
	if (off > DA_PATH_MAX)
		off = DA_PATH_MAX;
	long n = bpf_probe_read_kernel_str(&s->data[off], DA_PATH_MAX, BPF_CORE_READ(bprm, interp));
	if (n > 0)
		s->e.path2_len = n > DA_PATH_MAX ? DA_PATH_MAX : n;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(handle_sys_enter, struct pt_regs *regs, long nr)
{
	if (nr < 0 || nr >= DA_NR_TABLE)
		return 0;
	__u8 action = enter_action_of_nr[nr];
	if (action == DA_ENTER_NONE)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!traced(pid_tgid >> 32))
		return 0;
	__u32 tid = (__u32)pid_tgid;

	if (action == DA_ENTER_CLOSE)
		return on_close_enter(regs, pid_tgid);
	if (action == DA_ENTER_TIME) {
		__u64 now = bpf_ktime_get_ns();
		bpf_map_update_elem(&sync_enter_ts, &tid, &now, BPF_ANY);
		return 0;
	}
	__u64 flags;
	switch (action) {
	case DA_ENTER_CLONE: /* clone(flags, ...) on every architecture */
		flags = DA_ARG1(regs);
		break;
	case DA_ENTER_CLONE3: { /* struct clone_args { u64 flags, pidfd, child_tid, parent_tid, exit_signal; ... } */
		__u64 args[5] = {};
		if (bpf_probe_read_user(args, sizeof(args), (const void *)DA_ARG1(regs)))
			return 0; /* the kernel will fail it with EFAULT too */
		/* clone3 rejects CSIGNAL bits in flags: put the exit signal there,
		 * as clone(2) carries it */
		flags = (args[0] & ~DA_CSIGNAL) | (args[4] & DA_CSIGNAL);
		break;
	}
	case DA_ENTER_FORK:
		flags = DA_SIGCHLD;
		break;
	case DA_ENTER_VFORK:
		flags = DA_CLONE_VM | DA_CLONE_VFORK | DA_SIGCHLD;
		break;
	default:
		return 0;
	}
	bpf_map_update_elem(&clone_flags_of_tid, &tid, &flags, BPF_ANY);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = DA_SYSCALL_NR(regs);
	if (nr < 0 || nr >= DA_NR_TABLE)
		return 0;
	__u16 sc = syscall_of_nr[nr];
	if (sc == DA_SC_UNKNOWN)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!traced(pid_tgid >> 32))
		return 0;
	/* Early, before any work (scratch_submit decides the same for every
	 * record): a failed close(-1) in a loop costs two table reads here. */
	if (ret < 0 && !failure_reported(sc, ret))
		return 0;

	switch (sc) {
	case DA_SC_OPEN:
	case DA_SC_OPENAT:
	case DA_SC_OPENAT2:
	case DA_SC_CREAT:
		return on_open(regs, sc, ret, pid_tgid);
	case DA_SC_WRITE:
	case DA_SC_PWRITE64:
	case DA_SC_WRITEV:
	case DA_SC_PWRITEV:
	case DA_SC_PWRITEV2:
	case DA_SC_FALLOCATE:
	case DA_SC_COPY_FILE_RANGE:
	case DA_SC_SENDFILE:
		return on_write(regs, sc, ret, pid_tgid);
	case DA_SC_IO_SUBMIT:
	case DA_SC_IO_GETEVENTS:
	case DA_SC_IO_PGETEVENTS:
		return on_aio(regs, sc, ret, pid_tgid);
	case DA_SC_MMAP:
		return on_mmap(regs, ret, pid_tgid);
	case DA_SC_MUNMAP:
	case DA_SC_MREMAP:
		return on_unmap(regs, sc, ret, pid_tgid);
	case DA_SC_MSYNC:
		return on_msync(regs, nr, ret, pid_tgid);
	default:
		return on_other(regs, sc, nr, ret, pid_tgid);
	}
}

/* ---- process lifecycle ---- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	int how = traced(ptgid);
	if (how == NOT_TRACED)
		return 0;
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u32 ctid = BPF_CORE_READ(child, pid);
	bool is_thread = ctgid == ptgid;

	/* Before the child can run (it is woken after this tracepoint), so
	 * none of its syscalls escape. */
	if (!is_thread && how == TRACED_BY_MAP) {
		__u8 one = 1;
		if (bpf_map_update_elem(&traced_tgids, &ctgid, &one, BPF_ANY))
			count_loss(DA_LOSS_TARGET_MAP_FULL);
	}
	/* A forked child inherits the parent's shared mappings. */
	if (!is_thread && bpf_map_lookup_elem(&mapping_tgids, &ptgid)) {
		__u8 one = 1;
		bpf_map_update_elem(&mapping_tgids, &ctgid, &one, BPF_ANY);
	}

	__u64 pid_tgid = (__u64)ptgid << 32 | (__u32)BPF_CORE_READ(parent, pid);
	struct da_scratch *s = scratch_begin(DA_EV_FORK, DA_SC_FORK, pid_tgid);
	if (!s)
		return 0;
	struct da_event *e = &s->e;
	e->child_pid = ctgid;
	e->child_tid = ctid;
	e->ret = ctid;
	bool shares_files = BPF_CORE_READ(child, files) == BPF_CORE_READ(parent, files);
	if (is_thread)
		e->head.flags |= DA_F_IS_THREAD;
	if (shares_files)
		e->head.flags |= DA_F_SHARES_FILES;

	/* Clone flags: what the parent passed (stashed at sys_enter). A fork
	 * without that syscall (a kernel-made io worker) or whose stash does
	 * not agree with the child we see gets the flags the task structs
	 * prove: shared fd table, fs, mm, signal handlers, thread group. */
	__u64 derived = (is_thread ? DA_CLONE_THREAD : 0) | (shares_files ? DA_CLONE_FILES : 0) |
			(BPF_CORE_READ(child, fs) == BPF_CORE_READ(parent, fs) ? DA_CLONE_FS : 0) |
			(BPF_CORE_READ(child, mm) == BPF_CORE_READ(parent, mm) ? DA_CLONE_VM : 0) |
			(BPF_CORE_READ(child, sighand) == BPF_CORE_READ(parent, sighand) ? DA_CLONE_SIGHAND : 0) |
			((__u64)BPF_CORE_READ(child, exit_signal) & DA_CSIGNAL);
	__u32 ptid = (__u32)pid_tgid;
	__u64 *stashed = bpf_map_lookup_elem(&clone_flags_of_tid, &ptid);
	const __u64 checked = DA_CLONE_THREAD | DA_CLONE_FILES | DA_CLONE_VM;
	if (stashed && !((*stashed ^ derived) & checked))
		e->flags = *stashed;
	else
		e->flags = derived;
	if (stashed)
		bpf_map_delete_elem(&clone_flags_of_tid, &ptid);
	scratch_submit(s, DA_LOSS_RINGBUF_FULL_FORK);
	return 0;
}

/* Who the new image runs as and what it sees ("Process identity" in
 * events.h): userspace keys paths by it, so two containers writing the same
 * path are two files, and says where a finding comes from. */
static __always_inline void exec_identity(struct da_event *e, struct task_struct *p)
{
	struct dentry *root = BPF_CORE_READ(p, fs, root.dentry);
	e->dev = BPF_CORE_READ(root, d_sb, s_dev);
	e->ino = BPF_CORE_READ(root, d_inode, i_ino);
	e->fs_magic = BPF_CORE_READ(p, nsproxy, mnt_ns, ns.inum);
	e->exit_code = (__s32)BPF_CORE_READ(p, real_cred, uid.val);
	e->duration_ns = bpf_get_current_cgroup_id();
	e->head.flags |= DA_F_IDENTITY;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (!traced(tgid)) {
		if (!filter_comm || tgid == self_tgid)
			return 0;
		/* --comm: the new image's comm is set by now (begin_new_exec).
		 * A match becomes a target before its first instruction runs;
		 * its children follow through handle_fork. */
		struct da_comm_key key = {};
		bpf_get_current_comm(key.comm, sizeof(key.comm));
		if (!bpf_map_lookup_elem(&traced_comms, &key))
			return 0;
		__u8 one = 1;
		if (bpf_map_update_elem(&traced_tgids, &tgid, &one, BPF_ANY)) {
			count_loss(DA_LOSS_TARGET_MAP_FULL);
			return 0;
		}
	}
	/* The new image starts without the old one's mappings. */
	bpf_map_delete_elem(&mapping_tgids, &tgid);
	struct da_scratch *s = scratch_begin(DA_EV_EXEC, DA_SC_EXEC, pid_tgid);
	if (!s)
		return 0;
	struct da_event *e = &s->e;
	e->arg = old_pid; /* a non-leader thread's exec takes over the leader's pid */
	long n = bpf_probe_read_kernel_str(s->data, DA_PATH_MAX, BPF_CORE_READ(bprm, filename));
	if (n <= 0) {
		s->data[0] = 0;
		n = 1;
	}
	e->path_len = n > DA_PATH_MAX ? DA_PATH_MAX : n;
	exec_identity(e, p);
	if (stacks_enabled)
		exec_image(s, bprm);
	scratch_submit(s, DA_LOSS_RINGBUF_FULL_EXEC);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int handle_exit(__u64 *ctx)
{
	struct task_struct *p = (struct task_struct *)ctx[0];
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	int how = traced(tgid);
	if (how == NOT_TRACED)
		return 0;

	bool group_dead;
	if (exit_tp_has_group_dead)
		group_dead = (__u8)ctx[1];
	else /* older kernels: signal->live was decremented just before */
		group_dead = BPF_CORE_READ(p, signal, live.counter) == 0;

	if (group_dead && budget_ns_per_event) { /* its last drops, before its exit */
		char comm[DA_COMM_LEN];
		bpf_get_current_comm(comm, sizeof(comm));
		finish_budget(tgid, comm);
	}
	struct da_scratch *s = scratch_begin(DA_EV_EXIT, DA_SC_EXIT, pid_tgid);
	if (s) {
		s->e.exit_code = BPF_CORE_READ(p, exit_code);
		if (group_dead)
			s->e.head.flags |= DA_F_GROUP_DEAD;
		scratch_submit(s, DA_LOSS_RINGBUF_FULL_EXIT);
	}
	__u32 tid = (__u32)pid_tgid;
	bpf_map_delete_elem(&clone_flags_of_tid, &tid);
	bpf_map_delete_elem(&sync_enter_ts, &tid);
	if (group_dead)
		bpf_map_delete_elem(&mapping_tgids, &tgid);
	if (group_dead && how == TRACED_BY_MAP)
		bpf_map_delete_elem(&traced_tgids, &tgid);
	return 0;
}
