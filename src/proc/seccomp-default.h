/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/filter.h>

/*
 * ns' own seccomp filter: the one ns run installs in every instance, and
 * the one ns enter recognises and gives again to a command it runs in such
 * an instance. The rules are in seccomp-gen.c, compiled to BPF by
 * libseccomp at build time.
 */

/* The program. filter points at a const table: do not free it. */
void seccomp_default_program(struct sock_fprog *ret);

/* Install it in the calling process, which has set no_new_privs (or has
 * CAP_SYS_ADMIN). Returns 0 or -errno. */
int seccomp_install_default(void);
