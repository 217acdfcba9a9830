/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default seccomp filter of ns run. Everything is allowed (namespaces,
 * mounts and seccomp included, so that ns run works inside ns run) except:
 * - TIOCSTI and TIOCLINUX on any fd: with the host's terminal passed in,
 *   they would type commands into the host shell (CVE-2017-5226). The
 *   comparison masks the command to 32 bits, as the kernel reads it.
 * - the kernel keyring, which no namespace isolates.
 * - syslog, acct, uselib, kexec: host-wide or obsolete.
 */
#include <errno.h>
#include <seccomp.h>
#include <sys/ioctl.h>

#include "launch-internal.h"

static const struct {
        int nr;
        int err;
} denied[] = {
        { SCMP_SYS(add_key), ENOSYS },   { SCMP_SYS(keyctl), ENOSYS },
        { SCMP_SYS(request_key), ENOSYS }, { SCMP_SYS(syslog), EPERM },
        { SCMP_SYS(acct), EPERM },       { SCMP_SYS(uselib), ENOSYS },
        { SCMP_SYS(kexec_load), EPERM }, { SCMP_SYS(kexec_file_load), EPERM },
};

static const unsigned long denied_ioctls[] = { TIOCSTI, TIOCLINUX };

static void release(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

int seccomp_install_default(void)
{
        _cleanup_(release) scmp_filter_ctx ctx = NULL;
        int r;

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;
        /* The 32-bit ABIs of the machine get the same rules, rather than
         * being killed outright (the default for a foreign arch). */
#if defined(__x86_64__)
        r = seccomp_arch_add(ctx, SCMP_ARCH_X86);
        if (r < 0 && r != -EEXIST)
                return r;
        r = seccomp_arch_add(ctx, SCMP_ARCH_X32);
        if (r < 0 && r != -EEXIST)
                return r;
#elif defined(__aarch64__)
        r = seccomp_arch_add(ctx, SCMP_ARCH_ARM);
        if (r < 0 && r != -EEXIST)
                return r;
#endif
        for (size_t i = 0; i < ELEMENTSOF(denied_ioctls); i++) {
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                                     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, denied_ioctls[i]));
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(denied); i++) {
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(denied[i].err), denied[i].nr, 0);
                /* A call this architecture does not have. */
                if (r < 0 && r != -EDOM && r != -EFAULT)
                        return r;
        }
        return seccomp_load(ctx);
}
