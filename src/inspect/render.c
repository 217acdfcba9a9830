/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A report written out: as text for a person (hints first, then the
 * instance, its cgroup, pid 1 and every task) or as one JSON document with
 * the same content. Plain text, no colour: it is pasted into tickets.
 */
#include <inttypes.h>

#include "inspect-internal.h"
#include "json.h"
#include "macro.h"
#include "util.h"

/* Why something was not read, in words. */
static const char *why_unread(ReadError e, char *buf, size_t size)
{
        switch (e) {
        case -ETIMEDOUT:
                return "the read did not finish in time (a lock held by a stuck task?)";
        case -ECANCELED:
                return "not tried: earlier reads did not finish in time";
        case -EACCES:
        case -EPERM:
                return geteuid() == 0 ? "permission denied" : "permission denied (try as root)";
        case -ENOENT:
        case -ESRCH:
                return "the task is gone";
        default:
                snprintf(buf, size, "error %d", -e);
                return buf;
        }
}

static const char *state_name(char s)
{
        switch (s) {
        case 'R': return "running";
        case 'S': return "sleeping";
        case 'D': return "uninterruptible (D)";
        case 'T': return "stopped";
        case 't': return "traced";
        case 'Z': return "zombie";
        case 'X': return "dead";
        case 'I': return "idle";
        case 'P': return "parked";
        default: return "unknown";
        }
}

static void write_task_text(const InspectReport *r, const InspectTask *t, FILE *f)
{
        char d[32], e[64];
        _cleanup_free_ char *pnd = NULL, *blk = NULL, *ign = NULL, *cgt = NULL, *sc = NULL;
        const char *fn, *why;

        fprintf(f, "  tid %d", (int)t->tid);
        if (t->ns_tid)
                fprintf(f, " (%d inside)", (int)t->ns_tid);
        fprintf(f, " %s: %s", t->comm, state_name(t->state));
        if (t->idle_secs >= 0)
                fprintf(f, " for %s", format_duration(t->idle_secs, d, sizeof(d)));
        fputc('\n', f);
        if (t->err_status) {
                fprintf(f, "    status   not read: %s\n", why_unread(t->err_status, e, sizeof(e)));
                return;
        }
        if (t->wchan)
                fprintf(f, "    wchan    %s\n", t->wchan);
        else if (t->err_wchan)
                fprintf(f, "    wchan    not read: %s\n", why_unread(t->err_wchan, e, sizeof(e)));
        if (t->have_syscall) {
                sc = inspect_syscall_format(&t->syscall);
                fprintf(f, "    syscall  %s\n", sc);
        } else if (t->err_syscall)
                fprintf(f, "    syscall  not read: %s\n", why_unread(t->err_syscall, e, sizeof(e)));
        if (t->have_stack && t->n_stack) {
                fputs("    stack   ", f);
                for (size_t i = 0; i < t->n_stack; i++)
                        fprintf(f, " %s%s", t->stack[i], i + 1 < t->n_stack ? " <-" : "");
                fputc('\n', f);
        } else if (t->err_stack)
                fprintf(f, "    stack    not read: %s\n", why_unread(t->err_stack, e, sizeof(e)));
        why = t->state == 'D' ? inspect_wait_reason(t, &fn) : NULL;
        if (why)
                fprintf(f, "    waits    in %s: %s\n", fn, why);
        pnd = inspect_signal_names(t->sig_pnd | t->sig_shd);
        blk = inspect_signal_names(t->sig_blk);
        ign = inspect_signal_names(t->sig_ign);
        cgt = inspect_signal_names(t->sig_cgt);
        fprintf(f, "    signals  pending %s; blocked %s; ignored %s; caught %s\n", *pnd ? pnd : "-",
                *blk ? blk : "-", *ign ? ign : "-", *cgt ? cgt : "-");
        fprintf(f, "    switches %" PRIu64 " voluntary, %" PRIu64 " involuntary\n", t->ctxt_vol,
                t->ctxt_invol);
        (void)r;
}

static void write_cgroup_text(const InspectReport *r, FILE *f)
{
        const InspectCgroup *c = &r->cgroup;
        const InstanceSample *s = &r->sample;
        char a[32], b[32], e[64];
        static const char *const pnames[PRESSURE_MAX] = { "cpu", "memory", "io" };

        fputs("cgroup\n", f);
        if (c->err_cgroup) {
                fprintf(f, "  not read: %s\n", why_unread(c->err_cgroup, e, sizeof(e)));
                return;
        }
        for (size_t i = 0; i < c->cg.n; i++) {
                const CgroupPath *p = &c->cg.items[i];
                /* systemd's named hierarchy says nothing about resources */
                if (startswith(p->controllers, "name="))
                        continue;
                fprintf(f, "  %-10s %s\n", cgroup_is_v2(p) ? "v2" : p->controllers, p->path);
        }
        if (!c->own)
                fputs("  (no cgroup of its own: the figures below are not the instance's alone)\n", f);
        if (c->have_freeze)
                fprintf(f, "  freezer    %s (%s)\n", freeze_state_to_string(c->freeze), c->freeze_file);
        if (c->own && r->have_sample) {
                if (s->have & STATS_HAVE_MEM) {
                        fprintf(f, "  memory     %s", format_size(s->mem_bytes, a, sizeof(a)));
                        if (s->have & STATS_HAVE_MEM_LIMIT)
                                fprintf(f, " of %s (%.0f%%)", format_size(s->mem_limit, b, sizeof(b)),
                                        s->mem_limit ? (double)s->mem_bytes * 100 / (double)s->mem_limit : 0);
                        if (s->have & STATS_HAVE_OOM)
                                fprintf(f, ", %" PRIu64 " OOM kill%s", s->oom_kills, s->oom_kills == 1 ? "" : "s");
                        if (c->have_failcnt)
                                fprintf(f, ", limit hit %" PRIu64 " times", c->failcnt);
                        if (c->have_oom_control && c->oom_control.under_oom)
                                fputs(", under OOM now", f);
                        fputc('\n', f);
                }
                fprintf(f, "  pids       %u processes, %u threads", s->n_procs, s->n_threads);
                if (s->have & STATS_HAVE_PIDS_CURRENT)
                        fprintf(f, ", pids.current %" PRIu64, s->pids_current);
                if (s->have & STATS_HAVE_PIDS_LIMIT)
                        fprintf(f, ", pids.max %" PRIu64, s->pids_limit);
                if (s->have & STATS_HAVE_PIDS_EVENTS)
                        fprintf(f, ", %" PRIu64 " fork%s refused", s->pids_refused, s->pids_refused == 1 ? "" : "s");
                fputc('\n', f);
                if (s->have & (STATS_HAVE_CPU_LIMIT | STATS_HAVE_THROTTLE)) {
                        fputs("  cpu       ", f);
                        if (s->have & STATS_HAVE_CPU_LIMIT)
                                fprintf(f, " limit %g CPU", (double)s->cpu_limit_millis / 1000);
                        if (s->have & STATS_HAVE_THROTTLE)
                                fprintf(f, "%s throttled in %" PRIu64 " of %" PRIu64 " periods (%.0f%%), %.1f s in all",
                                        (s->have & STATS_HAVE_CPU_LIMIT) ? "," : "", s->nr_throttled,
                                        s->nr_periods,
                                        s->nr_periods ? (double)s->nr_throttled * 100 / (double)s->nr_periods : 0,
                                        (double)s->throttled_usec / 1e6);
                        fputc('\n', f);
                }
        }
        for (int i = 0; i < PRESSURE_MAX; i++) {
                const Pressure *p = &c->pressure[i];
                if (!c->have_pressure[i])
                        continue;
                fprintf(f, "  pressure   %-6s some %.2f%% %.2f%% %.2f%%", pnames[i], p->some[0], p->some[1],
                        p->some[2]);
                if (p->have_full)
                        fprintf(f, ", full %.2f%% %.2f%% %.2f%%", p->full[0], p->full[1], p->full[2]);
                fprintf(f, " (avg10 avg60 avg300%s)\n", c->pressure_system ? ", the whole host's" : "");
        }
}

static void write_pid1_text(const InspectReport *r, FILE *f)
{
        const InspectPid1 *p1 = &r->pid1;
        const InspectProc *p = p1->proc >= 0 ? &r->procs[p1->proc] : NULL;
        char d[32], e[64];

        fputs("pid 1\n", f);
        if (!p) {
                fputs("  not found (the leader is gone)\n", f);
                return;
        }
        if (p1->own_pidns)
                fprintf(f, "  pid %d (%s) is pid 1 of its own pid namespace\n", (int)p->pid, p->comm);
        else
                fprintf(f, "  no pid namespace of its own: leader pid %d (%s) is pid %d there\n",
                        (int)p->pid, p->comm, (int)p->ns_pid);
        fprintf(f, "  init       %s\n",
                p1->init == INIT_UNKNOWN ? "not a known init (it may not reap or forward signals)"
                                         : init_kind_to_string(p1->init));
        if (p1->err_status)
                fprintf(f, "  SIGTERM    not read: %s\n", why_unread(p1->err_status, e, sizeof(e)));
        else if (p1->term_caught)
                fprintf(f, "  SIGTERM    caught: it has a handler%s\n", p1->term_blocked ? " (blocked now)" : "");
        else if (p1->term_ignored)
                fputs("  SIGTERM    ignored: a stop waits for its timeout, then kills\n", f);
        else if (p1->term_blocked)
                fputs("  SIGTERM    blocked: queued for a signalfd or sigwait reader\n", f);
        else if (p1->term_sigwait)
                fputs("  SIGTERM    it waits for signals in sigtimedwait (the set it waits for is not shown)\n", f);
        else if (p1->own_pidns)
                fputs("  SIGTERM    no handler: the kernel does not deliver it to pid 1\n", f);
        else
                fputs("  SIGTERM    default action (terminate)\n", f);
        if (p1->n_zombies == 0)
                fputs("  reaping    no zombie children\n", f);
        else
                fprintf(f, "  reaping    %zu zombie child%s, oldest %s%s (%s)\n", p1->n_zombies,
                        p1->n_zombies == 1 ? "" : "ren", p1->oldest_exact ? "" : "at most ",
                        format_duration(p1->oldest_zombie_secs, d, sizeof(d)),
                        p1->oldest_exact ? "since it last ran: when it exited"
                                         : "since it started: an upper bound");
}

int inspect_write_text(const InspectReport *r, FILE *f)
{
        Hint *hints;
        size_t n_hints;
        char d[32], e[64];
        static const char states[] = "RSDTtZXIP";

        inspect_hints(r, &hints, &n_hints);
        fprintf(f, "instance %s  %s (%s)  leader pid %d\n\n", r->id, r->name, r->runtime, (int)r->leader);
        fputs("hints\n", f);
        if (n_hints == 0)
                fputs("  none: nothing looks stuck\n", f);
        for (size_t i = 0; i < n_hints; i++)
                fprintf(f, "  %zu. %s: %s\n     (%s)\n", i + 1, hint_severity_to_string(hints[i].severity),
                        hints[i].text, hints[i].file);
        hints_free(hints, n_hints);
        fputc('\n', f);

        write_cgroup_text(r, f);
        fprintf(f, "  tasks      %zu thread%s:", r->n_tasks, r->n_tasks == 1 ? "" : "s");
        for (const char *s = states; *s; s++)
                if (r->n_state[(unsigned char)*s])
                        fprintf(f, " %u %c", r->n_state[(unsigned char)*s], *s);
        fputs("\n\n", f);

        write_pid1_text(r, f);
        fputc('\n', f);

        fputs("tasks\n", f);
        for (size_t i = 0; i < r->n_procs; i++) {
                const InspectProc *p = &r->procs[i];

                fprintf(f, "pid %d", (int)p->pid);
                if (p->ns_pid)
                        fprintf(f, " (%d inside)", (int)p->ns_pid);
                fprintf(f, " %s", p->comm);
                if (p->zombie)
                        fprintf(f, ", zombie child of %d", (int)p->ppid);
                else if (p->cmdline)
                        fprintf(f, ": %s", p->cmdline);
                else if (p->err_cmdline)
                        fprintf(f, ": command line not read: %s", why_unread(p->err_cmdline, e, sizeof(e)));
                fprintf(f, "\n  started %s ago", format_duration(p->age_secs, d, sizeof(d)));
                if (p->n_fds >= 0) {
                        fprintf(f, "; %ld open files", p->n_fds);
                        if (p->nofile_soft != UINT64_MAX)
                                fprintf(f, " of %" PRIu64 " (RLIMIT_NOFILE)", p->nofile_soft);
                } else if (!p->zombie && p->err_fds)
                        fprintf(f, "; open files not read: %s", why_unread(p->err_fds, e, sizeof(e)));
                fputc('\n', f);
                for (size_t k = 0; k < p->n_tasks; k++)
                        write_task_text(r, &r->tasks[p->first_task + k], f);
        }
        if (r->n_timeouts)
                fprintf(f, "\n%zu read%s did not finish within %d ms and %s abandoned: a task holds a lock they need\n",
                        r->n_timeouts, r->n_timeouts == 1 ? "" : "s", INSPECT_READ_TIMEOUT_MS,
                        r->n_timeouts == 1 ? "was" : "were");
        return ferror(f) ? -EIO : 0;
}

/* --- JSON --- */

static void jstr(FILE *f, const char *key, const char *v, bool comma)
{
        fprintf(f, "%s\"%s\":", comma ? "," : "", key);
        if (v)
                json_write_string(f, v);
        else
                fputs("null", f);
}

static void jerr(FILE *f, const char *key, ReadError e)
{
        char buf[64];

        if (e)
                jstr(f, key, why_unread(e, buf, sizeof(buf)), true);
}

static void jsig(FILE *f, const char *key, uint64_t mask)
{
        _cleanup_free_ char *names = inspect_signal_names(mask);

        jstr(f, key, names, true);
}

static void write_task_json(const InspectTask *t, FILE *f)
{
        char st[2] = { t->state, 0 };
        const char *fn = NULL, *why;

        fprintf(f, "{\"tid\":%d,\"ns_tid\":%d", (int)t->tid, (int)t->ns_tid);
        jstr(f, "comm", t->comm, true);
        jstr(f, "state", st, true);
        if (t->idle_secs >= 0)
                fprintf(f, ",\"state_secs\":%.3f", t->idle_secs);
        else
                fputs(",\"state_secs\":null", f);
        jstr(f, "wchan", t->wchan, true);
        if (t->have_syscall) {
                _cleanup_free_ char *sc = inspect_syscall_format(&t->syscall);
                jstr(f, "syscall", sc, true);
                if (t->syscall.state == SYSCALL_IN) {
                        fprintf(f, ",\"syscall_nr\":%ld,\"syscall_args\":[", t->syscall.nr);
                        for (int i = 0; i < 6; i++)
                                fprintf(f, "%s%" PRIu64, i ? "," : "", t->syscall.args[i]);
                        fputc(']', f);
                }
        } else
                fputs(",\"syscall\":null", f);
        if (t->have_stack) {
                fputs(",\"stack\":[", f);
                for (size_t i = 0; i < t->n_stack; i++) {
                        if (i)
                                fputc(',', f);
                        json_write_string(f, t->stack[i]);
                }
                fputc(']', f);
        } else
                fputs(",\"stack\":null", f);
        why = t->state == 'D' ? inspect_wait_reason(t, &fn) : NULL;
        jstr(f, "waits_in", why ? fn : NULL, true);
        jstr(f, "wait_reason", why, true);
        jsig(f, "sig_pending", t->sig_pnd);
        jsig(f, "sig_shared_pending", t->sig_shd);
        jsig(f, "sig_blocked", t->sig_blk);
        jsig(f, "sig_ignored", t->sig_ign);
        jsig(f, "sig_caught", t->sig_cgt);
        fprintf(f, ",\"voluntary_ctxt_switches\":%" PRIu64 ",\"nonvoluntary_ctxt_switches\":%" PRIu64,
                t->ctxt_vol, t->ctxt_invol);
        fputs(",\"unread\":{", f);
        {
                /* the members written so far decide the commas */
                const struct {
                        const char *k;
                        ReadError e;
                } errs[] = { { "status", t->err_status }, { "sched", t->err_sched },
                             { "wchan", t->err_wchan },   { "syscall", t->err_syscall },
                             { "stack", t->err_stack } };
                bool first = true;
                for (size_t i = 0; i < ELEMENTSOF(errs); i++) {
                        char buf[64];
                        if (!errs[i].e)
                                continue;
                        jstr(f, errs[i].k, why_unread(errs[i].e, buf, sizeof(buf)), !first);
                        first = false;
                }
        }
        fputs("}}", f);
}

static void write_pressure_json(const InspectCgroup *c, FILE *f)
{
        static const char *const pnames[PRESSURE_MAX] = { "cpu", "memory", "io" };

        fputs(",\"pressure\":{", f);
        fprintf(f, "\"source\":\"%s\"", c->pressure_system ? "system" : "cgroup");
        for (int i = 0; i < PRESSURE_MAX; i++) {
                const Pressure *p = &c->pressure[i];
                if (!c->have_pressure[i])
                        continue;
                fprintf(f, ",\"%s\":{\"some\":[%.2f,%.2f,%.2f],\"some_total_usec\":%" PRIu64,
                        pnames[i], p->some[0], p->some[1], p->some[2], p->some_total);
                if (p->have_full)
                        fprintf(f, ",\"full\":[%.2f,%.2f,%.2f],\"full_total_usec\":%" PRIu64,
                                p->full[0], p->full[1], p->full[2], p->full_total);
                fputc('}', f);
        }
        fputc('}', f);
}

static void write_cgroup_json(const InspectReport *r, FILE *f)
{
        const InspectCgroup *c = &r->cgroup;
        const InstanceSample *s = &r->sample;
        bool own = c->own && r->have_sample;

        fputs(",\"cgroup\":{\"paths\":[", f);
        for (size_t i = 0; i < c->cg.n; i++) {
                const CgroupPath *p = &c->cg.items[i];
                fprintf(f, "%s{", i ? "," : "");
                jstr(f, "controllers", cgroup_is_v2(p) ? "" : p->controllers, false);
                jstr(f, "path", p->path, true);
                fputc('}', f);
        }
        fprintf(f, "],\"own\":%s", c->own ? "true" : "false");
        jstr(f, "dir", c->dir, true);
        jstr(f, "freezer", c->have_freeze ? freeze_state_to_string(c->freeze) : NULL, true);
        jstr(f, "freezer_file", c->freeze_file, true);
#define JNUM(key, cond, v) fprintf(f, ",\"" key "\":"), (cond) ? fprintf(f, "%" PRIu64, (uint64_t)(v)) : fprintf(f, "null")
        JNUM("memory_bytes", own && (s->have & STATS_HAVE_MEM), s->mem_bytes);
        JNUM("memory_limit", own && (s->have & STATS_HAVE_MEM_LIMIT), s->mem_limit);
        JNUM("oom_kills", own && (s->have & STATS_HAVE_OOM), s->oom_kills);
        JNUM("memory_failcnt", c->have_failcnt, c->failcnt);
        fprintf(f, ",\"under_oom\":%s", c->have_oom_control ? (c->oom_control.under_oom ? "true" : "false") : "null");
        /* the pids controller's own count where it is read, else the scan's */
        JNUM("pids_current", own || (s->have & STATS_HAVE_PIDS_CURRENT),
             s->have & STATS_HAVE_PIDS_CURRENT ? s->pids_current : s->n_procs);
        JNUM("pids_limit", own && (s->have & STATS_HAVE_PIDS_LIMIT), s->pids_limit);
        JNUM("forks_refused", own && (s->have & STATS_HAVE_PIDS_EVENTS), s->pids_refused);
        JNUM("cpu_limit_millis", own && (s->have & STATS_HAVE_CPU_LIMIT), s->cpu_limit_millis);
        JNUM("nr_periods", own && (s->have & STATS_HAVE_THROTTLE), s->nr_periods);
        JNUM("nr_throttled", own && (s->have & STATS_HAVE_THROTTLE), s->nr_throttled);
        JNUM("throttled_usec", own && (s->have & STATS_HAVE_THROTTLE), s->throttled_usec);
#undef JNUM
        write_pressure_json(c, f);
        fputc('}', f);
}

int inspect_write_json(const InspectReport *r, char **changes, size_t n_changes, FILE *f)
{
        const InspectPid1 *p1 = &r->pid1;
        const InspectProc *leader = p1->proc >= 0 ? &r->procs[p1->proc] : NULL;
        static const char states[] = "RSDTtZXIP";
        Hint *hints;
        size_t n_hints;
        bool first = true;

        fputs("{\"instance\":{", f);
        jstr(f, "id", r->id, false);
        jstr(f, "name", r->name, true);
        jstr(f, "runtime", r->runtime, true);
        fprintf(f, ",\"leader\":%d,\"taken\":%.2f}", (int)r->leader, r->taken);

        inspect_hints(r, &hints, &n_hints);
        fputs(",\"hints\":[", f);
        for (size_t i = 0; i < n_hints; i++) {
                fprintf(f, "%s{\"severity\":\"%s\"", i ? "," : "", hint_severity_to_string(hints[i].severity));
                jstr(f, "text", hints[i].text, true);
                jstr(f, "file", hints[i].file, true);
                fputc('}', f);
        }
        fputc(']', f);
        hints_free(hints, n_hints);
        if (changes) {
                fputs(",\"changes\":[", f);
                for (size_t i = 0; i < n_changes; i++) {
                        if (i)
                                fputc(',', f);
                        json_write_string(f, changes[i]);
                }
                fputc(']', f);
        }

        write_cgroup_json(r, f);
        fputs(",\"tasks_by_state\":{", f);
        for (const char *s = states; *s; s++) {
                if (!r->n_state[(unsigned char)*s])
                        continue;
                fprintf(f, "%s\"%c\":%u", first ? "" : ",", *s, r->n_state[(unsigned char)*s]);
                first = false;
        }
        fputc('}', f);

        fputs(",\"pid1\":", f);
        if (!leader)
                fputs("null", f);
        else {
                fprintf(f, "{\"pid\":%d,\"own_pidns\":%s", (int)leader->pid, p1->own_pidns ? "true" : "false");
                jstr(f, "comm", leader->comm, true);
                jstr(f, "init", p1->init == INIT_UNKNOWN ? NULL : init_kind_to_string(p1->init), true);
                if (p1->err_status)
                        fputs(",\"sigterm\":null", f);
                else
                        fprintf(f, ",\"sigterm\":\"%s\"",
                                p1->term_caught    ? "caught"
                                : p1->term_ignored ? "ignored"
                                : p1->term_blocked ? "blocked"
                                : p1->term_sigwait ? "sigwait"
                                                   : "default");
                fprintf(f, ",\"zombies\":%zu", p1->n_zombies);
                if (p1->oldest_zombie_secs >= 0)
                        fprintf(f, ",\"oldest_zombie_secs\":%.3f,\"oldest_zombie_exact\":%s",
                                p1->oldest_zombie_secs, p1->oldest_exact ? "true" : "false");
                fputc('}', f);
        }

        fputs(",\"processes\":[", f);
        for (size_t i = 0; i < r->n_procs; i++) {
                const InspectProc *p = &r->procs[i];
                char st[2] = { p->state, 0 };

                fprintf(f, "%s{\"pid\":%d,\"ns_pid\":%d,\"ppid\":%d", i ? "," : "", (int)p->pid,
                        (int)p->ns_pid, (int)p->ppid);
                jstr(f, "comm", p->comm, true);
                jstr(f, "state", st, true);
                jstr(f, "cmdline", p->cmdline, true);
                fprintf(f, ",\"zombie\":%s,\"age_secs\":%.3f", p->zombie ? "true" : "false", p->age_secs);
                if (p->n_fds >= 0)
                        fprintf(f, ",\"fds\":%ld", p->n_fds);
                else
                        fputs(",\"fds\":null", f);
                if (p->nofile_soft != UINT64_MAX)
                        fprintf(f, ",\"nofile_limit\":%" PRIu64, p->nofile_soft);
                else
                        fputs(",\"nofile_limit\":null", f);
                jerr(f, "cmdline_unread", p->err_cmdline);
                jerr(f, "fds_unread", p->err_fds);
                fputs(",\"tasks\":[", f);
                for (size_t k = 0; k < p->n_tasks; k++) {
                        if (k)
                                fputc(',', f);
                        write_task_json(&r->tasks[p->first_task + k], f);
                }
                fputs("]}", f);
        }
        fprintf(f, "],\"reads_timed_out\":%zu}\n", r->n_timeouts);
        return ferror(f) ? -EIO : 0;
}
