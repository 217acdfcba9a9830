/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of ns inspect, on texts as the kernel writes them. */
#include <criterion/criterion.h>
#include <signal.h>

#include "inspect-parse.h"
#include "macro.h"

static const char status_text[] =
        "Name:\tsh\n"
        "Umask:\t0022\n"
        "State:\tD (disk sleep)\n"
        "Tgid:\t4242\n"
        "Ngid:\t0\n"
        "Pid:\t4243\n"
        "PPid:\t4200\n"
        "NSpid:\t4243\t7\n"
        "SigQ:\t0/63443\n"
        "SigPnd:\t0000000000000100\n"
        "ShdPnd:\t0000000000004000\n"
        "SigBlk:\t0000000000010000\n"
        "SigIgn:\t0000000000004006\n"
        "SigCgt:\t0000000200010002\n"
        "voluntary_ctxt_switches:\t150\n"
        "nonvoluntary_ctxt_switches:\t2\n";

Test(parse, status)
{
        TaskStatus t;

        cr_assert_eq(inspect_parse_status(status_text, &t), 0);
        cr_expect_eq(t.state, 'D');
        cr_expect_eq(t.tgid, 4242);
        cr_expect_eq(t.ppid, 4200);
        cr_expect_eq(t.ns_tid, 7, "the innermost NSpid");
        cr_expect(sigmask_has(t.sig_pnd, SIGKILL));
        cr_expect(sigmask_has(t.sig_shd, SIGTERM));
        cr_expect(sigmask_has(t.sig_blk, SIGCHLD));
        cr_expect(sigmask_has(t.sig_ign, SIGINT) && sigmask_has(t.sig_ign, SIGQUIT) &&
                  sigmask_has(t.sig_ign, SIGTERM));
        cr_expect(sigmask_has(t.sig_cgt, SIGINT) && sigmask_has(t.sig_cgt, 34));
        cr_expect_eq(t.ctxt_vol, 150);
        cr_expect_eq(t.ctxt_invol, 2);
}

Test(parse, status_refuses_broken)
{
        TaskStatus t;

        cr_expect_lt(inspect_parse_status("Name:\tx\n", &t), 0, "no State");
        cr_expect_lt(inspect_parse_status("State:\tS (sleeping)\nTgid:\t1\nPPid:\t0\nSigPnd:\tzz\n", &t), 0);
        /* a comm that looks like a field is escaped by the kernel, and a
         * field found mid-line is not a field */
        cr_expect_lt(inspect_parse_status("Name:\tState: R\n", &t), 0);
}

Test(parse, sched)
{
        double ms;

        cr_assert_eq(inspect_parse_sched_exec_start(
                             "cat (21384, #threads: 1)\n"
                             "-------------------------------------------------------------------\n"
                             "se.exec_start                                :       9425821.447553\n"
                             "se.vruntime                                  :           465.391887\n",
                             &ms),
                     0);
        cr_expect_float_eq(ms, 9425821.447553, 1e-6);
        cr_expect_lt(inspect_parse_sched_exec_start("se.vruntime : 1.0\n", &ms), 0);
        cr_expect_lt(inspect_parse_sched_exec_start("se.exec_start 12\n", &ms), 0);
}

Test(parse, syscall)
{
        TaskSyscall sc;
        _cleanup_free_ char *s = NULL, *u = NULL;

        cr_assert_eq(inspect_parse_syscall("running\n", &sc), 0);
        cr_expect_eq(sc.state, SYSCALL_RUNNING);
        cr_assert_eq(inspect_parse_syscall("-1 0x7ffd9899902c 0x7f00\n", &sc), 0);
        cr_expect_eq(sc.state, SYSCALL_NONE);
        cr_assert_eq(inspect_parse_syscall("0 0x3 0x7ffd0000 0x1000 0x0 0x0 0x0 0x7ffd1 0x7f2\n", &sc), 0);
        cr_expect_eq(sc.state, SYSCALL_IN);
        cr_expect_eq(sc.nr, 0);
        cr_expect_eq(sc.args[0], 3);
        cr_expect_eq(sc.args[2], 0x1000);
        s = inspect_syscall_format(&sc);
#if defined(__x86_64__)
        cr_expect_str_eq(s, "read(0x3, 0x7ffd0000, 0x1000, 0x0, 0x0, 0x0)");
        cr_expect_str_eq(inspect_syscall_name(61), "wait4");
#endif
        cr_expect_null(inspect_syscall_name(-1));
        cr_expect_null(inspect_syscall_name(100000));
        sc.nr = 99999;
        u = inspect_syscall_format(&sc);
        cr_expect(strncmp(u, "syscall_99999(", 14) == 0, "%s", u);
        cr_assert_eq(inspect_parse_syscall("0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0\n", &sc), 0);
        cr_expect_eq(sc.state, SYSCALL_NONE, "a kernel thread is in no syscall");
        cr_expect_lt(inspect_parse_syscall("12 0x1 0x2\n", &sc), 0, "six arguments");
        cr_expect_lt(inspect_parse_syscall("x\n", &sc), 0);
}

Test(parse, limits)
{
        uint64_t soft, hard;
        static const char limits[] =
                "Limit                     Soft Limit           Hard Limit           Units     \n"
                "Max cpu time              unlimited            unlimited            seconds   \n"
                "Max open files            1024                 524288               files     \n";

        cr_assert_eq(inspect_parse_limits_nofile(limits, &soft, &hard), 0);
        cr_expect_eq(soft, 1024);
        cr_expect_eq(hard, 524288);
        cr_assert_eq(inspect_parse_limits_nofile("Max open files unlimited unlimited files\n", &soft, &hard), 0);
        cr_expect_eq(soft, UINT64_MAX);
        cr_expect_lt(inspect_parse_limits_nofile("Max cpu time 1 1\n", &soft, &hard), 0);
}

Test(parse, stack)
{
        char **v;
        size_t n;

        cr_assert_eq(inspect_parse_stack("[<0>] __refrigerator+0xac/0xd0\n"
                                         "[<0>] get_signal+0x604/0x8a0\n"
                                         "[<ffffffff8100>] do_syscall_64+0x250/0x290\n",
                                         &v, &n),
                     0);
        cr_assert_eq(n, 3);
        cr_expect_str_eq(v[0], "__refrigerator");
        cr_expect_str_eq(v[1], "get_signal");
        cr_expect_str_eq(v[2], "do_syscall_64");
        strv_free_n(v, n);
        cr_assert_eq(inspect_parse_stack("", &v, &n), 0);
        cr_expect_eq(n, 0);
        cr_expect_lt(inspect_parse_stack("[<0 broken\n", &v, &n), 0);
}

Test(parse, pid_list)
{
        pid_t *v;
        size_t n;

        cr_assert_eq(inspect_parse_pid_list("12 13 400 ", &v, &n), 0);
        cr_assert_eq(n, 3);
        cr_expect_eq(v[2], 400);
        free(v);
        cr_expect_lt(inspect_parse_pid_list("12 x", &v, &n), 0);
        cr_expect_lt(inspect_parse_pid_list("0", &v, &n), 0);
}

Test(parse, signal_names)
{
        _cleanup_free_ char *a = inspect_signal_names((1ULL << (SIGINT - 1)) | (1ULL << (SIGTERM - 1)));
        _cleanup_free_ char *b = inspect_signal_names(1ULL << 36);
        _cleanup_free_ char *c = inspect_signal_names(0);

        cr_expect_str_eq(a, "INT,TERM");
        cr_expect_str_eq(b, "RTMIN+3", "signal 37 is SIGRTMIN+3 to glibc programs");
        cr_expect_str_eq(c, "");
        {
                _cleanup_free_ char *all = inspect_signal_names(UINT64_MAX);
                _cleanup_free_ char *most = inspect_signal_names(~(1ULL << (SIGKILL - 1)));
                cr_expect_str_eq(all, "all");
                cr_expect_str_eq(most, "all but KILL");
        }
}

Test(parse, pressure)
{
        Pressure p;

        cr_assert_eq(inspect_parse_pressure("some avg10=64.50 avg60=6.65 avg300=3.28 total=1211539164\n"
                                            "full avg10=1.00 avg60=0.00 avg300=0.00 total=12\n",
                                            &p),
                     0);
        cr_expect(p.have_some && p.have_full);
        cr_expect_float_eq(p.some[0], 64.5, 1e-9);
        cr_expect_float_eq(p.some[2], 3.28, 1e-9);
        cr_expect_eq(p.some_total, 1211539164ULL);
        cr_expect_float_eq(p.full[0], 1.0, 1e-9);
        /* cpu.pressure before Linux 5.13 has no "full" line */
        cr_assert_eq(inspect_parse_pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", &p), 0);
        cr_expect(!p.have_full);
        cr_expect_lt(inspect_parse_pressure("some avg10=x\n", &p), 0);
        cr_expect_lt(inspect_parse_pressure("", &p), 0);
}

Test(parse, freezer)
{
        FreezeState s;

        cr_assert_eq(inspect_parse_freezer_state("FREEZING\n", &s), 0);
        cr_expect_eq(s, FREEZE_FREEZING);
        cr_assert_eq(inspect_parse_freezer_state("FROZEN\n", &s), 0);
        cr_expect_eq(s, FREEZE_FROZEN);
        cr_expect_lt(inspect_parse_freezer_state("frozen\n", &s), 0);

        cr_assert_eq(inspect_parse_cgroup_freeze("1\n", "populated 1\nfrozen 0\n", &s), 0);
        cr_expect_eq(s, FREEZE_FREEZING, "asked, not yet frozen");
        cr_assert_eq(inspect_parse_cgroup_freeze("1\n", "populated 1\nfrozen 1\n", &s), 0);
        cr_expect_eq(s, FREEZE_FROZEN);
        cr_assert_eq(inspect_parse_cgroup_freeze("0\n", "populated 1\nfrozen 1\n", &s), 0);
        cr_expect_eq(s, FREEZE_FROZEN, "a frozen ancestor");
        cr_assert_eq(inspect_parse_cgroup_freeze(NULL, "populated 1\nfrozen 0\n", &s), 0);
        cr_expect_eq(s, FREEZE_THAWED);
        cr_expect_lt(inspect_parse_cgroup_freeze("1", "populated 1\n", &s), 0);
}

Test(parse, oom_control_and_numbers)
{
        OomControl o;
        uint64_t v;

        cr_assert_eq(inspect_parse_oom_control("oom_kill_disable 1\nunder_oom 1\noom_kill 3\n", &o), 0);
        cr_expect(o.oom_kill_disable && o.under_oom);
        cr_assert_eq(inspect_parse_oom_control("oom_kill_disable 0\nunder_oom 0\n", &o), 0);
        cr_expect(!o.oom_kill_disable && !o.under_oom);
        cr_expect_lt(inspect_parse_oom_control("oom_kill 3\n", &o), 0);
        cr_assert_eq(inspect_parse_u64("57\n", &v), 0);
        cr_expect_eq(v, 57);
        cr_assert_eq(inspect_parse_u64("max\n", &v), 0);
        cr_expect_eq(v, UINT64_MAX);
        cr_expect_lt(inspect_parse_u64("5x\n", &v), 0);
        cr_expect_lt(inspect_parse_u64("99999999999999999999999\n", &v), 0);
}
