/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Between the sampler (stats.c) and the cgroup side of it (stats-cgroup.c):
 * which cgroup each instance's leader is in (cached by the leader's pid and
 * start time), which of those cgroups are the instance's own, and the
 * figures read from them.
 */

#include "cgroup.h"
#include "scan.h"
#include "stats.h"

/* Reload an instance's cgroups after so many samples: a process may move. */
#define STATS_CGROUP_REVERIFY 15

typedef enum StatsFigure {
        FIG_CPU,         /* cpu.stat usage_usec / cpuacct.usage */
        FIG_THROTTLE,    /* cpu.stat nr_periods, nr_throttled, throttled_* */
        FIG_CPU_LIMIT,   /* cpu.max / cpu.cfs_quota_us + cpu.cfs_period_us */
        FIG_MEM,         /* memory.current / memory.usage_in_bytes */
        FIG_MEM_LIMIT,   /* memory.max / memory.limit_in_bytes */
        FIG_OOM,         /* memory.events / memory.oom_control oom_kill */
        FIG_PIDS_LIMIT,  /* pids.max */
        FIG_PIDS_EVENTS, /* pids.events max */
        FIG_PIDS_CURRENT, /* pids.current */
        FIG_IO,          /* io.stat / blkio.throttle.io_service_bytes(_recursive) */
        FIG_MAX,
} StatsFigure;

/* One instance's leader's cgroups, kept across samples. */
typedef struct CgEntry {
        pid_t pid;
        unsigned long long starttime;
        Cgroups cg;              /* n == 0 when they could not be read */
        unsigned age;            /* samples since loaded */
        /* Per figure, a bit per hierarchy (index into cg) whose file is not there. */
        uint64_t missing[FIG_MAX];
} CgEntry;

typedef struct CgReading {
        unsigned have;           /* 1 << StatsFigure */
        uint64_t source[FIG_MAX]; /* which cgroup each figure came from (a hash of its dir) */
        uint64_t cpu_usec;
        uint64_t nr_periods, nr_throttled, throttled_usec;
        uint64_t cpu_limit_millis; /* FIG_CPU_LIMIT only when there is a limit */
        uint64_t mem_bytes;
        uint64_t mem_limit;
        uint64_t oom_kills;
        uint64_t pids_limit;
        uint64_t pids_refused;
        uint64_t pids_current;
        uint64_t io_read, io_write;
        const CgroupPath *shown; /* the own cgroup to show: v2, else v1 memory or cpu */
} CgReading;

typedef struct CgCache {
        CgEntry *items;          /* sorted by pid */
        size_t n;
} CgCache;

void cgcache_done(CgCache *c);

/*
 * The entries of the instances' leaders (ret[i] for is->items[i], NULL when
 * that leader's stat is unknown) and of their parents when these are
 * outside the instance (ret_parent[i], else NULL), loading the ones not
 * cached. Entries of processes that are gone are dropped. *n_unreadable
 * counts files it may not read.
 */
void cgcache_update(CgCache *c, int proc_fd, const char *mountinfo, const Instances *is,
                    CgEntry **ret, CgEntry **ret_parent, size_t *n_unreadable);

/*
 * Which hierarchies are each instance's own: own[i] has bit k set when
 * hierarchy k of entries[i] is. A cgroup is an instance's own when it is
 * not the root, not the host leader's, not its leader's parent's (the
 * shell that ran unshare or bwrap is in there too: a login session's
 * scope), and its leader is the only leader in it, or the others are
 * nested in it (their leaders descend from its members: an unshare inside
 * a container). Siblings that share a cgroup have none.
 */
void stats_cgroup_owners(const Instances *is, CgEntry *const *entries, CgEntry *const *parents,
                         uint64_t *own);

/*
 * Then each cgroup so claimed is read (cgroup.procs, that cgroup alone):
 * one that also holds a process of another instance, not nested in the
 * claimant, is not its own after all (a shell, and ns itself, beside an
 * instance it started with setsid: its leader's parent is init). A pid
 * born since the scan, or outside ns' pid namespace (0), is let be.
 */
void stats_cgroup_check_owners(int root_fd, const Instances *is, CgEntry *const *entries,
                               uint64_t *own);

/*
 * Read the figures of one instance from its own cgroups: per figure the
 * v2 file where it is there, else the v1 hierarchy with the controller.
 */
void stats_cgroup_read(int root_fd, CgEntry *e, uint64_t own, CgReading *ret,
                       size_t *n_unreadable);

/* Whether any of the leader's cgroups is frozen (or freezing). */
bool stats_cgroup_frozen(int root_fd, const CgEntry *e, size_t *n_unreadable);
