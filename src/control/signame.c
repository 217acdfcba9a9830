/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <strings.h>

#include "control.h"
#include "macro.h"
#include "util.h"

/* The standard signals by number; the first name of a number is the one
 * shown, the others are accepted (as kill(1) accepts IOT and CLD). */
static const struct {
        const char *name;
        int sig;
} signals[] = {
        { "HUP", SIGHUP },       { "INT", SIGINT },       { "QUIT", SIGQUIT },
        { "ILL", SIGILL },       { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },
        { "IOT", SIGIOT },       { "BUS", SIGBUS },       { "FPE", SIGFPE },
        { "KILL", SIGKILL },     { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
        { "USR2", SIGUSR2 },     { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },
        { "TERM", SIGTERM },     { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
        { "CLD", SIGCHLD },      { "CONT", SIGCONT },     { "STOP", SIGSTOP },
        { "TSTP", SIGTSTP },     { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },
        { "URG", SIGURG },       { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ },
        { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },     { "WINCH", SIGWINCH },
        { "IO", SIGIO },         { "POLL", SIGPOLL },     { "PWR", SIGPWR },
        { "SYS", SIGSYS },
};

int signame_max(void)
{
        return SIGRTMAX;
}

/* "N" in "RTMIN+N": a small decimal number, whole. */
static int parse_offset(const char *s)
{
        int v = 0;

        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                if (!isdigit((unsigned char)*s) || v > 1000)
                        return -EINVAL;
                v = v * 10 + (*s - '0');
        }
        return v;
}

int signame_parse(const char *s)
{
        int sig;

        if (!s || !*s)
                return -EINVAL;
        if (isdigit((unsigned char)s[0])) {
                sig = parse_offset(s);
                /* 0 is kill(1)'s "may I signal it" probe, not a signal to send */
                return sig >= 1 && sig <= SIGRTMAX ? sig : -EINVAL;
        }
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                if (strcasecmp(s, signals[i].name) == 0)
                        return signals[i].sig;
        /* The real-time signals are counted from SIGRTMIN up or SIGRTMAX
         * down, at run time: the C library keeps the first few to itself. */
        if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
                bool min = toupper((unsigned char)s[3]) == 'I';
                const char *rest = s + 5;
                int off = 0;

                if (*rest) {
                        if (*rest != (min ? '+' : '-'))
                                return -EINVAL;
                        off = parse_offset(rest + 1);
                        if (off < 0)
                                return -EINVAL;
                }
                sig = min ? SIGRTMIN + off : SIGRTMAX - off;
                return sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -EINVAL;
        }
        return -EINVAL;
}

const char *signame_format(int sig, char buf[static 16])
{
        for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                if (signals[i].sig == sig) {
                        snprintf(buf, 16, "%s", signals[i].name);
                        return buf;
                }
        if (sig < SIGRTMIN || sig > SIGRTMAX)
                return NULL;
        /* The upper half by RTMAX, as kill -l and bash show them. */
        if (sig == SIGRTMIN)
                snprintf(buf, 16, "RTMIN");
        else if (sig == SIGRTMAX)
                snprintf(buf, 16, "RTMAX");
        else if (sig - SIGRTMIN <= SIGRTMAX - sig)
                snprintf(buf, 16, "RTMIN+%d", sig - SIGRTMIN);
        else
                snprintf(buf, 16, "RTMAX-%d", SIGRTMAX - sig);
        return buf;
}
