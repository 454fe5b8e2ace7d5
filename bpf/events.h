// SPDX-License-Identifier: GPL-2.0-only
/* The one wire contract between duraudit's BPF programs and userspace.
 *
 * Included by bpf/duraudit.bpf.c (with vmlinux.h types) and by the userspace
 * decoder (with <linux/types.h>). Everything that crosses the ring buffer is
 * declared here, with fixed-width fields and explicit, zeroed padding, so the
 * layout is the same for clang -target bpf and for the host compiler; the
 * unit test tests/unit/capture_wire_layout_test.cpp pins every offset.
 *
 * Record framing
 * --------------
 * Every ring-buffer record is one variable-length `struct da_event`:
 *
 *     [ struct da_event (DA_EVENT_FIXED_SIZE bytes) ][ path bytes ][ path2 bytes ]
 *
 * The BPF side builds the record in a per-CPU scratch buffer (map
 * `scratch`) and copies exactly `head.size` bytes out with
 * bpf_ringbuf_output(), so a record costs the fixed part plus the strings
 * actually read, not 2 * PATH_MAX. `path_len`/`path2_len` count the bytes of
 * each string INCLUDING its terminating NUL; 0 means "this syscall has no such
 * argument" (an empty path "" has length 1). path2 starts right after path.
 *
 * Every record begins with the common head {type, size, ..., ts_ns}, so a
 * reader can skip records it does not understand.
 */
#ifndef DURAUDIT_BPF_EVENTS_H
#define DURAUDIT_BPF_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Paths are read from user memory with at most this many bytes (NUL
 * included). It equals PATH_MAX, so only a path the kernel itself rejects
 * with ENAMETOOLONG can be cut; such a cut is counted (DA_LOSS_PATH_TRUNCATED)
 * and flagged (DA_F_PATH_TRUNCATED / DA_F_PATH2_TRUNCATED). */
#define DA_PATH_MAX 4096

#define DA_COMM_LEN 16

/* Size of the rodata table syscall_of_nr (syscall number -> enum da_syscall),
 * filled by userspace from <sys/syscall.h> before load, so the numbering is
 * the host architecture's. 512 covers every syscall we trace on x86_64 and
 * arm64. */
#define DA_NR_TABLE 512

/* Table enter_action_of_nr (syscall number -> what sys_enter does), filled
 * by userspace like syscall_of_nr. Only these syscalls pay for more than the
 * table read at sys_enter: what they need is gone by the time sys_exit or
 * sched_process_fork runs. */
enum da_enter_action {
	DA_ENTER_NONE = 0,
	DA_ENTER_CLONE,  /* clone(flags, ...): stash flags for sched_process_fork */
	DA_ENTER_CLONE3, /* clone3(struct clone_args *, size): flags read from user memory */
	DA_ENTER_FORK,   /* fork(): SIGCHLD */
	DA_ENTER_VFORK,  /* vfork(): CLONE_VM|CLONE_VFORK|SIGCHLD */
	DA_ENTER_TIME,   /* a sync call: stash the entry time for duration_ns */
	DA_ENTER_CLOSE,  /* close(fd) with stacks on: does fd hold unsynced data? (see
	                  * "User stacks" in duraudit.bpf.c) */
};

/* head.type */
enum da_event_type {
	DA_EV_SYSCALL = 1, /* a syscall returned (head.syscall says which) */
	DA_EV_FORK = 2,    /* sched_process_fork, in the parent: child_pid/child_tid */
	DA_EV_EXEC = 3,    /* sched_process_exec: path = bprm->filename */
	DA_EV_EXIT = 4,    /* sched_process_exit: exit_code, DA_F_GROUP_DEAD */
	DA_EV_BUDGET = 5,  /* a process over its event budget (head.syscall = DA_SC_OVER_BUDGET):
	                    * arg = its events dropped so far; no strings */
	DA_EV_STACK = 6,   /* ring `stacks` only: the user stack of the event with the
	                    * same tid and ts_ns (struct da_stack) */
};

/* Which failed calls of an operation reach userspace (rodata
 * failure_policy_of_sc, indexed by enum da_syscall, filled by userspace from
 * the syscall table: userspace/capture/failure_policy.h says why each). A
 * failed call that changes nothing and proves nothing (close(-1), an open of
 * a missing file) is dropped in the kernel: a flood of them costs the ring
 * buffer and the consumer nothing. */
enum da_failure_policy {
	DA_FAIL_DROP = 0,          /* every failure is dropped */
	DA_FAIL_KEEP_ALL,          /* trace: every failure is shown */
	DA_FAIL_KEEP_UNLESS_EBADF, /* close: the fd is released even when it fails */
	DA_FAIL_KEEP_DATA_LOSS,    /* syncs: EIO, ENOSPC, EDQUOT (writeback errors) */
	DA_FAIL_KEEP_EEXIST,       /* renames: RENAME_NOREPLACE proves the target exists */
};

/* head.syscall: the wire id of the operation, from the one syscall table
 * (userspace/event/syscall_table.def, which says how ids may change). The
 * values are those of duraudit::Syscall: DA_SC_OPENAT == Syscall::Openat. */
enum da_syscall {
#define DA_SYSCALL(id, WIRE, ...) DA_SC_##WIRE = id,
#define DA_SYSCALL_ENTER(...)
#include "event/syscall_table.def"
#undef DA_SYSCALL
#undef DA_SYSCALL_ENTER
	DA_SC_COUNT_, /* one past the highest id (ids are dense, append-only) */
};

/* head.flags */
enum da_event_flags {
	DA_F_FILE_VALID = 1 << 0,      /* dev/ino/fs_magic/mode were read from a struct file */
	DA_F_CREATED = 1 << 1,         /* open: FMODE_CREATED was set (this call created the file) */
	DA_F_SYNC_WRITE = 1 << 2,      /* write family through an O_SYNC/O_DSYNC file */
	DA_F_DEDUP = 1 << 3,           /* write family: first write of this (tgid, inode) in the
	                                * current durability epoch; later ones were suppressed */
	DA_F_IS_THREAD = 1 << 4,       /* fork: child shares the parent's tgid */
	DA_F_SHARES_FILES = 1 << 5,    /* fork: child shares the parent's fd table */
	DA_F_GROUP_DEAD = 1 << 6,      /* exit: last thread of the thread group */
	DA_F_PATH_TRUNCATED = 1 << 7,  /* path was cut at DA_PATH_MAX */
	DA_F_PATH2_TRUNCATED = 1 << 8, /* path2 was cut at DA_PATH_MAX */
	DA_F_PATH_UNREADABLE = 1 << 9, /* reading path from user memory failed */
	DA_F_FIXED_FILE = 1 << 10,     /* io_uring: the file is named by its identity, not an fd
	                                * (fd -1): the SQE's fd is gone at completion, or it was
	                                * a registered (fixed) file; open/close of a fixed slot:
	                                * fd2/arg is the slot */
	DA_F_STORES_UNSEEN = 1 << 11,  /* mmap: stores into this mapping are not reported (no
	                                * page-fault tracepoint): it counts as written from now on */
	DA_F_STACK = 1 << 12,          /* a struct da_stack for this record (same tid and ts_ns) was
	                                * committed to the ring `stacks` before this record */
	DA_F_IDENTITY = 1 << 13,       /* exec: who the new image runs as and where (see "Process
	                                * identity" below) */
};

struct da_event_head {
	__u16 type;    /* enum da_event_type */
	__u16 size;    /* whole record: DA_EVENT_FIXED_SIZE + path_len + path2_len */
	__u16 syscall; /* enum da_syscall */
	__u16 flags;   /* enum da_event_flags */
	__u64 ts_ns;   /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
};

struct da_event {
	struct da_event_head head; /*   0 */
	__s32 pid;                 /*  16 tgid */
	__s32 tid;                 /*  20 */
	char comm[DA_COMM_LEN];    /*  24 */
	__s64 ret;                 /*  40 syscall return; -errno on failure */
	/* raw arguments; meaning per syscall as in duraudit::Event */
	__s32 fd;                  /*  48 */
	__s32 fd2;                 /*  52 */
	__s32 dirfd;               /*  56 AT_FDCWD (-100) unless an *at call passed one */
	__s32 dirfd2;              /*  60 */
	__u64 flags;               /*  64 fork: clone flags, exit signal in the CSIGNAL byte */
	__u64 arg;                 /*  72 */
	__u64 arg2;                /*  80 */
	__u64 bytes;               /*  88 write family: bytes of this (first) write */
	/* the file touched, valid when DA_F_FILE_VALID */
	__u64 dev;                 /*  96 super_block.s_dev, kernel encoding (MAJOR<<20|MINOR) */
	__u64 ino;                 /* 104 */
	__u64 fs_magic;            /* 112 super_block.s_magic */
	__u32 mode;                /* 120 inode.i_mode & S_IFMT */
	__s32 exit_code;           /* 124 exit: task.exit_code (code << 8 | signal) */
	__s32 child_pid;           /* 128 fork: child tgid */
	__s32 child_tid;           /* 132 fork: child tid */
	__u16 path_len;            /* 136 incl. NUL; 0 = absent */
	__u16 path2_len;           /* 138 incl. NUL; 0 = absent */
	__u32 pad0;                /* 140 always zero */
	__u64 duration_ns;         /* 144 sync calls: sys_enter to sys_exit; 0 if unknown */
	/* 152: char path[path_len]; char path2[path2_len]; */
};

#define DA_EVENT_FIXED_SIZE 152

/* Process identity. A DA_EV_EXEC record with DA_F_IDENTITY says, in fields
 * an exec record has no other use for, what the new image sees and runs as:
 *   dev, ino     the root directory (task->fs->root): its superblock's s_dev
 *                (kernel encoding) and inode number; differs from the agent's
 *                in a chroot or a container
 *   fs_magic     the mount namespace's inode number (task->nsproxy->mnt_ns->ns.inum,
 *                as in `readlink /proc/PID/ns/mnt`)
 *   exit_code    the real uid (as __u32)
 *   duration_ns  the cgroup v2 id (bpf_get_current_cgroup_id(): the cgroup
 *                directory's inode number on the cgroup2 mount)
 * A process that chroots or unshares its mount namespace without exec'ing
 * is not seen changing: the next exec tells. */
#define DA_EVENT_MAX_SIZE (DA_EVENT_FIXED_SIZE + 2 * DA_PATH_MAX)

/* With stacks on (rodata stacks_enabled), two records carry what userspace
 * needs to know the traced processes' code mappings without /proc (a
 * process has often exited by the time its stack is unwound):
 *   DA_EV_EXEC  arg2 = AT_PHDR (where the executable's program headers are
 *               mapped), bytes = AT_BASE (the ELF interpreter's load
 *               address, 0 for a static executable), path2 = bprm->interp
 *               (the file the kernel loaded: the interpreter of a #! script)
 *   DA_SC_MMAP  also for successful PROT_EXEC mappings of a file (how the
 *               dynamic loader maps each library's code): fd, arg = prot,
 *               arg2 = length, flags, ret = address, bytes = file offset.
 *
 * User stacks (ring `stacks`, one record per stack):
 *
 *     [ struct da_stack (DA_STACK_FIXED_SIZE bytes) ][ stack_len bytes from sp ]
 *
 * The registers at the event and a copy of the user stack from the stack
 * pointer up (at most the configured size, and never past the end of the
 * stack's mapping), as `perf record --call-graph dwarf` takes them; userspace
 * unwinds them with the binaries' DWARF CFI. regs[] is in the architecture's
 * DWARF register numbering: x86_64 0..16 (rax, rdx, rcx, rbx, rsi, rdi, rbp,
 * rsp, r8..r15, rip), arm64 0..32 (x0..x30, sp, pc). */
#define DA_STACK_NREGS 33
/* The per-CPU scratch value (header, stack, a page of slack for the last
 * page-sized read) must stay under the per-CPU allocator's 32 KiB unit. */
#define DA_STACK_BYTES_MAX 24576

enum da_stack_arch {
	DA_ARCH_X86_64 = 1,
	DA_ARCH_ARM64 = 2,
};

struct da_stack {
	struct da_event_head head;  /*   0 type DA_EV_STACK; syscall and ts_ns: the event's */
	__s32 pid;                  /*  16 tgid */
	__s32 tid;                  /*  20 */
	__u16 arch;                 /*  24 enum da_stack_arch */
	__u16 nregs;                /*  26 valid entries of regs[] */
	__u32 stack_len;            /*  28 bytes copied from sp */
	__u64 sp;                   /*  32 user address of the first copied byte */
	__u64 regs[DA_STACK_NREGS]; /*  40 */
	/* 304: __u8 stack[stack_len] */
};

#define DA_STACK_FIXED_SIZE 304

/* Index of the per-CPU stack counters (map `stack_counts`): what happened to
 * the stacks the events asked for. Not losses of events: a finding without
 * a stack is as complete as one with. */
enum da_stack_count {
	DA_STACK_SENT = 0,         /* a stack was sent */
	DA_STACK_OVER_BUDGET,      /* the process had spent its stack budget */
	DA_STACK_RINGBUF_FULL,     /* the `stacks` ring was full */
	DA_STACK_UNREADABLE,       /* the user registers or stack could not be read */
	DA_STACK_CONSUMER_BEHIND,  /* the event ring was over half full: userspace is behind, and
	                            * stacks would only slow it down further */
	DA_STACK_COUNT_,
};

/* Per-process stack budget (map `stack_budget`): a token bucket. */
struct da_stack_bucket {
	__u64 tokens_ns; /* credit, in ns of refill time (one stack costs stack_cost_ns) */
	__u64 last_ns;   /* when it was last refilled */
};

/* Index of the per-CPU loss counters (map `losses`). Userspace sums CPUs and
 * reports them by the names in userspace/capture/wire_decoder.cpp. */
enum da_loss_reason {
	DA_LOSS_RINGBUF_FULL_SYSCALL = 0, /* a syscall event (other than a write) was dropped */
	DA_LOSS_RINGBUF_FULL_WRITE,       /* a dedup'ed write event was dropped (retried at the next write) */
	DA_LOSS_RINGBUF_FULL_FORK,
	DA_LOSS_RINGBUF_FULL_EXEC,
	DA_LOSS_RINGBUF_FULL_EXIT,
	DA_LOSS_PATH_TRUNCATED,           /* a path longer than DA_PATH_MAX was cut */
	DA_LOSS_PATH_UNREADABLE,          /* a successful call's path could not be read */
	DA_LOSS_TARGET_MAP_FULL,          /* a traced process forked but traced_tgids was full */
	DA_LOSS_DEDUP_MAP_FULL,           /* write dedup state could not be stored */
	DA_LOSS_ASYNC_STASH,              /* an io_uring request's paths or an AIO sync's file could
	                                   * not be kept until its completion (stash map full) */
	DA_LOSS_MAPPING_BUSY,             /* a store fault or msync whose mapping could not be
	                                   * looked up (the mmap lock was busy): store or file unnamed */
	DA_LOSS_PROCESS_BUDGET,           /* a process over its event budget lost this event (its
	                                   * own findings are marked, not everyone's) */
	DA_LOSS_COUNT_,
};

/* Per-process event budget (map `budgets`, keyed by tgid): a token bucket
 * kept as the GCRA's theoretical arrival time. An event at `now` passes
 * while tat - now <= burst; each one moves tat on by 1/rate. */
struct da_budget {
	__u64 tat;         /* theoretical arrival time, CLOCK_MONOTONIC ns */
	__u64 dropped;     /* events dropped over budget, in all */
	__u64 reported;    /* `dropped` as of the last DA_EV_BUDGET record */
	__u64 reported_ns; /* when that record was sent (0: never) */
};

/* Keys of the write-deduplication maps (see duraudit.bpf.c). */
struct da_inode_key {
	__u64 dev;
	__u64 ino;
};

struct da_dirty_key {
	__u64 dev;
	__u64 ino;
	__u32 tgid;
	/* inode->i_generation: an inode number freed by unlink is reused at
	 * once (ext4), and the new file must not inherit the old one's claim */
	__u32 igen;
};

#endif /* DURAUDIT_BPF_EVENTS_H */
