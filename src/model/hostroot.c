/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finding the host's root directory from inside a container that shares
 * the host's pid namespace, and what follows from reading through another
 * root than ns' own: which mountinfo locates the cgroups, and whose cgroup
 * namespace /proc/PID/cgroup is read in.
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include "hostroot.h"
#include "macro.h"
#include "nstype.h"
#include "util.h"

/* Large enough for a host with tens of thousands of mounts. */
#define MOUNTINFO_MAX (64U * 1024U * 1024U)

static const char *const source_names[HOST_ROOT_SOURCE_MAX] = {
        [HOST_ROOT_OWN] = "own",
        [HOST_ROOT_GIVEN] = "given",
        [HOST_ROOT_MOUNTED] = "mounted",
        [HOST_ROOT_PID1] = "pid1",
};

const char *host_root_source_to_string(HostRootSource s)
{
        return s >= 0 && s < HOST_ROOT_SOURCE_MAX ? source_names[s] : NULL;
}

static bool same_inode(const struct stat *a, const struct stat *b)
{
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* stat of /proc/<pid>/root ("self/root" for 0): the root directory it links to. */
static int stat_proc_root(int proc_fd, int pid, struct stat *ret)
{
        char path[32];

        if (pid > 0)
                snprintf(path, sizeof(path), "%d/root", pid);
        else
                snprintf(path, sizeof(path), "self/root");
        /* Following the magic link needs ptrace access to pid: root, in practice. */
        return fstatat(proc_fd, path, ret, 0) < 0 ? -errno : 0;
}

bool host_root_differs(int proc_fd, int root_fd, int pid)
{
        struct stat root, theirs;

        if (fstat(root_fd, &root) < 0 || stat_proc_root(proc_fd, pid, &theirs) < 0)
                return false;
        return !same_inode(&root, &theirs);
}

static int open_dir_at(int dirfd, const char *path)
{
        int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int host_root_open(int proc_fd, int own_root_fd, const char *dir, HostRootSource *ret_source)
{
        struct stat own, init, mounted;
        _cleanup_close_ int fd = -EBADF, slash = -EBADF;
        HostRootSource source;

        if (dir && dir[0]) {
                fd = open_dir_at(AT_FDCWD, dir);
                if (fd < 0)
                        return fd;
                source = HOST_ROOT_GIVEN;
                goto done;
        }

        source = HOST_ROOT_OWN;
        if (own_root_fd == AT_FDCWD) {
                slash = open_dir_at(AT_FDCWD, "/");
                if (slash < 0)
                        return slash;
                own_root_fd = slash;
        }
        if (fstat(own_root_fd, &own) < 0)
                return -errno;
        /*
         * pid 1 of our pid namespace is the host's init when we share the
         * host's pid namespace; in a container of our own it is the
         * container's, whose root is ours. Unreadable (not root): ours.
         */
        if (stat_proc_root(proc_fd, 1, &init) < 0 || same_inode(&own, &init)) {
                fd = open_dir_at(own_root_fd, ".");
                goto done;
        }

        /*
         * The same directory as pid 1's root, not merely a directory named
         * "host": a container may well have one of its own. Reading through
         * /host rather than /proc/1/root gives the same files with paths a
         * user recognises in messages.
         */
        fd = open_dir_at(own_root_fd, HOST_ROOT_MOUNT);
        if (fd >= 0 && fstat(fd, &mounted) == 0 && same_inode(&mounted, &init)) {
                source = HOST_ROOT_MOUNTED;
                goto done;
        }
        closep(&fd);
        fd = open_dir_at(proc_fd, "1/root");
        if (fd < 0)
                return fd;
        source = HOST_ROOT_PID1;
done:
        if (fd < 0)
                return fd;
        if (ret_source)
                *ret_source = source;
        return TAKE_FD(fd);
}

int host_root_read_mountinfo(int proc_fd, int root_fd, char **ret)
{
        struct stat root, init;
        const char *which = "self/mountinfo";

        /* pid 1's mount points are relative to pid 1's root: use them only below it. */
        if (fstat(root_fd, &root) == 0 && stat_proc_root(proc_fd, 1, &init) == 0 &&
            same_inode(&root, &init) && host_root_differs(proc_fd, root_fd, 0))
                which = "1/mountinfo";
        return read_file_at(proc_fd, which, MOUNTINFO_MAX, ret, NULL);
}

int host_root_join_cgroupns(int proc_fd, int root_fd)
{
        _cleanup_close_ int fd = -EBADF;
        NsIno mine, init;

        if (!host_root_differs(proc_fd, root_fd, 0))
                return 0;
        if (ns_read_link(proc_fd, "self/", NS_CGROUP, &mine) < 0 ||
            ns_read_link(proc_fd, "1/", NS_CGROUP, &init) < 0 || mine == init)
                return 0;
        fd = ns_open_link(proc_fd, "1/", NS_CGROUP);
        if (fd < 0)
                return fd;
        /* Only how cgroup paths read changes: no process, file or mount moves. */
        if (setns(fd, ns_info[NS_CGROUP].clone_flag) < 0)
                return -errno;
        return 1;
}
