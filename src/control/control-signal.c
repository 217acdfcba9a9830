/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "control.h"
#include "macro.h"
#include "util.h"

/* A process's status is a few KiB; NSpid comes late in it. */
#define STATUS_MAX (1024 * 1024)

/* The value of "Name:\t..." in a status file, or NULL. */
static const char *status_field(const char *status, const char *name)
{
        size_t n = strlen(name);

        for (const char *line = status; line && *line;) {
                if (strncmp(line, name, n) == 0 && line[n] == ':')
                        return line + n + 1;
                line = strchr(line, '\n');
                if (line)
                        line++;
        }
        return NULL;
}

static int parse_mask(const char *v, uint64_t *ret)
{
        uint64_t m = 0;
        int digits = 0;

        while (*v == ' ' || *v == '\t')
                v++;
        for (; *v && *v != '\n'; v++) {
                int d;

                if (*v >= '0' && *v <= '9')
                        d = *v - '0';
                else if (*v >= 'a' && *v <= 'f')
                        d = *v - 'a' + 10;
                else if (*v >= 'A' && *v <= 'F')
                        d = *v - 'A' + 10;
                else
                        return -EINVAL;
                if (++digits > 16)
                        return -EINVAL;
                m = m << 4 | (uint64_t)d;
        }
        if (digits == 0)
                return -EINVAL;
        *ret = m;
        return 0;
}

int control_parse_sigstate(const char *status, ControlSigState *ret)
{
        ControlSigState s = {};
        const char *ign = status_field(status, "SigIgn"), *cgt = status_field(status, "SigCgt");
        const char *nspid = status_field(status, "NSpid"), *blk = status_field(status, "SigBlk");

        if (!ign || !cgt || parse_mask(ign, &s.ignored) < 0 || parse_mask(cgt, &s.caught) < 0)
                return -EINVAL;
        if (blk && parse_mask(blk, &s.blocked) < 0)
                return -EINVAL;
        /* "NSpid:\t812\t1": the pid in each namespace from ours down. Older
         * kernels (before 4.1) have no NSpid: one level, the pid itself. */
        if (nspid) {
                const char *p = nspid;

                for (;;) {
                        char *end;
                        long v;

                        while (*p == ' ' || *p == '\t')
                                p++;
                        if (*p == '\n' || *p == '\0')
                                break;
                        errno = 0;
                        v = strtol(p, &end, 10);
                        if (end == p || errno || v < 0)
                                return -EINVAL;
                        s.nspid = (pid_t)v;
                        s.nspid_levels++;
                        p = end;
                }
                if (s.nspid_levels == 0)
                        return -EINVAL;
        } else {
                const char *pid = status_field(status, "Pid");

                if (!pid)
                        return -EINVAL;
                s.nspid = (pid_t)strtol(pid, NULL, 10);
                s.nspid_levels = 1;
        }
        *ret = s;
        return 0;
}

bool control_sigstate_drops(const ControlSigState *s, int sig)
{
        uint64_t bit;

        if (sig < 1 || sig > 64)
                return false;
        bit = UINT64_C(1) << (sig - 1);
        /* Checked first by the kernel (kernel/signal.c, sig_ignored()):
         * the handler may change before it is unblocked. An init that
         * waits for its signals (ns-init, tini, catatonit) blocks them. */
        if (s->blocked & bit)
                return false;
        if (s->sigwait && sig != SIGKILL && sig != SIGSTOP)
                return false;
        /* Nothing can ignore these two, except an init (below). */
        if (sig != SIGKILL && sig != SIGSTOP && (s->ignored & bit))
                return true;
        if (s->nspid != 1)
                return false;
        /* The init of a pid namespace gets only the signals it has a
         * handler for (kernel/signal.c, sig_task_ignored()); from an
         * ancestor namespace SIGKILL and SIGSTOP are forced through. The
         * host's own init (one level) gets neither. SIGCONT still
         * continues a stopped init before it is dropped. */
        if (s->caught & bit)
                return false;
        if (sig == SIGCONT)
                return false;
        if ((sig == SIGKILL || sig == SIGSTOP) && s->nspid_levels > 1)
                return false;
        return true;
}

long control_parse_syscall_nr(const char *text)
{
        char *end;
        long nr;

        errno = 0;
        nr = strtol(text, &end, 10);
        if (errno || end == text || (*end != ' ' && *end != '\n' && *end != '\0') || nr < 0)
                return -1;
        return nr;
}

int control_signal_ignored(int proc_fd, pid_t pid, int sig)
{
        _cleanup_free_ char *buf = NULL, *sc = NULL;
        ControlSigState s;
        char path[32];
        int r;

        snprintf(path, sizeof(path), "%d/status", (int)pid);
        r = read_file_at(proc_fd, path, STATUS_MAX, &buf, NULL);
        if (r < 0)
                return r;
        r = control_parse_sigstate(buf, &s);
        if (r < 0)
                return r;
        /* Readable with the right to ptrace it (root, or its owner);
         * otherwise the warning may be one too many, never one too few. */
        snprintf(path, sizeof(path), "%d/syscall", (int)pid);
        if (read_file_at(proc_fd, path, 256, &sc, NULL) >= 0)
                s.sigwait = control_parse_syscall_nr(sc) == SYS_rt_sigtimedwait;
        return control_sigstate_drops(&s, sig);
}
