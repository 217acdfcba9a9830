/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * User namespace id maps for ns run --image and for unpacking image layers:
 * the caller's subordinate range from /etc/subuid and /etc/subgid, written
 * through newuidmap/newgidmap (uidmap), so that an image's own users exist
 * inside; else the single-id map a process may write for itself.
 *
 * With a range, inside id 0 is the caller, 1..N the range:
 *   0 <caller> 1
 *   1 <range start> <range count>
 */

#include <stdbool.h>
#include <sys/types.h>

#define IDMAP_MAX_EXTENTS 2

typedef struct IdExtent {
        unsigned inside, outside, count;
} IdExtent;

typedef struct IdMap {
        IdExtent uid[IDMAP_MAX_EXTENTS], gid[IDMAP_MAX_EXTENTS];
        unsigned n_uid, n_gid;
        bool ranged; /* a subordinate range was found for both, and newuidmap/newgidmap exist */
} IdMap;

/*
 * The map for user uid (name looked up from passwd under root_fd's
 * etc/passwd) with primary group gid: ranged from etc/subuid and
 * etc/subgid under root_fd (an fd of "/" in production, a fixture
 * tree in tests) when both have an entry by name or by number; otherwise
 * the single map "0 uid 1" / "0 gid 1". Never fails for a missing file.
 */
int idmap_plan(int root_fd, uid_t uid, gid_t gid, IdMap *ret);

/* Whether newuidmap and newgidmap are installed ($PATH, else /usr/bin). */
bool idmap_helpers_present(void);

/* "0 1000 1\n1 100000 65536\n" into buf. */
int idmap_format(const IdExtent *e, unsigned n, char *buf, size_t size);

/*
 * Write the maps of the user namespace of process pid (which must be
 * waiting for it): through newuidmap/newgidmap for a ranged map (they are
 * setuid root and check /etc/subuid themselves), else directly into
 * /proc/PID/{setgroups,uid_map,gid_map}. -errno; the helper's failure as
 * -EPERM.
 */
int idmap_apply(pid_t pid, const IdMap *m);

/* The outside id that inside id maps to, or (uid_t)-1 when unmapped. */
unsigned idmap_to_outside(const IdExtent *e, unsigned n, unsigned inside);

/* Is map (a uid_map or gid_map's text) the initial user namespace's: one
 * line mapping every id onto itself? (Or a copy root made of it.) */
bool idmap_is_identity(const char *map);

/* Is ours (/proc/self/uid_map) such a map, or unreadable (no user
 * namespaces, an old kernel): are our ids the host's? */
bool idmap_self_is_identity(void);
