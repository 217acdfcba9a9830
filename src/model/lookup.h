/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Finding one instance without scanning and naming all of them: what
 * ns enter does first, for its start-up time. A PID needs no scan at all;
 * a full instance ID needs the namespace links of processes only until one
 * matches, newest first. Anything else (a name, a prefix) goes through
 * the full scan, grouping and naming (instances_resolve).
 */

#include <stdbool.h>
#include <sys/types.h>

#include "group.h"

/*
 * The leader of the instance that pid belongs to: its topmost ancestor
 * that has the same namespaces, found by walking up the parents. With it,
 * its start time (clock ticks after boot) to verify it by later.
 */
int lookup_leader(int proc_fd, pid_t pid, pid_t *ret_leader, unsigned long long *ret_starttime);

/* Whether s has the shape of a full instance ID (12 hex digits). */
bool lookup_is_full_id(const char *s);

/*
 * A process of the instance whose full ID is id, reading the namespaces of
 * the newest processes first and stopping at the first match. Returns 0;
 * -ENOENT when none matches (processes that vanish or that we may not read
 * are passed over), -EINVAL when id is not a full ID, or another -errno.
 */
int lookup_by_id(int proc_fd, const char *id, pid_t *ret_pid);
