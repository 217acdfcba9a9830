/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The rows of ns top: one per instance, kept across refreshes by instance
 * id, with the latest sample, rates against the sample before, deltas
 * against the first, history, and whether the row is new or gone; and the
 * view over them (filter, sort, tree). What a cell shows and the batch
 * writers are in top-write.c.
 */
#include <fcntl.h>
#include <strings.h>

#include "macro.h"
#include "reader.h"
#include "top-model.h"
#include "util.h"

const TopColumnDesc top_columns[TOP_COL_MAX] = {
        [TOP_COL_ID] = { "ID", INSTANCE_ID_LEN, false, false, "instance ID" },
        [TOP_COL_NAME] = { "NAME", 12, false, false, "container, machine or sandbox name" },
        [TOP_COL_RUNTIME] = { "RUNTIME", 7, false, false, "what made the instance" },
        [TOP_COL_PID] = { "PID", 7, true, false, "leader's host PID" },
        [TOP_COL_PIDS] = { "PIDS", 4, true, true, "tasks (processes and threads), as pids.max counts them" },
        [TOP_COL_CPU] = { "CPU%", 5, true, true, "CPU use, 100 = one core" },
        [TOP_COL_CPU_LIM] = { "CPU%LIM", 7, true, true, "CPU use against its own CPU limit" },
        [TOP_COL_MEM] = { "MEM", 5, true, true, "memory in use" },
        [TOP_COL_MEM_LIM] = { "MEM%", 5, true, true, "memory against its own limit" },
        [TOP_COL_NET_RX] = { "NETRX", 7, true, true, "bytes received per second" },
        [TOP_COL_NET_TX] = { "NETTX", 7, true, true, "bytes sent per second" },
        [TOP_COL_IO_R] = { "IORD", 7, true, true, "bytes read from disk per second" },
        [TOP_COL_IO_W] = { "IOWR", 7, true, true, "bytes written to disk per second" },
        [TOP_COL_HEALTH] = { "HEALTH", 6, false, true,
                             "frozen, D-state tasks, zombies, OOM kills and refused forks" },
        [TOP_COL_UPTIME] = { "UPTIME", 6, true, true, "time since its leader started" },
        [TOP_COL_COMMAND] = { "COMMAND", 7, false, false, "leader's command line" },
};

TopColumn top_column_from_name(const char *name)
{
        /* "cpu" finds "CPU%" when no heading is "cpu" itself */
        for (int pass = 0; pass < 2; pass++)
                for (int c = 0; c < TOP_COL_MAX; c++) {
                        const char *h = top_columns[c].name;
                        size_t n = strlen(name);

                        if (pass == 0 && strcasecmp(h, name) == 0)
                                return (TopColumn)c;
                        if (pass == 1 && n > 0 && strncasecmp(h, name, n) == 0 && h[n] == '%' &&
                            h[n + 1] == '\0')
                                return (TopColumn)c;
                }
        return TOP_COL_INVALID;
}

int top_model_new(int proc_fd, int root_fd, const TopOptions *o, TopModel **ret)
{
        TopModel *m = xnew(TopModel, 1);
        int r;

        m->opts = *o;
        m->sort = o->sort;
        m->sort_invert = o->sort_invert;
        m->proc_fd = fcntl(proc_fd, F_DUPFD_CLOEXEC, 3);
        m->root_fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
        if (m->proc_fd < 0 || m->root_fd < 0) {
                r = -errno;
                top_model_free(m);
                return r;
        }
        r = stats_new(proc_fd, root_fd, &m->stats);
        if (r < 0) {
                top_model_free(m);
                return r;
        }
        *ret = m;
        return 0;
}

static void row_done(TopRow *r)
{
        free(r->name);
        free(r->runtime);
        free(r->command);
        free(r->runtime_id);
        free(r->pod);
        free(r->pod_namespace);
        free(r->cur.cgroup);
        free(r->first.cgroup);
}

TopModel *top_model_free(TopModel *m)
{
        if (!m)
                return NULL;
        for (size_t i = 0; i < m->n_rows; i++)
                row_done(&m->rows[i]);
        free(m->rows);
        free(m->view);
        free(m->filter);
        if (m->want_ids)
                for (char **p = m->want_ids; *p; p++)
                        free(*p);
        free(m->want_ids);
        stats_snapshot_free(m->snap);
        instances_free(m->instances);
        scan_free(m->scan);
        stats_free(m->stats);
        reader_free(m->cmdline_reader);
        if (m->proc_fd >= 0)
                close(m->proc_fd);
        if (m->root_fd >= 0)
                close(m->root_fd);
        free(m);
        return NULL;
}

unsigned long long top_row_tasks(const TopRow *r)
{
        if (r->cur.have & STATS_HAVE_PIDS_CURRENT)
                return r->cur.pids_current;
        return r->cur.n_threads;
}

TopRow *top_model_find(const TopModel *m, const char *id)
{
        for (size_t i = 0; i < m->n_rows; i++)
                if (streq(m->rows[i].id, id))
                        return &m->rows[i];
        return NULL;
}

const Instance *top_model_instance(const TopModel *m, const char *id)
{
        if (!m->instances)
                return NULL;
        for (size_t i = 0; i < m->instances->n; i++)
                if (streq(m->instances->items[i].id, id))
                        return &m->instances->items[i];
        return NULL;
}

/* ------------------------------------------------------------ selection */

/* Resolve -p ids into instance IDs, once. */
static int resolve_ids(TopModel *m, const Instances *is)
{
        size_t n = 0;

        for (char **p = m->opts.ids; p && *p; p++)
                n++;
        m->want_ids = xnew(char *, n + 1);
        for (size_t i = 0; i < n; i++) {
                ssize_t k = instances_resolve(is, m->opts.ids[i], NULL, NULL);

                if (k < 0) {
                        m->bad_id = m->opts.ids[i];
                        return (int)k;
                }
                m->want_ids[i] = xstrdup(is->items[k].id);
        }
        return 0;
}

/* Whether the options let instance i through: -p, --runtime, -N, -a. */
static bool wanted(const TopModel *m, const Instance *in)
{
        if (m->want_ids && m->opts.ids) {
                for (char **p = m->want_ids; *p; p++)
                        if (streq(*p, in->id))
                                return true;
                return false;
        }
        if (in->host && !m->opts.all)
                return false;
        if (m->opts.runtime && strcasecmp(runtime_to_string(in->ident.runtime), m->opts.runtime) != 0)
                return false;
        if (m->opts.k8s_ns &&
            !(in->ident.k8s_namespace && streq(in->ident.k8s_namespace, m->opts.k8s_ns)))
                return false;
        return true;
}

/* ----------------------------------------------------------------- rows */

static int row_id_cmp(const void *a, const void *b, void *arg)
{
        const TopRow *rows = arg;
        return strcmp(rows[*(const size_t *)a].id, rows[*(const size_t *)b].id);
}

static ssize_t row_lookup(const TopRow *rows, const size_t *order, size_t n, const char *id)
{
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(rows[order[mid]].id, id);

                if (c == 0)
                        return (ssize_t)order[mid];
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return -1;
}

static void set_str(char **dst, const char *src)
{
        if (*dst && src && streq(*dst, src))
                return;
        free(*dst);
        *dst = src ? xstrdup(src) : NULL;
}

/* A sample, with its own copy of the cgroup (the snapshot's goes with it). */
static void sample_copy(InstanceSample *dst, const InstanceSample *src)
{
        free(dst->cgroup);
        *dst = *src;
        dst->cgroup = src->cgroup ? xstrdup(src->cgroup) : NULL;
}

static void history_push(TopRow *r, float cpu, uint64_t mem)
{
        if (r->n_hist == TOP_HISTORY) {
                memmove(r->cpu_hist, r->cpu_hist + 1, sizeof(float) * (TOP_HISTORY - 1));
                memmove(r->mem_hist, r->mem_hist + 1, sizeof(uint64_t) * (TOP_HISTORY - 1));
                r->n_hist--;
        }
        r->cpu_hist[r->n_hist] = cpu;
        r->mem_hist[r->n_hist] = mem;
        r->n_hist++;
}

/*
 * The deltas since the first sample. A counter that was not known at
 * first (a file not readable yet) counts from when it became known.
 */
static void row_deltas(TopRow *r)
{
        if ((r->cur.have & STATS_HAVE_OOM) && !(r->first.have & STATS_HAVE_OOM)) {
                r->first.oom_kills = r->cur.oom_kills;
                r->first.have |= STATS_HAVE_OOM;
        }
        if ((r->cur.have & STATS_HAVE_PIDS_EVENTS) && !(r->first.have & STATS_HAVE_PIDS_EVENTS)) {
                r->first.pids_refused = r->cur.pids_refused;
                r->first.have |= STATS_HAVE_PIDS_EVENTS;
        }
        r->oom_delta = r->cur.have & STATS_HAVE_OOM
                               ? stats_counter_delta(r->first.oom_kills, r->cur.oom_kills)
                               : 0;
        r->pids_refused_delta = r->cur.have & STATS_HAVE_PIDS_EVENTS
                                        ? stats_counter_delta(r->first.pids_refused,
                                                              r->cur.pids_refused)
                                        : 0;
}

/* One live instance's row: made, or brought up to date. */
static void row_update(TopModel *m, TopRow *r, bool is_new, const Instances *is, const Instance *in,
                       const InstanceSample *cur, const InstanceSample *prev_sample, bool sampled)
{
        const Proc *leader = instance_leader(is, in);

        set_str(&r->name, in->ident.name);
        set_str(&r->runtime, runtime_to_string(in->ident.runtime));
        set_str(&r->command, in->command);
        set_str(&r->runtime_id, in->ident.runtime_id);
        set_str(&r->pod_namespace, in->ident.k8s_namespace);
        /*
         * A pod's container is named "pod/container" and its sandbox "pod"
         * (naming_oci_kube()); a pod's name has no '/' (a DNS subdomain).
         */
        if (in->ident.k8s_namespace && in->ident.name) {
                _cleanup_free_ char *pod =
                        xstrndup(in->ident.name, strcspn(in->ident.name, "/"));
                set_str(&r->pod, pod);
        } else
                set_str(&r->pod, NULL);
        r->leader = leader->pid;
        r->leader_start = leader->starttime;
        r->uid = in->uid;
        r->host = in->host;

        if (is_new) {
                memcpy(r->id, in->id, sizeof(r->id));
                sample_copy(&r->first, cur);
                free(r->first.cgroup);
                r->first.cgroup = NULL;
                /* What is there when ns top starts is not news. */
                r->state = m->refreshes == 0 ? TOP_ROW_LIVE : TOP_ROW_NEW;
                r->state_age = 0;
        } else if (r->state == TOP_ROW_GONE) {
                /* back after a scan that missed it */
                r->state = TOP_ROW_LIVE;
                r->state_age = 0;
        } else {
                r->state_age++;
                if (r->state == TOP_ROW_NEW && r->state_age >= TOP_NEW_REFRESHES) {
                        r->state = TOP_ROW_LIVE;
                        r->state_age = 0;
                }
        }
        r->have_rates = prev_sample != NULL && m->interval > 0;
        stats_rates(r->have_rates ? prev_sample : NULL, cur, m->interval, &r->rates);
        sample_copy(&r->cur, cur);
        row_deltas(r);
        /* a row made before the first sample has no point of history yet */
        if (sampled)
                history_push(r, r->have_rates ? (float)r->rates.cpu_pct : 0.0f, cur->mem_bytes);
}

/* Rows of instances not seen this refresh go grey, then away. */
static void rows_age_gone(TopModel *m, const bool *seen)
{
        size_t out = 0;

        for (size_t i = 0; i < m->n_rows; i++) {
                TopRow *r = &m->rows[i];

                if (!seen[i]) {
                        if (r->state != TOP_ROW_GONE) {
                                r->state = TOP_ROW_GONE;
                                r->state_age = 0;
                                r->have_rates = false;
                                memset(&r->rates, 0, sizeof(r->rates));
                                r->rates.cpu_pct_of_limit = r->rates.mem_pct_of_limit = -1;
                        } else if (++r->state_age >= TOP_GONE_REFRESHES) {
                                row_done(r);
                                continue;
                        }
                }
                if (out != i)
                        m->rows[out] = *r;
                out++;
        }
        m->n_rows = out;
}

/* Each row's parent: the nearest instance above it that has a row. */
static void rows_nest(TopModel *m)
{
        const Instances *is = m->instances;
        _cleanup_free_ size_t *order = xnew(size_t, m->n_rows + 1);

        for (size_t i = 0; i < m->n_rows; i++) {
                order[i] = i;
                m->rows[i].parent = -1;
                m->rows[i].depth = 0;
        }
        if (!m->tree || !is)
                return;
        instances_find_parents(m->instances);
        qsort_r(order, m->n_rows, sizeof(size_t), row_id_cmp, m->rows);
        for (size_t i = 0; i < is->n; i++) {
                ssize_t self = row_lookup(m->rows, order, m->n_rows, is->items[i].id);
                ssize_t p = is->items[i].parent;

                if (self < 0)
                        continue;
                for (size_t steps = 0; p >= 0 && steps <= is->n; steps++) {
                        ssize_t pr = row_lookup(m->rows, order, m->n_rows, is->items[p].id);
                        if (pr >= 0 && pr != self) {
                                m->rows[self].parent = pr;
                                break;
                        }
                        p = is->items[p].parent;
                }
        }
        /* depth, bounded: nest.c makes a forest, but be safe */
        for (size_t i = 0; i < m->n_rows; i++) {
                int d = 0;
                for (ssize_t p = m->rows[i].parent; p >= 0 && d <= (int)m->n_rows; p = m->rows[p].parent)
                        d++;
                m->rows[i].depth = d;
        }
}

static void view_update(TopModel *m);

/* A leader's command line, through the helper of the reader: never waits past its deadline. */
static int cmdline_read(void *userdata, pid_t pid, char **ret, size_t *ret_len)
{
        char path[32];

        snprintf(path, sizeof(path), "%d/cmdline", (int)pid);
        return reader_read(userdata, path, 65536, ret, ret_len);
}

/* Scan, group and name (reusing the last load), and resolve -p the first time. */
static int load_instances(TopModel *m, Instances **ret_is, Scan **ret_scan)
{
        bool reverify = m->refreshes % TOP_REVERIFY_REFRESHES == 0;
        const Instances *prev = reverify ? NULL : m->instances;
        CmdlineSource src = { .read = cmdline_read };
        Instances *is = NULL;
        Scan *scan = NULL;
        int r;

        /* One helper for the model's life, started at the first read: a
         * refresh that names no new instance reads no command line. */
        if (!m->cmdline_reader)
                (void)reader_new(m->proc_fd, TOP_CMDLINE_TIMEOUT_MS, TOP_CMDLINE_BUDGET_MS,
                                 &m->cmdline_reader);
        else
                reader_set_budget(m->cmdline_reader, TOP_CMDLINE_BUDGET_MS);
        src.userdata = m->cmdline_reader;
        r = instances_load_src(m->proc_fd, m->root_fd, INSTANCES_LOAD_STAT, prev, &src, &is, &scan);
        if (r < 0)
                return r;
        m->n_cmdline_blocked = 0;
        for (size_t i = 0; i < is->n; i++)
                m->n_cmdline_blocked += is->items[i].cmdline_blocked;
        if (!m->want_ids && m->opts.ids) {
                r = resolve_ids(m, is);
                if (r < 0) {
                        instances_free(is);
                        scan_free(scan);
                        return r;
                }
        }
        *ret_is = is;
        *ret_scan = scan;
        return 0;
}

/*
 * The rows of the instances the options let through (want), brought up to
 * date with snap; without snap (top_model_load()), made with what the scan
 * knows (task count, start) and no figures. Rows of instances not in is
 * age towards gone.
 */
static void rows_update(TopModel *m, const Instances *is, const bool *want,
                        const StatsSnapshot *snap)
{
        _cleanup_free_ size_t *order = xnew(size_t, m->n_rows + 1);
        _cleanup_free_ bool *seen = xnew(bool, m->n_rows + is->n + 1);
        size_t n_old = m->n_rows;
        long clk_tck = sysconf(_SC_CLK_TCK);

        /* rows by id, to find each instance's */
        for (size_t i = 0; i < n_old; i++)
                order[i] = i;
        qsort_r(order, n_old, sizeof(size_t), row_id_cmp, m->rows);

        memset(m->n_by_runtime, 0, sizeof(m->n_by_runtime));
        m->n_instances = 0;
        for (size_t i = 0; i < is->n; i++) {
                const Instance *in = &is->items[i];
                const InstanceSample *prev_sample = NULL;
                InstanceSample bare = {};
                ssize_t k;
                bool is_new;

                if (!in->host) {
                        m->n_instances++;
                        m->n_by_runtime[in->ident.runtime]++;
                }
                if (!want[i])
                        continue;
                k = row_lookup(m->rows, order, n_old, in->id);
                is_new = k < 0;
                if (is_new) {
                        m->rows = xreallocarray(m->rows, m->n_rows + 1, sizeof(TopRow));
                        k = (ssize_t)m->n_rows++;
                        memset(&m->rows[k], 0, sizeof(TopRow));
                } else if (m->rows[k].state != TOP_ROW_GONE)
                        prev_sample = &m->rows[k].cur;
                seen[k] = true;
                if (!snap) {
                        const Proc *leader = instance_leader(is, in);

                        memcpy(bare.id, in->id, sizeof(bare.id));
                        bare.n_procs = (unsigned)in->n_members;
                        for (size_t j = 0; j < in->n_members; j++)
                                bare.n_threads += instance_member(is, in, j)->num_threads;
                        if (leader->stat_ok && clk_tck > 0)
                                bare.start = (double)leader->starttime / (double)clk_tck;
                }
                row_update(m, &m->rows[k], is_new, is, in, snap ? &snap->items[i] : &bare,
                           prev_sample, snap != NULL);
        }
        rows_age_gone(m, seen);
}

static bool *wanted_all(const TopModel *m, const Instances *is)
{
        bool *want = xnew(bool, is->n + 1);

        for (size_t i = 0; i < is->n; i++)
                want[i] = wanted(m, &is->items[i]);
        return want;
}

int top_model_load(TopModel *m)
{
        _cleanup_free_ bool *want = NULL;
        Instances *is = NULL;
        Scan *scan = NULL;
        int r;

        if (m->refreshes > 0 || m->loaded)
                return 0;
        r = load_instances(m, &is, &scan);
        if (r < 0)
                return r;
        want = wanted_all(m, is);
        /* the header's figures cost a few small files: the first frame has them */
        stats_sample_host(m->stats, &m->host);
        m->wall = time(NULL);
        rows_update(m, is, want, NULL);
        m->n_unreadable_procs = m->n_unreadable = scan->n_unreadable;
        /* the first refresh samples this load instead of scanning again */
        m->instances = is;
        m->scan = scan;
        m->loaded = true;
        rows_nest(m);
        view_update(m);
        return 0;
}

int top_model_refresh(TopModel *m)
{
        _cleanup_free_ bool *want = NULL;
        Instances *is = NULL;
        Scan *scan = NULL;
        StatsSnapshot *snap = NULL;
        int r;

        if (m->loaded) {
                is = m->instances;
                scan = m->scan;
        } else {
                r = load_instances(m, &is, &scan);
                if (r < 0)
                        return r;
        }
        want = wanted_all(m, is);
        r = stats_sample_some(m->stats, is, want, &snap);
        if (r < 0) {
                if (!m->loaded) {
                        instances_free(is);
                        scan_free(scan);
                }
                return r;
        }
        m->loaded = false;

        m->interval = m->snap ? (double)(snap->taken_usec - m->snap->taken_usec) / 1e6 : 0;
        m->wall = time(NULL);
        rows_update(m, is, want, snap);

        m->host_prev = m->host;
        m->have_host_prev = m->snap != NULL;
        m->host = snap->host;
        m->host_cpu_pct = m->have_host_prev ? stats_host_cpu_pct(&m->host_prev, &m->host) : 0;
        m->n_unreadable_procs = scan->n_unreadable;
        m->n_unreadable = scan->n_unreadable + snap->n_unreadable;

        /* the previous load served as reuse; this one serves the next */
        stats_snapshot_free(m->snap);
        if (m->instances != is) {
                instances_free(m->instances);
                scan_free(m->scan);
        }
        m->snap = snap;
        m->instances = is;
        m->scan = scan;
        m->refreshes++;

        rows_nest(m);
        view_update(m);
        return 0;
}

/* ----------------------------------------------------------------- view */

static bool contains_nocase(const char *hay, const char *needle)
{
        return hay && strcasestr(hay, needle) != NULL;
}

static bool row_matches(const TopModel *m, const TopRow *r)
{
        const char *f = m->filter;

        if (!f || !*f)
                return true;
        return contains_nocase(r->id, f) || contains_nocase(r->name, f) ||
               contains_nocase(r->runtime, f) || contains_nocase(r->command, f);
}

/* The number a numeric column sorts by; unknown figures sort below every known one. */
static double sort_number(const TopRow *r, TopColumn c)
{
        switch (c) {
        case TOP_COL_PID:
                return r->leader;
        case TOP_COL_PIDS:
                return (double)top_row_tasks(r);
        case TOP_COL_CPU:
                return r->have_rates && (r->rates.have & STATS_HAVE_CPU) ? r->rates.cpu_pct : -1;
        case TOP_COL_CPU_LIM:
                return r->have_rates ? r->rates.cpu_pct_of_limit : -1;
        case TOP_COL_MEM:
                return r->cur.have & STATS_HAVE_MEM ? (double)r->cur.mem_bytes : -1;
        case TOP_COL_MEM_LIM:
                return r->rates.mem_pct_of_limit;
        case TOP_COL_NET_RX:
                return r->rates.have & STATS_HAVE_NET ? r->rates.net_rx_bps : -1;
        case TOP_COL_NET_TX:
                return r->rates.have & STATS_HAVE_NET ? r->rates.net_tx_bps : -1;
        case TOP_COL_IO_R:
                return r->rates.have & STATS_HAVE_IO ? r->rates.io_read_bps : -1;
        case TOP_COL_IO_W:
                return r->rates.have & STATS_HAVE_IO ? r->rates.io_write_bps : -1;
        case TOP_COL_HEALTH:
                /* the worst first: frozen, then OOM kills, then stuck tasks */
                return (r->cur.frozen ? 1e12 : 0) + (double)r->oom_delta * 1e9 +
                       (double)r->pids_refused_delta * 1e6 + r->cur.n_dstate * 1e3 +
                       r->cur.n_zombie + (r->have_rates ? r->rates.throttled_share : 0);
        case TOP_COL_UPTIME:
                /* oldest leader first in the natural (descending) order */
                return -r->cur.start;
        default:
                return 0;
        }
}

static const char *sort_text(const TopRow *r, TopColumn c)
{
        switch (c) {
        case TOP_COL_NAME:
                return r->name ? r->name : "";
        case TOP_COL_RUNTIME:
                return r->runtime ? r->runtime : "";
        case TOP_COL_COMMAND:
                return r->command ? r->command : "";
        default:
                return r->id;
        }
}

static bool column_is_text(TopColumn c)
{
        return c == TOP_COL_ID || c == TOP_COL_NAME || c == TOP_COL_RUNTIME || c == TOP_COL_COMMAND;
}

/* The order of two rows for the current sort; by id on ties, so the order is total. */
static int row_order(const TopModel *m, const TopRow *a, const TopRow *b)
{
        TopColumn c = m->sort >= 0 && m->sort < TOP_COL_MAX ? m->sort : TOP_COL_CPU;
        int k = 0;

        if (column_is_text(c)) {
                k = strcasecmp(sort_text(a, c), sort_text(b, c));
        } else {
                double x = sort_number(a, c), y = sort_number(b, c);
                k = (x > y) - (x < y);
        }
        if (top_columns[c].sort_descending)
                k = -k;
        if (m->sort_invert)
                k = -k;
        return k ? k : strcmp(a->id, b->id);
}

static int view_cmp(const void *a, const void *b, void *arg)
{
        const TopModel *m = arg;
        return row_order(m, &m->rows[*(const size_t *)a], &m->rows[*(const size_t *)b]);
}

/* Depth-first from the roots, each level in the sort order. */
static void view_tree(TopModel *m, const bool *in_view)
{
        _cleanup_free_ size_t *sorted = xnew(size_t, m->n_view + 1);
        _cleanup_free_ size_t *stack = xnew(size_t, m->n_rows + 1);
        _cleanup_free_ bool *placed = xnew(bool, m->n_rows + 1);
        size_t n_sorted = m->n_view, out = 0;

        memcpy(sorted, m->view, sizeof(size_t) * n_sorted);
        for (size_t i = 0; i < n_sorted; i++) {
                size_t root = sorted[i], sp = 0;
                ssize_t p = m->rows[root].parent;

                /* a root: no parent, or one that is filtered out */
                if (placed[root] || (p >= 0 && in_view[p]))
                        continue;
                stack[sp++] = root;
                while (sp > 0) {
                        size_t cur = stack[--sp];

                        if (placed[cur])
                                continue;
                        placed[cur] = true;
                        m->view[out++] = cur;
                        /* children, pushed last-first so they come out in order */
                        for (size_t j = n_sorted; j-- > 0;) {
                                size_t c = sorted[j];
                                if (!placed[c] && m->rows[c].parent == (ssize_t)cur && sp < m->n_rows)
                                        stack[sp++] = c;
                        }
                }
        }
        /* anything a broken parent chain left out goes last */
        for (size_t i = 0; i < n_sorted; i++)
                if (!placed[sorted[i]])
                        m->view[out++] = sorted[i];
}

static void view_update(TopModel *m)
{
        _cleanup_free_ bool *in_view = xnew(bool, m->n_rows + 1);

        free(m->view);
        m->view = xnew(size_t, m->n_rows + 1);
        m->n_view = 0;
        for (size_t i = 0; i < m->n_rows; i++)
                if (row_matches(m, &m->rows[i])) {
                        m->view[m->n_view++] = i;
                        in_view[i] = true;
                }
        qsort_r(m->view, m->n_view, sizeof(size_t), view_cmp, m);
        if (m->tree)
                view_tree(m, in_view);
}

void top_model_set_filter(TopModel *m, const char *filter)
{
        free(m->filter);
        m->filter = filter && *filter ? xstrdup(filter) : NULL;
        view_update(m);
}

void top_model_set_sort(TopModel *m, TopColumn col, bool invert)
{
        if (col >= 0 && col < TOP_COL_MAX)
                m->sort = col;
        m->sort_invert = invert;
        view_update(m);
}

void top_model_set_tree(TopModel *m, bool tree)
{
        m->tree = tree;
        rows_nest(m);
        view_update(m);
}
