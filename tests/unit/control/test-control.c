/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * control: signal names, the signals an init drops, freezer states, and
 * the own-cgroup decision and freezing on fixture /proc and cgroup trees
 * (cgroup v2 and the v1 freezer).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control.h"
#include "instances.h"
#include "macro.h"
#include "proc-fixture.h"
#include "util.h"

/* ------------------------------------------------------------ signal names */

Test(signame, parse_like_kill)
{
        cr_expect_eq(signame_parse("TERM"), SIGTERM);
        cr_expect_eq(signame_parse("SIGTERM"), SIGTERM);
        cr_expect_eq(signame_parse("term"), SIGTERM);
        cr_expect_eq(signame_parse("sigkill"), SIGKILL);
        cr_expect_eq(signame_parse("15"), 15);
        cr_expect_eq(signame_parse("9"), SIGKILL);
        cr_expect_eq(signame_parse("USR1"), SIGUSR1);
        cr_expect_eq(signame_parse("CLD"), SIGCHLD);
        cr_expect_eq(signame_parse("IOT"), SIGABRT);
        cr_expect_eq(signame_parse("RTMIN"), SIGRTMIN);
        cr_expect_eq(signame_parse("RTMIN+3"), SIGRTMIN + 3);
        cr_expect_eq(signame_parse("SIGRTMAX-1"), SIGRTMAX - 1);
        cr_expect_eq(signame_parse("rtmax"), SIGRTMAX);
}

Test(signame, parse_rejects)
{
        const char *bad[] = { "", "0", "65", "-1", "TERMX", "SIG", "RTMIN-1", "RTMAX+1",
                              "RTMIN+", "RTMIN+99", "RTMAX-99", "1.5", "15x", "SIGSIGTERM" };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                cr_expect_eq(signame_parse(bad[i]), -EINVAL, "'%s'", bad[i]);
        cr_expect_eq(signame_parse(NULL), -EINVAL);
}

Test(signame, format_round_trips)
{
        char buf[16];
        int named = 0;

        cr_expect_str_eq(signame_format(SIGTERM, buf), "TERM");
        cr_expect_str_eq(signame_format(SIGCHLD, buf), "CHLD");
        cr_expect_str_eq(signame_format(SIGRTMIN + 1, buf), "RTMIN+1");
        cr_expect_str_eq(signame_format(SIGRTMAX - 2, buf), "RTMAX-2");
        cr_expect_null(signame_format(0, buf));
        cr_expect_null(signame_format(SIGRTMAX + 1, buf));
        for (int sig = 1; sig <= signame_max(); sig++) {
                if (!signame_format(sig, buf))
                        continue;
                named++;
                cr_expect_eq(signame_parse(buf), sig, "%d is '%s'", sig, buf);
        }
        /* 31 standard ones and every real-time one the C library leaves */
        cr_expect_eq(named, 31 + SIGRTMAX - SIGRTMIN + 1);
}

/* ------------------------------------------------------ signals init drops */

static const char status_init[] = "Name:\tsh\n"
                                  "Umask:\t0022\n"
                                  "State:\tS (sleeping)\n"
                                  "Tgid:\t812\n"
                                  "Pid:\t812\n"
                                  "NSpid:\t812\t1\n"
                                  "SigQ:\t0/62811\n"
                                  "SigPnd:\t0000000000000000\n"
                                  "ShdPnd:\t0000000000000000\n"
                                  "SigBlk:\t0000000000000000\n"
                                  "SigIgn:\t0000000000000004\n"   /* INT */
                                  "SigCgt:\t0000000000010200\n"   /* USR1 (10), CHLD (17) */
                                  "CapInh:\t0000000000000000\n";

Test(sigstate, parse)
{
        ControlSigState s;

        cr_assert_eq(control_parse_sigstate(status_init, &s), 0);
        cr_expect_eq(s.ignored, 0x4);
        cr_expect_eq(s.caught, 0x10200);
        cr_expect_eq(s.nspid, 1);
        cr_expect_eq(s.nspid_levels, 2);

        cr_assert_eq(control_parse_sigstate("Pid:\t5\nSigIgn:\t0\nSigCgt:\tffffffffffffffff\n", &s), 0);
        cr_expect_eq(s.nspid, 5, "no NSpid (before Linux 4.1): the pid");
        cr_expect_eq(s.nspid_levels, 1);
        cr_expect_eq(s.caught, UINT64_MAX);

        cr_expect_eq(control_parse_sigstate("Pid:\t5\nSigCgt:\t0\n", &s), -EINVAL);
        cr_expect_eq(control_parse_sigstate("Pid:\t5\nSigIgn:\tzz\nSigCgt:\t0\n", &s), -EINVAL);
        cr_expect_eq(control_parse_sigstate("SigIgn:\t0\nSigCgt:\t0\nNSpid:\t\n", &s), -EINVAL);
        cr_expect_eq(control_parse_sigstate("SigIgn:\t00000000000000000\nSigCgt:\t0\nPid:\t1\n", &s),
                     -EINVAL, "more than 64 bits");
}

Test(sigstate, init_of_a_pid_namespace)
{
        ControlSigState s;

        cr_assert_eq(control_parse_sigstate(status_init, &s), 0);
        cr_expect(control_sigstate_drops(&s, SIGTERM), "no handler: dropped");
        cr_expect(control_sigstate_drops(&s, SIGHUP));
        cr_expect(control_sigstate_drops(&s, SIGINT), "ignored");
        cr_expect_not(control_sigstate_drops(&s, SIGUSR1), "it has a handler");
        cr_expect_not(control_sigstate_drops(&s, SIGCHLD));
        cr_expect_not(control_sigstate_drops(&s, SIGKILL), "forced from an ancestor namespace");
        cr_expect_not(control_sigstate_drops(&s, SIGSTOP));
        cr_expect_not(control_sigstate_drops(&s, SIGCONT), "continues it still");
}

/* ns-init, tini and catatonit block what they forward and wait for it
 * with sigwaitinfo(): no handler, but nothing they block is dropped. */
Test(sigstate, an_init_that_waits_for_its_signals)
{
        ControlSigState s;
        char status[sizeof(status_init) + 16];
        char *blk;

        snprintf(status, sizeof(status), "%s", status_init);
        blk = strstr(status, "SigBlk:\t");
        cr_assert_not_null(blk);
        memcpy(blk + 8, "0000000000004001", 16); /* HUP (1), TERM (15) */
        cr_assert_eq(control_parse_sigstate(status, &s), 0);
        cr_expect_eq(s.blocked, 0x4001);
        cr_expect_not(control_sigstate_drops(&s, SIGTERM), "blocked: kept pending");
        cr_expect_not(control_sigstate_drops(&s, SIGHUP));
        cr_expect(control_sigstate_drops(&s, SIGQUIT), "neither blocked nor handled");

        memcpy(blk + 8, "00000000000000zz", 16);
        cr_expect_eq(control_parse_sigstate(status, &s), -EINVAL);

        /* In sigwaitinfo, the set it waits for shows unblocked. */
        cr_assert_eq(control_parse_sigstate(status_init, &s), 0);
        cr_expect(control_sigstate_drops(&s, SIGTERM));
        s.sigwait = true;
        cr_expect_not(control_sigstate_drops(&s, SIGTERM), "may be among what it waits for");
        cr_expect_not(control_sigstate_drops(&s, SIGINT), "ignored, but waited for: delivered");
        s.nspid_levels = 1;
        cr_expect(control_sigstate_drops(&s, SIGKILL), "the host's init: never SIGKILL");
}

Test(sigstate, syscall_nr)
{
        cr_expect_eq(control_parse_syscall_nr("128 0x7ffd 0x0 0x0 0x8 0x0 0x0 0x7ffd 0x7f12\n"), 128);
        cr_expect_eq(control_parse_syscall_nr("0 0x3 0x7ffd 0x1000 0x0 0x0 0x0 0x7ffd 0x7f12\n"), 0);
        cr_expect_eq(control_parse_syscall_nr("running\n"), -1);
        cr_expect_eq(control_parse_syscall_nr("-1 0x7ffd 0x7f12\n"), -1, "blocked, not in a syscall");
        cr_expect_eq(control_parse_syscall_nr(""), -1);
        cr_expect_eq(control_parse_syscall_nr("12x"), -1);
}

Test(sigstate, live_sigwait)
{
        _cleanup_close_ int proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        char path[64];
        sigset_t set;
        int st;
        pid_t child;

        cr_assert_geq(proc_fd, 0);
        sigemptyset(&set);
        sigaddset(&set, SIGUSR2);
        child = fork();
        cr_assert_geq(child, 0);
        if (child == 0) {
                /* ignored, and waited for: sigwaitinfo() still takes it */
                signal(SIGUSR2, SIG_IGN);
                sigprocmask(SIG_BLOCK, &set, NULL);
                _exit(sigwaitinfo(&set, NULL) == SIGUSR2 ? 7 : 1);
        }
        snprintf(path, sizeof(path), "/proc/%d/syscall", (int)child);
        for (int i = 0; i < 5000; i++) {
                _cleanup_free_ char *sc = NULL;

                if (read_file_at(AT_FDCWD, path, 256, &sc, NULL) >= 0 &&
                    control_parse_syscall_nr(sc) == SYS_rt_sigtimedwait)
                        break;
                usleep(1000);
        }
        cr_expect_eq(control_signal_ignored(proc_fd, child, SIGUSR2), 0,
                     "SigBlk shows 0 and SigIgn the signal, and yet it is delivered");
        cr_assert_eq(kill(child, SIGUSR2), 0);
        cr_assert_eq(waitpid(child, &st, 0), child);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 7, "the child took it");
}

Test(sigstate, the_hosts_own_init_and_others)
{
        ControlSigState init = { .nspid = 1, .nspid_levels = 1 };
        ControlSigState other = { .ignored = UINT64_C(1) << (SIGTERM - 1), .nspid = 7,
                                  .nspid_levels = 2 };

        cr_expect(control_sigstate_drops(&init, SIGKILL), "our own init gets no SIGKILL");
        cr_expect(control_sigstate_drops(&init, SIGTERM));
        cr_expect(control_sigstate_drops(&other, SIGTERM), "ignored");
        cr_expect_not(control_sigstate_drops(&other, SIGHUP), "default action: delivered");
        cr_expect_not(control_sigstate_drops(&other, SIGKILL));
        cr_expect_not(control_sigstate_drops(&other, 0));
}

Test(sigstate, live_process)
{
        _cleanup_close_ int proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct sigaction sa = { .sa_handler = SIG_IGN }, old;

        cr_assert_geq(proc_fd, 0);
        cr_assert_eq(sigaction(SIGUSR2, &sa, &old), 0);
        cr_expect_eq(control_signal_ignored(proc_fd, getpid(), SIGUSR2), 1);
        cr_expect_eq(control_signal_ignored(proc_fd, getpid(), SIGHUP), 0);
        {
                sigset_t set, prev;

                sigemptyset(&set);
                sigaddset(&set, SIGUSR2);
                cr_assert_eq(sigprocmask(SIG_BLOCK, &set, &prev), 0);
                cr_expect_eq(control_signal_ignored(proc_fd, getpid(), SIGUSR2), 0,
                             "ignored but blocked: pending until unblocked");
                cr_assert_eq(sigprocmask(SIG_SETMASK, &prev, NULL), 0);
        }
        cr_assert_eq(sigaction(SIGUSR2, &old, NULL), 0);
        cr_expect_eq(control_signal_ignored(proc_fd, getpid(), SIGUSR2), 0);
        cr_expect_eq(control_signal_ignored(proc_fd, 0x3ffffffe, SIGTERM), -ENOENT);
}

/* ----------------------------------------------------------- freeze states */

Test(freeze_state, v2)
{
        ControlFreezeState st;

        cr_expect_eq(control_parse_v2_freeze("0\n", "populated 1\nfrozen 0\n", &st), 0);
        cr_expect_eq(st, CONTROL_THAWED);
        cr_expect_eq(control_parse_v2_freeze("1\n", "populated 1\nfrozen 0\n", &st), 0);
        cr_expect_eq(st, CONTROL_FREEZING);
        cr_expect_eq(control_parse_v2_freeze("1\n", "populated 1\nfrozen 1\n", &st), 0);
        cr_expect_eq(st, CONTROL_FROZEN);
        cr_expect_eq(control_parse_v2_freeze("0", "frozen 1\npopulated 1\n", &st), 0);
        cr_expect_eq(st, CONTROL_THAWING);
        cr_expect_eq(control_parse_v2_freeze("2\n", "frozen 0\n", &st), -EINVAL);
        cr_expect_eq(control_parse_v2_freeze("0\n", "populated 1\n", &st), -EINVAL);
        cr_expect_eq(control_parse_v2_freeze("0\n", "notfrozen 1\n", &st), -EINVAL);
        cr_expect_str_eq(control_freeze_state_to_string(CONTROL_THAWING), "thawing");
}

Test(freeze_state, v1)
{
        ControlFreezeState st;

        cr_expect_eq(control_parse_v1_freeze("THAWED\n", &st), 0);
        cr_expect_eq(st, CONTROL_THAWED);
        cr_expect_eq(control_parse_v1_freeze("FREEZING\n", &st), 0);
        cr_expect_eq(st, CONTROL_FREEZING);
        cr_expect_eq(control_parse_v1_freeze("FROZEN", &st), 0);
        cr_expect_eq(st, CONTROL_FROZEN);
        cr_expect_eq(control_parse_v1_freeze("FROZENX\n", &st), -EINVAL);
        cr_expect_eq(control_parse_v1_freeze("", &st), -EINVAL);
}

/* ------------------------------------------------------------ own cgroup */

Test(verdict, paths)
{
        cr_expect_eq(control_cgroup_verdict_paths("/ctr", "/init.scope", "/user/ns"),
                     CONTROL_CGROUP_OWN);
        cr_expect_eq(control_cgroup_verdict_paths("/", "/init.scope", NULL), CONTROL_CGROUP_ROOT);
        cr_expect_eq(control_cgroup_verdict_paths("/init.scope", "/init.scope", NULL),
                     CONTROL_CGROUP_HOST);
        cr_expect_eq(control_cgroup_verdict_paths("/system", "/system/init", NULL),
                     CONTROL_CGROUP_HOST, "pid 1 is below it");
        cr_expect_eq(control_cgroup_verdict_paths("/user", "/init", "/user/ns"),
                     CONTROL_CGROUP_SELF);
        cr_expect_eq(control_cgroup_verdict_paths("/user/ns", "/init", "/user/ns"),
                     CONTROL_CGROUP_SELF);
        cr_expect_eq(control_cgroup_verdict_paths("/us", "/init", "/user/ns"), CONTROL_CGROUP_OWN,
                     "a prefix of a name is not a parent");
        cr_expect_eq(control_cgroup_verdict_paths("/ctr", NULL, NULL), CONTROL_CGROUP_OWN);
        cr_expect_eq(control_cgroup_verdict_paths("/../x", NULL, NULL), CONTROL_CGROUP_NONE,
                     "outside ns' cgroup namespace");
        cr_expect_eq(control_cgroup_verdict_paths(NULL, NULL, NULL), CONTROL_CGROUP_NONE);
}

/*
 * A hybrid host in fixture trees: /proc with pid 1, ns itself (999, also
 * "self") and a cron (50) on the host, and instances A (100-102), B (200,
 * 201), C (300), D (400), E (500); and a root with the cgroup2 and the
 * freezer mounts of self/mountinfo.
 */
static ProcFixture fx;
static char root[64];
static int root_fd = -EBADF;
static NsIno host[NS_TYPE_MAX], ta[NS_TYPE_MAX], tb[NS_TYPE_MAX], tc[NS_TYPE_MAX],
        td[NS_TYPE_MAX], te[NS_TYPE_MAX];

static const char mountinfo[] =
        "25 1 0:22 / /sys/fs/cgroup rw,nosuid - tmpfs tmpfs ro,mode=755\n"
        "30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec shared:5 - cgroup2 cgroup2 "
        "rw,nsdelegate\n"
        "31 25 0:27 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec shared:6 - cgroup cgroup "
        "rw,freezer\n"
        "32 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec shared:7 - cgroup cgroup "
        "rw,memory\n";

static void put(const char *dir, const char *rel, const char *content)
{
        char path[512];

        snprintf(path, sizeof(path), "%s/%s", dir, rel);
        fixture_mkfile(path, content);
}

static void proc_cgroup(int pid, const char *v2, const char *freezer)
{
        char rel[64], text[256];

        snprintf(rel, sizeof(rel), "%d/cgroup", pid);
        snprintf(text, sizeof(text), "7:memory:/\n5:freezer:%s\n0::%s\n", freezer, v2);
        put(fx.root, rel, text);
}

static void mkdirs(const char *rel)
{
        char cmd[512];

        snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", root, rel);
        cr_assert_eq(system(cmd), 0);
}

/* A cgroup of the fixture root: its processes, and freezer files. */
static void cg(const char *rel, const char *procs)
{
        char path[256];

        mkdirs(rel);
        snprintf(path, sizeof(path), "%s/cgroup.procs", rel);
        put(root, path, procs);
        if (strstr(rel, "/unified/")) {
                snprintf(path, sizeof(path), "%s/cgroup.freeze", rel);
                put(root, path, "0\n");
                snprintf(path, sizeof(path), "%s/cgroup.events", rel);
                put(root, path, "populated 1\nfrozen 0\n");
        } else if (strstr(rel, "/freezer/")) {
                snprintf(path, sizeof(path), "%s/freezer.state", rel);
                put(root, path, "THAWED\n");
        }
}

static void setup(void)
{
        fixture_init(&fx);
        fixture_tuple(host, 4026531000);
        fixture_tuple(ta, 4026532000);
        fixture_tuple(tb, 4026533000);
        fixture_tuple(tc, 4026534000);
        fixture_tuple(td, 4026535000);
        fixture_tuple(te, 4026536000);
        fixture_add(&fx, 1, 0, 'S', 10, "init", host);
        fixture_add(&fx, 50, 1, 'S', 20, "cron", host);
        fixture_add(&fx, 999, 1, 'R', 900, "ns", host);
        fixture_add(&fx, 100, 1, 'S', 100, "nginx", ta);
        fixture_add(&fx, 101, 100, 'S', 110, "worker", ta);
        fixture_add(&fx, 102, 100, 'S', 120, "worker", ta);
        fixture_add(&fx, 200, 1, 'S', 200, "redis", tb);
        fixture_add(&fx, 201, 200, 'S', 210, "redis", tb);
        fixture_add(&fx, 300, 1, 'S', 300, "sleep", tc);
        fixture_add(&fx, 400, 1, 'S', 400, "sleep", td);
        fixture_add(&fx, 500, 1, 'S', 500, "sleep", te);
        cr_assert_eq(symlinkat("999", fx.fd, "self"), 0);
        put(fx.root, "999/mountinfo", mountinfo);

        proc_cgroup(1, "/init.scope", "/");
        proc_cgroup(50, "/shared", "/");
        proc_cgroup(999, "/ns.slice/run", "/");
        proc_cgroup(100, "/ctr-a", "/ctr-a");
        proc_cgroup(101, "/ctr-a", "/ctr-a");
        proc_cgroup(102, "/ctr-a/sub", "/ctr-a");
        proc_cgroup(200, "/shared", "/b");
        proc_cgroup(300, "/", "/");
        proc_cgroup(400, "/init.scope", "/");
        proc_cgroup(500, "/ns.slice", "/");

        snprintf(root, sizeof(root), "/tmp/ns-test-cgroot-XXXXXX");
        cr_assert_not_null(mkdtemp(root));
        root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(root_fd, 0);
        mkdirs("sys/fs/cgroup/memory");
        cg("sys/fs/cgroup/unified/", "1\n50\n");
        /* 104 exited after cgroup.procs was read: in nobody's way. */
        cg("sys/fs/cgroup/unified/ctr-a", "100\n101\n104\n");
        cg("sys/fs/cgroup/unified/ctr-a/sub", "102\n");
        cg("sys/fs/cgroup/unified/shared", "50\n200\n201\n");
        cg("sys/fs/cgroup/unified/init.scope", "1\n400\n");
        cg("sys/fs/cgroup/unified/ns.slice", "500\n");
        cg("sys/fs/cgroup/unified/ns.slice/run", "999\n");
        cg("sys/fs/cgroup/freezer/", "1\n50\n999\n300\n400\n500\n");
        cg("sys/fs/cgroup/freezer/ctr-a", "101\n100\n102\n");
        cg("sys/fs/cgroup/freezer/b", "200\n201\n");
}

static void teardown(void)
{
        char cmd[128];

        close(root_fd);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        cr_assert_eq(system(cmd), 0);
        fixture_done(&fx);
}

TestSuite(owncg, .init = setup, .fini = teardown);

/* Scan and group the fixture, and load the cgroups of the instance of pid. */
static void load(pid_t pid, Scan **scan, Instances **is, ControlCgroups *c)
{
        Proc *p;

        cr_assert_eq(scan_proc(fx.fd, scan), 0);
        *is = instances_build(*scan);
        cr_assert_not_null(*is);
        p = scan_find(*scan, pid);
        cr_assert_not_null(p);
        cr_assert_geq(p->instance, 0);
        cr_assert_eq(control_cgroups_load((*scan)->proc_fd, root_fd, *is,
                                          &(*is)->items[p->instance], c),
                     0);
}

static void unload(Scan *scan, Instances *is, ControlCgroups *c)
{
        control_cgroups_done(c);
        instances_free(is);
        scan_free(scan);
}

Test(owncg, own_in_both_hierarchies)
{
        Scan *scan;
        Instances *is;
        ControlCgroups c;

        load(101, &scan, &is, &c);
        cr_expect_eq(c.v2.verdict, CONTROL_CGROUP_OWN, "%s",
                     control_cgroup_verdict_to_string(c.v2.verdict));
        cr_expect_str_eq(c.v2.path->path, "/ctr-a");
        /* its cgroup and the one below, sorted */
        cr_assert_eq(c.v2.n_procs, 4);
        cr_expect_eq(c.v2.procs[0], 100);
        cr_expect_eq(c.v2.procs[2], 102);
        cr_expect_eq(c.v2.procs[3], 104);
        cr_expect_eq(c.freezer.verdict, CONTROL_CGROUP_OWN);
        cr_expect_str_eq(c.freezer.path->path, "/ctr-a");
        unload(scan, is, &c);
}

Test(owncg, a_member_born_since_the_scan)
{
        Scan *scan;
        Instances *is;
        ControlCgroups c;

        cr_assert_eq(scan_proc(fx.fd, &scan), 0);
        is = instances_build(scan);
        /* 103 forks in A after the scan, 105 in B; both land in A's cgroup */
        fixture_add(&fx, 103, 100, 'S', 130, "worker", ta);
        put(root, "sys/fs/cgroup/unified/ctr-a/sub/cgroup.procs", "102\n103\n");
        cr_assert_eq(control_cgroups_load(scan->proc_fd, root_fd, is,
                                          &is->items[scan_find(scan, 100)->instance], &c),
                     0);
        cr_expect_eq(c.v2.verdict, CONTROL_CGROUP_OWN, "same namespaces: a member");
        control_cgroups_done(&c);

        fixture_add(&fx, 105, 200, 'S', 140, "redis", tb);
        put(root, "sys/fs/cgroup/unified/ctr-a/sub/cgroup.procs", "102\n103\n105\n");
        cr_assert_eq(control_cgroups_load(scan->proc_fd, root_fd, is,
                                          &is->items[scan_find(scan, 100)->instance], &c),
                     0);
        cr_expect_eq(c.v2.verdict, CONTROL_CGROUP_SHARED);
        cr_expect_eq(c.v2.foreign, 105);
        cr_expect_eq(c.freezer.verdict, CONTROL_CGROUP_OWN);
        unload(scan, is, &c);
}

Test(owncg, shared_root_host_self)
{
        Scan *scan;
        Instances *is;
        ControlCgroups c;

        load(200, &scan, &is, &c);
        cr_expect_eq(c.v2.verdict, CONTROL_CGROUP_SHARED, "the host's cron is in it");
        cr_expect_eq(c.v2.foreign, 50);
        cr_expect_eq(c.freezer.verdict, CONTROL_CGROUP_OWN);
        unload(scan, is, &c);

        load(300, &scan, &is, &c);
        cr_expect_eq(c.v2.verdict, CONTROL_CGROUP_ROOT);
        cr_expect_eq(c.freezer.verdict, CONTROL_CGROUP_ROOT);
        cr_expect_null(control_freeze_target(root_fd, &c));
        unload(scan, is, &c);

        load(400, &scan, &is, &c);
        cr_expect_eq(c.v2.verdict, CONTROL_CGROUP_HOST);
        unload(scan, is, &c);

        load(500, &scan, &is, &c);
        cr_expect_eq(c.v2.verdict, CONTROL_CGROUP_SELF, "ns runs below it");
        unload(scan, is, &c);
}

Test(owncg, unreadable_procs)
{
        Scan *scan;
        Instances *is;
        ControlCgroups c;
        char path[256];

        snprintf(path, sizeof(path), "%s/sys/fs/cgroup/unified/ctr-a/sub/cgroup.procs", root);
        cr_assert_eq(unlink(path), 0);
        cr_assert_eq(mkdir(path, 0755), 0);
        load(100, &scan, &is, &c);
        cr_expect_eq(c.v2.verdict, CONTROL_CGROUP_UNREADABLE);
        cr_expect_eq(c.v2.error, -EISDIR);
        unload(scan, is, &c);
}

/* ------------------------------------------------- freezing fixture trees */

static char *read_root(const char *rel)
{
        char *buf = NULL;

        cr_assert_eq(read_file_at(root_fd, rel, 0, &buf, NULL), 0, "%s", rel);
        return buf;
}

Test(owncg, freeze_v2_prefers_v2_and_waits)
{
        Scan *scan;
        Instances *is;
        ControlCgroups c;
        ControlFreezeState st = CONTROL_FREEZE_STATE_INVALID;
        _cleanup_free_ char *freeze = NULL, *state = NULL;

        load(100, &scan, &is, &c);
        cr_expect_eq(control_freeze_target(root_fd, &c), &c.v2);
        cr_assert_eq(control_freeze_state(root_fd, &c, &st), 0);
        cr_expect_eq(st, CONTROL_THAWED);

        /* A regular file never says "frozen 1": the deadline ends it. */
        cr_expect_eq(control_freeze(root_fd, &c, true, 60, &st), -ETIMEDOUT);
        cr_expect_eq(st, CONTROL_FREEZING);
        freeze = read_root("sys/fs/cgroup/unified/ctr-a/cgroup.freeze");
        cr_expect_str_eq(freeze, "1", "cgroup.freeze written");
        state = read_root("sys/fs/cgroup/freezer/ctr-a/freezer.state");
        cr_expect_str_eq(state, "THAWED\n", "the v1 freezer left alone");

        /* what the kernel says once every task is frozen */
        put(root, "sys/fs/cgroup/unified/ctr-a/cgroup.events", "populated 1\nfrozen 1\n");
        cr_expect_eq(control_freeze(root_fd, &c, true, 1000, &st), 0);
        cr_expect_eq(st, CONTROL_FROZEN);
        cr_expect_eq(control_freeze(root_fd, &c, false, 60, &st), -ETIMEDOUT);
        cr_expect_eq(st, CONTROL_THAWING);
        put(root, "sys/fs/cgroup/unified/ctr-a/cgroup.events", "populated 1\nfrozen 0\n");
        cr_expect_eq(control_freeze(root_fd, &c, false, 1000, &st), 0);
        cr_expect_eq(st, CONTROL_THAWED);
        unload(scan, is, &c);
}

Test(owncg, freeze_v1_without_cgroup_freeze)
{
        Scan *scan;
        Instances *is;
        ControlCgroups c;
        ControlFreezeState st = CONTROL_FREEZE_STATE_INVALID;
        _cleanup_free_ char *state = NULL;
        char path[256];

        /* before Linux 5.2 there is no cgroup.freeze: the v1 freezer */
        snprintf(path, sizeof(path), "%s/sys/fs/cgroup/unified/ctr-a/cgroup.freeze", root);
        cr_assert_eq(unlink(path), 0);
        load(100, &scan, &is, &c);
        cr_expect_eq(control_freeze_target(root_fd, &c), &c.freezer);
        cr_expect_eq(control_freeze(root_fd, &c, true, 1000, &st), 0);
        cr_expect_eq(st, CONTROL_FROZEN);
        state = read_root("sys/fs/cgroup/freezer/ctr-a/freezer.state");
        cr_expect_str_eq(state, "FROZEN");
        put(root, "sys/fs/cgroup/freezer/ctr-a/freezer.state", "FREEZING\n");
        cr_expect_eq(control_freeze_state(root_fd, &c, &st), 0);
        cr_expect_eq(st, CONTROL_FREEZING);
        cr_expect_eq(control_freeze(root_fd, &c, false, 1000, &st), 0);
        cr_expect_eq(st, CONTROL_THAWED);
        unload(scan, is, &c);
}

Test(owncg, freeze_refused_without_an_own_cgroup)
{
        Scan *scan;
        Instances *is;
        ControlCgroups c;
        ControlFreezeState st = CONTROL_FREEZE_STATE_INVALID;
        _cleanup_free_ char *freeze = NULL;

        /* B's v2 cgroup holds the host's cron; its freezer one is its own */
        load(200, &scan, &is, &c);
        cr_expect_eq(control_freeze_target(root_fd, &c), &c.freezer);
        unload(scan, is, &c);

        load(500, &scan, &is, &c);
        cr_expect_null(control_freeze_target(root_fd, &c));
        cr_expect_eq(control_freeze(root_fd, &c, true, 100, &st), -EBUSY);
        cr_expect_eq(control_freeze_state(root_fd, &c, &st), -EBUSY);
        cr_expect_eq(st, CONTROL_FREEZE_STATE_INVALID, "not written on failure");
        freeze = read_root("sys/fs/cgroup/unified/ns.slice/cgroup.freeze");
        cr_expect_str_eq(freeze, "0\n", "ns' own cgroup is not touched");
        unload(scan, is, &c);
}

Test(kill, bad_signal)
{
        ControlKillResult res = {};

        cr_expect_eq(control_kill(-EBADF, -EBADF, NULL, NULL, 0, 0, &res), -EINVAL);
        cr_expect_eq(control_kill(-EBADF, -EBADF, NULL, NULL, SIGRTMAX + 1, 0, &res), -EINVAL);
}
