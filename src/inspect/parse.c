/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <signal.h>

#include "inspect-parse.h"
#include "macro.h"
#include "scan.h"

#include "syscall-names.h"

/* The value of a "Key:" line (the key at the start of a line), or NULL. */
static const char *field(const char *s, const char *key)
{
        size_t n = strlen(key);

        for (const char *line = s; *line;) {
                if (strncmp(line, key, n) == 0)
                        return line + n;
                line = strchrnul(line, '\n');
                if (*line)
                        line++;
        }
        return NULL;
}

/* An unsigned number, with an optional base prefix given by base. */
static int parse_number(const char *p, int base, uint64_t *ret, const char **ret_end)
{
        uint64_t v = 0;
        const char *q;
        int digits = 0;

        p += strspn(p, " \t");
        for (q = p;; q++) {
                int d;

                if (*q >= '0' && *q <= '9')
                        d = *q - '0';
                else if (base == 16 && *q >= 'a' && *q <= 'f')
                        d = *q - 'a' + 10;
                else if (base == 16 && *q >= 'A' && *q <= 'F')
                        d = *q - 'A' + 10;
                else
                        break;
                if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
                        return -EINVAL;
                v = v * (uint64_t)base + (uint64_t)d;
                digits++;
        }
        if (digits == 0)
                return -EINVAL;
        *ret = v;
        if (ret_end)
                *ret_end = q;
        return 0;
}

static int field_number(const char *s, const char *key, int base, uint64_t *ret)
{
        const char *v = field(s, key);

        return v ? parse_number(v, base, ret, NULL) : -ENOENT;
}

static int field_pid(const char *s, const char *key, pid_t *ret)
{
        uint64_t v;
        int r = field_number(s, key, 10, &v);

        if (r < 0)
                return r;
        if (v > INT32_MAX)
                return -EINVAL;
        *ret = (pid_t)v;
        return 0;
}

int inspect_parse_status(const char *s, TaskStatus *ret)
{
        TaskStatus t = {};
        const char *state = field(s, "State:");
        int r;

        if (!state)
                return -ENOENT;
        state += strspn(state, " \t");
        if (*state < 'A' || *state > 'z')
                return -EINVAL;
        t.state = *state;
        r = field_pid(s, "Tgid:", &t.tgid);
        if (r >= 0)
                r = field_pid(s, "PPid:", &t.ppid);
        /* The signal masks are 16 hex digits, for signals 1 to 64. */
        if (r >= 0)
                r = field_number(s, "SigPnd:", 16, &t.sig_pnd);
        if (r >= 0)
                r = field_number(s, "ShdPnd:", 16, &t.sig_shd);
        if (r >= 0)
                r = field_number(s, "SigBlk:", 16, &t.sig_blk);
        if (r >= 0)
                r = field_number(s, "SigIgn:", 16, &t.sig_ign);
        if (r >= 0)
                r = field_number(s, "SigCgt:", 16, &t.sig_cgt);
        if (r < 0)
                return r;
        /* Absent before Linux 4.1 (NSpid) or without CONFIG_... : not an error */
        if (proc_parse_nspid(s, &t.ns_tid) < 0)
                t.ns_tid = 0;
        (void)field_number(s, "voluntary_ctxt_switches:", 10, &t.ctxt_vol);
        (void)field_number(s, "nonvoluntary_ctxt_switches:", 10, &t.ctxt_invol);
        *ret = t;
        return 0;
}

int inspect_parse_sched_exec_start(const char *s, double *ret_ms)
{
        const char *v = field(s, "se.exec_start");
        uint64_t whole, frac = 0;
        const char *end;
        double scale = 1;

        if (!v)
                return -ENOENT;
        v += strspn(v, " \t");
        if (*v != ':')
                return -EINVAL;
        if (parse_number(v + 1, 10, &whole, &end) < 0)
                return -EINVAL;
        if (*end == '.') {
                const char *f = end + 1;
                /* six decimals (nanoseconds); more would only add noise */
                for (int i = 0; i < 9 && *f >= '0' && *f <= '9'; i++, f++) {
                        frac = frac * 10 + (uint64_t)(*f - '0');
                        scale *= 10;
                }
        }
        *ret_ms = (double)whole + (double)frac / scale;
        return 0;
}

int inspect_parse_syscall(const char *s, TaskSyscall *ret)
{
        TaskSyscall sc = {};
        const char *p = s;
        uint64_t v;

        p += strspn(p, " \t");
        if (startswith(p, "running")) {
                *ret = (TaskSyscall){ .state = SYSCALL_RUNNING, .nr = -1 };
                return 0;
        }
        if (startswith(p, "-1")) {
                *ret = (TaskSyscall){ .state = SYSCALL_NONE, .nr = -1 };
                return 0;
        }
        if (parse_number(p, 10, &v, &p) < 0 || v > INT32_MAX)
                return -EINVAL;
        sc.state = SYSCALL_IN;
        sc.nr = (long)v;
        for (int i = 0; i < 6; i++) {
                p += strspn(p, " ");
                if (!startswith(p, "0x") || parse_number(p + 2, 16, &sc.args[i], &p) < 0)
                        return -EINVAL;
        }
        {
                /* a kernel thread: "0" and every register 0, no user stack or pc */
                uint64_t sp = 1, pc = 1;
                p += strspn(p, " ");
                if (startswith(p, "0x") && parse_number(p + 2, 16, &sp, &p) == 0) {
                        p += strspn(p, " ");
                        if (startswith(p, "0x"))
                                (void)parse_number(p + 2, 16, &pc, &p);
                }
                if (sp == 0 && pc == 0)
                        sc = (TaskSyscall){ .state = SYSCALL_NONE, .nr = -1 };
        }
        *ret = sc;
        return 0;
}

const char *inspect_syscall_name(long nr)
{
        if (nr < 0 || (unsigned long)nr >= ELEMENTSOF(syscall_names))
                return NULL;
        return syscall_names[nr];
}

char *inspect_syscall_format(const TaskSyscall *sc)
{
        const char *name = inspect_syscall_name(sc->nr);
        _cleanup_free_ char *num = NULL;

        if (sc->state == SYSCALL_RUNNING)
                return xstrdup("running");
        if (sc->state == SYSCALL_NONE)
                return xstrdup("-");
        if (!name)
                name = num = xasprintf("syscall_%ld", sc->nr);
        /* The kernel gives six argument registers whatever the syscall takes. */
        return xasprintf("%s(0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64
                         ", 0x%" PRIx64 ", 0x%" PRIx64 ")",
                         name, sc->args[0], sc->args[1], sc->args[2], sc->args[3], sc->args[4],
                         sc->args[5]);
}

/* One limit's value: a number or "unlimited". */
static int limit_value(const char **p, uint64_t *ret)
{
        *p += strspn(*p, " ");
        if (startswith(*p, "unlimited")) {
                *ret = UINT64_MAX;
                *p += 9;
                return 0;
        }
        return parse_number(*p, 10, ret, p);
}

int inspect_parse_limits_nofile(const char *s, uint64_t *ret_soft, uint64_t *ret_hard)
{
        const char *p = field(s, "Max open files");
        uint64_t soft, hard;

        if (!p)
                return -ENOENT;
        if (limit_value(&p, &soft) < 0 || limit_value(&p, &hard) < 0)
                return -EINVAL;
        *ret_soft = soft;
        *ret_hard = hard;
        return 0;
}

void strv_free_n(char **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

int inspect_parse_stack(const char *s, char ***ret, size_t *ret_n)
{
        char **v = NULL;
        size_t n = 0;

        for (const char *line = s; *line;) {
                const char *end = strchrnul(line, '\n');
                const char *f = line;
                size_t len;

                /* "[<0>] " (the address, hidden unless kptr_restrict allows) */
                if (*f == '[') {
                        const char *c = memchr(f, ']', (size_t)(end - f));
                        if (!c) {
                                strv_free_n(v, n);
                                return -EINVAL;
                        }
                        f = c + 1;
                }
                f += strspn(f, " ");
                len = strcspn(f, "+ \n");
                if (f + len > end)
                        len = (size_t)(end - f);
                if (len > 0) {
                        v = xreallocarray(v, n + 1, sizeof(char *));
                        v[n++] = xstrndup(f, len);
                }
                line = *end ? end + 1 : end;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int inspect_parse_pid_list(const char *s, pid_t **ret, size_t *ret_n)
{
        pid_t *v = NULL;
        size_t n = 0;
        const char *p = s;

        for (;;) {
                uint64_t pid;

                p += strspn(p, " \n\t");
                if (!*p)
                        break;
                if (parse_number(p, 10, &pid, &p) < 0 || pid == 0 || pid > INT32_MAX) {
                        free(v);
                        return -EINVAL;
                }
                v = xreallocarray(v, n + 1, sizeof(pid_t));
                v[n++] = (pid_t)pid;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

static bool endswith_space(const char *buf, size_t len)
{
        return len > 0 && buf[len - 1] == ' ';
}

char *inspect_signal_names(uint64_t mask)
{
        char buf[64 * 12] = "";
        size_t len = 0;
        bool inverse = __builtin_popcountll(mask) > 32;

        /* a kernel thread ignores all 64: say what it does not */
        if (mask == UINT64_MAX)
                return xstrdup("all");
        if (inverse)
                len = (size_t)snprintf(buf, sizeof(buf), "all but ");
        for (int sig = 1; sig <= 64; sig++) {
                char num[16];
                const char *name;

                if (sigmask_has(mask, sig) == inverse)
                        continue;
                /* 32 and 33 are glibc's own (threads); SIGRTMIN is 34 to programs */
                if (sig >= 32) {
                        snprintf(num, sizeof(num), sig >= 34 ? "RTMIN+%d" : "%d",
                                 sig >= 34 ? sig - 34 : sig);
                        name = num;
                } else
                        name = sigabbrev_np(sig) ?: "?";
                len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
                                        len && !endswith_space(buf, len) ? "," : "", name);
        }
        return xstrdup(buf);
}

/* "12.34": a number with optional decimals. */
static int parse_decimal(const char *p, double *ret, const char **ret_end)
{
        uint64_t whole, frac;
        const char *e, *f;
        double scale = 1;

        if (parse_number(p, 10, &whole, &e) < 0)
                return -EINVAL;
        *ret = (double)whole;
        if (*e == '.') {
                if (parse_number(e + 1, 10, &frac, &f) < 0 || f - e - 1 > 18)
                        return -EINVAL;
                for (const char *c = e + 1; c < f; c++)
                        scale *= 10;
                *ret += (double)frac / scale;
                e = f;
        }
        *ret_end = e;
        return 0;
}

int inspect_parse_pressure(const char *s, Pressure *ret)
{
        Pressure p = {};

        for (const char *line = s; *line;) {
                const char *end = strchrnul(line, '\n');
                bool some = startswith(line, "some "), full = startswith(line, "full ");

                if (some || full) {
                        /* "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" */
                        static const char *const keys[] = { "avg10=", "avg60=", "avg300=" };
                        double *avg = some ? p.some : p.full;
                        const char *q = line + 5;
                        uint64_t total;

                        for (size_t k = 0; k < 3; k++) {
                                q += strspn(q, " ");
                                if (!startswith(q, keys[k]) ||
                                    parse_decimal(q + strlen(keys[k]), &avg[k], &q) < 0)
                                        return -EINVAL;
                        }
                        q += strspn(q, " ");
                        if (!startswith(q, "total=") || parse_number(q + 6, 10, &total, NULL) < 0)
                                return -EINVAL;
                        if (some) {
                                p.have_some = true;
                                p.some_total = total;
                        } else {
                                p.have_full = true;
                                p.full_total = total;
                        }
                }
                line = *end ? end + 1 : end;
        }
        if (!p.have_some)
                return -EINVAL;
        *ret = p;
        return 0;
}

const char *freeze_state_to_string(FreezeState s)
{
        static const char *const names[FREEZE_MAX] = {
                [FREEZE_THAWED] = "thawed",
                [FREEZE_FREEZING] = "freezing",
                [FREEZE_FROZEN] = "frozen",
        };

        return s >= 0 && s < FREEZE_MAX ? names[s] : "unknown";
}

/* FreezeState names CgroupFreeze's states (see inspect-parse.h). */
int inspect_parse_freezer_state(const char *s, FreezeState *ret)
{
        int k = cgroup_parse_freeze(false, s);

        if (k < 0)
                return k;
        *ret = (FreezeState)k;
        return 0;
}

int inspect_parse_cgroup_freeze(const char *freeze, const char *events, FreezeState *ret)
{
        int k = cgroup_parse_freeze(true, events);
        bool asked = freeze && freeze[0] == '1';

        if (k < 0)
                return k;
        /* "frozen 1" includes a frozen ancestor, which cgroup.freeze does not show */
        if (k == CGROUP_FROZEN)
                *ret = FREEZE_FROZEN;
        else
                *ret = asked ? FREEZE_FREEZING : FREEZE_THAWED;
        return 0;
}

int inspect_parse_oom_control(const char *s, OomControl *ret)
{
        uint64_t disable, under;

        if (field_number(s, "oom_kill_disable", 10, &disable) < 0 ||
            field_number(s, "under_oom", 10, &under) < 0)
                return -EINVAL;
        *ret = (OomControl){ .oom_kill_disable = disable != 0, .under_oom = under != 0 };
        return 0;
}

int inspect_parse_u64(const char *s, uint64_t *ret)
{
        const char *end;

        s += strspn(s, " \t");
        if (startswith(s, "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        if (parse_number(s, 10, ret, &end) < 0)
                return -EINVAL;
        if (*end && *end != '\n' && *end != ' ')
                return -EINVAL;
        return 0;
}
