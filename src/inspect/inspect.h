/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * ns inspect: why an instance is stuck, from the kernel's own evidence.
 * One report holds the instance's cgroup state (the counters of stats.h
 * and what only inspect reads: the freezer's exact state, pressure, the v1
 * memory controller's failcnt and under_oom), every thread of every
 * member with its state, wait channel, syscall, kernel stack and signals,
 * pid 1's reaping and SIGTERM handling, and hints: plain sentences ranked
 * by severity, each naming the file that proves it.
 *
 * Reading never changes the instance (no ptrace, no signal) and never
 * hangs: the reads that a task in D state can block go through reader.h
 * with a deadline, and what was not read is said, with why. The core never
 * prints: the report is written to a FILE the caller gives.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "cgroup.h"
#include "inspect-parse.h"
#include "instances.h"
#include "stats.h"

/* Something that could not be read: an errno, with -ETIMEDOUT for a read
 * that did not finish in time and -ECANCELED for one not tried because the
 * time for such reads was spent. */
typedef int ReadError;

typedef struct InspectTask {
        pid_t tid;                  /* host TID */
        pid_t ns_tid;               /* TID in its own pid namespace; 0 unknown */
        pid_t pid;                  /* its process */
        char comm[16];
        char state;                 /* as /proc shows it: R S D T t Z X I */
        double idle_secs;           /* since it last ran (not running); < 0 unknown */
        char *wchan;                /* NULL when none or not read */
        TaskSyscall syscall;
        char **stack;               /* function names, innermost first */
        size_t n_stack;
        uint64_t sig_pnd, sig_shd, sig_blk, sig_ign, sig_cgt;
        uint64_t ctxt_vol, ctxt_invol;
        ReadError err_status, err_sched, err_wchan, err_syscall, err_stack;
        bool have_syscall, have_stack;
} InspectTask;

/* What pid 1 is, as far as its command tells. */
typedef enum InitKind {
        INIT_UNKNOWN,               /* not an init we know: a shell, the app itself */
        INIT_TINI,
        INIT_DUMB_INIT,
        INIT_CATATONIT,
        INIT_SYSTEMD,
        INIT_S6,
        INIT_RUNIT,
        INIT_NS_RUN,                /* ns run's reaper */
        INIT_MAX,
        INIT_INVALID = -1,
} InitKind;

const char *init_kind_to_string(InitKind k);
/* From comm and the command line (NUL-separated); INIT_UNKNOWN when none. */
InitKind inspect_init_kind(const char *comm, const char *cmdline, size_t cmdline_len);

typedef struct InspectProc {
        pid_t pid, ns_pid, ppid;
        char comm[16];
        char *cmdline;              /* NULL when not read */
        char state;
        bool zombie;
        InitKind init;              /* what its command says it is */
        double age_secs;            /* since it started */
        long n_fds;                 /* -1 unknown */
        uint64_t nofile_soft, nofile_hard; /* RLIMIT_NOFILE; UINT64_MAX unlimited */
        ReadError err_cmdline, err_fds, err_limits;
        size_t first_task, n_tasks; /* into InspectReport.tasks */
} InspectProc;

typedef struct InspectPid1 {
        ssize_t proc;               /* into InspectReport.procs; -1 when not found */
        bool own_pidns;             /* it is pid 1 of its own pid namespace */
        InitKind init;
        bool term_caught, term_ignored;
        bool term_blocked;          /* queued for a signalfd or sigwait reader */
        bool term_sigwait;          /* in rt_sigtimedwait: its set is not shown */
        ReadError err_status;
        size_t n_zombies;           /* its zombie children */
        double oldest_zombie_secs;  /* < 0 unknown */
        bool oldest_exact;          /* since the zombie last ran (it exited then),
                                     * else since it started: an upper bound */
} InspectPid1;

typedef enum PressureResource {
        PRESSURE_CPU,
        PRESSURE_MEMORY,
        PRESSURE_IO,
        PRESSURE_MAX,
} PressureResource;

typedef struct InspectCgroup {
        Cgroups cg;                 /* the leader's, every hierarchy */
        bool own;                   /* a cgroup of its own (stats' answer) */
        bool v2;                    /* its figures come from the unified hierarchy */
        char *dir;                  /* the cgroup directory the figures come from,
                                     * as an absolute path; NULL without one */
        bool have_freeze;
        FreezeState freeze;
        char *freeze_file;          /* the file that says so */
        Pressure pressure[PRESSURE_MAX];
        bool have_pressure[PRESSURE_MAX];
        bool pressure_system;       /* from /proc/pressure: the cgroup has none */
        bool have_failcnt;          /* v1 memory.failcnt */
        uint64_t failcnt;
        bool have_oom_control;      /* v1 memory.oom_control */
        OomControl oom_control;
        char *memory_dir, *pids_dir, *cpu_dir; /* where each controller's files are */
        ReadError err_cgroup;
} InspectCgroup;

typedef struct InspectReport {
        char id[INSTANCE_ID_LEN + 1];
        char *name;
        char *runtime;
        pid_t leader;
        double taken;               /* seconds after boot (CLOCK_BOOTTIME) */
        uint64_t taken_usec;        /* CLOCK_MONOTONIC */
        bool root;                  /* read as root: stacks readable */

        bool have_sample;           /* stats' figures, for an instance with its own cgroup */
        InstanceSample sample;
        InspectCgroup cgroup;
        InspectPid1 pid1;

        InspectProc *procs;
        size_t n_procs;
        InspectTask *tasks;
        size_t n_tasks;
        unsigned n_state[128];      /* threads per state letter */
        size_t n_timeouts;          /* reads that did not finish in time */
} InspectReport;

typedef struct InspectOptions {
        unsigned read_timeout_ms;   /* per read that can block */
        unsigned read_budget_ms;    /* for all of them together */
} InspectOptions;

#define INSPECT_READ_TIMEOUT_MS 250
#define INSPECT_READ_BUDGET_MS 1000

/*
 * Inspect instance idx of is, over the /proc at proc_fd and the file system
 * at root_fd. sample is stats' sample of that instance, or NULL. Returns 0,
 * or -errno when the instance is gone.
 */
int inspect_instance(int proc_fd, int root_fd, const Instances *is, size_t idx,
                     const InstanceSample *sample, const InspectOptions *o, InspectReport **ret);
InspectReport *inspect_report_free(InspectReport *r);

/* Hints: what is wrong, ranked. */
typedef enum HintSeverity {
        HINT_CRITICAL,              /* the instance is stuck now */
        HINT_WARNING,               /* it is failing or losing work */
        HINT_NOTICE,                /* slowed, or will misbehave later */
        HINT_SEVERITY_MAX,
} HintSeverity;

const char *hint_severity_to_string(HintSeverity s);

typedef enum HintKind {
        HINT_FROZEN,
        HINT_FREEZING,
        HINT_UNDER_OOM,
        HINT_DSTATE,
        HINT_OOM_KILLS,
        HINT_PIDS_MAX,
        HINT_NO_REAP,
        HINT_ZOMBIES,
        HINT_STOPPED,
        HINT_FDS,
        HINT_THROTTLED,
        HINT_MEMORY_LIMIT,
        HINT_PRESSURE,
        HINT_NO_SIGTERM,
        HINT_KIND_MAX,
} HintKind;

typedef struct Hint {
        HintKind kind;
        HintSeverity severity;
        char *text;                 /* a plain sentence */
        char *file;                 /* the file that proves it */
} Hint;

/* The hints of a report, most severe first (stable within a severity: in
 * the rules' order). */
void inspect_hints(const InspectReport *r, Hint **ret, size_t *ret_n);
void hints_free(Hint *h, size_t n);

/* What explains a wait: the first frame of the stack (or the wchan)
 * that a rule knows, and what it means. NULL when none does. */
const char *inspect_wait_reason(const InspectTask *t, const char **ret_function);

/* What changed between two reports of the same instance (--watch), as
 * sentences (malloc'd vector). */
void inspect_changes(const InspectReport *prev, const InspectReport *cur, char ***ret,
                     size_t *ret_n);

/* The report as text (sections, hints first) or one JSON document. */
int inspect_write_text(const InspectReport *r, FILE *f);
int inspect_write_json(const InspectReport *r, char **changes, size_t n_changes, FILE *f);

/* The HEALTH flags of ns ls from stats' sample: "frozen 3D 57Z 2oom"; "" when
 * nothing is wrong. */
void inspect_health_flags(const InstanceSample *s, char *buf, size_t size);
