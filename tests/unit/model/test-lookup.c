/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lookup_leader() and lookup_by_id() on a fixture /proc tree. */
#include <criterion/criterion.h>

#include "lookup.h"
#include "macro.h"
#include "proc-fixture.h"
#include "util.h"

static ProcFixture fx;

/* The host, a container, and a second container whose leader's parent pid was reused. */
enum { H = 4026531000, C = 4026532000, R = 4026533000 };
static NsIno host[NS_TYPE_MAX], ctr[NS_TYPE_MAX], reused[NS_TYPE_MAX];

static void setup(void)
{
        fixture_init(&fx);
        fixture_tuple(host, H);
        fixture_tuple(ctr, C);
        fixture_tuple(reused, R);

        fixture_add(&fx, 1, 0, 'S', 10, "init", host);
        fixture_add(&fx, 2, 0, 'S', 11, "kthreadd", host);
        fixture_add(&fx, 100, 1, 'S', 100, "shim", host);
        /* A chain inside the container: 103 -> 102 -> 101, whose parent 100 is outside. */
        fixture_add(&fx, 101, 100, 'S', 200, "nginx", ctr);
        fixture_add(&fx, 102, 101, 'S', 210, "worker", ctr);
        fixture_add(&fx, 103, 102, 'S', 220, "worker", ctr);
        /* Joined from the host later: its own parent is outside. */
        fixture_add(&fx, 104, 100, 'S', 300, "sh", ctr);
        /* 401's parent died and pid 402 went to a newer process with the same namespaces. */
        fixture_add(&fx, 401, 402, 'S', 600, "orphan", reused);
        fixture_add(&fx, 402, 1, 'S', 900, "newer", reused);
        /* A zombie keeps its stat but has no namespace links (readlink: ENOENT). */
        fixture_add(&fx, 450, 101, 'Z', 700, "dead", (NsIno[NS_TYPE_MAX]){});
}

static void teardown(void)
{
        fixture_done(&fx);
}

TestSuite(lookup, .init = setup, .fini = teardown);

static void expect_leader(pid_t pid, pid_t leader, unsigned long long start)
{
        pid_t got = -1;
        unsigned long long got_start = 0;

        cr_assert_eq(lookup_leader(fx.fd, pid, &got, &got_start), 0, "pid %d", (int)pid);
        cr_expect_eq(got, leader, "pid %d: leader %d, expected %d", (int)pid, (int)got,
                     (int)leader);
        cr_expect_eq(got_start, start, "pid %d: start time", (int)pid);
}

Test(lookup, leader_walks_up_inside_the_instance)
{
        expect_leader(103, 101, 200);
        expect_leader(102, 101, 200);
        expect_leader(101, 101, 200);
        expect_leader(104, 104, 300);
        expect_leader(100, 1, 10);
        expect_leader(1, 1, 10);
}

Test(lookup, leader_stops_at_a_reused_parent_pid)
{
        /* 402 has the namespaces but started after 401: it is not 401's parent. */
        expect_leader(401, 401, 600);
        expect_leader(402, 402, 900);
}

Test(lookup, leader_of_gone_and_zombie_processes)
{
        pid_t leader = -1;
        unsigned long long start = 0;

        cr_expect_eq(lookup_leader(fx.fd, 999, &leader, &start), -ENOENT);
        cr_expect_eq(lookup_leader(fx.fd, 450, &leader, &start), -ESRCH);
        cr_expect_eq(leader, -1, "nothing written on failure");
}

Test(lookup, by_id_finds_the_newest_member)
{
        char id[INSTANCE_ID_LEN + 1];
        pid_t pid = -1;

        instance_id_from_tuple(ctr, id);
        cr_assert_eq(lookup_by_id(fx.fd, id, &pid), 0);
        cr_expect_eq(pid, 104, "the highest pid of the instance, got %d", (int)pid);

        instance_id_from_tuple(host, id);
        cr_assert_eq(lookup_by_id(fx.fd, id, &pid), 0);
        cr_expect_eq(pid, 100);

        instance_id_from_tuple(reused, id);
        cr_assert_eq(lookup_by_id(fx.fd, id, &pid), 0);
        cr_expect_eq(pid, 402);
}

Test(lookup, by_id_misses_and_bad_ids)
{
        NsIno none[NS_TYPE_MAX];
        char id[INSTANCE_ID_LEN + 1];
        pid_t pid = -1;

        fixture_tuple(none, 4026539000);
        instance_id_from_tuple(none, id);
        cr_expect_eq(lookup_by_id(fx.fd, id, &pid), -ENOENT);
        cr_expect_eq(lookup_by_id(fx.fd, "abc", &pid), -EINVAL);
        cr_expect_eq(lookup_by_id(fx.fd, "0123456789aB", &pid), -EINVAL);
        cr_expect_eq(pid, -1, "nothing written on failure");
}

Test(lookup, by_id_passes_over_vanished_processes)
{
        char path[256], id[INSTANCE_ID_LEN + 1];
        pid_t pid = -1;

        /* A pid directory without links: it exited while we listed /proc. */
        snprintf(path, sizeof(path), "%s/500", fx.root);
        cr_assert_eq(mkdir(path, 0755), 0);
        instance_id_from_tuple(ctr, id);
        cr_assert_eq(lookup_by_id(fx.fd, id, &pid), 0);
        cr_expect_eq(pid, 104);
}

Test(lookup, by_id_returns_other_errors)
{
        char path[256], id[INSTANCE_ID_LEN + 1];
        pid_t pid = -1;

        /* A link that is not a namespace's: not a process to pass over. */
        fixture_add(&fx, 800, 1, 'S', 1000, "odd", host);
        snprintf(path, sizeof(path), "%s/800/ns/net", fx.root);
        cr_assert_eq(unlink(path), 0);
        cr_assert_eq(symlink("net:[bogus]", path), 0);
        instance_id_from_tuple(ctr, id);
        cr_expect_eq(lookup_by_id(fx.fd, id, &pid), -EIO);
}
