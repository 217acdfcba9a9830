/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --watch: what moved between two reports of one instance. A lifetime
 * total (OOM kills, refused forks) may be old news; a counter that moves
 * while one watches is a live problem, so counters are said as deltas and
 * tasks by what they did (entered or left D, became zombies).
 */
#include <inttypes.h>
#include <stdarg.h>

#include "inspect-internal.h"
#include "macro.h"

typedef struct Lines {
        char **v;
        size_t n;
} Lines;

_printf_(2, 3) static void say(Lines *l, const char *fmt, ...)
{
        va_list ap;
        char *s;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                oom();
        va_end(ap);
        l->v = xreallocarray(l->v, l->n + 1, sizeof(char *));
        l->v[l->n++] = s;
}

static const InspectTask *find_task(const InspectReport *r, pid_t tid)
{
        for (size_t i = 0; i < r->n_tasks; i++)
                if (r->tasks[i].tid == tid)
                        return &r->tasks[i];
        return NULL;
}

static const InspectProc *find_proc(const InspectReport *r, pid_t pid)
{
        for (size_t i = 0; i < r->n_procs; i++)
                if (r->procs[i].pid == pid)
                        return &r->procs[i];
        return NULL;
}

static void counters(const InspectReport *a, const InspectReport *b, Lines *l)
{
        const InstanceSample *p = &a->sample, *c = &b->sample;
        uint64_t d;

        if (!a->have_sample || !b->have_sample)
                return;
        if ((c->have & STATS_HAVE_OOM) && (d = stats_counter_delta(p->oom_kills, c->oom_kills)))
                say(l, "+%" PRIu64 " OOM kill%s", d, d == 1 ? "" : "s");
        if ((c->have & STATS_HAVE_PIDS_EVENTS) &&
            (d = stats_counter_delta(p->pids_refused, c->pids_refused)))
                say(l, "+%" PRIu64 " fork%s refused at pids.max", d, d == 1 ? "" : "s");
        if (c->have & STATS_HAVE_THROTTLE) {
                uint64_t periods = stats_counter_delta(p->nr_periods, c->nr_periods);
                uint64_t thr = stats_counter_delta(p->nr_throttled, c->nr_throttled);
                if (thr)
                        say(l, "throttled in %" PRIu64 " of %" PRIu64 " CPU periods (%.0f%%), %.2f s",
                            thr, periods, periods ? (double)thr * 100 / (double)periods : 0,
                            (double)stats_counter_delta(p->throttled_usec, c->throttled_usec) / 1e6);
        }
        if (b->cgroup.have_failcnt && a->cgroup.have_failcnt &&
            (d = stats_counter_delta(a->cgroup.failcnt, b->cgroup.failcnt)))
                say(l, "memory limit hit %" PRIu64 " more time%s", d, d == 1 ? "" : "s");
}

void inspect_changes(const InspectReport *prev, const InspectReport *cur, char ***ret, size_t *ret_n)
{
        Lines l = {};

        if (prev->cgroup.have_freeze && cur->cgroup.have_freeze && prev->cgroup.freeze != cur->cgroup.freeze)
                say(&l, "freezer: %s -> %s", freeze_state_to_string(prev->cgroup.freeze),
                    freeze_state_to_string(cur->cgroup.freeze));
        counters(prev, cur, &l);

        for (size_t i = 0; i < cur->n_procs; i++) {
                const InspectProc *p = &cur->procs[i];
                const InspectProc *q = find_proc(prev, p->pid);
                if (p->zombie && (!q || !q->zombie))
                        say(&l, "new zombie: pid %d (%s), child of %d", (int)p->pid, p->comm, (int)p->ppid);
                else if (!q)
                        say(&l, "new process: pid %d (%s)", (int)p->pid, p->comm);
        }
        for (size_t i = 0; i < prev->n_procs; i++) {
                const InspectProc *p = &prev->procs[i];
                if (!find_proc(cur, p->pid))
                        say(&l, "%s: pid %d (%s)", p->zombie ? "reaped" : "exited", (int)p->pid, p->comm);
        }
        for (size_t i = 0; i < cur->n_tasks; i++) {
                const InspectTask *t = &cur->tasks[i];
                const InspectTask *u = find_task(prev, t->tid);
                const char *fn = NULL;
                bool was_d = u && u->state == 'D', is_d = t->state == 'D';

                if (is_d && !was_d) {
                        (void)inspect_wait_reason(t, &fn);
                        say(&l, "tid %d (%s) entered D%s%s", (int)t->tid, t->comm, fn ? " in " : "", fn ?: "");
                } else if (was_d && !is_d)
                        say(&l, "tid %d (%s) left D: now %c", (int)t->tid, t->comm, t->state);
        }
        for (size_t i = 0; i < prev->n_tasks; i++) {
                const InspectTask *u = &prev->tasks[i];
                if (u->state == 'D' && !find_task(cur, u->tid))
                        say(&l, "tid %d (%s) left D: gone", (int)u->tid, u->comm);
        }
        *ret = l.v;
        *ret_n = l.n;
}
