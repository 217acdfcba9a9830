/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ns' own seccomp filters (see seccomp-default.h): compiled at build time,
 * so that installing one is one syscall.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"
#include "seccomp-filter.h"
#include "seccomp-default.h"

void seccomp_own_program(bool no_userns, struct sock_fprog *ret)
{
        if (no_userns)
                *ret = (struct sock_fprog){
                        .len = (unsigned short)ELEMENTSOF(seccomp_no_userns_filter),
                        .filter = (struct sock_filter *)seccomp_no_userns_filter,
                };
        else
                *ret = (struct sock_fprog){
                        .len = (unsigned short)ELEMENTSOF(seccomp_default_filter),
                        .filter = (struct sock_filter *)seccomp_default_filter,
                };
}

int seccomp_install_own(bool no_userns)
{
        struct sock_fprog prog;

        seccomp_own_program(no_userns, &prog);
        /* The caller has set no_new_privs (or has CAP_SYS_ADMIN). */
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                return -errno;
        return 0;
}
