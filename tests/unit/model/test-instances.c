/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* instances_load_with(): what a reload reuses from the load before, on a fixture /proc tree. */
#include <criterion/criterion.h>

#include "instances.h"
#include "macro.h"
#include "proc-fixture.h"
#include "util.h"

static ProcFixture fx;

enum { H = 4026531000, C = 4026532000, D = 4026533000 };
static NsIno host[NS_TYPE_MAX], ctr[NS_TYPE_MAX], other[NS_TYPE_MAX];

static void setup(void)
{
        fixture_init(&fx);
        fixture_tuple(host, H);
        fixture_tuple(ctr, C);
        fixture_tuple(other, D);
        fixture_add(&fx, 1, 0, 'S', 10, "init", host);
        fixture_add(&fx, 100, 1, 'S', 100, "shim", host);
        fixture_add(&fx, 101, 100, 'S', 200, "nginx", ctr);
        fixture_add(&fx, 102, 101, 'S', 210, "worker", ctr);
        fixture_add(&fx, 200, 1, 'S', 300, "redis", other);
}

static void teardown(void)
{
        fixture_done(&fx);
}

TestSuite(instances, .init = setup, .fini = teardown);

static const Instance *by_leader(const Instances *is, pid_t pid)
{
        for (size_t i = 0; i < is->n; i++)
                if (instance_leader(is, &is->items[i])->pid == pid)
                        return &is->items[i];
        return NULL;
}

static void set_cmdline(int pid, const char *cmd)
{
        char path[256];

        snprintf(path, sizeof(path), "%s/%d/cmdline", fx.root, pid);
        fixture_mkfile(path, cmd);
}

static void set_start(int pid, int ppid, const char *comm, unsigned long long start)
{
        char path[256], stat[256];

        snprintf(path, sizeof(path), "%s/%d/stat", fx.root, pid);
        snprintf(stat, sizeof(stat),
                 "%d (%s) S %d 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 %llu 1000 100\n", pid,
                 comm, ppid, start);
        fixture_mkfile(path, stat);
}

Test(instances, reload_keeps_identities_of_the_same_leaders)
{
        Instances *a = NULL, *b = NULL, *c = NULL;
        Scan *sa = NULL, *sb = NULL, *sc = NULL;
        const Instance *in;

        cr_assert_eq(instances_load_with(fx.fd, fx.fd, INSTANCES_LOAD_STAT, NULL, &a, &sa), 0);
        cr_assert_eq(a->n, 3);
        cr_expect_eq(instances_n_reused(a), 0);
        cr_expect_str_eq(by_leader(a, 101)->command, "nginx");

        /* What identify reads changes; for the same leader it is not read again. */
        set_cmdline(101, "nginx-reloaded");
        set_cmdline(200, "redis-server");
        set_start(200, 1, "redis", 301); /* 200 is a new process now */
        cr_assert_eq(instances_load_with(fx.fd, fx.fd, INSTANCES_LOAD_STAT, a, &b, &sb), 0);
        cr_assert_eq(b->n, 3);
        cr_expect_eq(sb->n_reused, 4, "the namespaces of 1, 100, 101 and 102, not of 200");
        cr_expect_eq(instances_n_reused(b), 2, "host and nginx kept; redis read again");
        in = by_leader(b, 101);
        cr_assert_not_null(in);
        cr_expect(in->reused && in->identified);
        cr_expect_str_eq(in->command, "nginx", "the kept command");
        cr_expect_str_eq(in->ident.name, by_leader(a, 101)->ident.name);
        cr_expect_neq(in->ident.name, by_leader(a, 101)->ident.name, "a copy, not shared");
        cr_expect_eq(in->ident.runtime, by_leader(a, 101)->ident.runtime);
        in = by_leader(b, 200);
        cr_expect_not(in->reused);
        cr_expect_str_eq(in->command, "redis-server");

        /* The previous load may go first: nothing of it is kept by reference. */
        instances_free(a);
        scan_free(sa);

        /* A new leader (the old one exited, a member leads now) is identified again. */
        {
                char cmd[300];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s/101'", fx.root);
                cr_assert_eq(system(cmd), 0);
        }
        set_cmdline(102, "worker --lead");
        cr_assert_eq(instances_load_with(fx.fd, fx.fd, INSTANCES_LOAD_STAT, b, &c, &sc), 0);
        in = by_leader(c, 102);
        cr_assert_not_null(in);
        cr_expect_str_eq(in->id, by_leader(b, 101)->id, "the same instance");
        cr_expect_not(in->reused);
        cr_expect_str_eq(in->command, "worker --lead");

        instances_free(b);
        scan_free(sb);
        instances_free(c);
        scan_free(sc);
}

Test(instances, reload_without_stat_reads_links_but_keeps_identities)
{
        Instances *a = NULL, *b = NULL;
        Scan *sa = NULL, *sb = NULL;

        cr_assert_eq(instances_load(fx.fd, fx.fd, 0, &a, &sa), 0);
        set_cmdline(101, "changed");
        cr_assert_eq(instances_load_with(fx.fd, fx.fd, 0, a, &b, &sb), 0);
        cr_expect_eq(sb->n_reused, 0, "no start times to trust: every link read");
        cr_expect_eq(instances_n_reused(b), 3, "the leaders' start times are known still");
        cr_expect_str_eq(by_leader(b, 101)->command, "nginx");
        instances_free(a);
        scan_free(sa);
        instances_free(b);
        scan_free(sb);
}

/* A CmdlineSource whose read of one pid fails with error: -ETIMEDOUT as a
 * helper whose read is stuck behind a task in D state answers, -ECANCELED
 * as one whose time was spent on others. */
typedef struct SlowPid {
        pid_t slow;
        int error;
        unsigned calls;
} SlowPid;

static int slow_read(void *userdata, pid_t pid, char **ret, size_t *ret_len)
{
        SlowPid *sp = userdata;

        sp->calls++;
        if (pid == sp->slow)
                return sp->error;
        return cmdline_source_read(NULL, fx.fd, pid, ret, ret_len);
}

Test(instances, a_command_line_that_does_not_come_in_time)
{
        Instances *a = NULL, *b = NULL, *c = NULL;
        Scan *sa = NULL, *sb = NULL, *sc = NULL;
        SlowPid sp = { .slow = 101, .error = -ETIMEDOUT };
        CmdlineSource src = { .read = slow_read, .userdata = &sp };
        const Instance *in;

        set_cmdline(101, "nginx -g daemon off;");
        cr_assert_eq(instances_load_src(fx.fd, fx.fd, INSTANCES_LOAD_STAT, NULL, &src, &a, &sa), 0);
        cr_expect_eq(sp.calls, 3, "every leader's command line comes through the source");
        in = by_leader(a, 101);
        cr_assert_not_null(in);
        cr_expect(in->cmdline_blocked);
        cr_expect_str_eq(in->command, "nginx (blocked)", "its comm, not taken for a kernel thread");
        cr_expect_not(by_leader(a, 200)->cmdline_blocked);

        /* a reload keeps it as it keeps any identity: the deadline is not paid again */
        sp.slow = 0;
        sp.calls = 0;
        cr_assert_eq(instances_load_src(fx.fd, fx.fd, INSTANCES_LOAD_STAT, a, &src, &b, &sb), 0);
        cr_expect_eq(sp.calls, 0);
        in = by_leader(b, 101);
        cr_expect(in->reused && in->cmdline_blocked);
        cr_expect_str_eq(in->command, "nginx (blocked)");

        /* a load without prev (ns top's every 30th) asks again, and gets it */
        cr_assert_eq(instances_load_src(fx.fd, fx.fd, INSTANCES_LOAD_STAT, NULL, &src, &c, &sc), 0);
        in = by_leader(c, 101);
        cr_expect_not(in->cmdline_blocked);
        cr_expect_str_eq(in->command, "nginx -g daemon off;");
        instances_free(a);
        scan_free(sa);
        instances_free(b);
        scan_free(sb);
        instances_free(c);
        scan_free(sc);
}

/* A source whose time is spent: the leaders it did not try are asked for at the next load. */
Test(instances, a_command_line_not_tried)
{
        Instances *a = NULL, *b = NULL;
        Scan *sa = NULL, *sb = NULL;
        SlowPid sp = { .slow = 200, .error = -ECANCELED };
        CmdlineSource src = { .read = slow_read, .userdata = &sp };
        const Instance *in;

        set_cmdline(200, "redis-server *:6379");
        cr_assert_eq(instances_load_src(fx.fd, fx.fd, INSTANCES_LOAD_STAT, NULL, &src, &a, &sa), 0);
        in = by_leader(a, 200);
        cr_expect(in->cmdline_untried);
        cr_expect_not(in->cmdline_blocked);
        cr_expect_str_eq(in->command, "redis (not read yet)");
        sp.slow = 0;
        sp.calls = 0;
        cr_assert_eq(instances_load_src(fx.fd, fx.fd, INSTANCES_LOAD_STAT, a, &src, &b, &sb), 0);
        cr_expect_eq(sp.calls, 1, "only the one not tried");
        in = by_leader(b, 200);
        cr_expect_not(in->reused);
        cr_expect_str_eq(in->command, "redis-server *:6379");
        instances_free(a);
        scan_free(sa);
        instances_free(b);
        scan_free(sb);
}
