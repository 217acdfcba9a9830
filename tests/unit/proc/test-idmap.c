/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* idmap.c: subordinate ranges from fixture etc trees, the map text, and a map applied. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idmap.h"
#include "macro.h"
#include "proc-fixture.h"
#include "util.h"

static ProcFixture fx;

static void setup(void)
{
        char path[128];

        fixture_init(&fx);
        snprintf(path, sizeof(path), "%s/etc", fx.root);
        cr_assert_eq(mkdir(path, 0755), 0);
        snprintf(path, sizeof(path), "%s/etc/passwd", fx.root);
        fixture_mkfile(path, "root:x:0:0:root:/root:/bin/sh\n"
                             "alice:x:1000:1000::/home/alice:/bin/sh\n"
                             "bob:x:1001:1001::/home/bob:/bin/sh\n"
                             "carol:x:1002:1002::/home/carol:/bin/sh\n");
}

static void teardown(void)
{
        fixture_done(&fx);
}

static void etc_file(const char *name, const char *content)
{
        char path[128];

        snprintf(path, sizeof(path), "%s/etc/%s", fx.root, name);
        fixture_mkfile(path, content);
}

TestSuite(idmap, .init = setup, .fini = teardown);

/* The helpers come with the uidmap package, which scripts/install-deps installs. */
static void require_helpers(void)
{
        cr_assert(idmap_helpers_present(), "newuidmap/newgidmap missing: install uidmap");
}

Test(idmap, by_name)
{
        IdMap m;

        require_helpers();
        etc_file("subuid", "bob:200000:65536\nalice:100000:65536\n");
        etc_file("subgid", "alice:300000:65536\n");
        cr_assert_eq(idmap_plan(fx.fd, 1000, 1000, &m), 0);
        cr_assert(m.ranged);
        cr_assert_eq(m.n_uid, 2);
        cr_assert_eq(m.n_gid, 2);
        cr_assert_eq(m.uid[0].inside, 0);
        cr_assert_eq(m.uid[0].outside, 1000);
        cr_assert_eq(m.uid[0].count, 1);
        cr_assert_eq(m.uid[1].inside, 1);
        cr_assert_eq(m.uid[1].outside, 100000);
        cr_assert_eq(m.uid[1].count, 65536);
        cr_assert_eq(m.gid[0].outside, 1000);
        cr_assert_eq(m.gid[1].outside, 300000);
}

Test(idmap, by_uid_and_first_match)
{
        IdMap m;

        require_helpers();
        /* bob by number; the first of his two entries wins, whichever form */
        etc_file("subuid", "# comment\n1001:400000:1000\nbob:500000:65536\n");
        etc_file("subgid", "bob:600000:2000\n1001:700000:65536\n");
        cr_assert_eq(idmap_plan(fx.fd, 1001, 1001, &m), 0);
        cr_assert(m.ranged);
        cr_assert_eq(m.uid[1].outside, 400000);
        cr_assert_eq(m.uid[1].count, 1000);
        cr_assert_eq(m.gid[1].outside, 600000);
        cr_assert_eq(m.gid[1].count, 2000);
}

Test(idmap, unknown_user_by_uid)
{
        IdMap m;

        require_helpers();
        /* uid 4242 has no passwd entry: matched by number only */
        etc_file("subuid", "alice:100000:65536\n4242:800000:65536\n");
        etc_file("subgid", "4242:800000:65536\n");
        cr_assert_eq(idmap_plan(fx.fd, 4242, 4242, &m), 0);
        cr_assert(m.ranged);
        cr_assert_eq(m.uid[1].outside, 800000);
}

Test(idmap, count_capped)
{
        IdMap m;

        require_helpers();
        etc_file("subuid", "alice:100000:4000000000\n");
        etc_file("subgid", "alice:100000:1000000\n");
        cr_assert_eq(idmap_plan(fx.fd, 1000, 1000, &m), 0);
        cr_assert(m.ranged);
        cr_assert_eq(m.uid[1].count, 65536);
        cr_assert_eq(m.gid[1].count, 65536);
}

Test(idmap, unusable_entries_skipped)
{
        IdMap m;

        require_helpers();
        /* malformed, empty, wrapping, and holding alice's own uid: the next one is taken */
        etc_file("subuid", "alice\n"
                           "alice:x:10\n"
                           "alice:100000:0\n"
                           "alice:4294967000:65536\n"
                           "alice:500:65536\n"
                           "alice:900000:10\n");
        etc_file("subgid", "alice:900000:10\n");
        cr_assert_eq(idmap_plan(fx.fd, 1000, 1000, &m), 0);
        cr_assert(m.ranged);
        cr_assert_eq(m.uid[1].outside, 900000);
        cr_assert_eq(m.uid[1].count, 10);
}

static void assert_single(const IdMap *m, unsigned uid, unsigned gid)
{
        cr_assert_not(m->ranged);
        cr_assert_eq(m->n_uid, 1);
        cr_assert_eq(m->n_gid, 1);
        cr_assert_eq(m->uid[0].inside, 0);
        cr_assert_eq(m->uid[0].outside, uid);
        cr_assert_eq(m->uid[0].count, 1);
        cr_assert_eq(m->gid[0].outside, gid);
}

Test(idmap, single_without_files)
{
        IdMap m;

        cr_assert_eq(idmap_plan(fx.fd, 1000, 1000, &m), 0);
        assert_single(&m, 1000, 1000);
}

Test(idmap, single_without_both)
{
        IdMap m;

        /* a uid range but no gid range is no range */
        etc_file("subuid", "alice:100000:65536\n");
        cr_assert_eq(idmap_plan(fx.fd, 1000, 1000, &m), 0);
        assert_single(&m, 1000, 1000);

        /* entries only for someone else */
        etc_file("subgid", "bob:100000:65536\n");
        cr_assert_eq(idmap_plan(fx.fd, 1000, 1000, &m), 0);
        assert_single(&m, 1000, 1000);
}

Test(idmap, single_when_not_regular)
{
        char path[128];
        IdMap m;

        /* a directory where the file should be: read as absent */
        snprintf(path, sizeof(path), "%s/etc/subuid", fx.root);
        cr_assert_eq(mkdir(path, 0755), 0);
        etc_file("subgid", "alice:100000:65536\n");
        cr_assert_eq(idmap_plan(fx.fd, 1000, 1000, &m), 0);
        assert_single(&m, 1000, 1000);
}

Test(idmap, format)
{
        IdExtent e[2] = { { 0, 1000, 1 }, { 1, 100000, 65536 } };
        char buf[64], tiny[8];

        cr_assert_eq(idmap_format(e, 2, buf, sizeof(buf)), 24);
        cr_assert_str_eq(buf, "0 1000 1\n1 100000 65536\n");
        cr_assert_eq(idmap_format(e, 1, buf, sizeof(buf)), 9);
        cr_assert_str_eq(buf, "0 1000 1\n");
        cr_assert_eq(idmap_format(e, 2, tiny, sizeof(tiny)), -ENOBUFS);
}

Test(idmap, to_outside)
{
        IdExtent e[2] = { { 0, 1000, 1 }, { 1, 100000, 65536 } };

        cr_assert_eq(idmap_to_outside(e, 2, 0), 1000);
        cr_assert_eq(idmap_to_outside(e, 2, 1), 100000);
        cr_assert_eq(idmap_to_outside(e, 2, 1000), 100999);
        cr_assert_eq(idmap_to_outside(e, 2, 65536), 165535);
        cr_assert_eq(idmap_to_outside(e, 2, 65537), (unsigned)-1);
        cr_assert_eq(idmap_to_outside(e, 1, 1), (unsigned)-1);
}

/*
 * The single map written from outside into a child's fresh user
 * namespace; the child reports what it sees once the parent has written.
 */
Test(idmap, apply_single)
{
        IdMap m = {
                .uid = { { 0, 12345, 1 } },
                .gid = { { 0, 23456, 1 } },
                .n_uid = 1,
                .n_gid = 1,
        };
        int go[2], back[2], status;
        char buf[256] = "";
        ssize_t n;
        pid_t pid;

        cr_assert_eq(pipe2(go, O_CLOEXEC), 0);
        cr_assert_eq(pipe2(back, O_CLOEXEC), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                char c, out[256];
                _cleanup_free_ char *u = NULL, *g = NULL, *s = NULL;

                if (unshare(CLONE_NEWUSER) < 0)
                        _exit(2);
                /* tell the parent the namespace exists, then wait for the maps */
                if (write(back[1], "u", 1) != 1 || read(go[0], &c, 1) != 1)
                        _exit(3);
                if (read_file_at(AT_FDCWD, "/proc/self/uid_map", 0, &u, NULL) < 0 ||
                    read_file_at(AT_FDCWD, "/proc/self/gid_map", 0, &g, NULL) < 0 ||
                    read_file_at(AT_FDCWD, "/proc/self/setgroups", 0, &s, NULL) < 0)
                        _exit(4);
                snprintf(out, sizeof(out), "%s|%s|%s", u, g, s);
                if (write(back[1], out, strlen(out)) < 0)
                        _exit(5);
                _exit(0);
        }
        close(back[1]);
        close(go[0]);
        cr_assert_eq(read(back[0], buf, 1), 1);
        cr_assert_eq(idmap_apply(pid, &m), 0);
        cr_assert_eq(write(go[1], "g", 1), 1);
        n = read(back[0], buf, sizeof(buf) - 1);
        cr_assert_gt(n, 0);
        buf[n] = '\0';
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        /* the kernel pads the columns of uid_map */
        cr_assert_not_null(strstr(buf, "12345"), "%s", buf);
        cr_assert_not_null(strstr(buf, "23456"), "%s", buf);
        cr_assert_not_null(strstr(buf, "deny"), "%s", buf);
        close(back[0]);
        close(go[1]);
}

/* A ranged map the caller does not own is refused by newuidmap: -EPERM, no map. */
Test(idmap, apply_ranged_refused)
{
        IdMap m = {
                .uid = { { 0, 0, 1 }, { 1, 3999000000U, 10 } },
                .gid = { { 0, 0, 1 }, { 1, 3999000000U, 10 } },
                .n_uid = 2,
                .n_gid = 2,
                .ranged = true,
        };
        int go[2], back[2], status;
        char c;
        pid_t pid;

        require_helpers();
        cr_assert_eq(pipe2(go, O_CLOEXEC), 0);
        cr_assert_eq(pipe2(back, O_CLOEXEC), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                close(go[1]);
                if (unshare(CLONE_NEWUSER) < 0 || write(back[1], "u", 1) != 1)
                        _exit(2);
                (void)!read(go[0], &c, 1);
                _exit(0);
        }
        close(go[0]);
        close(back[1]);
        cr_assert_eq(read(back[0], &c, 1), 1);
        close(back[0]);
        /* no entry in /etc/subuid holds 3999000000 */
        cr_assert_eq(idmap_apply(pid, &m), -EPERM);
        close(go[1]);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
}

Test(idmap, is_identity)
{
        cr_assert(idmap_is_identity("         0          0 4294967295\n"));
        cr_assert(idmap_is_identity("0 0 4294967295"));
        cr_assert(!idmap_is_identity("         0       1000          1\n"));
        cr_assert(!idmap_is_identity("         0          0 4294967294\n"));
        cr_assert(!idmap_is_identity("0 0 4294967295\n1 1 1\n"));
        cr_assert(!idmap_is_identity(""));
}
