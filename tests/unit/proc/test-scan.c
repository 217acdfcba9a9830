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
