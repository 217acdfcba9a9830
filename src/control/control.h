/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Acting on a whole instance: signalling its processes (ns kill, the k key
 * of ns top) and freezing or thawing its cgroup (ns freeze, ns thaw, the p
 * key). Never prints; returns -errno.
 *
 * Both act on a cgroup only where it is the instance's own (control-cgroup.c):
 * a cgroup that also holds other processes (the host's, another
 * instance's, ns' own) is never killed or frozen wholesale.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "instances.h"

/* ------------------------------------------------------------ signal names */

/*
 * A signal as kill(1) takes it: "TERM", "SIGTERM", "term", "15",
 * "RTMIN", "RTMIN+3", "SIGRTMAX-1". Returns the number, or -EINVAL.
 */
int signame_parse(const char *s);

/* The name of a signal without "SIG" ("TERM", "RTMIN+3") into buf, or
 * NULL when sig is no signal of this system. */
const char *signame_format(int sig, char buf[static 16]);

/* The highest signal number (SIGRTMAX), for listing them all. */
int signame_max(void);

/* ------------------------------------------------------------- own cgroup */

/* Whether a cgroup of the instance's leader may be acted on as a whole. */
typedef enum ControlCgroupVerdict {
        CONTROL_CGROUP_OWN,        /* it and its descendants hold only the instance */
        CONTROL_CGROUP_NONE,       /* no such hierarchy, or not mounted where ns sees it */
        CONTROL_CGROUP_ROOT,       /* the root of its hierarchy */
        CONTROL_CGROUP_HOST,       /* pid 1's cgroup or one above it */
        CONTROL_CGROUP_SELF,       /* ns' own cgroup or one above it */
        CONTROL_CGROUP_SHARED,     /* it holds a process outside the instance */
        CONTROL_CGROUP_UNREADABLE, /* its process lists could not be read */
        CONTROL_CGROUP_VERDICT_MAX,
        CONTROL_CGROUP_VERDICT_INVALID = -1,
} ControlCgroupVerdict;

typedef struct ControlCgroup {
        const CgroupPath *path;      /* into ControlCgroups.leader; NULL with _NONE */
        ControlCgroupVerdict verdict;
        pid_t foreign;               /* with _SHARED: one process that is not a member */
        int error;                   /* with _UNREADABLE: the -errno */
        pid_t *procs;                /* with _OWN: every process of it and below, sorted */
        size_t n_procs;
} ControlCgroup;

typedef struct ControlCgroups {
        Cgroups leader;              /* the leader's cgroups, located */
        ControlCgroup v2;            /* the unified hierarchy */
        ControlCgroup freezer;       /* the v1 hierarchy of the freezer controller */
} ControlCgroups;

/*
 * The verdict that the paths alone give (pure): path is the leader's cgroup
 * in a hierarchy, host pid 1's and self ns' own in the same hierarchy (NULL
 * when unknown). Returns _OWN when nothing but its processes can say no.
 */
ControlCgroupVerdict control_cgroup_verdict_paths(const char *path, const char *host,
                                                  const char *self);

/*
 * Load the leader's cgroups (proc_fd's PID/cgroup, located through
 * proc_fd's self/mountinfo below root_fd) and judge its v2 and v1 freezer
 * cgroups: the paths against pid 1's and ns' own (self/cgroup), then every
 * process of the cgroup and its descendants, which must all be members of
 * the instance (by scan, or by namespace tuple for those born since).
 * Returns 0 or -errno (the leader's cgroup file is gone: the instance is).
 */
int control_cgroups_load(int proc_fd, int root_fd, const Instances *is, const Instance *in,
                         ControlCgroups *ret);
void control_cgroups_done(ControlCgroups *c);

const char *control_cgroup_verdict_to_string(ControlCgroupVerdict v);

/* -------------------------------------------------------------------- kill */

typedef enum ControlKillFlags {
        CONTROL_LEADER_ONLY = 1 << 0, /* the leader alone, not every member */
} ControlKillFlags;

typedef struct ControlKillFailure {
        pid_t pid;
        char comm[16];
        int error;                   /* -errno of pidfd_send_signal() or what preceded it */
} ControlKillFailure;

typedef struct ControlKillResult {
        size_t n_signalled;          /* processes the signal was sent to */
        size_t n_gone;               /* members that exited since the scan: not an error */
        bool cgroup_kill;            /* SIGKILL went through cgroup.kill */
        char *cgroup;                /* with cgroup_kill: that cgroup, as /proc shows it */
        ControlKillFailure *failures;
        size_t n_failures;
} ControlKillResult;

/*
 * Send sig to every member of in (or its leader with CONTROL_LEADER_ONLY).
 * Each process is opened as a pidfd first and then checked to be the one
 * the scan saw (start time and namespaces), so a recycled pid is never
 * hit. SIGKILL to a whole instance whose v2 cgroup is its own is one write
 * of cgroup.kill (Linux 5.14), plus a pidfd for members outside that
 * cgroup. ns itself, when it is a member, is signalled last.
 *
 * Returns 0 when each process was tried (the failures are in *ret, which
 * is then the caller's to free with control_kill_result_done()), -EINVAL
 * for a bad signal.
 */
int control_kill(int proc_fd, int root_fd, const Instances *is, const Instance *in, int sig,
                 unsigned flags, ControlKillResult *ret);
void control_kill_result_done(ControlKillResult *r);

/* ---------------------------------------------------- signals init ignores */

/* What /proc/PID/status says about a process's signals. */
typedef struct ControlSigState {
        uint64_t ignored;            /* SigIgn: bit N-1 for signal N */
        uint64_t caught;             /* SigCgt */
        uint64_t blocked;            /* SigBlk (of the main thread, which process signals are checked against) */
        bool sigwait;                /* in rt_sigtimedwait: the set it waits for, blocked before,
                                        is unblocked meanwhile, and still kept pending */
        pid_t nspid;                 /* the last NSpid: its pid in its own namespace */
        unsigned nspid_levels;       /* how many pid namespaces see it from ours */
} ControlSigState;

/* Parse the content of /proc/PID/status (pure). Returns 0, or -EINVAL when
 * a field is missing. */
int control_parse_sigstate(const char *status, ControlSigState *ret);

/*
 * Whether the kernel drops sig sent to that process from ours: a signal it
 * ignores (SigIgn), and for the init of a pid namespace (NSpid ends in 1)
 * every signal it has no handler for, except SIGKILL and SIGSTOP from an
 * ancestor namespace. A blocked signal (SigBlk) is never dropped: it waits,
 * for sigwaitinfo() or a handler set later; nor one sent to a process in
 * sigwaitinfo(), which unblocks the set it waits for while it waits (what
 * it waits for is in its memory: any signal but SIGKILL and SIGSTOP may
 * be among it). Pure.
 */
bool control_sigstate_drops(const ControlSigState *s, int sig);

/* The syscall a process is in, from /proc/PID/syscall ("128 0x..."), or
 * -1 ("running", or "-1 ..." outside one). Pure. */
long control_parse_syscall_nr(const char *text);

/* The same for a live pid, read from proc_fd (its syscall, where we may
 * read it). Returns 1, 0 or -errno. */
int control_signal_ignored(int proc_fd, pid_t pid, int sig);

/* ------------------------------------------------------------ freeze, thaw */

typedef enum ControlFreezeState {
        CONTROL_THAWED,
        CONTROL_FREEZING,            /* asked to freeze, some task not yet frozen */
        CONTROL_FROZEN,
        CONTROL_THAWING,             /* asked to thaw, still frozen (v2; or by a parent) */
        CONTROL_FREEZE_STATE_MAX,
        CONTROL_FREEZE_STATE_INVALID = -1,
} ControlFreezeState;

const char *control_freeze_state_to_string(ControlFreezeState s);

/* The state from the files' contents (pure): v2 cgroup.freeze and
 * cgroup.events; v1 freezer.state. */
int control_parse_v2_freeze(const char *freeze, const char *events, ControlFreezeState *ret);
int control_parse_v1_freeze(const char *state, ControlFreezeState *ret);

/*
 * The cgroup freezing acts on: the v2 one when it is the instance's own
 * and has cgroup.freeze (Linux 5.2), else the v1 freezer one when it is
 * its own. NULL when neither is (see their verdicts for why).
 */
const ControlCgroup *control_freeze_target(int root_fd, const ControlCgroups *c);

/* The state of the target's cgroup. -EBUSY when there is no target. */
int control_freeze_state(int root_fd, const ControlCgroups *c, ControlFreezeState *ret);

/*
 * Freeze (or thaw) the instance's own cgroup and wait up to timeout_ms
 * until the kernel says it is frozen (thawed): v2 cgroup.freeze and
 * cgroup.events "frozen", v1 freezer.state. Returns 0; -EBUSY when it has
 * no cgroup of its own (freezing a shared one would freeze others);
 * -ETIMEDOUT when it did not get there in time. *ret_state (may be NULL)
 * is the state reached, written on success and on -ETIMEDOUT.
 */
int control_freeze(int root_fd, const ControlCgroups *c, bool freeze, int timeout_ms,
                   ControlFreezeState *ret_state);
