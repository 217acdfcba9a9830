/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Prometheus writer of ns top (top-prom.h): a table of families, each
 * a name, a type, a help line and how to read its value from a row.
 */
#include "top-prom.h"
#include "json.h"
#include "macro.h"
#include "util.h"

#define PREFIX "ns_instance_"

/*
 * A figure of one row: known or not, as an integer with a number of
 * decimals (CPU seconds are kept in microseconds, a CPU limit in
 * thousandths): written exactly, without a trip through a double.
 */
typedef struct PromValue {
        uint64_t v;
        unsigned decimals; /* 0, 3 or 6 */
} PromValue;

typedef bool (*PromGetter)(const TopRow *r, PromValue *ret);

typedef struct PromFamily {
        const char *name; /* without the prefix */
        const char *type; /* "counter" or "gauge" */
        const char *help;
        PromGetter get;
} PromFamily;

static bool set(PromValue *ret, bool known, uint64_t v, unsigned decimals)
{
        if (known)
                *ret = (PromValue){ v, decimals };
        return known;
}

#define HAVE(r, flag) (((r)->cur.have & (flag)) != 0)

static bool get_cpu(const TopRow *r, PromValue *ret)
{
        return set(ret, HAVE(r, STATS_HAVE_CPU), r->cur.cpu_usec, 6);
}
static bool get_cpu_limit(const TopRow *r, PromValue *ret)
{
        return set(ret, HAVE(r, STATS_HAVE_CPU_LIMIT), r->cur.cpu_limit_millis, 3);
}
static bool get_throttled_time(const TopRow *r, PromValue *ret)
{
        return set(ret, HAVE(r, STATS_HAVE_THROTTLE), r->cur.throttled_usec, 6);
}
static bool get_periods(const TopRow *r, PromValue *ret)
{
        return set(ret, HAVE(r, STATS_HAVE_THROTTLE), r->cur.nr_periods, 0);
}
static bool get_throttled_periods(const TopRow *r, PromValue *ret)
{
        return set(ret, HAVE(r, STATS_HAVE_THROTTLE), r->cur.nr_throttled, 0);
}
static bool get_mem(const TopRow *r, PromValue *ret)
{
        return set(ret, HAVE(r, STATS_HAVE_MEM), r->cur.mem_bytes, 0);
}
static bool get_mem_limit(const TopRow *r, PromValue *ret)
{
        return set(ret, HAVE(r, STATS_HAVE_MEM_LIMIT), r->cur.mem_limit, 0);
}
static bool get_net_rx(const TopRow *r, PromValue *ret)
{
        return set(ret, HAVE(r, STATS_HAVE_NET), r->cur.net_rx_bytes, 0);
}
static bool get_net_tx(const TopRow *r, PromValue *ret)
{
        return set(ret, HAVE(r, STATS_HAVE_NET), r->cur.net_tx_bytes, 0);
}
static bool get_io_read(const TopRow *r, PromValue *ret)
{
        return set(ret, HAVE(r, STATS_HAVE_IO), r->cur.io_read_bytes, 0);
}
static bool get_io_write(const TopRow *r, PromValue *ret)
{
        return set(ret, HAVE(r, STATS_HAVE_IO), r->cur.io_write_bytes, 0);
}
static bool get_pids(const TopRow *r, PromValue *ret)
{
        return set(ret, true, r->cur.n_procs, 0);
}
static bool get_threads(const TopRow *r, PromValue *ret)
{
        return set(ret, true, r->cur.n_threads, 0);
}
static bool get_pids_limit(const TopRow *r, PromValue *ret)
{
        return set(ret, HAVE(r, STATS_HAVE_PIDS_LIMIT), r->cur.pids_limit, 0);
}
static bool get_oom(const TopRow *r, PromValue *ret)
{
        return set(ret, HAVE(r, STATS_HAVE_OOM), r->cur.oom_kills, 0);
}
static bool get_pids_refused(const TopRow *r, PromValue *ret)
{
        return set(ret, HAVE(r, STATS_HAVE_PIDS_EVENTS), r->cur.pids_refused, 0);
}
static bool get_frozen(const TopRow *r, PromValue *ret)
{
        return set(ret, true, r->cur.frozen, 0);
}
static bool get_dstate(const TopRow *r, PromValue *ret)
{
        return set(ret, true, r->cur.n_dstate, 0);
}
static bool get_zombies(const TopRow *r, PromValue *ret)
{
        return set(ret, true, r->cur.n_zombie, 0);
}
static bool get_stopped(const TopRow *r, PromValue *ret)
{
        return set(ret, true, r->cur.n_stopped, 0);
}

/* Names and units after Prometheus' conventions (base units, _total on counters). */
static const PromFamily families[] = {
        { "cpu_seconds_total", "counter", "CPU time used, user and system, in seconds.", get_cpu },
        { "cpu_limit_cores", "gauge", "CPU limit, in CPUs.", get_cpu_limit },
        { "cpu_periods_total", "counter", "CPU bandwidth periods that have elapsed.", get_periods },
        { "cpu_throttled_periods_total", "counter",
          "CPU bandwidth periods in which the instance was throttled.", get_throttled_periods },
        { "cpu_throttled_seconds_total", "counter",
          "Time the instance was throttled at its CPU limit, in seconds.", get_throttled_time },
        { "memory_bytes", "gauge", "Memory in use, in bytes.", get_mem },
        { "memory_limit_bytes", "gauge", "Memory limit, in bytes.", get_mem_limit },
        { "network_receive_bytes_total", "counter",
          "Bytes received on every interface but loopback of its network namespace "
          "(a namespace shared by several instances counts on the first of them).",
          get_net_rx },
        { "network_transmit_bytes_total", "counter",
          "Bytes sent on every interface but loopback of its network namespace.", get_net_tx },
        { "io_read_bytes_total", "counter", "Bytes read from block devices.", get_io_read },
        { "io_write_bytes_total", "counter", "Bytes written to block devices.", get_io_write },
        { "pids", "gauge", "Processes.", get_pids },
        { "threads", "gauge", "Threads.", get_threads },
        { "pids_limit", "gauge", "Limit on processes and threads (pids.max).", get_pids_limit },
        { "oom_kills_total", "counter", "Processes killed at the memory limit (OOM kills).",
          get_oom },
        { "pids_refused_total", "counter", "Forks refused at the pids limit.", get_pids_refused },
        { "frozen", "gauge", "1 when its cgroup is frozen, else 0.", get_frozen },
        { "tasks_dstate", "gauge", "Tasks in uninterruptible sleep (D state).", get_dstate },
        { "tasks_zombie", "gauge", "Zombie tasks, not reaped by their parent.", get_zombies },
        { "tasks_stopped", "gauge", "Stopped or traced tasks.", get_stopped },
};

/*
 * A label value as the format wants it: '\\', '"' and newline escaped,
 * and valid UTF-8 (a name is what a container chose: a byte that is not
 * UTF-8 becomes U+FFFD).
 */
static void write_label_value(FILE *f, const char *s)
{
        for (const char *p = s ? s : ""; *p;) {
                size_t n = json_utf8_len(p);

                if (n == 0) {
                        fputs("\xef\xbf\xbd", f);
                        p++;
                } else if (*p == '\\' || *p == '"') {
                        fputc('\\', f);
                        fputc(*p++, f);
                } else if (*p == '\n') {
                        fputs("\\n", f);
                        p++;
                } else {
                        fwrite(p, 1, n, f);
                        p += n;
                }
        }
}

static void write_labels(FILE *f, const TopRow *r)
{
        const char *const values[][2] = {
                { "id", r->id },           { "name", r->name },
                { "runtime", r->runtime }, { "runtime_id", r->runtime_id },
                { "pod", r->pod },         { "namespace", r->pod_namespace },
        };

        fputc('{', f);
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                fprintf(f, "%s%s=\"", i ? "," : "", values[i][0]);
                write_label_value(f, values[i][1]);
                fputc('"', f);
        }
        fputc('}', f);
}

static void write_value(FILE *f, const PromValue *v)
{
        static const uint64_t scale[] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };
        uint64_t s = scale[MIN(v->decimals, ELEMENTSOF(scale) - 1)];

        if (v->decimals == 0)
                fprintf(f, " %llu\n", (unsigned long long)v->v);
        else
                fprintf(f, " %llu.%0*llu\n", (unsigned long long)(v->v / s), (int)v->decimals,
                        (unsigned long long)(v->v % s));
}

/* Rows that exited are not there to measure: their series end. */
static bool row_shown(const TopRow *r)
{
        return r->state != TOP_ROW_GONE;
}

int top_prom_write_rows(const TopRow *const *rows, size_t n, FILE *f)
{
        for (size_t k = 0; k < ELEMENTSOF(families); k++) {
                const PromFamily *fam = &families[k];
                bool any = false;
                PromValue v;

                for (size_t i = 0; i < n; i++) {
                        if (!row_shown(rows[i]) || !fam->get(rows[i], &v))
                                continue;
                        if (!any) {
                                fprintf(f, "# HELP " PREFIX "%s %s\n", fam->name, fam->help);
                                fprintf(f, "# TYPE " PREFIX "%s %s\n", fam->name, fam->type);
                                any = true;
                        }
                        fputs(PREFIX, f);
                        fputs(fam->name, f);
                        write_labels(f, rows[i]);
                        write_value(f, &v);
                }
        }
        if (fflush(f) != 0 || ferror(f))
                return -errno ?: -EIO;
        return 0;
}

int top_write_prometheus(const TopModel *m, FILE *f)
{
        _cleanup_free_ const TopRow **rows = xnew(const TopRow *, m->n_view + 1);

        for (size_t v = 0; v < m->n_view; v++)
                rows[v] = &m->rows[m->view[v]];
        return top_prom_write_rows(rows, m->n_view, f);
}
