/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* attach-seccomp.c's pure parts: the status fields, and which filters can
 * be copied to another process. */
#include <criterion/criterion.h>
#include <linux/seccomp.h>

#include "attach-seccomp.h"
#include "macro.h"

#define RET_K(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define LOAD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0)
#define JEQ(nr, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), (t), (f))

Test(attach_seccomp, parse_status)
{
        int mode, n;

        attach_seccomp_parse_status("Name:\tnginx\nNoNewPrivs:\t1\nSeccomp:\t2\n"
                                    "Seccomp_filters:\t3\nSpeculation_Store_Bypass:\tthread "
                                    "force mitigated\n",
                                    &mode, &n);
        cr_expect_eq(mode, 2);
        cr_expect_eq(n, 3);

        /* before Linux 5.9: no count */
        attach_seccomp_parse_status("Name:\tsh\nSeccomp:\t1\nCpus_allowed:\tf\n", &mode, &n);
        cr_expect_eq(mode, 1);
        cr_expect_eq(n, -1);

        /* a kernel without seccomp */
        attach_seccomp_parse_status("Name:\tsh\nNoNewPrivs:\t0\n", &mode, &n);
        cr_expect_eq(mode, 0);
        cr_expect_eq(n, -1);

        /* a field whose name only starts the same is not it */
        attach_seccomp_parse_status("Seccomp_filters:\t4\nSeccomp:\t0\n", &mode, &n);
        cr_expect_eq(mode, 0);
        cr_expect_eq(n, 4);

        /* the last line without its newline */
        attach_seccomp_parse_status("Seccomp:\t2\nSeccomp_filters:\t1", &mode, &n);
        cr_expect_eq(mode, 2);
        cr_expect_eq(n, 1);
        /* a mode past int does not wrap into 2 (found by fuzz-seccomp-filter) */
        attach_seccomp_parse_status("Seccomp:\t4294967298\n", &mode, &n);
        cr_expect_neq(mode, 2);
        cr_expect_geq(mode, 0);
}

Test(attach_seccomp, check_copyable)
{
        const struct sock_filter allow[] = { RET_K(SECCOMP_RET_ALLOW) };
        const struct sock_filter errno_kill_trace[] = {
                LOAD_NR,
                JEQ(1, 0, 1),
                RET_K(SECCOMP_RET_ERRNO | 1),
                JEQ(2, 0, 1),
                RET_K(SECCOMP_RET_KILL_PROCESS),
                /* copied: untraced, ENOSYS in the leader as in the copy */
                JEQ(3, 0, 1),
                RET_K(SECCOMP_RET_TRACE | 7),
                JEQ(4, 0, 1),
                RET_K(SECCOMP_RET_TRAP),
                JEQ(5, 0, 1),
                RET_K(SECCOMP_RET_LOG),
                RET_K(SECCOMP_RET_ALLOW),
        };

        cr_expect_eq(attach_seccomp_check(allow, ELEMENTSOF(allow)), 0);
        cr_expect_eq(attach_seccomp_check(errno_kill_trace, ELEMENTSOF(errno_kill_trace)), 0);
}

Test(attach_seccomp, check_user_notif)
{
        const struct sock_filter notif[] = {
                LOAD_NR,
                JEQ(165, 0, 1), /* mount */
                RET_K(SECCOMP_RET_USER_NOTIF),
                RET_K(SECCOMP_RET_ALLOW),
        };
        /* the data bits do not hide the action */
        const struct sock_filter notif_data[] = {
                LOAD_NR,
                JEQ(165, 1, 0),
                RET_K(SECCOMP_RET_ALLOW),
                RET_K(SECCOMP_RET_USER_NOTIF | 0x1234),
        };
        /* a return of the accumulator could be anything, that too */
        const struct sock_filter ret_a[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16), /* args[0] */
                BPF_STMT(BPF_RET | BPF_A, 0),
        };

        cr_expect_eq(attach_seccomp_check(notif, ELEMENTSOF(notif)), -EOPNOTSUPP);
        cr_expect_eq(attach_seccomp_check(notif_data, ELEMENTSOF(notif_data)), -EOPNOTSUPP);
        cr_expect_eq(attach_seccomp_check(ret_a, ELEMENTSOF(ret_a)), -EOPNOTSUPP);
}

Test(attach_seccomp, check_length)
{
        static struct sock_filter big[BPF_MAXINSNS + 1];

        for (size_t i = 0; i < ELEMENTSOF(big); i++)
                big[i] = (struct sock_filter)RET_K(SECCOMP_RET_ALLOW);
        cr_expect_eq(attach_seccomp_check(big, 0), -EINVAL);
        cr_expect_eq(attach_seccomp_check(big, BPF_MAXINSNS), 0);
        cr_expect_eq(attach_seccomp_check(big, BPF_MAXINSNS + 1), -EINVAL);
}
