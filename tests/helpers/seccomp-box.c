/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A seccomp-filtered process for the ns enter tests, with raw BPF (no
 * libseccomp at run time), one filter per rule, in the order given.
 *
 *   seccomp-box [-n] RULE... -- COMMAND [ARG...]
 *       install one filter per RULE (with -n under no_new_privs first;
 *       without, the caller needs CAP_SYS_ADMIN), then exec COMMAND. A
 *       rule is one of these, or several joined by commas in one filter:
 *         userns       unshare(CLONE_NEWUSER) fails with EPERM
 *         mkdir-eperm  mkdir and mkdirat fail with EPERM
 *         mkdir-erofs  mkdir and mkdirat fail with EROFS
 *       or, alone:
 *         notif        acct goes to a supervisor (SECCOMP_RET_USER_NOTIF);
 *                      the listener fd is kept open, never answered
 *
 *   seccomp-box strict
 *       enter strict mode and block forever
 *
 *   seccomp-box probe userns|keyctl|mkdir PATH
 *       make that call and print "ok" or the errno's name (EPERM...);
 *       mkdir removes the directory again when it made one.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "seccomp-box: add this architecture's AUDIT_ARCH"
#endif

#define LOAD_ARCH BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch))
#define LOAD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define LOAD_ARG0 BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define ALLOW RET(SECCOMP_RET_ALLOW)

static int install(struct sock_filter *f, unsigned short len, unsigned flags)
{
        struct sock_fprog prog = { .len = len, .filter = f };
        return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

static void die(const char *what)
{
        fprintf(stderr, "seccomp-box: %s: %s\n", what, strerror(errno));
        exit(125);
}

/* One filter: unshare(CLONE_NEWUSER) fails with EPERM when userns, mkdir
 * and mkdirat with mkdir_err when not 0. */
static void rule_filter(int userns, int mkdir_err)
{
        struct sock_filter f[] = {
                LOAD_ARCH,
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
                ALLOW,
                LOAD_NR,
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, userns ? __NR_unshare : ~0U, 4, 0),
#ifdef __NR_mkdir
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, mkdir_err ? __NR_mkdir : ~0U, 1, 0),
#else
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, mkdir_err ? __NR_mkdirat : ~0U, 1, 0),
#endif
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, mkdir_err ? __NR_mkdirat : ~0U, 0, 1),
                RET(SECCOMP_RET_ERRNO | (unsigned)mkdir_err),
                ALLOW,
                /* unshare: */
                LOAD_ARG0,
                BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
                RET(SECCOMP_RET_ERRNO | EPERM),
                ALLOW,
        };
        if (install(f, sizeof(f) / sizeof(f[0]), 0) < 0)
                die("seccomp");
}

static void rule_notif(void)
{
        struct sock_filter f[] = {
                LOAD_NR,
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_acct, 0, 1),
                RET(SECCOMP_RET_USER_NOTIF),
                ALLOW,
        };
        /* The listener stays open in this process (and across its exec):
         * a supervisor that never answers. */
        int fd = install(f, sizeof(f) / sizeof(f[0]), SECCOMP_FILTER_FLAG_NEW_LISTENER);
        if (fd < 0)
                die("seccomp(notif)");
}

/* Strict mode allows read, write, _exit and sigreturn only: block in a
 * read of a pipe nobody writes to, forever. */
static _Noreturn void strict_forever(void)
{
        int p[2];
        char c;

        if (pipe(p) < 0)
                die("pipe");
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) < 0)
                die("strict");
        for (;;)
                (void)!read(p[0], &c, 1);
}

static int probe(int argc, char **argv)
{
        long r;

        if (argc < 1)
                return 2;
        if (strcmp(argv[0], "userns") == 0)
                r = syscall(SYS_unshare, CLONE_NEWUSER);
        else if (strcmp(argv[0], "keyctl") == 0)
                /* KEYCTL_GET_KEYRING_ID of the session keyring, not made */
                r = syscall(SYS_keyctl, 0, -3, 0);
        else if (strcmp(argv[0], "mkdir") == 0 && argc >= 2) {
                r = mkdir(argv[1], 0700);
                if (r == 0)
                        rmdir(argv[1]);
        } else
                return 2;
        if (r < 0)
                printf("%s\n", strerrorname_np(errno) ?: "E?");
        else
                printf("ok\n");
        return 0;
}

int main(int argc, char **argv)
{
        int i = 1;

        if (argc > 1 && strcmp(argv[1], "probe") == 0)
                return probe(argc - 2, argv + 2);
        if (i < argc && strcmp(argv[i], "-n") == 0) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        die("no_new_privs");
                i++;
        }
        if (i < argc && strcmp(argv[i], "strict") == 0)
                strict_forever();
        for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
                char *save = NULL;
                int userns = 0, mkdir_err = 0;

                if (strcmp(argv[i], "notif") == 0) {
                        rule_notif();
                        continue;
                }
                for (char *w = strtok_r(argv[i], ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                        if (strcmp(w, "userns") == 0)
                                userns = 1;
                        else if (strcmp(w, "mkdir-eperm") == 0)
                                mkdir_err = EPERM;
                        else if (strcmp(w, "mkdir-erofs") == 0)
                                mkdir_err = EROFS;
                        else {
                                fprintf(stderr, "seccomp-box: unknown rule '%s'\n", w);
                                return 2;
                        }
                }
                rule_filter(userns, mkdir_err);
        }
        if (i + 1 >= argc) {
                fprintf(stderr, "usage: seccomp-box [-n] RULE... -- COMMAND [ARG...]\n");
                return 2;
        }
        execvp(argv[i + 1], argv + i + 1);
        die(argv[i + 1]);
        return 127;
}
