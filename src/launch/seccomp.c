/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Install ns run's default seccomp filter. The rules are in seccomp-gen.c,
 * compiled to BPF by libseccomp at build time: here it is one syscall.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch-internal.h"
#include "seccomp-filter.h"

int seccomp_install_default(void)
{
        struct sock_fprog prog = {
                .len = (unsigned short)ELEMENTSOF(seccomp_default_filter),
                .filter = (struct sock_filter *)seccomp_default_filter,
        };

        /* The caller has set no_new_privs (or has CAP_SYS_ADMIN). */
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                return -errno;
        return 0;
}
