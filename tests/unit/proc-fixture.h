/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A fixture /proc tree in a temporary directory: per pid a "stat" file,
 * a "cmdline" and "ns/<type>" symlinks to strings like "net:[4026531840]",
 * which readlinkat() reads as it reads the kernel's. Used by the scan and
 * lookup tests.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nstype.h"

typedef struct ProcFixture {
        char root[64];
        int fd;
} ProcFixture;

static inline void fixture_mkfile(const char *path, const char *content)
{
        FILE *f = fopen(path, "we");
        cr_assert_not_null(f, "%s", path);
        fputs(content, f);
        fclose(f);
}

static inline void fixture_init(ProcFixture *fx)
{
        snprintf(fx->root, sizeof(fx->root), "/tmp/ns-test-proc-XXXXXX");
        cr_assert_not_null(mkdtemp(fx->root));
        /* Readable by others: some tests scan it as another user. */
        cr_assert_eq(chmod(fx->root, 0755), 0);
        fx->fd = open(fx->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(fx->fd, 0);
}

static inline void fixture_done(ProcFixture *fx)
{
        char cmd[256];

        close(fx->fd);
        /* Mode 000 directories first, so that rm can walk them. */
        snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' && rm -rf '%s'", fx->root, fx->root);
        cr_assert_eq(system(cmd), 0);
}

/* One process: its stat line (state, parent, start time) and its links; 0 leaves a type out. */
static inline void fixture_add(ProcFixture *fx, int pid, int ppid, char state,
                               unsigned long long start, const char *comm,
                               const NsIno ns[NS_TYPE_MAX])
{
        char path[256], link[64], stat[256];

        snprintf(path, sizeof(path), "%s/%d", fx->root, pid);
        cr_assert_eq(mkdir(path, 0755), 0, "%s", path);
        snprintf(path, sizeof(path), "%s/%d/ns", fx->root, pid);
        cr_assert_eq(mkdir(path, 0755), 0);
        for (int t = 0; t < NS_TYPE_MAX; t++) {
                if (ns[t] == 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%d/%s", fx->root, pid, ns_info[t].proc);
                snprintf(link, sizeof(link), "%s:[%llu]", ns_info[t].name, (unsigned long long)ns[t]);
                cr_assert_eq(symlink(link, path), 0);
        }
        snprintf(path, sizeof(path), "%s/%d/stat", fx->root, pid);
        snprintf(stat, sizeof(stat),
                 "%d (%s) %c %d 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 %llu 1000 100\n", pid,
                 comm, state, ppid, start);
        fixture_mkfile(path, stat);
        snprintf(path, sizeof(path), "%s/%d/cmdline", fx->root, pid);
        fixture_mkfile(path, comm);
}

/* A tuple of consecutive inode numbers from base. */
static inline void fixture_tuple(NsIno ret[NS_TYPE_MAX], NsIno base)
{
        for (int t = 0; t < NS_TYPE_MAX; t++)
                ret[t] = base + (NsIno)t;
}
