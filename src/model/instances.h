/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Instances as the commands use them: scanned, grouped, nested when asked
 * and named. Includes what the callers of instances_load() then use
 * (grouping, nesting, resolving ids, runtimes).
 */

#include "group.h"
#include "nest.h"
#include "resolve.h"
#include "runtime.h"
#include "scan.h"

/* Name every instance (identify.c); root_fd is "/" or a fixture tree. */
void instances_identify(Instances *is, int root_fd);

typedef enum InstancesLoadFlags {
        INSTANCES_LOAD_NEST = 1 << 0, /* find each instance's parent (nest.h) */
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
