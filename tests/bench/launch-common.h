/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the launch floors (launch-floor.c, launch-shape.c) both do: the
 * single-id maps, a fresh /proc and the exec. Plain libc, independent of
 * src/; every failure ends the process with 125.
 */
#pragma once

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

typedef struct Maps {
        char uid[32], gid[32];
} Maps;

/* Our ids as single-id maps, read before the user namespace is made (in
 * it they are the overflow ids until mapped). */
static void maps_format(Maps *m)
{
        snprintf(m->uid, sizeof(m->uid), "%u %u 1", (unsigned)getuid(), (unsigned)getuid());
        snprintf(m->gid, sizeof(m->gid), "%u %u 1", (unsigned)getgid(), (unsigned)getgid());
}

static void put(const char *path, const char *s)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);

        if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
                _exit(125);
        close(fd);
}

/* Map them, from inside the new user namespace. */
static void maps_write(const Maps *m)
{
        put("/proc/self/setgroups", "deny");
        put("/proc/self/uid_map", m->uid);
        put("/proc/self/gid_map", m->gid);
}

/* The payload: the mounts private, a fresh /proc, then argv. */
static _Noreturn void proc_and_exec(char **argv)
{
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                _exit(125);
        execvp(argv[0], argv);
        _exit(127);
}
