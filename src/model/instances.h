/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Instances as the commands use them: scanned, grouped, nested when asked
 * and named. Includes what the callers of instances_load() then use
 * (grouping, nesting, resolving ids, runtimes).
 */

#include "group.h"
#include "identify.h"
#include "nest.h"
#include "resolve.h"
#include "runtime.h"
#include "scan.h"

/* Name every instance (identify.c); root_fd is "/" or a fixture tree. */
void instances_identify(Instances *is, int root_fd);
/*
 * The same, reading the command lines through src (identify.h; NULL:
 * directly). A leader whose command line did not come in time is named
 * from its comm, its command is "comm (blocked)" and cmdline_blocked is
 * set; one the source did not try (-ECANCELED) is "comm (not read yet)",
 * with cmdline_untried.
 */
void instances_identify_with(Instances *is, int root_fd, const CmdlineSource *src);

typedef enum InstancesLoadFlags {
        INSTANCES_LOAD_NEST = 1 << 0, /* find each instance's parent (nest.h) */
        INSTANCES_LOAD_STAT = 1 << 1, /* read every process's stat (SCAN_STAT) */
} InstancesLoadFlags;

/*
 * Scan the /proc at proc_fd, group, nest (with INSTANCES_LOAD_NEST) and
 * name (reading runtime state below root_fd). Both fds stay the caller's.
 * On success *ret and *ret_scan are the caller's to free, instances first:
 * instances point into the scan. Returns 0 or -errno (the scan's); never
 * prints.
 */
int instances_load(int proc_fd, int root_fd, InstancesLoadFlags flags, Instances **ret,
                   Scan **ret_scan);

/*
 * The same again, reusing a previous load of the same /proc (NULL for
 * none): the scan reuses prev's scan (scan_proc_with(); only with
 * INSTANCES_LOAD_STAT in both), and an instance whose id and leader (pid
 * and start time) are unchanged keeps prev's identity, command and owner
 * instead of being identified again. prev and its scan stay the caller's
 * and must outlive the call only.
 */
int instances_load_with(int proc_fd, int root_fd, InstancesLoadFlags flags,
                        const Instances *prev, Instances **ret, Scan **ret_scan);

/* The same, with the command lines read through src (instances_identify_with()).
 * An instance whose command line prev did not try is identified again; one
 * whose command line was blocked keeps that, as any identity kept. */
int instances_load_src(int proc_fd, int root_fd, InstancesLoadFlags flags, const Instances *prev,
                       const CmdlineSource *src, Instances **ret, Scan **ret_scan);

/* How many instances of is kept a previous load's identity. */
size_t instances_n_reused(const Instances *is);
