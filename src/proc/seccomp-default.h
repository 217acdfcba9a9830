/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>

/*
 * ns' own seccomp filters: the ones ns run installs in its instances, and
 * that ns enter recognises and gives again to a command it runs in such an
 * instance. The rules are in seccomp-gen.c, compiled to BPF by libseccomp
 * at build time. no_userns: the filter for the host's root in the host's
 * user namespace (ns run --share=user as root), which also refuses a new
 * user namespace.
 */

/* The program. filter points at a const table: do not free it. */
void seccomp_own_program(bool no_userns, struct sock_fprog *ret);

/* Install it in the calling process, which has set no_new_privs (or has
 * CAP_SYS_ADMIN). Returns 0 or -errno. */
int seccomp_install_own(bool no_userns);
