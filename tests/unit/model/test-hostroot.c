/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hostroot.c on a fixture tree in a temporary directory: "proc" stands for
 * /proc, "own" for ns' own root and "node" for the node's. proc/1/root and
 * proc/self/root are symlinks, which fstatat() follows as it follows the
 * kernel's magic links; own/host is the node's root mounted in the pod (a
 * symlink to it here: the same directory, as a bind mount is).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostroot.h"
#include "macro.h"
#include "proc-fixture.h"
#include "util.h"

static char dir[64];
static int proc_fd = -EBADF, own_fd = -EBADF;

static char *at(const char *rel)
{
        return xasprintf("%s/%s", dir, rel);
}

static void mkdir_at(const char *rel)
{
        _cleanup_free_ char *p = at(rel);
        cr_assert_eq(mkdir(p, 0755), 0, "mkdir %s", p);
}

static void symlink_at(const char *target, const char *rel)
{
        _cleanup_free_ char *p = at(rel);
        cr_assert_eq(symlink(target, p), 0, "symlink %s", p);
}

static void file_at(const char *rel, const char *content)
{
        _cleanup_free_ char *p = at(rel);
        fixture_mkfile(p, content);
}

static int open_at(const char *rel)
{
        _cleanup_free_ char *p = at(rel);
        int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(fd, 0, "open %s", p);
        return fd;
}

static void setup(void)
{
        snprintf(dir, sizeof(dir), "/tmp/ns-test-hostroot.XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
        mkdir_at("proc");
        mkdir_at("proc/1");
        mkdir_at("proc/self");
        mkdir_at("own");
        mkdir_at("node");
        mkdir_at("node/etc");
        symlink_at("../../own", "proc/self/root");
        file_at("proc/self/mountinfo", "own mounts\n");
        file_at("proc/1/mountinfo", "node mounts\n");
        proc_fd = open_at("proc");
        own_fd = open_at("own");
}

static void teardown(void)
{
        _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);

        closep(&proc_fd);
        closep(&own_fd);
        cr_assert_eq(system(cmd), 0);
}

TestSuite(hostroot, .init = setup, .fini = teardown);

/* Whether fd is the directory at rel. */
static bool is_dir(int fd, const char *rel)
{
        _cleanup_free_ char *p = at(rel);
        struct stat a, b;

        cr_assert_eq(fstat(fd, &a), 0);
        cr_assert_eq(stat(p, &b), 0, "stat %s", p);
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int open_root(const char *given, HostRootSource want, const char *want_dir)
{
        HostRootSource src = HOST_ROOT_SOURCE_INVALID;
        int fd = host_root_open(proc_fd, own_fd, given, &src);

        cr_assert_geq(fd, 0, "host_root_open: %d", fd);
        cr_expect_eq(src, want, "source %s, expected %s", host_root_source_to_string(src),
                     host_root_source_to_string(want));
        cr_expect(is_dir(fd, want_dir), "the host root is not %s", want_dir);
        return fd;
}

Test(hostroot, on_the_host)
{
        /* pid 1's root is ours: the host itself */
        symlink_at("../../own", "proc/1/root");
        _cleanup_close_ int fd = open_root(NULL, HOST_ROOT_OWN, "own");
        cr_expect_not(host_root_differs(proc_fd, fd, 0));
}

Test(hostroot, pid1_unreadable)
{
        /* no proc/1/root (EACCES when not root): ours, even with a /host */
        symlink_at("../node", "own/host");
        _cleanup_close_ int fd = open_root("", HOST_ROOT_OWN, "own");
}

Test(hostroot, mounted_at_host)
{
        symlink_at("../../node", "proc/1/root");
        symlink_at("../node", "own/host");
        _cleanup_close_ int fd = open_root(NULL, HOST_ROOT_MOUNTED, "node");
        cr_expect(host_root_differs(proc_fd, fd, 0));
        cr_expect_not(host_root_differs(proc_fd, fd, 1));
}

Test(hostroot, host_dir_of_its_own)
{
        /* a /host that is another directory is not the node's: /proc/1/root is */
        symlink_at("../../node", "proc/1/root");
        mkdir_at("own/host");
        _cleanup_close_ int fd = open_root(NULL, HOST_ROOT_PID1, "node");
}

Test(hostroot, no_host_dir)
{
        symlink_at("../../node", "proc/1/root");
        _cleanup_close_ int fd = open_root(NULL, HOST_ROOT_PID1, "node");
}

Test(hostroot, given)
{
        _cleanup_free_ char *node = at("node");

        symlink_at("../../own", "proc/1/root");
        _cleanup_close_ int fd = open_root(node, HOST_ROOT_GIVEN, "node");
        cr_expect_str_eq(host_root_source_to_string(HOST_ROOT_GIVEN), "given");
        cr_expect_null(host_root_source_to_string(HOST_ROOT_SOURCE_MAX));
}

Test(hostroot, given_missing)
{
        _cleanup_free_ char *gone = at("gone");
        cr_expect_eq(host_root_open(proc_fd, own_fd, gone, NULL), -ENOENT);
        _cleanup_free_ char *file = at("proc/1/mountinfo");
        cr_expect_eq(host_root_open(proc_fd, own_fd, file, NULL), -ENOTDIR);
}

Test(hostroot, mountinfo_of_the_root)
{
        _cleanup_close_ int node_fd = open_at("node");
        _cleanup_free_ char *mi = NULL, *mi_own = NULL, *mi_other = NULL;
        _cleanup_close_ int other_fd = -EBADF;

        symlink_at("../../node", "proc/1/root");
        /* pid 1's mount points are relative to the node's root */
        cr_assert_eq(host_root_read_mountinfo(proc_fd, node_fd, &mi), 0);
        cr_expect_str_eq(mi, "node mounts\n");
        cr_assert_eq(host_root_read_mountinfo(proc_fd, own_fd, &mi_own), 0);
        cr_expect_str_eq(mi_own, "own mounts\n");
        /* a fixture tree that is neither: ours (what tests pass) */
        other_fd = open_at("node/etc");
        cr_assert_eq(host_root_read_mountinfo(proc_fd, other_fd, &mi_other), 0);
        cr_expect_str_eq(mi_other, "own mounts\n");
}

Test(hostroot, cgroupns_not_joined_on_the_host)
{
        /* ns' own root: nothing to join, whatever the cgroup namespaces */
        cr_expect_eq(host_root_join_cgroupns(proc_fd, own_fd), 0);
}
