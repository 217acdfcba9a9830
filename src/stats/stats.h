/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Per-instance resource use and health (DESIGN.md "ns top"): what ns top,
 * ns top -b, ns ls -o CPU,... and ns inspect show. The core never prints.
 *
 * A sample holds counters (CPU time, bytes, OOM kills: values that only
 * grow) and gauges (memory, pids, task states); rates and deltas come from
 * two samples (stats_rates()). Every file is read relative to a /proc
 * dirfd and a root dirfd (cgroup files are found through
 * /proc/self/mountinfo as cgroup.h does), so the unit tests run on fixture
 * trees of cgroup v1 and v2.
 *
 * Where a figure comes from, cheapest first: one cgroup file for an
 * instance that has a cgroup of its own (its leader's cgroup is shared with
 * no other instance and is not the host's), else the sum over its members'
 * /proc/PID/stat, which the scan has read already (scan.h, Proc).
 */

#include <stdbool.h>
#include <stdint.h>

#include "instances.h"

/* Which figures of a sample are known; the others are 0. */
typedef enum StatsHave {
        STATS_HAVE_CPU = 1 << 0,
        STATS_HAVE_MEM = 1 << 1,
        STATS_HAVE_MEM_LIMIT = 1 << 2,
        STATS_HAVE_CPU_LIMIT = 1 << 3,
        STATS_HAVE_PIDS_LIMIT = 1 << 4,
        STATS_HAVE_NET = 1 << 5,
        STATS_HAVE_IO = 1 << 6,
        STATS_HAVE_OOM = 1 << 7,          /* memory.events / memory.oom_control */
        STATS_HAVE_PIDS_EVENTS = 1 << 8,  /* pids.events */
        STATS_HAVE_THROTTLE = 1 << 9,     /* cpu.stat nr_periods, nr_throttled */
        STATS_HAVE_CGROUP = 1 << 10,      /* a cgroup of its own: cgroup figures */
        STATS_HAVE_PIDS_CURRENT = 1 << 11, /* pids.current */
} StatsHave;

/* The host, for ns top's header. */
typedef struct HostSample {
        uint64_t cpu_total;     /* /proc/stat "cpu": every field, in clock ticks */
        uint64_t cpu_idle;      /* idle + iowait */
        unsigned n_cpus;        /* online CPUs */
        uint64_t mem_total;     /* bytes, /proc/meminfo */
        uint64_t mem_available;
        double load[3];         /* /proc/loadavg */
        double uptime;          /* seconds, /proc/uptime */
} HostSample;

/*
 * One instance at one moment. Counters only grow from one sample to the
 * next: where their source changes (the instance moves to another cgroup,
 * members exit, an interface goes away) the sampler carries them on from
 * the value it showed; at an instance's first sample they are the source's
 * own total (a cgroup's usage, the members' CPU times).
 */
typedef struct InstanceSample {
        char id[INSTANCE_ID_LEN + 1];
        unsigned have;              /* StatsHave */
        char *cgroup;               /* its own cgroup (v2, else the v1 memory or cpu
                                     * one), as /proc/PID/cgroup shows it; NULL when
                                     * it has none */

        /* Counters: only grow, except when a cgroup is replaced. */
        uint64_t cpu_usec;          /* user + system */
        uint64_t net_rx_bytes, net_tx_bytes; /* every interface but loopback */
        uint64_t io_read_bytes, io_write_bytes;
        uint64_t oom_kills;
        uint64_t pids_refused;      /* forks refused at pids.max */
        uint64_t nr_periods, nr_throttled, throttled_usec;

        /* Gauges. */
        uint64_t mem_bytes;
        uint64_t mem_limit;         /* bytes; with STATS_HAVE_MEM_LIMIT */
        uint64_t cpu_limit_millis;  /* thousandths of a CPU; with STATS_HAVE_CPU_LIMIT */
        uint64_t pids_limit;        /* with STATS_HAVE_PIDS_LIMIT */
        uint64_t pids_current;      /* tasks (threads) in its own pids cgroup, with
                                     * STATS_HAVE_PIDS_CURRENT */
        unsigned n_procs, n_threads;
        unsigned n_running, n_dstate, n_zombie, n_stopped;
        bool frozen;                /* its cgroup is frozen (or freezing) */
        double start;               /* leader's start, seconds after boot */

        /*
         * Network: a namespace shared by several instances (the pod of a
         * Kubernetes container) is counted once, on the first of them in
         * instance order; the others have net_owner false and no
         * STATS_HAVE_NET.
         */
        NsIno net_ns;
        bool net_owner;
} InstanceSample;

typedef struct StatsSnapshot {
        uint64_t taken_usec;        /* CLOCK_MONOTONIC */
        HostSample host;
        InstanceSample *items;      /* one per instance, in the order of Instances */
        size_t n;
        size_t n_unreadable;        /* files it may not read (not root) */
} StatsSnapshot;

/* Per-second figures and deltas between two samples of one instance. */
typedef struct InstanceRates {
        unsigned have;              /* StatsHave: which rates are known (CPU, NET, IO,
                                     * THROTTLE, CPU_LIMIT, MEM_LIMIT) */
        double cpu_pct;             /* 100 = one core busy */
        double cpu_pct_of_limit;    /* against cpu_limit_millis; < 0 without one */
        double mem_pct_of_limit;    /* < 0 without a limit */
        double net_rx_bps, net_tx_bps;
        double io_read_bps, io_write_bps;
        double throttled_share;     /* of the CPU periods between the samples, 0..1 */
} InstanceRates;

typedef struct Stats Stats;

/*
 * A sampler over the /proc at proc_fd and the file system at root_fd (its
 * cgroup mounts are read from proc_fd's self/mountinfo). Both fds stay
 * the caller's. It keeps what does not change between samples (each
 * instance's cgroup, by leader pid and start time).
 */
int stats_new(int proc_fd, int root_fd, Stats **ret);
Stats *stats_free(Stats *s);

/* Sample every instance of is (whose scan read every process's stat). */
int stats_sample(Stats *s, const Instances *is, StatsSnapshot **ret);

/*
 * The same, reading files only for the instances with want[i] set (the
 * rows shown): the others get their task counts and nothing else (have 0).
 * want NULL: all of them.
 */
int stats_sample_some(Stats *s, const Instances *is, const bool *want, StatsSnapshot **ret);

/* The host's figures alone (the header of ns top), without a snapshot:
 * what the first frame shows before the first sample of the instances. */
void stats_sample_host(Stats *s, HostSample *ret);

/*
 * Whether to read the members' /proc/PID/io for the IO of an instance
 * without an IO cgroup of its own. On by default as root only: another
 * user's needs ptrace access.
 */
void stats_set_proc_io(Stats *s, bool on);
StatsSnapshot *stats_snapshot_free(StatsSnapshot *snap);
const InstanceSample *stats_snapshot_find(const StatsSnapshot *snap, const char *id);

/* The growth of a counter; a counter that went back (a new cgroup) counts from 0. */
static inline uint64_t stats_counter_delta(uint64_t prev, uint64_t cur)
{
        return cur >= prev ? cur - prev : cur;
}

/*
 * Rates of cur against prev (the same instance seconds earlier), or only
 * the gauges' percentages when prev is NULL (a new instance).
 */
void stats_rates(const InstanceSample *prev, const InstanceSample *cur, double seconds,
                 InstanceRates *ret);

/* Host CPU busy percent (100 = all CPUs) between two host samples. */
double stats_host_cpu_pct(const HostSample *prev, const HostSample *cur);
