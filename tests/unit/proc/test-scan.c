/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the /proc scan skips, counts and fails on, on a fixture /proc tree. */
#include <criterion/criterion.h>
#include <grp.h>
#include <sys/wait.h>

#include "macro.h"
#include "proc-fixture.h"
#include "scan.h"
#include "util.h"

static ProcFixture fx;
static NsIno host[NS_TYPE_MAX], ctr[NS_TYPE_MAX];

static void setup(void)
{
        fixture_init(&fx);
        fixture_tuple(host, 4026531000);
        fixture_tuple(ctr, 4026532000);
        fixture_add(&fx, 1, 0, 'S', 10, "init", host);
        fixture_add(&fx, 2, 0, 'S', 11, "kthreadd", host);
        fixture_add(&fx, 300, 1, 'S', 300, "sleep", ctr);
}

static void teardown(void)
{
        fixture_done(&fx);
}

TestSuite(scan, .init = setup, .fini = teardown);

Test(scan, skip_error_decides_once)
{
        size_t n = 0;

        cr_expect_eq(scan_skip_error(-ENOENT, &n), 0, "vanished: skipped");
        cr_expect_eq(scan_skip_error(-ESRCH, &n), 0, "vanished: skipped");
        cr_expect_eq(n, 0, "vanished processes are not counted");
        cr_expect_eq(scan_skip_error(-EACCES, &n), 0, "unreadable: skipped");
        cr_expect_eq(scan_skip_error(-EPERM, &n), 0, "unreadable: skipped");
        cr_expect_eq(n, 2, "unreadable processes are counted");
        cr_expect_eq(scan_skip_error(-EIO, &n), -EIO);
        cr_expect_eq(scan_skip_error(-ENOMEM, &n), -ENOMEM);
        cr_expect_eq(n, 2);
}

typedef struct ScanResult {
        int r;
        size_t n_procs;
        size_t n_unreadable;
} ScanResult;

Test(scan, counts_processes_whose_namespaces_are_closed)
{
        char path[256];
        ScanResult res = { .r = 1 };
        int pipefd[2], status;
        pid_t child;

        /* 400's links exist, but its ns directory may not be searched: EACCES. */
        fixture_add(&fx, 400, 1, 'S', 400, "secret", ctr);
        snprintf(path, sizeof(path), "%s/400/ns", fx.root);
        cr_assert_eq(chmod(path, 0), 0);

        /* Root reads through mode 000: scan as nobody in a child, which only reports. */
        cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
        child = fork();
        cr_assert_geq(child, 0);
        if (child == 0) {
                ScanResult out = { .r = -EPERM };
                Scan *s = NULL;

                if (geteuid() != 0 ||
                    (setgroups(0, NULL) == 0 && setresgid(65534, 65534, 65534) == 0 &&
                     setresuid(65534, 65534, 65534) == 0)) {
                        out.r = scan_proc(fx.fd, &s);
                        if (out.r == 0) {
                                out.n_procs = s->n_procs;
                                out.n_unreadable = s->n_unreadable;
                        }
                        scan_free(s);
                }
                (void)!write(pipefd[1], &out, sizeof(out));
                _exit(0);
        }
        close(pipefd[1]);
        cr_assert_eq(read(pipefd[0], &res, sizeof(res)), (ssize_t)sizeof(res));
        close(pipefd[0]);
        cr_assert_eq(waitpid(child, &status, 0), child);

        cr_assert_eq(res.r, 0, "scan: %s", strerror(-res.r));
        cr_expect_eq(res.n_procs, 3, "the others are listed");
        cr_expect_eq(res.n_unreadable, 1, "the closed one is counted");
}

Test(scan, skips_vanished_processes_uncounted)
{
        char path[256];
        Scan *s = NULL;

        snprintf(path, sizeof(path), "%s/555", fx.root);
        cr_assert_eq(mkdir(path, 0755), 0);
        cr_assert_eq(scan_proc(fx.fd, &s), 0);
        cr_expect_eq(s->n_procs, 3);
        cr_expect_eq(s->n_unreadable, 0);
        cr_expect_null(scan_find(s, 555));
        scan_free(s);
}

Test(scan, fails_on_other_errors)
{
        char path[256];
        Scan *s = NULL;

        /* A link that is not a namespace's is no process to pass over. */
        snprintf(path, sizeof(path), "%s/300/ns/net", fx.root);
        cr_assert_eq(unlink(path), 0);
        cr_assert_eq(symlink("net:[bogus]", path), 0);
        cr_expect_eq(scan_proc(fx.fd, &s), -EIO);
        cr_expect_null(s);
}

Test(scan, nspid_from_status)
{
        pid_t v = -1;

        cr_assert_eq(proc_parse_nspid("Name:\tsh\nNSpid:\t4242\t17\t1\nNSsid:\t1\n", &v), 0);
        cr_assert_eq(v, 1, "the innermost pid namespace's, the last");
        cr_assert_eq(proc_parse_nspid("NSpid:\t99\n", &v), 0);
        cr_assert_eq(v, 99);
        v = -1;
        cr_assert_eq(proc_parse_nspid("Name:\tsh\nNSpid:\t\n", &v), -ENOENT);
        cr_assert_eq(proc_parse_nspid("Name:\tsh\n", &v), -ENOENT);
        cr_assert_eq(proc_parse_nspid("NSpid:\t0\n", &v), -ENOENT);
        cr_assert_eq(v, -1, "written only on success");
}

Test(scan, nspid_of_ourselves)
{
        int proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        pid_t v = 0;

        cr_assert_geq(proc_fd, 0);
        cr_assert_eq(proc_read_nspid(proc_fd, getpid(), &v), 0);
        cr_assert_gt(v, 0);
        close(proc_fd);
}

Test(scan, stat_fields_for_top)
{
        ProcStat st;

        cr_assert_eq(proc_parse_stat_full("42 (a) b)) R 7 1 1 0 -1 0 0 0 0 0 1234 567 0 0 20 0 "
                                          "9 0 987 4096 321\n",
                                          &st),
                     0);
        cr_expect_eq(st.state, 'R');
        cr_expect_eq(st.ppid, 7);
        cr_expect_eq(st.utime, 1234);
        cr_expect_eq(st.stime, 567);
        cr_expect_eq(st.num_threads, 9);
        cr_expect_eq(st.starttime, 987);
        cr_expect_eq(st.rss, 321);
        cr_expect_str_eq(st.comm, "a) b)");
        /* rss may be missing; starttime may not */
        cr_assert_eq(proc_parse_stat_full("1 (x) S 0 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5", &st), 0);
        cr_expect_eq(st.starttime, 5);
        cr_expect_eq(st.rss, 0);
        cr_expect_lt(proc_parse_stat_full("1 (x) S 0 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0", &st), 0);
        cr_expect_lt(proc_parse_stat_full("1 (x) S 0 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 "
                                          "99999999999999999999",
                                          &st),
                     0, "an overflowing start time is refused");
        cr_expect_lt(proc_parse_stat_full("1 (x) S -3 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5", &st), 0);
        cr_expect_lt(proc_parse_stat_full("1 (x) SS 0 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5", &st), 0);
}

/* Point a namespace link of a fixture process somewhere else. */
static void relink(int pid, NsType t, NsIno ino)
{
        char path[256], link[64];

        snprintf(path, sizeof(path), "%s/%d/%s", fx.root, pid, ns_info[t].proc);
        cr_assert_eq(unlink(path), 0);
        snprintf(link, sizeof(link), "%s:[%llu]", ns_info[t].name, (unsigned long long)ino);
        cr_assert_eq(symlink(link, path), 0);
}

/* Rewrite a fixture process's stat (a new start time: a recycled pid). */
static void restat(int pid, int ppid, char state, unsigned long long start)
{
        char path[256], stat[256];

        snprintf(path, sizeof(path), "%s/%d/stat", fx.root, pid);
        snprintf(stat, sizeof(stat),
                 "%d (x) %c %d 1 1 0 -1 4194560 100 0 0 0 50 30 0 0 20 0 4 0 %llu 1000 77\n", pid,
                 state, ppid, start);
        fixture_mkfile(path, stat);
}

Test(scan, with_stat_reads_every_process)
{
        Scan *s = NULL;

        cr_assert_eq(scan_proc_with(fx.fd, NULL, SCAN_STAT, &s), 0);
        cr_assert_eq(s->n_procs, 3);
        for (size_t i = 0; i < s->n_procs; i++) {
                cr_expect(s->procs[i].stat_loaded && s->procs[i].stat_ok);
                cr_expect_eq(s->procs[i].utime, 5);
                cr_expect_eq(s->procs[i].stime, 3);
                cr_expect_eq(s->procs[i].rss, 100);
                cr_expect_eq(s->procs[i].num_threads, 1);
                cr_expect_not(s->procs[i].reused);
        }
        cr_expect_eq(scan_find(s, 300)->starttime, 300);
        cr_expect_eq(s->n_reused, 0);
        scan_free(s);

        /* without the flag, stat stays for scan_load_stat() to read */
        cr_assert_eq(scan_proc(fx.fd, &s), 0);
        cr_expect_not(s->procs[0].stat_loaded);
        scan_free(s);
}

Test(scan, reuses_known_processes_tuples)
{
        Scan *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        cr_assert_eq(scan_proc_with(fx.fd, NULL, SCAN_STAT, &a), 0);
        /* 300 moves to another net namespace: a known process is not read
         * again, so the reuse scan still has the old one. */
        relink(300, NS_NET, 4026539000);
        restat(1, 0, 'S', 10);
        cr_assert_eq(scan_proc_with(fx.fd, a, SCAN_STAT, &b), 0);
        cr_expect_eq(b->n_reused, 3);
        cr_expect(scan_find(b, 300)->reused);
        cr_expect_eq(scan_find(b, 300)->ns[NS_NET], ctr[NS_NET], "the known tuple, no readlink");
        cr_expect_eq(scan_find(b, 1)->utime, 50, "stat itself is read every time");
        cr_expect_eq(scan_find(b, 1)->num_threads, 4);

        /* A new start time is a new process behind the same pid: read. */
        restat(300, 1, 'S', 301);
        cr_assert_eq(scan_proc_with(fx.fd, b, SCAN_STAT, &c), 0);
        cr_expect_eq(c->n_reused, 2);
        cr_expect_not(scan_find(c, 300)->reused);
        cr_expect_eq(scan_find(c, 300)->ns[NS_NET], 4026539000);

        /* A previous scan without stat cannot tell recycled pids: not reused. */
        scan_free(a);
        cr_assert_eq(scan_proc(fx.fd, &a), 0);
        cr_assert_eq(scan_proc_with(fx.fd, a, SCAN_STAT, &d), 0);
        cr_expect_eq(d->n_reused, 0);
        scan_free(a);
        scan_free(b);
        scan_free(c);
        scan_free(d);
}

Test(scan, zombies_go_with_their_parent)
{
        NsIno none[NS_TYPE_MAX] = {};
        Scan *a = NULL, *b = NULL;

        /* Zombies have no links: 301's parent is 300 (the container), 302's
         * parent is unknown, 303's parent is a zombie itself. */
        fixture_add(&fx, 301, 300, 'Z', 400, "defunct", none);
        fixture_add(&fx, 302, 999, 'Z', 401, "defunct", none);
        fixture_add(&fx, 303, 301, 'Z', 402, "defunct", none);
        cr_assert_eq(scan_proc_with(fx.fd, NULL, SCAN_STAT, &a), 0);
        cr_expect_eq(a->n_procs, 4);
        cr_assert_not_null(scan_find(a, 301));
        cr_expect_eq(memcmp(scan_find(a, 301)->ns, ctr, sizeof(ctr)), 0);
        cr_expect_null(scan_find(a, 302));
        cr_expect_null(scan_find(a, 303));
        cr_expect_eq(a->n_unreadable, 0, "zombies are not unreadable");

        /* A zombie seen alive before keeps the tuple it had. */
        restat(300, 1, 'Z', 300);
        cr_assert_eq(scan_proc_with(fx.fd, a, SCAN_STAT, &b), 0);
        cr_assert_not_null(scan_find(b, 300));
        cr_expect(scan_find(b, 300)->reused);
        cr_expect_eq(scan_find(b, 300)->state, 'Z');
        cr_expect_eq(memcmp(scan_find(b, 300)->ns, ctr, sizeof(ctr)), 0);
        cr_expect_not_null(scan_find(b, 301), "its zombie child is known too");
        scan_free(a);
        scan_free(b);
}

typedef struct ReuseResult {
        int r;
        size_t unreadable[3];
        size_t n_procs[3];
} ReuseResult;

Test(scan, unreadable_processes_are_not_tried_again)
{
        char path[256];
        ReuseResult res = { .r = 1 };
        int to_parent[2], to_child[2], status;
        pid_t child;
        char c = 0;

        fixture_add(&fx, 400, 1, 'S', 400, "secret", ctr);
        snprintf(path, sizeof(path), "%s/400/ns", fx.root);
        cr_assert_eq(chmod(path, 0), 0);

        cr_assert_eq(pipe2(to_parent, O_CLOEXEC), 0);
        cr_assert_eq(pipe2(to_child, O_CLOEXEC), 0);
        child = fork();
        cr_assert_geq(child, 0);
        if (child == 0) {
                ReuseResult out = { .r = -EPERM };
                Scan *s[3] = {};

                /* As nobody (root reads through mode 000); the child only reports. */
                if (geteuid() != 0 ||
                    (setgroups(0, NULL) == 0 && setresgid(65534, 65534, 65534) == 0 &&
                     setresuid(65534, 65534, 65534) == 0)) {
                        out.r = scan_proc_with(fx.fd, NULL, SCAN_STAT, &s[0]);
                        /* the parent opens 400 up between the scans */
                        (void)!write(to_parent[1], "1", 1);
                        (void)!read(to_child[0], &c, 1);
                        if (out.r == 0)
                                out.r = scan_proc_with(fx.fd, s[0], SCAN_STAT, &s[1]);
                        if (out.r == 0)
                                out.r = scan_proc_with(fx.fd, NULL, SCAN_STAT, &s[2]);
                        for (int i = 0; out.r == 0 && i < 3; i++) {
                                out.unreadable[i] = s[i]->n_unreadable;
                                out.n_procs[i] = s[i]->n_procs;
                        }
                        for (int i = 0; i < 3; i++)
                                scan_free(s[i]);
                } else
                        (void)!write(to_parent[1], "1", 1);
                (void)!write(to_parent[1], &out, sizeof(out));
                _exit(0);
        }
        close(to_parent[1]);
        close(to_child[0]);
        cr_assert_eq(read(to_parent[0], &c, 1), 1);
        cr_assert_eq(chmod(path, 0755), 0);
        cr_assert_eq(write(to_child[1], "1", 1), 1);
        cr_assert_eq(read(to_parent[0], &res, sizeof(res)), (ssize_t)sizeof(res));
        close(to_parent[0]);
        close(to_child[1]);
        cr_assert_eq(waitpid(child, &status, 0), child);

        cr_assert_eq(res.r, 0, "scan: %s", strerror(-res.r));
        cr_expect_eq(res.unreadable[0], 1);
        cr_expect_eq(res.n_procs[0], 3);
        cr_expect_eq(res.unreadable[1], 1, "the same process is still counted, not tried");
        cr_expect_eq(res.n_procs[1], 3);
        cr_expect_eq(res.unreadable[2], 0, "a fresh scan reads it");
        cr_expect_eq(res.n_procs[2], 4);
}
