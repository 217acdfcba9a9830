/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * --memory, --pids, --cpus of ns run: a cgroup leaf made for one instance
 * and removed when it ends. cgroup v2 where the controllers are there (a
 * delegated subtree, or the root as root), else the v1 hierarchies (as
 * root). The planning and the file writing take strings and directory fds,
 * so they are tested on fixture trees.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct LimitsConfig {
        uint64_t memory;     /* bytes; 0: no limit */
        uint64_t pids;       /* 0: no limit */
        uint64_t cpu_millis; /* thousandths of a CPU; 0: no limit */
} LimitsConfig;

bool cglimits_empty(const LimitsConfig *c);

/* "512k", "64M", "1.5G", "1048576" (bytes). */
int cglimits_parse_size(const char *s, uint64_t *ret);
/* "0.5", "2": CPUs, in thousandths. */
int cglimits_parse_cpus(const char *s, uint64_t *ret_millis);

typedef enum LimitsController {
        LIMITS_MEMORY,
        LIMITS_PIDS,
        LIMITS_CPU,
        LIMITS_CONTROLLER_MAX,
        LIMITS_CONTROLLER_INVALID = -1,
} LimitsController;

/* Where the leaf goes: one parent directory for v2, one per controller for v1. */
typedef struct LimitsPlan {
        bool v2;
        char *parent[LIMITS_CONTROLLER_MAX]; /* absolute; v2: all the same; NULL: not needed */
} LimitsPlan;

void cglimits_plan_done(LimitsPlan *p);

/*
 * Plan from the text of /proc/self/cgroup, of /proc/self/mountinfo and of
 * the v2 root's cgroup.controllers (NULL or "" when there is none). Returns
 * 0, or -EOPNOTSUPP when a wanted controller is in no hierarchy.
 */
int cglimits_plan(const LimitsConfig *c, const char *self_cgroup, const char *mountinfo,
                  const char *v2_root_controllers, LimitsPlan *ret);

/*
 * v2: make sure the parent (a directory fd) passes the wanted controllers
 * to its children, enabling them in cgroup.subtree_control when needed.
 */
int cglimits_v2_enable(int parent_fd, const LimitsConfig *c);

/* Write the limits into a leaf directory (v2 file names, or v1 ones). */
int cglimits_write(int leaf_fd, bool v2, const LimitsConfig *c, LimitsController only);

typedef struct Limits Limits;

/*
 * Make the leaf (named ns-run-<pid>) and write the limits. A helper process
 * is left behind that removes the leaf once this process is gone, however
 * it ends. *ret_path names what failed.
 */
int cglimits_create(const LimitsConfig *c, Limits **ret, char **ret_path);

/*
 * Remove the stale leaves in a parent directory: those named ns-run-<pid>
 * whose pid is gone, or now a process that is not ns or that started after
 * the leaf was made (a reused pid). What a kill -9 of ns run and its
 * cleaner leaves behind; cglimits_create() sweeps each parent it makes a
 * leaf in. A leaf that holds tasks stays. proc_fd is /proc's, boot_usec
 * the wall-clock time of boot (cglimits_boot_usec()), start times being
 * counted from it. Returns how many it removed, or -errno.
 */
int cglimits_sweep(int parent_fd, int proc_fd, uint64_t boot_usec);
uint64_t cglimits_boot_usec(void);

/* v2: the leaf's directory fd for CLONE_INTO_CGROUP, else -1. */
int cglimits_cgroup_fd(const Limits *l);
/* v1: the leaves' cgroup.procs fds to write pid 1 into. */
const int *cglimits_procs_fds(const Limits *l, size_t *ret_n);

/* Remove the leaf now (the instance has ended). */
int cglimits_remove(Limits *l);
Limits *cglimits_free(Limits *l);
