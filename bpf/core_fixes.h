// SPDX-License-Identifier: GPL-2.0-only
/* Kernel constants the BPF side needs that are NOT in BTF (preprocessor
 * #defines in kernel or uapi headers, which vmlinux.h cannot carry), plus the
 * per-architecture way to read syscall arguments at sys_exit.
 *
 * Each constant says where it comes from and since when it has that value;
 * if a future kernel renumbers one, this is the single place to fix.
 */
#ifndef DURAUDIT_BPF_CORE_FIXES_H
#define DURAUDIT_BPF_CORE_FIXES_H

/* include/linux/fs.h: "File was created by this open" (set by
 * atomic_open()/do_open() on O_CREAT when the inode was made, and by
 * vfs_tmpfile()). 1 << 20 since v4.19 (commit 73a09dd94377) through 6.18. */
#define DA_FMODE_CREATED 0x100000u

/* include/uapi/linux/stat.h (octal, stable ABI). */
#define DA_S_IFMT 0170000u
#define DA_S_IFREG 0100000u

/* include/uapi/asm-generic/fcntl.h: O_DSYNC; O_SYNC is __O_SYNC|O_DSYNC,
 * so testing O_DSYNC catches both. Stable ABI (x86_64, arm64). */
#define DA_O_DSYNC 010000u
/* include/uapi/linux/fs.h: per-call flags of pwritev2. Stable ABI. */
#define DA_RWF_DSYNC 0x2u
#define DA_RWF_SYNC 0x4u
/* include/uapi/asm-generic/fcntl.h: O_TRUNC (x86_64, arm64). */
#define DA_O_TRUNC 01000u

/* include/linux/fs.h: SB_SYNCHRONOUS (mount -o sync) in super_block.s_flags,
 * 1 << 4 since v4.14; and S_SYNC (chattr +S) in inode.i_flags, 1 << 0
 * since before git. With either, every write is synchronous (IS_SYNC()). */
#define DA_SB_SYNCHRONOUS (1u << 4)
#define DA_S_SYNC (1u << 0)

/* include/uapi/asm-generic/fcntl.h: the access mode bits and O_CREAT
 * (x86_64, arm64). */
#define DA_O_ACCMODE 03u
#define DA_O_CREAT 0100u
/* include/linux/fs.h: file opened for writing (f_mode), 1 << 1 since before git. */
#define DA_FMODE_WRITE 0x2u
/* include/uapi/linux/auxvec.h: auxiliary vector entries (stable ABI). */
#define DA_AT_NULL 0
#define DA_AT_PHDR 3
#define DA_AT_BASE 7
/* How many (type, value) pairs of mm->saved_auxv are searched: the kernel
 * writes about 20 (AT_VECTOR_SIZE is 2 * 24 + 2 words on x86_64). */
#define DA_AUXV_PAIRS 32

/* include/uapi/asm-generic/errno-base.h, errno.h */
#define DA_EIO 5
#define DA_EBADF 9
#define DA_EEXIST 17
#define DA_ENOSPC 28
#define DA_ENAMETOOLONG 36
#define DA_EDQUOT 122

/* include/uapi/linux/fcntl.h: fcntl commands whose effect the fd-table model
 * needs; every other command is dropped in the kernel. */
#define DA_F_DUPFD 0
#define DA_F_SETFD 2
#define DA_F_DUPFD_CLOEXEC 1030

/* include/uapi/linux/fcntl.h */
/* task_struct.flags: an io_uring worker or SQPOLL thread (include/linux/sched.h) */
#define DA_PF_IO_WORKER 0x00000010u
#define DA_AT_FDCWD (-100)
#define DA_AF_UNIX 1 /* sa_family of struct sockaddr_un */
#define DA_AT_EMPTY_PATH 0x1000

/* include/uapi/asm-generic/fcntl.h: what creat(2) means as open flags
 * (O_CREAT|O_WRONLY|O_TRUNC). */
#define DA_CREAT_FLAGS (0100u | 01u | 01000u)

/* include/uapi/linux/sched.h: clone flags (stable ABI), and SIGCHLD
 * (include/uapi/asm-generic/signal.h, x86_64 and arm64). */
#define DA_CSIGNAL 0xffull
#define DA_CLONE_VM 0x100ull
#define DA_CLONE_FS 0x200ull
#define DA_CLONE_FILES 0x400ull
#define DA_CLONE_SIGHAND 0x800ull
#define DA_CLONE_VFORK 0x4000ull
#define DA_CLONE_THREAD 0x10000ull
#define DA_SIGCHLD 17ull

/* Shared file mappings. include/uapi/asm-generic/mman-common.h and
 * mman.h (x86_64 and arm64 use the generic values): PROT_WRITE, the
 * MAP_TYPE bits (MAP_SHARED 1, MAP_PRIVATE 2, MAP_SHARED_VALIDATE 3),
 * MAP_ANONYMOUS. Stable ABI. */
#define DA_PROT_WRITE 0x2u
#define DA_PROT_EXEC 0x4u
#define DA_MAP_TYPE 0x0fu
#define DA_MAP_SHARED 0x01u
#define DA_MAP_SHARED_VALIDATE 0x03u
#define DA_MAP_ANONYMOUS 0x20u
/* include/uapi/asm-generic/mman-common.h: msync flags. */
#define DA_MS_SYNC 4u
/* include/linux/mm.h: vm_area_struct.vm_flags bits VM_WRITE and VM_SHARED,
 * the same since before git (6.18 still defines them as bits 1 and 3). */
#define DA_VM_WRITE 0x2ull
#define DA_VM_SHARED 0x8ull
/* arch/x86/include/asm/trap_pf.h: page fault error code bit 1, "the access
 * was a write" (X86_PF_WRITE), an architectural (hardware) value. */
#define DA_X86_PF_WRITE 0x2ul
/* How many vmas one msync(addr, len) range is searched for files: a range
 * over more mappings than that names only the first ones. */
#define DA_MSYNC_MAX_VMAS 8

/* Syscall arguments at sys_exit (and at sys_enter: the same registers). The entry code saved the user registers in
 * pt_regs and syscall handlers do not modify them (execve is the exception:
 * it is reported from sched_process_exec instead), so every argument is
 * still there when the call returns. */
#if defined(__TARGET_ARCH_x86)
#define DA_SYSCALL_NR(regs) ((long)(regs)->orig_ax)
#define DA_ARG1(regs) ((regs)->di)
#define DA_ARG2(regs) ((regs)->si)
#define DA_ARG3(regs) ((regs)->dx)
#define DA_ARG4(regs) ((regs)->r10)
#define DA_ARG5(regs) ((regs)->r8)
#define DA_ARG6(regs) ((regs)->r9)
#elif defined(__TARGET_ARCH_arm64)
/* x0 is overwritten by the return value; the entry code keeps the first
 * argument in orig_x0. */
#define DA_SYSCALL_NR(regs) ((long)(regs)->syscallno)
#define DA_ARG1(regs) ((regs)->orig_x0)
#define DA_ARG2(regs) ((regs)->regs[1])
#define DA_ARG3(regs) ((regs)->regs[2])
#define DA_ARG4(regs) ((regs)->regs[3])
#define DA_ARG5(regs) ((regs)->regs[4])
#define DA_ARG6(regs) ((regs)->regs[5])
#else
#error "duraudit: syscall argument registers are defined for x86_64 and arm64 only"
#endif


#endif /* DURAUDIT_BPF_CORE_FIXES_H */
