/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/*
 * Per-process fields from libproc2. This is the only file that knows
 * libproc2: it is loaded with dlopen() on first use, so the commands that
 * do not show per-process fields (enter, run) never pay for loading it and
 * the libraries it pulls in.
 */

typedef struct ProcInfo {
        pid_t pid;
        pid_t ppid;
        uid_t uid;
        char *user;              /* effective user name, or the number */
        char state;
        double cpu;              /* percent of one CPU since start, as ps %CPU */
        double cputime;          /* seconds */
        unsigned long long rss;  /* bytes */
        int threads;
        char *comm;
        char *command;           /* command line, or "[comm]" for kernel threads */
} ProcInfo;

/*
 * Fill ret[i] for each of the n pids, in the same order; a process that
 * went away gets pid 0. Returns 0, or -ELIBACC when libproc2 cannot be
 * loaded.
 */
int procinfo_load(const pid_t *pids, size_t n, ProcInfo **ret);

typedef enum ProcInfoFlags {
        /* Leave command NULL: reading a command line takes the process's
         * mmap_lock, which a task in D state can hold; a caller that must
         * not wait reads it itself, with a deadline. */
        PROCINFO_NO_COMMAND = 1 << 0,
} ProcInfoFlags;

int procinfo_load_flags(const pid_t *pids, size_t n, ProcInfoFlags flags, ProcInfo **ret);
ProcInfo *procinfo_free(ProcInfo *infos, size_t n);
