/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What ns top shows of its rows: the text of each cell (shared by the
 * screen and the batch table), the HEALTH flags, and the two batch
 * writers, a text frame like top -b and one JSON line per frame.
 */
#include <math.h>
#include <stdarg.h>

#include "json.h"
#include "macro.h"
#include "top-model.h"
#include "util.h"

const TopColumn top_batch_columns[] = {
        TOP_COL_ID,     TOP_COL_NAME,   TOP_COL_RUNTIME, TOP_COL_PIDS,   TOP_COL_CPU,
        TOP_COL_MEM,    TOP_COL_MEM_LIM, TOP_COL_NET_RX, TOP_COL_NET_TX, TOP_COL_IO_R,
        TOP_COL_IO_W,   TOP_COL_HEALTH, TOP_COL_UPTIME,  TOP_COL_COMMAND, TOP_COL_INVALID,
};

void top_format_bytes(double bytes, bool per_second, char *buf, size_t size)
{
        static const char suffix[] = "KMGTPE";
        const char *ps = per_second ? "/s" : "";
        double v = bytes;
        int i = -1;

        if (!(v >= 0))
                v = 0;
        if (v < 1024) {
                snprintf(buf, size, "%.0fB%s", v, ps);
                return;
        }
        while (v >= 1024 && i < (int)sizeof(suffix) - 2) {
                v /= 1024;
                i++;
        }
        /* 9.95 would print as "10.0": round first, then choose the form */
        if (v < 9.95)
                snprintf(buf, size, "%.1f%c%s", v, suffix[i], ps);
        else
                snprintf(buf, size, "%.0f%c%s", v, suffix[i], ps);
}

void top_format_duration(double seconds, char *buf, size_t size)
{
        unsigned long long s = seconds > 0 ? (unsigned long long)seconds : 0;

        if (s < 60)
                snprintf(buf, size, "%llus", s);
        else if (s < 3600)
                snprintf(buf, size, "%llum%02llus", s / 60, s % 60);
        else if (s < 86400)
                snprintf(buf, size, "%lluh%02llum", s / 3600, s % 3600 / 60);
        else
                snprintf(buf, size, "%llud%02lluh", s / 86400, s % 86400 / 3600);
}

/* Append to buf, with a space before all but the first word. */
static void append(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);
static void append(char *buf, size_t size, const char *fmt, ...)
{
        size_t len = strnlen(buf, size);
        va_list ap;

        if (len + 1 >= size)
                return;
        if (len > 0)
                buf[len++] = ' ';
        va_start(ap, fmt);
        vsnprintf(buf + len, size - len, fmt, ap);
        va_end(ap);
}

void top_health(const TopRow *r, char *buf, size_t size)
{
        const InstanceSample *s = &r->cur;

        if (size == 0)
                return;
        buf[0] = '\0';
        if (s->frozen)
                append(buf, size, "frozen");
        if (s->n_dstate)
                append(buf, size, "%uD", s->n_dstate);
        if (s->n_zombie)
                append(buf, size, "%uZ", s->n_zombie);
        if (s->n_stopped)
                append(buf, size, "%u stopped", s->n_stopped);
        if (r->oom_delta)
                append(buf, size, "+%llu oom", (unsigned long long)r->oom_delta);
        if (r->pids_refused_delta)
                append(buf, size, "+%llu forks", (unsigned long long)r->pids_refused_delta);
        if (r->have_rates && (r->rates.have & STATS_HAVE_THROTTLE) && r->rates.throttled_share > 0.1)
                append(buf, size, "throttled %.0f%%", r->rates.throttled_share * 100);
}

/* Seconds since the row's leader started, by the host's uptime at the sample. */
static double row_uptime(const TopModel *m, const TopRow *r)
{
        return m->host.uptime > r->cur.start ? m->host.uptime - r->cur.start : 0;
}

void top_cell(const TopModel *m, const TopRow *r, TopColumn col, char *buf, size_t size)
{
        const InstanceRates *rt = &r->rates;
        bool rates = r->have_rates && r->state != TOP_ROW_GONE;

        if (size == 0)
                return;
        switch (col) {
        case TOP_COL_ID:
                snprintf(buf, size, "%s", r->id);
                break;
        case TOP_COL_NAME:
                snprintf(buf, size, "%s", r->name ? r->name : "-");
                break;
        case TOP_COL_RUNTIME:
                snprintf(buf, size, "%s", r->runtime ? r->runtime : "-");
                break;
        case TOP_COL_PID:
                snprintf(buf, size, "%d", (int)r->leader);
                break;
        case TOP_COL_PIDS:
                snprintf(buf, size, "%llu", top_row_tasks(r));
                break;
        case TOP_COL_CPU:
                if (rates && (rt->have & STATS_HAVE_CPU))
                        snprintf(buf, size, "%.1f", rt->cpu_pct);
                else
                        snprintf(buf, size, "-");
                break;
        case TOP_COL_CPU_LIM:
                if (rates && rt->cpu_pct_of_limit >= 0)
                        snprintf(buf, size, "%.1f", rt->cpu_pct_of_limit);
                else
                        snprintf(buf, size, "-");
                break;
        case TOP_COL_MEM:
                if (r->cur.have & STATS_HAVE_MEM)
                        top_format_bytes((double)r->cur.mem_bytes, false, buf, size);
                else
                        snprintf(buf, size, "-");
                break;
        case TOP_COL_MEM_LIM:
                if (rt->mem_pct_of_limit >= 0)
                        snprintf(buf, size, "%.1f", rt->mem_pct_of_limit);
                else
                        snprintf(buf, size, "-");
                break;
        case TOP_COL_NET_RX:
        case TOP_COL_NET_TX:
                if (rates && (rt->have & STATS_HAVE_NET))
                        top_format_bytes(col == TOP_COL_NET_RX ? rt->net_rx_bps : rt->net_tx_bps,
                                         true, buf, size);
                else
                        snprintf(buf, size, "-");
                break;
        case TOP_COL_IO_R:
        case TOP_COL_IO_W:
                if (rates && (rt->have & STATS_HAVE_IO))
                        top_format_bytes(col == TOP_COL_IO_R ? rt->io_read_bps : rt->io_write_bps,
                                         true, buf, size);
                else
                        snprintf(buf, size, "-");
                break;
        case TOP_COL_HEALTH:
                top_health(r, buf, size);
                break;
        case TOP_COL_UPTIME:
                top_format_duration(row_uptime(m, r), buf, size);
                break;
        case TOP_COL_COMMAND:
                snprintf(buf, size, "%s", r->command ? r->command : "");
                /* a container chooses its command line: nothing of it reaches a terminal raw */
                str_sanitize(buf);
                break;
        default:
                snprintf(buf, size, "?");
                break;
        }
        if (col == TOP_COL_NAME)
                str_sanitize(buf);
}

/* ---------------------------------------------------------- text frame */

#define CELL_MAX 4096

static int write_header(const TopModel *m, FILE *f)
{
        char clock[16] = "", up[16], used[16], total[16];
        struct tm tm;
        size_t listed = 0;

        if (localtime_r(&m->wall, &tm))
                strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
        top_format_duration(m->host.uptime, up, sizeof(up));
        fprintf(f, "ns top - %s up %s, load average: %.2f, %.2f, %.2f\n", clock, up,
                m->host.load[0], m->host.load[1], m->host.load[2]);
        top_format_bytes((double)(m->host.mem_total - MIN(m->host.mem_available, m->host.mem_total)),
                         false, used, sizeof(used));
        top_format_bytes((double)m->host.mem_total, false, total, sizeof(total));
        if (m->have_host_prev)
                fprintf(f, "host: %.1f%% CPU of %u, memory %s used of %s\n", m->host_cpu_pct,
                        m->host.n_cpus, used, total);
        else
                fprintf(f, "host: - CPU of %u, memory %s used of %s\n", m->host.n_cpus, used, total);
        fprintf(f, "instances: %zu", m->n_instances);
        for (int rt = 0; rt < RUNTIME_MAX; rt++)
                if (m->n_by_runtime[rt] > 0)
                        fprintf(f, "%s%s %zu", listed++ ? ", " : " (", runtime_to_string((Runtime)rt),
                                m->n_by_runtime[rt]);
        fputs(listed ? ")\n" : "\n", f);
        if (m->n_unreadable_procs > 0)
                fprintf(f, "not readable: %zu process%s (run as root to see them)\n",
                        m->n_unreadable_procs, m->n_unreadable_procs == 1 ? "" : "es");
        return 0;
}

int top_write_text(const TopModel *m, FILE *f)
{
        size_t n_cols = 0, width[TOP_COL_MAX] = {};
        _cleanup_free_ char *cell = xmalloc(CELL_MAX);

        write_header(m, f);
        fputc('\n', f);

        /* each column as wide as its widest cell */
        for (; top_batch_columns[n_cols] != TOP_COL_INVALID; n_cols++) {
                TopColumn c = top_batch_columns[n_cols];
                width[n_cols] = strlen(top_columns[c].name);
                for (size_t v = 0; v < m->n_view; v++) {
                        top_cell(m, &m->rows[m->view[v]], c, cell, CELL_MAX);
                        width[n_cols] = MAX(width[n_cols], strlen(cell));
                }
        }
        for (ssize_t v = -1; v < (ssize_t)m->n_view; v++) {
                for (size_t k = 0; k < n_cols; k++) {
                        TopColumn c = top_batch_columns[k];
                        bool last = k + 1 == n_cols;
                        const char *text = cell;
                        int w = (int)width[k];

                        if (v < 0)
                                text = top_columns[c].name;
                        else
                                top_cell(m, &m->rows[m->view[v]], c, cell, CELL_MAX);
                        if (k > 0)
                                fputc(' ', f);
                        if (last)
                                fputs(text, f);
                        else if (top_columns[c].right)
                                fprintf(f, "%*s", w, text);
                        else
                                fprintf(f, "%-*s", w, text);
                }
                fputc('\n', f);
        }
        fputc('\n', f);
        if (fflush(f) != 0 || ferror(f))
                return -errno ?: -EIO;
        return 0;
}

/* ---------------------------------------------------------- JSON frame */

static void json_key(FILE *f, bool *first, const char *key)
{
        if (!*first)
                fputc(',', f);
        *first = false;
        fprintf(f, "\"%s\":", key);
}

static void json_u64(FILE *f, bool *first, const char *key, bool known, uint64_t v)
{
        json_key(f, first, key);
        if (known)
                fprintf(f, "%llu", (unsigned long long)v);
        else
                fputs("null", f);
}

static void json_num(FILE *f, bool *first, const char *key, bool known, double v)
{
        json_key(f, first, key);
        /* JSON has no NaN or infinity */
        if (known && isfinite(v))
                fprintf(f, "%.3f", v);
        else
                fputs("null", f);
}

static void json_str(FILE *f, bool *first, const char *key, const char *s)
{
        json_key(f, first, key);
        if (s)
                json_write_string(f, s);
        else
                fputs("null", f);
}

static const char *const row_states[] = {
        [TOP_ROW_LIVE] = "live",
        [TOP_ROW_NEW] = "new",
        [TOP_ROW_GONE] = "gone",
};

static void json_row(const TopModel *m, const TopRow *r, FILE *f)
{
        const InstanceSample *s = &r->cur;
        const InstanceRates *rt = &r->rates;
        bool rates = r->have_rates && r->state != TOP_ROW_GONE, first = true, h = true;
        char id[INSTANCE_ID_LEN + 1];

        fputc('{', f);
        memcpy(id, r->id, sizeof(id));
        json_str(f, &first, "id", id);
        json_str(f, &first, "name", r->name);
        json_str(f, &first, "runtime", r->runtime);
        json_u64(f, &first, "pid", true, (uint64_t)r->leader);
        json_str(f, &first, "state", row_states[r->state]);
        json_u64(f, &first, "pids", true, s->n_procs);
        json_u64(f, &first, "threads", true, s->n_threads);
        json_u64(f, &first, "tasks", true, top_row_tasks(r));
        json_u64(f, &first, "pids_current", s->have & STATS_HAVE_PIDS_CURRENT, s->pids_current);
        json_num(f, &first, "cpu_pct", rates && (rt->have & STATS_HAVE_CPU), rt->cpu_pct);
        json_num(f, &first, "cpu_limit_pct", rates && rt->cpu_pct_of_limit >= 0, rt->cpu_pct_of_limit);
        json_num(f, &first, "cpu_limit", s->have & STATS_HAVE_CPU_LIMIT,
                 (double)s->cpu_limit_millis / 1000.0);
        json_u64(f, &first, "cpu_usec", s->have & STATS_HAVE_CPU, s->cpu_usec);
        json_u64(f, &first, "mem_bytes", s->have & STATS_HAVE_MEM, s->mem_bytes);
        json_u64(f, &first, "mem_limit", s->have & STATS_HAVE_MEM_LIMIT, s->mem_limit);
        json_num(f, &first, "mem_pct", rt->mem_pct_of_limit >= 0, rt->mem_pct_of_limit);
        json_u64(f, &first, "pids_limit", s->have & STATS_HAVE_PIDS_LIMIT, s->pids_limit);
        json_num(f, &first, "net_rx_bps", rates && (rt->have & STATS_HAVE_NET), rt->net_rx_bps);
        json_num(f, &first, "net_tx_bps", rates && (rt->have & STATS_HAVE_NET), rt->net_tx_bps);
        json_u64(f, &first, "net_rx_bytes", s->have & STATS_HAVE_NET, s->net_rx_bytes);
        json_u64(f, &first, "net_tx_bytes", s->have & STATS_HAVE_NET, s->net_tx_bytes);
        json_u64(f, &first, "net_ns", s->net_ns != 0, s->net_ns);
        json_key(f, &first, "net_owner");
        fputs(s->net_owner ? "true" : "false", f);
        json_num(f, &first, "io_read_bps", rates && (rt->have & STATS_HAVE_IO), rt->io_read_bps);
        json_num(f, &first, "io_write_bps", rates && (rt->have & STATS_HAVE_IO), rt->io_write_bps);
        json_u64(f, &first, "io_read_bytes", s->have & STATS_HAVE_IO, s->io_read_bytes);
        json_u64(f, &first, "io_write_bytes", s->have & STATS_HAVE_IO, s->io_write_bytes);

        json_key(f, &first, "health");
        fputc('{', f);
        json_key(f, &h, "frozen");
        fputs(s->frozen ? "true" : "false", f);
        json_u64(f, &h, "running", true, s->n_running);
        json_u64(f, &h, "dstate", true, s->n_dstate);
        json_u64(f, &h, "zombies", true, s->n_zombie);
        json_u64(f, &h, "stopped", true, s->n_stopped);
        json_u64(f, &h, "oom_kills", s->have & STATS_HAVE_OOM, r->oom_delta);
        json_u64(f, &h, "pids_refused", s->have & STATS_HAVE_PIDS_EVENTS, r->pids_refused_delta);
        json_num(f, &h, "throttled_share", rates && (rt->have & STATS_HAVE_THROTTLE),
                 rt->throttled_share);
        fputc('}', f);

        json_num(f, &first, "uptime", true, row_uptime(m, r));
        json_str(f, &first, "cgroup", s->cgroup);
        json_str(f, &first, "command", r->command);
        fputc('}', f);
}

int top_write_json(const TopModel *m, FILE *f)
{
        bool first = true, h = true, rt_first = true;

        fputc('{', f);
        json_u64(f, &first, "time", true, (uint64_t)m->wall);
        json_num(f, &first, "interval", m->interval > 0, m->interval);
        json_key(f, &first, "host");
        fputc('{', f);
        json_num(f, &h, "cpu_pct", m->have_host_prev, m->host_cpu_pct);
        json_u64(f, &h, "cpus", true, m->host.n_cpus);
        json_u64(f, &h, "mem_total", m->host.mem_total > 0, m->host.mem_total);
        json_u64(f, &h, "mem_available", m->host.mem_total > 0, m->host.mem_available);
        json_key(f, &h, "load");
        fprintf(f, "[%.2f,%.2f,%.2f]", m->host.load[0], m->host.load[1], m->host.load[2]);
        json_num(f, &h, "uptime", true, m->host.uptime);
        json_u64(f, &h, "instances", true, m->n_instances);
        json_key(f, &h, "runtimes");
        fputc('{', f);
        for (int k = 0; k < RUNTIME_MAX; k++)
                if (m->n_by_runtime[k] > 0)
                        json_u64(f, &rt_first, runtime_to_string((Runtime)k), true, m->n_by_runtime[k]);
        fputc('}', f);
        json_u64(f, &h, "unreadable_processes", true, m->n_unreadable_procs);
        json_u64(f, &h, "unreadable", true, m->n_unreadable);
        fputc('}', f);
        json_key(f, &first, "instances");
        fputc('[', f);
        for (size_t v = 0; v < m->n_view; v++) {
                if (v > 0)
                        fputc(',', f);
                json_row(m, &m->rows[m->view[v]], f);
        }
        fputs("]}\n", f);
        if (fflush(f) != 0 || ferror(f))
                return -errno ?: -EIO;
        return 0;
}
