/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The pure parsers of ns inspect: the text of one /proc or cgroup file in,
 * plain values out, so that they run on fixture strings and under the
 * fuzzers (tests/fuzz/fuzz-inspect-*.c). Each returns 0 or -EINVAL (-ENOENT
 * for a field that is missing).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"

/* What ns inspect takes from /proc/PID/task/TID/status. */
typedef struct TaskStatus {
        char state;                 /* the letter of "State:" */
        pid_t tgid, ppid;
        pid_t ns_tid;               /* the last number of NSpid; 0 when absent */
        uint64_t sig_pnd;           /* pending for the thread */
        uint64_t sig_shd;           /* pending for the whole process */
        uint64_t sig_blk, sig_ign, sig_cgt;
        uint64_t ctxt_vol, ctxt_invol;
} TaskStatus;

int inspect_parse_status(const char *s, TaskStatus *ret);

/*
 * se.exec_start of /proc/TID/sched (CONFIG_SCHED_DEBUG): when the task last
 * ran, in milliseconds of the run queue's clock. Only differences between
 * two such values (of the task and of the reader itself) mean anything.
 */
int inspect_parse_sched_exec_start(const char *s, double *ret_ms);

/* /proc/TID/syscall: "running", "-1 SP PC" (in user space, or blocked
 * outside a syscall) or "NR ARG1 ... ARG6 SP PC". */
typedef enum SyscallState {
        SYSCALL_RUNNING,            /* on a CPU: the kernel does not tell */
        SYSCALL_NONE,               /* not in a syscall */
        SYSCALL_IN,                 /* blocked in syscall nr */
} SyscallState;

typedef struct TaskSyscall {
        SyscallState state;
        long nr;
        uint64_t args[6];
} TaskSyscall;

int inspect_parse_syscall(const char *s, TaskSyscall *ret);

/* The name of a syscall of the build's architecture, or NULL. */
const char *inspect_syscall_name(long nr);

/* "read(0x3, 0x7ffd2a1c, 0x1000, 0x0, 0x0, 0x0)" (malloc'd), or the number
 * when the table does not know it. */
char *inspect_syscall_format(const TaskSyscall *sc);

/* "Max open files" of /proc/PID/limits; UINT64_MAX for "unlimited". */
int inspect_parse_limits_nofile(const char *s, uint64_t *ret_soft, uint64_t *ret_hard);

/*
 * /proc/TID/stack: one "[<0>] function+0x1c/0x80" line per frame,
 * innermost first. Returns the function names (malloc'd vector of
 * malloc'd strings) and their count; an empty stack is 0 frames.
 */
int inspect_parse_stack(const char *s, char ***ret, size_t *ret_n);
void strv_free_n(char **v, size_t n);

/* A list of pids separated by spaces (/proc/PID/task/TID/children). */
int inspect_parse_pid_list(const char *s, pid_t **ret, size_t *ret_n);

/* A signal mask as names: "INT,TERM,RTMIN+3"; "" for none (malloc'd). */
char *inspect_signal_names(uint64_t mask);

static inline bool sigmask_has(uint64_t mask, int sig)
{
        return sig >= 1 && sig <= 64 && (mask >> (sig - 1)) & 1;
}

/* Pressure stall information: a cgroup's cpu/memory/io.pressure or /proc/pressure files. */
typedef struct Pressure {
        bool have_some, have_full;  /* cpu has no "full" line before Linux 5.13 */
        double some[3], full[3];    /* avg10, avg60, avg300: percent of time stalled */
        uint64_t some_total, full_total; /* microseconds stalled, ever */
} Pressure;

int inspect_parse_pressure(const char *s, Pressure *ret);

/* Whether a cgroup is frozen, as far as the files tell: cgroup.c's states. */
typedef enum FreezeState {
        FREEZE_THAWED = CGROUP_THAWED,
        FREEZE_FREEZING = CGROUP_FREEZING, /* asked to freeze, not every task has */
        FREEZE_FROZEN = CGROUP_FROZEN,
        FREEZE_MAX = CGROUP_FREEZE_MAX,
        FREEZE_INVALID = -1,
} FreezeState;

const char *freeze_state_to_string(FreezeState s);

/* v1 freezer.state: "THAWED", "FREEZING" or "FROZEN". */
int inspect_parse_freezer_state(const char *s, FreezeState *ret);

/*
 * v2: cgroup.freeze (what was asked, "0" or "1") with cgroup.events'
 * "frozen" (what is): asked but not yet frozen is FREEZING. freeze may be
 * NULL (the root cgroup has no cgroup.freeze).
 */
int inspect_parse_cgroup_freeze(const char *freeze, const char *events, FreezeState *ret);

/* v1 memory.oom_control: "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n". */
typedef struct OomControl {
        bool oom_kill_disable;
        bool under_oom;
} OomControl;

int inspect_parse_oom_control(const char *s, OomControl *ret);

/* A file of one unsigned number ("memory.failcnt"); "max" is UINT64_MAX. */
int inspect_parse_u64(const char *s, uint64_t *ret);
