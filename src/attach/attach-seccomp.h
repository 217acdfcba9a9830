/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The leader's seccomp filters, for the entered command (DESIGN.md
 * "Attach", step 7): read from the host in attach_open, before any
 * namespace is joined, and installed by the child, oldest first, so that
 * the command runs under the same filters as the leader (docker exec keeps
 * the container's filter; so must ns enter). Where they cannot be copied,
 * attach_open fails with ATTACH_STEP_SECCOMP; --keep=seccomp skips all of
 * it. Internal to attach.
 */

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

#include "attach-internal.h"

typedef struct AttachSeccompFilter {
        struct sock_filter *insns;
        unsigned short len;
        unsigned flags; /* for seccomp(2): SECCOMP_FILTER_FLAG_LOG when it had it */
} AttachSeccompFilter;

struct AttachSeccomp {
        AttachSeccompFilter *filters; /* oldest first */
        size_t n;
        /* Install right before the exec, under no_new_privs; else before the
         * credentials change, while the child is still privileged in the
         * joined user namespace (seccomp(2) needs one or the other). */
        bool late;
};

/*
 * Read the leader's filters (Attach's pid, from its status as read from
 * the host): nothing when its Seccomp is 0 or with --keep=seccomp or
 * --tools; an ns run box of this very binary gets ns' own compiled filter;
 * anything else is read with ptrace(PTRACE_SECCOMP_GET_FILTER), which
 * stops the leader for as long as the reading takes. Sets a->seccomp (NULL
 * when there is nothing to install). Errors are ATTACH_STEP_SECCOMP (or
 * ATTACH_STEP_OPEN with ESRCH when the leader went away), errno:
 *   EACCES      they can be read only by root (detail "self": ns itself
 *               runs under a filter, which forbids reading them)
 *   any         detail "attach": ptrace(PTRACE_SEIZE) of the leader failed
 *   EBUSY       another process traces the leader (detail: its pid)
 *   EAGAIN      the leader's cgroup is frozen (detail: the cgroup)
 *   EOPNOTSUPP  a filter hands calls to a supervisor (detail: its index)
 *   EINVAL      strict mode (detail "strict")
 *   ENOSYS      this kernel cannot read filters
 */
int attach_seccomp_open(Attach *a, const char *status, AttachError *err);
AttachSeccomp *attach_seccomp_free(AttachSeccomp *s);

/*
 * In the child: install the filters of s when s->late == late, oldest
 * first. Returns 0 (also when there is nothing to do), or -errno with the
 * index of the filter that failed in *ret_failed.
 */
int attach_seccomp_install(const AttachSeccomp *s, bool late, size_t *ret_failed);

/* ---- the pure parts, for the tests ---- */

/* "Seccomp:" and "Seccomp_filters:" of /proc/PID/status: the mode (0 when
 * absent: a kernel without seccomp) and the count (-1 when absent: before
 * Linux 5.9). */
void attach_seccomp_parse_status(const char *status, int *ret_mode, int *ret_filters);

/*
 * Whether a filter can be installed again, in another process, and act
 * the same: 0, or -EOPNOTSUPP when it can return SECCOMP_RET_USER_NOTIF
 * (nobody would answer: the calls would fail with ENOSYS instead of going
 * to the supervisor) or returns an action computed at run time (BPF_RET
 * of the accumulator, which could be that), -EINVAL when it is empty or
 * too long to be a seccomp filter.
 */
int attach_seccomp_check(const struct sock_filter *insns, size_t len);
