/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The stats fixture trees (tests/unit/stats/fixtures/v1 and v2: a /proc
 * and a root with cgroup files), copied into a fresh temporary directory
 * so that a test may change them. Used by the stats, top-model and
 * Prometheus writer tests.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Copy tree which ("v1", "v2") into a new /tmp/ns-test-NAME-XXXXXX (dir)
 * and open its proc and root directories. */
static inline void stats_fixture_copy(const char *which, const char *name, char *dir, size_t size,
                                      int *ret_proc_fd, int *ret_root_fd)
{
        const char *src = getenv("NS_STATS_FIXTURES");
        char cmd[512];

        cr_assert_not_null(src, "NS_STATS_FIXTURES is not set");
        snprintf(dir, size, "/tmp/ns-test-%s-XXXXXX", name);
        cr_assert_not_null(mkdtemp(dir));
        /* Readable by others: some tests read it as another user. */
        cr_assert_eq(chmod(dir, 0755), 0);
        snprintf(cmd, sizeof(cmd), "cp -a '%s/%s/.' '%s/'", src, which, dir);
        cr_assert_eq(system(cmd), 0, "%s", cmd);
        snprintf(cmd, sizeof(cmd), "%s/proc", dir);
        *ret_proc_fd = open(cmd, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        snprintf(cmd, sizeof(cmd), "%s/root", dir);
        *ret_root_fd = open(cmd, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(*ret_proc_fd, 0);
        cr_assert_geq(*ret_root_fd, 0);
}

/* Close the fds and remove the copy (mode 000 directories included). */
static inline void stats_fixture_remove(const char *dir, int *proc_fd, int *root_fd)
{
        char cmd[256];

        close(*proc_fd);
        close(*root_fd);
        *proc_fd = *root_fd = -1;
        snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s'; rm -rf '%s'", dir, dir);
        cr_assert_eq(system(cmd), 0);
}
