/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The cgroups of a process, per hierarchy, and where each one is in the
 * file system: cgroup v2 (the unified hierarchy, "0::") and every v1
 * hierarchy of a hybrid or legacy host. Parsing is pure (the text of
 * /proc/PID/cgroup and /proc/self/mountinfo); every file access is relative
 * to a root directory fd, so the tests run on fixture trees.
 */

#include <stdbool.h>
#include <stddef.h>

typedef struct CgroupPath {
        unsigned hierarchy; /* the first field of /proc/PID/cgroup: 0 for v2 */
        char *controllers;  /* "memory", "cpu,cpuacct", "name=systemd"; "" for v2 */
        char *path;         /* the cgroup in its hierarchy, as the kernel shows it */
        char *dir;          /* its directory below the root fd, no leading '/'; NULL
                             * when that hierarchy is not mounted or the cgroup is
                             * outside what is mounted (a "/.." path) */
        bool mounted;       /* the hierarchy is mounted somewhere */
} CgroupPath;

typedef struct Cgroups {
        CgroupPath *items;
        size_t n;
} Cgroups;

/* Parse the content of /proc/PID/cgroup. Lines of unknown shape are skipped. */
int cgroup_parse(const char *content, Cgroups *ret);

/* Fill in ->dir of each hierarchy from the content of /proc/self/mountinfo. */
void cgroup_locate(Cgroups *cg, const char *mountinfo);

/*
 * The first mount of a hierarchy in mountinfo: the cgroup2 one when
 * controller is NULL, else a v1 "cgroup" mount whose super options name
 * the controller. Its mount point and the root of the hierarchy it shows,
 * unescaped and malloc'd. Returns 0, or -ENOENT when none is mounted.
 */
int cgroup_find_mount(const char *mountinfo, const char *controller, char **ret_mountpoint,
                      char **ret_root);

/* Read dir_fd/path (a /proc/PID/cgroup file), parse it and locate it. */
int cgroup_load(int dir_fd, const char *path, const char *mountinfo, Cgroups *ret);

void cgroups_done(Cgroups *cg);

static inline bool cgroup_is_v2(const CgroupPath *p)
{
        return p->hierarchy == 0 && p->controllers[0] == '\0';
}

/* The same hierarchy in another set (same id and controllers), or NULL. */
const CgroupPath *cgroup_find_hierarchy(const Cgroups *cg, const CgroupPath *p);

/* The hierarchy of a v1 controller ("memory" in "12:memory:/a" or in
 * "4:cpu,memory:/a"), or the v2 one when controller is NULL; or NULL. */
const CgroupPath *cgroup_find_controller(const Cgroups *cg, const char *controller);

/*
 * What the kernel says of a cgroup's freezer. A frozen ancestor freezes
 * it too, and both versions say so. The functions below return one of
 * these or -errno when they cannot tell: > 0 is "frozen or freezing".
 */
typedef enum CgroupFreeze {
        CGROUP_THAWED,
        CGROUP_FREEZING,                /* v1: asked, a task not frozen yet */
        CGROUP_FROZEN,
        CGROUP_FREEZE_MAX,
        CGROUP_FREEZE_INVALID = -1,
} CgroupFreeze;

/*
 * The one parser of the freezer's state files: v2's cgroup.events (its
 * "frozen 0|1" line; v2 has no FREEZING there, cgroup.freeze says what
 * was asked), v1's freezer.state ("THAWED", "FREEZING", "FROZEN").
 */
int cgroup_parse_freeze(bool v2, const char *text);

/*
 * The freezer state of the cgroup p, read from its file. Hierarchies that
 * do not freeze (v1 without the freezer controller, the root cgroup) are
 * CGROUP_THAWED; -errno when its file cannot be read, -EINVAL when it
 * says something else.
 */
int cgroup_path_frozen(int root_fd, const CgroupPath *p);

/* The first frozen hierarchy of the set, or NULL. */
const CgroupPath *cgroup_frozen(int root_fd, const Cgroups *cg);

/* Open a file of the cgroup (such as "cgroup.procs") below root_fd. */
int cgroup_open_file(int root_fd, const CgroupPath *p, const char *file, int flags);

/*
 * Open the cgroup's directory, for clone3(CLONE_INTO_CGROUP) (Linux 5.7,
 * v2 only).
 */
int cgroup_open_dir(int root_fd, const CgroupPath *p);

/*
 * Move the calling process into the cgroup whose cgroup.procs is open at
 * procs_fd. The kernel checks the permissions and the cgroup namespace of
 * whoever opened the file, so a file opened on the host still works after
 * joining other namespaces.
 */
int cgroup_join_fd(int procs_fd);

/*
 * One line of /proc/PID/mountinfo, as pointers into its text (the fields
 * still escaped, not NUL-terminated): the root of the mount in its file
 * system, where it is mounted, the file system type, the source and the
 * super options (the rest of the line).
 */
typedef struct MountinfoLine {
        const char *root, *mountpoint, *fstype, *source, *options;
        size_t root_len, mountpoint_len, fstype_len, source_len, options_len;
} MountinfoLine;

/*
 * The next well-formed line of mountinfo at *pos, which it moves past it;
 * malformed lines are skipped. Returns false at the end of the text.
 */
bool mountinfo_next(const char **pos, MountinfoLine *ret);

/* Undo the octal escapes of a mountinfo field of n bytes (\040 for a
 * space, and so on): all three digits octal and inside the field, or the
 * backslash is taken as it is. Returns a malloc'd string. */
char *mountinfo_unescape(const char *s, size_t n);
