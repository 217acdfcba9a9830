/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ns top's model: cells, health, columns, and rows driven over refreshes
 * of the stats layer's v2 fixture tree (tests/unit/stats/fixtures/v2):
 * which rows there are, new and gone states, filter, sort, tree, and the
 * batch writers.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "json.h"
#include "macro.h"
#include "reader.h"
#include "stats-fixture.h"
#include "top-model.h"
#include "util.h"

/* The docker container's own id (a prefix), which -p takes too. */
#define CTR "3b1e2f6a9c0d"

static char dir[64];
static int proc_fd = -1, root_fd = -1;

static void setup(void)
{
        stats_fixture_copy("v2", "top", dir, sizeof(dir), &proc_fd, &root_fd);
}

static void teardown(void)
{
        stats_fixture_remove(dir, &proc_fd, &root_fd);
}

TestSuite(top, .init = setup, .fini = teardown);
TestSuite(top_pure);

static TopOptions defaults(void)
{
        return (TopOptions){ .delay = 2, .sort = TOP_COL_CPU };
}

static TopModel *model(const TopOptions *o)
{
        TopModel *m = NULL;

        cr_assert_eq(top_model_new(proc_fd, root_fd, o, &m), 0);
        return m;
}

/* The row led by pid, or NULL. */
static const TopRow *led_by(const TopModel *m, pid_t pid)
{
        for (size_t i = 0; i < m->n_rows; i++)
                if (m->rows[i].leader == pid)
                        return &m->rows[i];
        return NULL;
}

/* A new instance: a copy of pid from, with namespaces of its own from base. */
static void new_instance(int from, int pid, unsigned long long base)
{
        static const char *const types[] = { "user", "mnt", "pid", "net", "uts", "ipc", "cgroup", "time" };
        char cmd[512];

        snprintf(cmd, sizeof(cmd), "cp -a '%s/proc/%d' '%s/proc/%d'", dir, from, dir, pid);
        cr_assert_eq(system(cmd), 0);
        for (int t = 0; t < 8; t++) {
                char path[256], link[64];

                snprintf(path, sizeof(path), "%s/proc/%d/ns/%s", dir, pid, types[t]);
                snprintf(link, sizeof(link), "%s:[%llu]", types[t], base + (unsigned long long)t);
                cr_assert_eq(unlink(path), 0);
                cr_assert_eq(symlink(link, path), 0);
        }
}

static void rm_proc(int pid)
{
        char cmd[256];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s/proc/%d'", dir, pid);
        cr_assert_eq(system(cmd), 0);
}

/* ---------------------------------------------------------------- pure */

Test(top_pure, column_names)
{
        cr_expect_eq(top_column_from_name("cpu"), TOP_COL_CPU);
        cr_expect_eq(top_column_from_name("CPU%"), TOP_COL_CPU);
        cr_expect_eq(top_column_from_name("mem"), TOP_COL_MEM);
        cr_expect_eq(top_column_from_name("Mem%"), TOP_COL_MEM_LIM);
        cr_expect_eq(top_column_from_name("cpu%lim"), TOP_COL_CPU_LIM);
        cr_expect_eq(top_column_from_name("netrx"), TOP_COL_NET_RX);
        cr_expect_eq(top_column_from_name("pid"), TOP_COL_PID);
        cr_expect_eq(top_column_from_name("cp"), TOP_COL_INVALID);
        cr_expect_eq(top_column_from_name(""), TOP_COL_INVALID);
        for (int c = 0; c < TOP_COL_MAX; c++) {
                cr_expect_not_null(top_columns[c].name);
                cr_expect_eq(top_column_from_name(top_columns[c].name), c, "%s", top_columns[c].name);
        }
}

Test(top_pure, units)
{
        char b[32];

        top_format_bytes(0, false, b, sizeof(b));
        cr_expect_str_eq(b, "0B");
        top_format_bytes(1023, false, b, sizeof(b));
        cr_expect_str_eq(b, "1023B");
        top_format_bytes(1536 * 1024, false, b, sizeof(b));
        cr_expect_str_eq(b, "1.5M");
        top_format_bytes(12 * 1024 + 100, true, b, sizeof(b));
        cr_expect_str_eq(b, "12K/s");
        top_format_bytes(10.0 * 1024 * 1024 - 1, false, b, sizeof(b));
        cr_expect_str_eq(b, "10M", "9.99M rounds to 10M, not 10.0M");
        top_format_bytes(-5, true, b, sizeof(b));
        cr_expect_str_eq(b, "0B/s");
        top_format_duration(42.9, b, sizeof(b));
        cr_expect_str_eq(b, "42s");
        top_format_duration(312, b, sizeof(b));
        cr_expect_str_eq(b, "5m12s");
        top_format_duration(2 * 3600 + 5 * 60 + 59, b, sizeof(b));
        cr_expect_str_eq(b, "2h05m");
        top_format_duration(3 * 86400 + 4 * 3600, b, sizeof(b));
        cr_expect_str_eq(b, "3d04h");
        top_format_duration(-1, b, sizeof(b));
        cr_expect_str_eq(b, "0s");
}

Test(top_pure, health)
{
        TopRow r = {};
        char b[128];

        top_health(&r, b, sizeof(b));
        cr_expect_str_eq(b, "", "healthy");
        r.cur.frozen = true;
        r.cur.n_dstate = 3;
        r.cur.n_zombie = 57;
        r.oom_delta = 1;
        r.pids_refused_delta = 31;
        top_health(&r, b, sizeof(b));
        cr_expect_str_eq(b, "frozen 3D 57Z +1 oom +31 forks");
        r = (TopRow){};
        r.cur.n_stopped = 2;
        r.have_rates = true;
        r.rates.have = STATS_HAVE_THROTTLE;
        r.rates.throttled_share = 0.1;
        top_health(&r, b, sizeof(b));
        cr_expect_str_eq(b, "2 stopped", "10%% throttled is not shown");
        r.rates.throttled_share = 0.456;
        top_health(&r, b, sizeof(b));
        cr_expect_str_eq(b, "2 stopped throttled 46%");
        top_health(&r, b, 8);
        cr_expect_eq(strlen(b), 7, "cut to the buffer");
}

Test(top_pure, cells)
{
        TopModel m = { .host = { .uptime = 1000 } };
        TopRow r = { .id = "0123456789ab", .leader = 42, .have_rates = true };
        char b[64];

        r.name = (char *)"web\033[2J";
        r.command = (char *)"nginx -g daemon off;\n";
        r.cur.have = STATS_HAVE_CPU | STATS_HAVE_MEM | STATS_HAVE_MEM_LIMIT;
        r.cur.mem_bytes = 1536 * 1024;
        r.cur.n_procs = 3;
        r.cur.start = 700;
        r.rates = (InstanceRates){ .have = STATS_HAVE_CPU | STATS_HAVE_NET, .cpu_pct = 99.96,
                                   .cpu_pct_of_limit = -1, .mem_pct_of_limit = 37.5,
                                   .net_rx_bps = 2048 };
        top_cell(&m, &r, TOP_COL_CPU, b, sizeof(b));
        cr_expect_str_eq(b, "100.0");
        top_cell(&m, &r, TOP_COL_CPU_LIM, b, sizeof(b));
        cr_expect_str_eq(b, "-", "no limit");
        top_cell(&m, &r, TOP_COL_MEM, b, sizeof(b));
        cr_expect_str_eq(b, "1.5M");
        top_cell(&m, &r, TOP_COL_MEM_LIM, b, sizeof(b));
        cr_expect_str_eq(b, "37.5");
        top_cell(&m, &r, TOP_COL_NET_RX, b, sizeof(b));
        cr_expect_str_eq(b, "2.0K/s");
        top_cell(&m, &r, TOP_COL_IO_R, b, sizeof(b));
        cr_expect_str_eq(b, "-", "IO not known");
        r.cur.n_threads = 5;
        top_cell(&m, &r, TOP_COL_PIDS, b, sizeof(b));
        cr_expect_str_eq(b, "5", "tasks: the threads of its processes");
        r.cur.have |= STATS_HAVE_PIDS_CURRENT;
        r.cur.pids_current = 9;
        top_cell(&m, &r, TOP_COL_PIDS, b, sizeof(b));
        cr_expect_str_eq(b, "9", "tasks: its own cgroup's pids.current");
        top_cell(&m, &r, TOP_COL_PID, b, sizeof(b));
        cr_expect_str_eq(b, "42");
        top_cell(&m, &r, TOP_COL_UPTIME, b, sizeof(b));
        cr_expect_str_eq(b, "5m00s");
        top_cell(&m, &r, TOP_COL_NAME, b, sizeof(b));
        cr_expect_str_eq(b, "web?[2J", "no escape reaches the terminal");
        top_cell(&m, &r, TOP_COL_COMMAND, b, sizeof(b));
        cr_expect_str_eq(b, "nginx -g daemon off;?");
        r.state = TOP_ROW_GONE;
        top_cell(&m, &r, TOP_COL_CPU, b, sizeof(b));
        cr_expect_str_eq(b, "-", "a gone row has no rates");
        r.have_rates = false;
        r.state = TOP_ROW_LIVE;
        top_cell(&m, &r, TOP_COL_CPU, b, sizeof(b));
        cr_expect_str_eq(b, "-", "the first sample has none");
}

/* ------------------------------------------------------------- refresh */

Test(top, rows_by_options)
{
        TopOptions o = defaults();
        TopModel *m = model(&o);
        char *ids[] = { (char *)"150", (char *)CTR, NULL };
        char *bad[] = { (char *)"nosuchthing", NULL };

        cr_assert_eq(top_model_refresh(m), 0);
        cr_expect_eq(m->n_rows, 5, "every instance but the host");
        cr_expect_null(led_by(m, 1));
        cr_expect_eq(m->n_instances, 5);
        cr_expect_eq(m->n_view, 5);
        cr_expect_not_null(led_by(m, 101));
        cr_expect_str_eq(led_by(m, 101)->name, "nginx");
        cr_expect_eq(led_by(m, 101)->state, TOP_ROW_LIVE, "not new at start");
        cr_expect_not(led_by(m, 101)->have_rates);
        top_model_free(m);

        o.all = true;
        m = model(&o);
        cr_assert_eq(top_model_refresh(m), 0);
        cr_expect_eq(m->n_rows, 6, "-a: the host too");
        cr_expect(led_by(m, 1)->host);
        top_model_free(m);

        o = defaults();
        o.ids = ids;
        m = model(&o);
        cr_assert_eq(top_model_refresh(m), 0);
        cr_expect_eq(m->n_rows, 2, "-p by pid and by id prefix");
        cr_expect_not_null(led_by(m, 150));
        cr_expect_not_null(led_by(m, 101));
        cr_expect_eq(m->n_instances, 5, "the header counts them all");
        top_model_free(m);

        o.ids = bad;
        m = model(&o);
        cr_expect_eq(top_model_refresh(m), -ENOENT);
        cr_expect_eq(m->bad_id, bad[0]);
        top_model_free(m);
}

/* The first frame: rows before any sample, figures from the first, rates from the second. */
Test(top, rows_before_the_first_sample)
{
        TopOptions o = defaults();
        TopModel *m = model(&o);
        char *bad[] = { (char *)"nosuchthing", NULL };
        const TopRow *r;
        char b[64];

        cr_assert_eq(top_model_load(m), 0);
        cr_expect_eq(m->n_rows, 5);
        cr_expect_eq(m->n_view, 5, "the view is sorted and ready to draw");
        cr_expect_eq(m->n_instances, 5);
        cr_expect_gt(m->host.n_cpus, 0, "the header's figures are there");
        r = led_by(m, 101);
        cr_assert_not_null(r);
        cr_expect_str_eq(r->name, "nginx");
        cr_expect_not(r->have_rates);
        cr_expect_eq(r->cur.have, 0, "no figure before the sample");
        cr_expect_gt(r->cur.n_procs, 0, "the task count comes from the scan");
        cr_expect_eq(r->n_hist, 0);
        top_cell(m, r, TOP_COL_MEM, b, sizeof(b));
        cr_expect_str_eq(b, "-");
        top_cell(m, r, TOP_COL_CPU, b, sizeof(b));
        cr_expect_str_eq(b, "-");
        cr_expect_eq(top_model_load(m), 0, "a second load is nothing");

        /* the first refresh samples that load: figures, not rates */
        cr_assert_eq(top_model_refresh(m), 0);
        cr_expect_eq(m->refreshes, 1);
        r = led_by(m, 101);
        cr_expect(r->cur.have & STATS_HAVE_MEM);
        cr_expect_not(r->have_rates);
        cr_expect_eq(r->state, TOP_ROW_LIVE, "what is there at start is not new");
        cr_expect_eq(r->n_hist, 1);
        cr_assert_eq(top_model_refresh(m), 0);
        r = led_by(m, 101);
        cr_expect(r->have_rates);
        cr_expect_eq(r->n_hist, 2);
        cr_expect_eq(m->n_rows, 5);
        top_model_free(m);

        o.ids = bad;
        m = model(&o);
        cr_expect_eq(top_model_load(m), -ENOENT, "-p is resolved by the load");
        cr_expect_eq(m->bad_id, bad[0]);
        top_model_free(m);
}

/* A leader whose command line cannot be read in time (a FIFO stands for a
 * read stuck behind a task in D state): the refresh does not wait for it. */
Test(top, command_line_with_a_deadline)
{
        TopOptions o = defaults();
        TopModel *m = model(&o);
        char path[256];
        uint64_t t0;
        const TopRow *r;
        FILE *f;

        snprintf(path, sizeof(path), "%s/proc/101/cmdline", dir);
        cr_assert_eq(unlink(path), 0);
        cr_assert_eq(mkfifo(path, 0600), 0);
        t0 = now_usec();
        cr_assert_eq(top_model_refresh(m), 0);
        cr_expect_lt(now_usec() - t0, (uint64_t)TOP_CMDLINE_BUDGET_MS * 1000 + 500000,
                     "the refresh waited %llu ms", (unsigned long long)(now_usec() - t0) / 1000);
        cr_expect_eq(m->n_cmdline_blocked, 1);
        r = led_by(m, 101);
        cr_assert_not_null(r);
        cr_expect(strstr(r->command, "(blocked)") != NULL, "%s", r->command);
        cr_expect_str_eq(led_by(m, 150)->command, "unshare-child", "the others are read");

        /* readable again */
        cr_assert_eq(unlink(path), 0);
        cr_assert_not_null(f = fopen(path, "we"));
        fputs("nginx: master process", f);
        fputc('\0', f);
        fclose(f);
        /* not asked for at every refresh, where it would cost the deadline
         * each time: again when every process is checked again */
        cr_assert_eq(top_model_refresh(m), 0);
        cr_expect(strstr(led_by(m, 101)->command, "(blocked)") != NULL, "%s", led_by(m, 101)->command);
        while (m->refreshes % TOP_REVERIFY_REFRESHES != 0)
                cr_assert_eq(top_model_refresh(m), 0);
        cr_assert_eq(top_model_refresh(m), 0);
        cr_expect_eq(m->n_cmdline_blocked, 0);
        cr_expect_str_eq(led_by(m, 101)->command, "nginx: master process");
        top_model_free(m);
}

Test(top, new_and_gone_rows)
{
        TopOptions o = defaults();
        TopModel *m = model(&o);
        char cmd[512];
        const TopRow *r;

        cr_assert_eq(top_model_refresh(m), 0);
        new_instance(300, 400, 4026540000);
        rm_proc(300);
        /* the frozen instance's leader exits; a member of it goes on */
        snprintf(cmd, sizeof(cmd), "cp -a '%s/proc/200' '%s/proc/201'", dir, dir);
        cr_assert_eq(system(cmd), 0);
        rm_proc(200);
        cr_assert_eq(top_model_refresh(m), 0);
        cr_expect_eq(led_by(m, 300)->state, TOP_ROW_GONE);
        cr_expect_eq(led_by(m, 400)->state, TOP_ROW_NEW);
        cr_expect_null(led_by(m, 200));
        r = led_by(m, 201);
        cr_assert_not_null(r, "the same instance: its row follows its new leader");
        cr_expect_eq(r->state, TOP_ROW_LIVE);
        cr_expect(r->have_rates);
        cr_expect(led_by(m, 101)->have_rates);
        for (int k = 1; k < TOP_GONE_REFRESHES; k++) {
                cr_assert_eq(top_model_refresh(m), 0);
                cr_expect_not_null(led_by(m, 300), "kept for %d refreshes", TOP_GONE_REFRESHES);
                cr_expect_eq(led_by(m, 300)->state, TOP_ROW_GONE);
                if (k < TOP_NEW_REFRESHES)
                        cr_expect_eq(led_by(m, 400)->state, TOP_ROW_NEW);
        }
        cr_assert_eq(top_model_refresh(m), 0);
        cr_expect_null(led_by(m, 300), "then dropped");
        cr_expect_eq(led_by(m, 400)->state, TOP_ROW_LIVE);
        cr_expect_eq(m->n_rows, 5);
        cr_expect_eq(led_by(m, 101)->n_hist, TOP_GONE_REFRESHES + 2);
        top_model_free(m);
}

Test(top, deltas_since_start)
{
        const char *d = "root/sys/fs/cgroup/system.slice/"
                        "docker-3b1e2f6a9c0d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789ab.scope";
        TopOptions o = defaults();
        TopModel *m = model(&o);
        char path[512], b[128];
        FILE *f;

        cr_assert_eq(top_model_refresh(m), 0);
        cr_expect_eq(led_by(m, 101)->oom_delta, 0, "what happened before is not shown");
        snprintf(path, sizeof(path), "%s/%s/memory.events", dir, d);
        cr_assert_not_null(f = fopen(path, "we"));
        fputs("low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\n", f);
        fclose(f);
        snprintf(path, sizeof(path), "%s/%s/pids.events", dir, d);
        cr_assert_not_null(f = fopen(path, "we"));
        fputs("max 36\n", f);
        fclose(f);
        cr_assert_eq(top_model_refresh(m), 0);
        cr_expect_eq(led_by(m, 101)->oom_delta, 1);
        cr_expect_eq(led_by(m, 101)->pids_refused_delta, 31);
        top_health(led_by(m, 101), b, sizeof(b));
        cr_expect(strstr(b, "+1 oom +31 forks") != NULL, "%s", b);
        cr_expect(strstr(b, "1D 1Z") != NULL, "%s", b);
        top_model_free(m);
}

/* The leaders of the view, in order, as "101 150 ...". */
static void view_leaders(const TopModel *m, char *buf, size_t size)
{
        buf[0] = '\0';
        for (size_t v = 0; v < m->n_view; v++) {
                size_t len = strlen(buf);
                snprintf(buf + len, size - len, "%s%d", v ? " " : "",
                         (int)m->rows[m->view[v]].leader);
        }
}

Test(top, filter_sort_tree)
{
        TopOptions o = defaults();
        TopModel *m = model(&o);
        char b[128];

        cr_assert_eq(top_model_refresh(m), 0);
        top_model_set_sort(m, TOP_COL_PIDS, false);
        view_leaders(m, b, sizeof(b));
        /* 4, 2, then three of 1 by id */
        cr_expect_eq(strncmp(b, "101 150 ", 8), 0, "%s", b);
        top_model_set_sort(m, TOP_COL_PIDS, true);
        view_leaders(m, b, sizeof(b));
        cr_expect_eq(strcmp(b + strlen(b) - 7, "150 101"), 0, "inverted: %s", b);
        top_model_set_sort(m, TOP_COL_COMMAND, false);
        view_leaders(m, b, sizeof(b));
        cr_expect_str_eq(b, "300 301 200 101 150", "bwrap-a bwrap-b frozen nginx unshare-child");

        top_model_set_filter(m, "BWRAP");
        view_leaders(m, b, sizeof(b));
        cr_expect_str_eq(b, "300 301", "case-insensitive, on the command");
        top_model_set_filter(m, led_by(m, 101)->id);
        view_leaders(m, b, sizeof(b));
        cr_expect_str_eq(b, "101", "on the id");
        top_model_set_filter(m, "");
        cr_expect_eq(m->n_view, 5);

        top_model_set_sort(m, TOP_COL_PID, true);
        top_model_set_tree(m, true);
        view_leaders(m, b, sizeof(b));
        cr_expect_str_eq(b, "301 300 200 101 150", "150 below the container it runs in");
        cr_expect_eq(led_by(m, 150)->depth, 1);
        cr_expect_eq(&m->rows[led_by(m, 150)->parent], led_by(m, 101));
        cr_assert_eq(top_model_refresh(m), 0);
        view_leaders(m, b, sizeof(b));
        cr_expect_str_eq(b, "301 300 200 101 150", "kept across refreshes");
        top_model_set_filter(m, "unshare");
        view_leaders(m, b, sizeof(b));
        cr_expect_str_eq(b, "150", "a child whose parent is filtered out is a root");
        top_model_set_tree(m, false);
        cr_expect_eq(led_by(m, 150)->parent, -1);
        top_model_free(m);
}

Test(top, batch_text_and_json)
{
        TopOptions o = defaults();
        TopModel *m = model(&o);
        char *buf = NULL, *line, *save = NULL;
        size_t size = 0, n_lines = 0;
        const char *inst, *row, *v;
        JsonIter it;
        FILE *f;
        int n = 0;

        cr_assert_eq(top_model_refresh(m), 0);
        cr_assert_eq(top_model_refresh(m), 0);
        f = open_memstream(&buf, &size);
        cr_assert_eq(top_write_text(m, f), 0);
        fclose(f);
        cr_expect(startswith(buf, "ns top - "), "%s", buf);
        cr_expect(strstr(buf, " up 16m40s, load average: 0.50, 1.25, 2.00\n") != NULL, "%s", buf);
        cr_expect(strstr(buf, "\nhost: 0.0% CPU of 2, memory 1.9G used of 7.6G\n") != NULL, "%s", buf);
        cr_expect(strstr(buf, "\ninstances: 5 (- 3, docker 1, nspawn 1)\n") != NULL, "%s", buf);
        cr_expect(strstr(buf, "not readable") == NULL);
        cr_expect(strstr(buf, "\n\nID           NAME ") != NULL, "%s", buf);
        cr_expect(strstr(buf, " HEALTH ") != NULL && strstr(buf, " UPTIME COMMAND\n") != NULL);
        {
                char want[64];
                snprintf(want, sizeof(want), "\n%s nginx ", led_by(m, 101)->id);
                cr_expect(strstr(buf, want) != NULL, "%s", buf);
        }
        for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                n_lines++;
        cr_expect_eq(n_lines, 3 + 1 + 5, "3 header lines, headings, 5 rows");
        cr_expect(size >= 2 && buf[size - 1] == '\n');
        free(buf);

        buf = NULL;
        f = open_memstream(&buf, &size);
        cr_assert_eq(top_write_json(m, f), 0);
        fclose(f);
        cr_expect_eq(strchr(buf, '\n'), buf + size - 1, "one line");
        cr_assert_eq(json_object_get(buf, buf + size, "instances", &inst), 1);
        cr_assert_eq(json_iter_array(inst, buf + size, &it), 0);
        while (json_iter_next(&it, &row) == 1) {
                _cleanup_free_ char *id = NULL;
                long long pids = 0;

                cr_assert_eq(json_object_get_string(row, buf + size, "id", &id), 1);
                cr_assert_eq(json_object_get(row, buf + size, "pids", &v), 1);
                cr_assert_eq(json_get_integer(v, buf + size, &pids), 0);
                if (streq(id, led_by(m, 101)->id)) {
                        long long oom = -1;
                        const char *h;

                        cr_expect_eq(pids, 4);
                        cr_assert_eq(json_object_get(row, buf + size, "health", &h), 1);
                        cr_assert_eq(json_object_get(h, buf + size, "oom_kills", &v), 1);
                        cr_expect_eq(json_get_integer(v, buf + size, &oom), 0);
                        cr_expect_eq(oom, 0, "a delta");
                        cr_assert_eq(json_object_get(row, buf + size, "mem_limit", &v), 1);
                        cr_expect(startswith(v, "209715200"));
                }
                if (streq(id, led_by(m, 150)->id)) {
                        cr_assert_eq(json_object_get(row, buf + size, "mem_limit", &v), 1);
                        cr_expect(startswith(v, "null"), "unknown is null");
                }
                n++;
        }
        cr_expect_eq(n, 5);
        free(buf);
        top_model_free(m);
}
