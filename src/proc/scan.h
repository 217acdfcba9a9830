/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "nstype.h"

/*
 * One pass over /proc: every process's namespace tuple and nothing else.
 * What grouping needs beyond the tuple (ppid, start time, comm) is read
 * lazily by scan_load_stat(), only for the few processes that need it, so
 * the pass stays close to the cost of readlinkat() alone.
 *
 * ns top scans again every few seconds and wants every process's stat
 * (CPU time, state, threads, RSS) anyway: with SCAN_STAT the stat comes
 * first, and a process whose (pid, start time) the previous scan knew
 * keeps that scan's tuple without a single readlink (scan_proc_with()).
 */

typedef struct Proc {
        pid_t pid;
        int instance;               /* index into Instances.items; -1 when not grouped */
        NsIno ns[NS_TYPE_MAX];
        bool reused;                /* its tuple came from the previous scan */
        /* Filled by scan_load_stat(), or by the scan itself with SCAN_STAT. */
        bool stat_loaded;
        bool stat_ok;
        char state;
        pid_t ppid;
        unsigned long long starttime; /* clock ticks after boot */
        char comm[16];
        unsigned long long utime, stime; /* clock ticks */
        unsigned long long rss;       /* pages */
        unsigned num_threads;
        /* A zombie of a SCAN_STAT scan: it has no namespace links of its
         * own and holds its parent's tuple, so that its instance counts it
         * (stats' HEALTH); lsns, and NPROCS, do not. */
        bool zombie;
} Proc;

/* A process by (pid, start time): the same process, not a recycled pid. */
typedef struct ProcKey {
        pid_t pid;
        unsigned long long starttime;
} ProcKey;

/* The fields of /proc/PID/stat that ns reads. */
typedef struct ProcStat {
        char state;
        pid_t ppid;
        unsigned long long starttime;
        unsigned long long utime, stime;
        unsigned long long rss;
        unsigned num_threads;
        char comm[16];
} ProcStat;

typedef enum ScanFlags {
        SCAN_STAT = 1 << 0, /* read every process's stat (Proc.stat_loaded) */
} ScanFlags;

typedef struct Scan {
        int proc_fd;                /* owned */
        Proc *procs;                /* sorted by pid */
        size_t n_procs;
        size_t n_unreadable;        /* processes whose namespaces we may not read */
        bool ns_present[NS_TYPE_MAX]; /* the kernel has this namespace type */
        NsIno host_ns[NS_TYPE_MAX];
        /* With SCAN_STAT: the processes counted in n_unreadable, so that
         * the next scan does not try their links again. */
        ProcKey *unreadable;
        size_t n_unreadable_keys;
        size_t n_reused;            /* tuples taken from the previous scan */
        bool with_stat;             /* scanned with SCAN_STAT */
} Scan;

/*
 * Scan the /proc at proc_fd. The fd is duplicated; the caller keeps its own.
 * Processes that vanish or that we may not read are skipped (see
 * scan_skip_error()); any other error reading a process, or the directory
 * itself, fails the scan.
 */
int scan_proc(int proc_fd, Scan **ret);

/*
 * The same with flags, and a previous scan of the same /proc to reuse
 * (NULL for none; only one made with SCAN_STAT can be, as the start time
 * tells a known process from a recycled pid). A process known to prev
 * keeps prev's tuple; one that prev could not read is counted unreadable
 * again without a try. Namespaces changed by setns() or unshare() after a
 * process started are then not seen: a caller that scans forever passes
 * NULL now and then (ns top does every TOP_REVERIFY_REFRESHES).
 */
int scan_proc_with(int proc_fd, const Scan *prev, ScanFlags flags, Scan **ret);

/* Every pid listed in the /proc at proc_fd, in the order /proc lists them
 * (ascending). Returns 0 with a malloc'd array, or -errno. */
int scan_list_pids(int proc_fd, pid_t **ret, size_t *ret_n);
Scan *scan_free(Scan *s);

/*
 * What a scan does with a process whose namespaces could not be read (r <
 * 0): one that vanished (ENOENT, ESRCH) or that we may not read (EACCES,
 * EPERM) is skipped through proc_error_is_skippable(), the latter counted
 * in *n_unreadable, and 0 is returned; any other error is returned.
 */
int scan_skip_error(int r, size_t *n_unreadable);

Proc *scan_find(const Scan *s, pid_t pid);

/* Read /proc/PID/stat into p once. Returns 0, or -errno when it vanished. */
int scan_load_stat(Scan *s, Proc *p);

/* Parse the content of /proc/PID/stat. */
int proc_parse_stat(const char *buf, char *ret_state, pid_t *ret_ppid,
                    unsigned long long *ret_starttime, char ret_comm[16]);
/* The same, with the CPU times, threads and RSS. */
int proc_parse_stat_full(const char *buf, ProcStat *ret);

/* Read and parse a stat file ("PID/stat" below /proc, or "stat" below a pid dir). */
int proc_read_stat(int dirfd, const char *path, char *ret_state, pid_t *ret_ppid,
                   unsigned long long *ret_starttime, char ret_comm[16]);

/* Which namespace types this kernel has. A fixture tree (no "self") has all. */
/* The pid in the process's own pid namespace, from the content of
 * /proc/PID/status: the last number of NSpid. Returns 0, or -ENOENT. */
int proc_parse_nspid(const char *status, pid_t *ret);

/* The same, read from PID/status at the /proc dirfd (all of it: a process
 * in many groups has a status past 4 KiB). Returns 0 or -errno. */
int proc_read_nspid(int proc_fd, pid_t pid, pid_t *ret);

void scan_detect_present(int proc_fd, bool present[NS_TYPE_MAX]);

/* Read the namespace tuple of one pid (or "self"). */
int scan_read_tuple(int proc_fd, const char *pid, const bool *present, NsIno ret[NS_TYPE_MAX]);
