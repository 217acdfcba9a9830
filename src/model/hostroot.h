/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The host's root directory: where ns reads the runtimes' state (/run,
 * /var/lib), the host's users (etc/passwd) and the cgroup file systems.
 * On the host itself that is "/". ns running in a container that shares
 * the host's pid namespace (a privileged pod of "kubectl debug node", a
 * DaemonSet) has a root of its own: the host's is then the directory the
 * user gives (--host-root, NS_HOST_ROOT), the node's root mounted at /host,
 * or pid 1's root reached through /proc/1/root.
 *
 * Everything below the commands takes the host root as a directory fd; the
 * commands open it once with host_root_open().
 */

#include <stdbool.h>

/* The environment variable that gives the host root (--host-root sets it). */
#define HOST_ROOT_ENV "NS_HOST_ROOT"

/* Where "kubectl debug node" mounts the node's root in its pod. */
#define HOST_ROOT_MOUNT "host"

typedef enum HostRootSource {
        HOST_ROOT_OWN,     /* ns' own root: ns runs on the host */
        HOST_ROOT_GIVEN,   /* the directory given */
        HOST_ROOT_MOUNTED, /* /host, verified to be pid 1's root */
        HOST_ROOT_PID1,    /* /proc/1/root */
        HOST_ROOT_SOURCE_MAX,
        HOST_ROOT_SOURCE_INVALID = -1,
} HostRootSource;

/*
 * Open the host root as an O_DIRECTORY fd, which is the caller's. dir: the
 * directory the user gave ("" or NULL: find it). Found, it is pid 1's root
 * when that differs from ns' own (own_root_fd, "/"): /host when /host is
 * that very directory (same device and inode), else /proc/1/root. When
 * pid 1's root cannot be read (not root), ns' own root (own_root_fd, or
 * "/" for AT_FDCWD). proc_fd is /proc.
 * Returns the fd or -errno (the given directory cannot be opened);
 * *ret_source, when not NULL, says where it came from.
 */
int host_root_open(int proc_fd, int own_root_fd, const char *dir, HostRootSource *ret_source);

/* "own", "given", "mounted", "pid1". */
const char *host_root_source_to_string(HostRootSource s);

/*
 * Whether root_fd is another directory than the root of pid (0: ns itself,
 * "self"), as /proc at proc_fd shows it. False when either cannot be read.
 */
bool host_root_differs(int proc_fd, int root_fd, int pid);

/*
 * The mountinfo that tells where the cgroup file systems are below
 * root_fd: pid 1's when root_fd is pid 1's root and not ns' own (its
 * mount points are relative to that root), else ns' own. Returns 0 or
 * -errno; *ret is malloc'd.
 */
int host_root_read_mountinfo(int proc_fd, int root_fd, char **ret);

/*
 * When root_fd is another root than ns' own and ns' cgroup namespace is
 * not pid 1's, join pid 1's, so that /proc/PID/cgroup shows the host's
 * paths (a pod's private cgroup namespace hides every cgroup outside the
 * pod's). Returns 1 when joined, 0 when there was nothing to do, -errno
 * (EPERM without CAP_SYS_ADMIN) otherwise.
 */
int host_root_join_cgroupns(int proc_fd, int root_fd);
