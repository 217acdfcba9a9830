/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Build-time generator of ns run's default seccomp filter: libseccomp
 * compiles the rules below to BPF once, at build time, and this writes the
 * program as a C array (seccomp-filter.h) that seccomp.c loads with one
 * syscall. Compiling the rules at every launch cost 0.2 ms here, a tenth
 * of the whole launch, and a shared library load.
 *
 * Usage: seccomp-gen CPU_FAMILY > seccomp-filter.h (meson's
 * host_machine.cpu_family(), so that a cross build gets the target's
 * filter).
 *
 * The rules. Everything is allowed (namespaces, mounts and seccomp too, so
 * that ns run works inside ns run) except:
 * - TIOCSTI and TIOCLINUX on any fd: with the host's terminal passed in,
 *   they would type commands into the host's shell (CVE-2017-5226). The
 *   command is compared on its low 32 bits, the ones the kernel reads.
 * - the kernel keyring, which no namespace isolates;
 * - syslog, acct, uselib, kexec: host-wide or obsolete.
 *
 * A second program, for the host's root in the host's user namespace (ns
 * run --share=user as root): the same, and no new user namespace, which
 * would give that uid 0 a fresh /proc whose sysctls (kernel.core_pattern)
 * check nothing but the uid. unshare and clone with CLONE_NEWUSER get
 * EPERM; clone3, whose flags a filter cannot read, ENOSYS, on which glibc
 * falls back to clone (as in Docker's default profile).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const struct {
        const char *name;
        int err;
} denied[] = {
        { "add_key", ENOSYS },     { "keyctl", ENOSYS },
        { "request_key", ENOSYS }, { "syslog", EPERM },
        { "acct", EPERM },         { "uselib", ENOSYS },
        { "kexec_load", EPERM },   { "kexec_file_load", EPERM },
};

static const unsigned long denied_ioctls[] = { TIOCSTI, TIOCLINUX };

static int die(const char *what, int r)
{
        fprintf(stderr, "seccomp-gen: %s: %s\n", what, strerror(r < 0 ? -r : r));
        exit(1);
}

/* The native ABI and the 32-bit ones the CPU also runs: the same rules for
 * each, rather than killing a foreign arch outright. */
static void add_arches(scmp_filter_ctx ctx, const char *cpu)
{
        uint32_t arches[3] = {};
        size_t n = 0;
        int r;

        if (strcmp(cpu, "x86_64") == 0) {
                arches[n++] = SCMP_ARCH_X86_64;
                arches[n++] = SCMP_ARCH_X86;
                arches[n++] = SCMP_ARCH_X32;
        } else if (strcmp(cpu, "aarch64") == 0) {
                arches[n++] = SCMP_ARCH_AARCH64;
                arches[n++] = SCMP_ARCH_ARM;
        } else if (strcmp(cpu, "x86") == 0)
                arches[n++] = SCMP_ARCH_X86;
        else if (strcmp(cpu, "arm") == 0)
                arches[n++] = SCMP_ARCH_ARM;
        else if (strcmp(cpu, "riscv64") == 0)
                arches[n++] = SCMP_ARCH_RISCV64;
        else if (strcmp(cpu, "ppc64") == 0)
                arches[n++] = SCMP_ARCH_PPC64LE;
        else if (strcmp(cpu, "s390x") == 0)
                arches[n++] = SCMP_ARCH_S390X;
        else {
                fprintf(stderr, "seccomp-gen: unknown cpu family '%s'\n", cpu);
                exit(1);
        }
        for (size_t i = 0; i < n; i++) {
                r = seccomp_arch_add(ctx, arches[i]);
                if (r < 0 && r != -EEXIST)
                        die("seccomp_arch_add", r);
        }
        /* seccomp_init() put in the build machine's own arch: drop it
         * when the target does not run it (a cross build). */
        for (size_t i = 0; i < n; i++)
                if (arches[i] == seccomp_arch_native())
                        return;
        r = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
        if (r < 0)
                die("seccomp_arch_remove", r);
}

/* Where clone's flags are: its first argument but on s390, where the
 * first two are swapped. */
static unsigned clone_flags_arg(const char *cpu)
{
        return strncmp(cpu, "s390", 4) == 0 ? 1 : 0;
}

/* Print the filter for cpu as the C array name; no_userns adds the rules
 * that refuse a new user namespace. */
static void emit(const char *cpu, const char *name, const char *what, bool no_userns)
{
        scmp_filter_ctx ctx;
        char path[] = "/tmp/seccomp-gen-XXXXXX";
        struct sock_filter insn;
        int fd, r;
        size_t n = 0;

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                die("seccomp_init", ENOMEM);
        add_arches(ctx, cpu);
        /* A binary tree rather than a list of comparisons: Linux emulates
         * the filter once per syscall number and arch when it is
         * installed (its action cache), so a shorter path is a cheaper
         * launch. libseccomp 2.5. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r < 0)
                die("seccomp_attr_set(SCMP_FLTATR_CTL_OPTIMIZE)", r);
        for (size_t i = 0; i < sizeof(denied_ioctls) / sizeof(denied_ioctls[0]); i++) {
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                                     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, denied_ioctls[i]));
                if (r < 0)
                        die("seccomp_rule_add(ioctl)", r);
        }
        for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
                int nr = seccomp_syscall_resolve_name(denied[i].name);

                if (nr == __NR_SCMP_ERROR)
                        continue;
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(denied[i].err), nr, 0);
                /* A call one of the arches does not have. */
                if (r < 0 && r != -EDOM && r != -EFAULT)
                        die(denied[i].name, r);
        }
        if (no_userns) {
                struct scmp_arg_cmp newuser = {
                        .arg = clone_flags_arg(cpu),
                        .op = SCMP_CMP_MASKED_EQ,
                        .datum_a = CLONE_NEWUSER,
                        .datum_b = CLONE_NEWUSER,
                };

                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1, newuser);
                if (r < 0)
                        die("seccomp_rule_add(clone)", r);
                newuser.arg = 0;
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1, newuser);
                if (r < 0)
                        die("seccomp_rule_add(unshare)", r);
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
                if (r < 0 && r != -EDOM && r != -EFAULT)
                        die("seccomp_rule_add(clone3)", r);
        }

        /* libseccomp 2.5 exports to an fd only. */
        fd = mkstemp(path);
        if (fd < 0)
                die("mkstemp", errno);
        unlink(path);
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                die("seccomp_export_bpf", r);
        if (lseek(fd, 0, SEEK_SET) < 0)
                die("lseek", errno);

        printf("/* Generated by seccomp-gen %s: %s. */\n"
               "static const struct sock_filter %s[] = {\n",
               cpu, what, name);
        while (read(fd, &insn, sizeof(insn)) == (ssize_t)sizeof(insn)) {
                printf("        { 0x%04x, %u, %u, 0x%08x },\n", insn.code, insn.jt, insn.jf,
                       insn.k);
                n++;
        }
        printf("};\n");
        close(fd);
        seccomp_release(ctx);
        if (n == 0)
                die("empty filter", EINVAL);
}

int main(int argc, char **argv)
{
        if (argc != 2) {
                fprintf(stderr, "usage: seccomp-gen CPU_FAMILY\n");
                return 1;
        }
        emit(argv[1], "seccomp_default_filter", "the default filter of ns run", false);
        emit(argv[1], "seccomp_no_userns_filter",
             "the filter of ns run for the host's root in the host's user namespace", true);
        return 0;
}
