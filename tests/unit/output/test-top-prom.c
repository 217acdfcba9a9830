/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ns top's Prometheus writer: rows made here by hand (label escaping,
 * UTF-8, types, exact numbers, unknown figures and gone rows left out),
 * every line checked against the grammar of the text format; and the rows
 * of the stats layer's v2 fixture tree (counters as read, not deltas).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <regex.h>

#include "json.h"
#include "macro.h"
#include "stats-fixture.h"
#include "top-prom.h"
#include "util.h"

/* ------------------------------------------------------------- grammar */

/* The label set at *p ("{k=\"v\",...}"), escapes as the format has them. */
static bool parse_labels(const char **p, size_t *n_labels)
{
        const char *s = *p;

        *n_labels = 0;
        if (*s++ != '{')
                return false;
        while (*s != '}') {
                if (*n_labels > 0 && *s++ != ',')
                        return false;
                if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
                        return false;
                while ((*s >= 'a' && *s <= 'z') || *s == '_')
                        s++;
                if (*s++ != '=' || *s++ != '"')
                        return false;
                while (*s != '"') {
                        if (*s == '\0' || *s == '\n')
                                return false;
                        if (*s == '\\') {
                                s++;
                                if (*s != '\\' && *s != '"' && *s != 'n')
                                        return false;
                        }
                        s++;
                }
                s++;
                (*n_labels)++;
        }
        *p = s + 1;
        return true;
}

/*
 * Every line of text is a HELP, a TYPE or a sample; a family's HELP and
 * TYPE come once, before its samples, which are together; a counter's
 * name ends in _total and a gauge's does not; every sample has the six
 * labels and a plain decimal value; the text is valid UTF-8. Returns the
 * number of samples.
 */
static bool ends_with_total(const char *name)
{
        size_t n = strlen(name);
        return n >= 6 && streq(name + n - 6, "_total");
}

static size_t check_exposition(const char *text)
{
        _cleanup_free_ char *copy = xstrdup(text);
        char family[128] = "", type[16] = "", *save = NULL;
        size_t n_samples = 0, n_families = 0;
        bool have_help = false;
        regex_t number;

        cr_assert_eq(regcomp(&number, "^ [0-9]+(\\.[0-9]+)?$", REG_EXTENDED | REG_NOSUB), 0);
        for (const char *p = text; *p;) {
                size_t n = json_utf8_len(p);
                cr_assert_gt(n, 0, "not UTF-8 at offset %zu", (size_t)(p - text));
                p += n;
        }
        cr_assert(text[0] == '\0' || text[strlen(text) - 1] == '\n', "ends with a newline");
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char name[128];

                if (startswith(line, "# HELP ")) {
                        cr_assert_eq(sscanf(line, "# HELP %127s", name), 1);
                        cr_assert_str_neq(name, family, "one HELP per family: %s", line);
                        snprintf(family, sizeof(family), "%s", name);
                        have_help = true;
                        type[0] = '\0';
                        n_families++;
                } else if (startswith(line, "# TYPE ")) {
                        cr_assert(have_help, "TYPE after HELP: %s", line);
                        cr_assert_eq(sscanf(line, "# TYPE %127s %15s", name, type), 2);
                        cr_assert_str_eq(name, family, "%s", line);
                        cr_assert(streq(type, "counter") || streq(type, "gauge"), "%s", line);
                        cr_assert_eq(ends_with_total(name), streq(type, "counter"),
                                     "counters end in _total, gauges do not: %s", line);
                } else {
                        const char *brace = strchr(line, '{'), *p = brace;
                        size_t n_labels;

                        cr_assert_not_null(brace, "%s", line);
                        cr_assert(type[0], "a sample after its TYPE: %s", line);
                        cr_assert_eq((size_t)(brace - line), strlen(family), "%s", line);
                        cr_assert(strncmp(line, family, strlen(family)) == 0,
                                  "a sample of the family just announced: %s", line);
                        cr_assert(parse_labels(&p, &n_labels), "labels: %s", line);
                        cr_assert_eq(n_labels, 6, "%s", line);
                        cr_assert_eq(regexec(&number, p, 0, NULL, 0), 0, "value: %s", line);
                        n_samples++;
                }
        }
        regfree(&number);
        cr_assert(n_families == 0 || n_samples > 0);
        return n_samples;
}

static char *write_rows(const TopRow *const *rows, size_t n)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        cr_assert_not_null(f);
        cr_assert_eq(top_prom_write_rows(rows, n, f), 0);
        cr_assert_eq(fclose(f), 0);
        return buf;
}

/* The sample lines of buf that start with prefix, joined. */
static char *samples_of(const char *buf, const char *prefix)
{
        char *out = xstrdup("");

        for (const char *p = buf; *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);

                if (strncmp(p, prefix, strlen(prefix)) == 0) {
                        char *joined = xasprintf("%s%.*s\n", out, (int)len, p);
                        free(out);
                        out = joined;
                }
                p += len + (nl ? 1 : 0);
        }
        return out;
}

/* ---------------------------------------------------------------- pure */

static TopRow row(const char *id, char *name, char *runtime)
{
        TopRow r = { .name = name, .runtime = runtime, .state = TOP_ROW_LIVE };

        snprintf(r.id, sizeof(r.id), "%s", id);
        return r;
}

Test(prom, figures_and_types)
{
        TopRow a = row("aaaaaaaaaaaa", "web", "docker");
        const TopRow *rows[] = { &a };
        _cleanup_free_ char *buf = NULL;

        a.runtime_id = "0123456789abcdef";
        a.cur.have = STATS_HAVE_CPU | STATS_HAVE_CPU_LIMIT | STATS_HAVE_MEM | STATS_HAVE_MEM_LIMIT |
                     STATS_HAVE_NET | STATS_HAVE_IO | STATS_HAVE_OOM | STATS_HAVE_PIDS_EVENTS |
                     STATS_HAVE_THROTTLE | STATS_HAVE_PIDS_LIMIT;
        a.cur.cpu_usec = 1234567;
        a.cur.cpu_limit_millis = 1500;
        a.cur.mem_bytes = 1ULL << 40;
        a.cur.mem_limit = 18446744073709551615ULL; /* written exactly, not as a double */
        a.cur.net_rx_bytes = 10;
        a.cur.net_tx_bytes = 20;
        a.cur.io_read_bytes = 30;
        a.cur.io_write_bytes = 40;
        a.cur.oom_kills = 3;
        a.cur.pids_refused = 7;
        a.cur.nr_periods = 100;
        a.cur.nr_throttled = 20;
        a.cur.throttled_usec = 50;
        a.cur.n_procs = 4;
        a.cur.n_threads = 9;
        a.cur.pids_limit = 64;
        a.cur.frozen = true;
        a.cur.n_dstate = 2;
        a.cur.n_zombie = 5;
        /* the deltas of the screen are not what Prometheus gets */
        a.oom_delta = 1;
        a.pids_refused_delta = 1;

        buf = write_rows(rows, 1);
        cr_expect_eq(check_exposition(buf), 20, "%s", buf);

#define LABELS                                                                                  \
        "{id=\"aaaaaaaaaaaa\",name=\"web\",runtime=\"docker\",runtime_id=\"0123456789abcdef\"," \
        "pod=\"\",namespace=\"\"}"
        cr_expect(strstr(buf, "# HELP ns_instance_cpu_seconds_total ") != NULL, "%s", buf);
        cr_expect(strstr(buf, "# TYPE ns_instance_cpu_seconds_total counter\n"
                              "ns_instance_cpu_seconds_total" LABELS " 1.234567\n") != NULL,
                  "%s", buf);
        cr_expect(strstr(buf, "\nns_instance_cpu_limit_cores" LABELS " 1.500\n") != NULL, "%s",
                  buf);
        cr_expect(strstr(buf, "\nns_instance_cpu_throttled_seconds_total" LABELS " 0.000050\n"),
                  "%s", buf);
        cr_expect(strstr(buf, "\nns_instance_cpu_throttled_periods_total" LABELS " 20\n"), "%s",
                  buf);
        cr_expect(strstr(buf, "# TYPE ns_instance_memory_bytes gauge\n"
                              "ns_instance_memory_bytes" LABELS " 1099511627776\n") != NULL,
                  "%s", buf);
        cr_expect(strstr(buf, "\nns_instance_memory_limit_bytes" LABELS " 18446744073709551615\n"),
                  "%s", buf);
        cr_expect(strstr(buf, "\nns_instance_network_receive_bytes_total" LABELS " 10\n"), "%s",
                  buf);
        cr_expect(strstr(buf, "\nns_instance_network_transmit_bytes_total" LABELS " 20\n"), "%s",
                  buf);
        cr_expect(strstr(buf, "\nns_instance_io_read_bytes_total" LABELS " 30\n"), "%s", buf);
        cr_expect(strstr(buf, "\nns_instance_io_write_bytes_total" LABELS " 40\n"), "%s", buf);
        cr_expect(strstr(buf, "\nns_instance_pids" LABELS " 4\n"), "%s", buf);
        cr_expect(strstr(buf, "\nns_instance_pids_limit" LABELS " 64\n"), "%s", buf);
        cr_expect(strstr(buf, "# TYPE ns_instance_oom_kills_total counter\n"
                              "ns_instance_oom_kills_total" LABELS " 3\n"),
                  "totals as read, not deltas: %s", buf);
        cr_expect(strstr(buf, "\nns_instance_pids_refused_total" LABELS " 7\n"), "%s", buf);
        cr_expect(strstr(buf, "# TYPE ns_instance_frozen gauge\n"
                              "ns_instance_frozen" LABELS " 1\n"),
                  "%s", buf);
        cr_expect(strstr(buf, "\nns_instance_tasks_dstate" LABELS " 2\n"), "%s", buf);
        cr_expect(strstr(buf, "\nns_instance_tasks_zombie" LABELS " 5\n"), "%s", buf);
#undef LABELS
}

Test(prom, unknown_figures_are_left_out)
{
        TopRow a = row("aaaaaaaaaaaa", "known", "docker");
        TopRow b = row("bbbbbbbbbbbb", "unknown", "-");
        const TopRow *rows[] = { &a, &b };
        _cleanup_free_ char *buf = NULL, *cpu = NULL, *lim = NULL, *pids = NULL, *net = NULL;

        a.cur.have = STATS_HAVE_CPU | STATS_HAVE_MEM_LIMIT;
        a.cur.cpu_usec = 2000000;
        a.cur.mem_limit = 4096;
        b.cur.have = 0;       /* nothing read: a process list and nothing else */
        b.cur.cpu_usec = 999; /* garbage that must not show */
        b.cur.mem_limit = 12345;
        b.cur.n_procs = 1;

        buf = write_rows(rows, 2);
        check_exposition(buf);
        cpu = samples_of(buf, "ns_instance_cpu_seconds_total{");
        cr_expect_str_eq(cpu, "ns_instance_cpu_seconds_total{id=\"aaaaaaaaaaaa\",name=\"known\","
                              "runtime=\"docker\",runtime_id=\"\",pod=\"\",namespace=\"\"} "
                              "2.000000\n");
        lim = samples_of(buf, "ns_instance_memory_limit_bytes{");
        cr_expect(strstr(lim, "bbbbbbbbbbbb") == NULL && strstr(lim, "aaaaaaaaaaaa"), "%s", lim);
        pids = samples_of(buf, "ns_instance_pids{");
        cr_expect(strstr(pids, "bbbbbbbbbbbb") && strstr(pids, "aaaaaaaaaaaa"), "always known: %s",
                  pids);
        cr_expect(strstr(buf, "999") == NULL && strstr(buf, "12345") == NULL, "%s", buf);
        /* no row knows its network: the family is not there at all */
        net = samples_of(buf, "# HELP ns_instance_network_receive_bytes_total");
        cr_expect_str_eq(net, "", "%s", buf);
        cr_expect(strstr(buf, "ns_instance_memory_bytes") == NULL, "%s", buf);
}

Test(prom, label_escaping)
{
        char name[] = "a\"b\\c\nd \xc3\xa9 \xff" /* a byte that is not UTF-8 */ " e\tf";
        TopRow a = row("aaaaaaaaaaaa", name, "docker");
        const TopRow *rows[] = { &a };
        _cleanup_free_ char *buf = NULL, *line = NULL;

        a.runtime_id = "x\"}\n1 2";
        a.pod = "web-7d9f";
        a.pod_namespace = "prod";
        buf = write_rows(rows, 1);
        check_exposition(buf);
        line = samples_of(buf, "ns_instance_pids{");
        cr_expect_str_eq(line, "ns_instance_pids{id=\"aaaaaaaaaaaa\","
                               "name=\"a\\\"b\\\\c\\nd \xc3\xa9 \xef\xbf\xbd e\tf\","
                               "runtime=\"docker\",runtime_id=\"x\\\"}\\n1 2\","
                               "pod=\"web-7d9f\",namespace=\"prod\"} 0\n");
}

Test(prom, gone_rows_and_no_rows)
{
        TopRow a = row("aaaaaaaaaaaa", "gone", "docker");
        TopRow b = row("bbbbbbbbbbbb", "new", "docker");
        const TopRow *rows[] = { &a, &b };
        _cleanup_free_ char *buf = NULL, *none = NULL;

        a.state = TOP_ROW_GONE;
        b.state = TOP_ROW_NEW;
        a.cur.have = b.cur.have = STATS_HAVE_CPU;
        buf = write_rows(rows, 2);
        check_exposition(buf);
        cr_expect(strstr(buf, "aaaaaaaaaaaa") == NULL, "an exited instance's series end: %s", buf);
        cr_expect(strstr(buf, "bbbbbbbbbbbb") != NULL, "%s", buf);

        none = write_rows(rows, 0);
        cr_expect_str_eq(none, "", "no instance: an empty exposition, still valid");
}

Test(prom, stream_errors)
{
        TopRow a = row("aaaaaaaaaaaa", "x", "docker");
        const TopRow *rows[] = { &a };
        FILE *f = fopen("/dev/full", "w");

        cr_assert_not_null(f);
        cr_expect_lt(top_prom_write_rows(rows, 1, f), 0,
                     "a full disk is an error, not a short file");
        fclose(f);
}

/* ------------------------------------------------------------- fixture */

static char dir[64];
static int proc_fd = -1, root_fd = -1;

static void setup(void)
{
        stats_fixture_copy("v2", "prom", dir, sizeof(dir), &proc_fd, &root_fd);
}

static void teardown(void)
{
        stats_fixture_remove(dir, &proc_fd, &root_fd);
}

TestSuite(prom_fixture, .init = setup, .fini = teardown);

/* The sample line of family for the row led by pid, or NULL. */
static const char *sample_for(const TopModel *m, const char *buf, const char *family, pid_t pid)
{
        static char want[128];

        for (size_t i = 0; i < m->n_rows; i++)
                if (m->rows[i].leader == pid) {
                        snprintf(want, sizeof(want), "\n%s{id=\"%s\",", family, m->rows[i].id);
                        return strstr(buf, want);
                }
        return NULL;
}

/*
 * A container of a Kubernetes pod, for containerd: pid 400, a copy of the
 * unshare (150) with namespaces of its own, in a kubepods cgroup whose
 * config.json (from the identify fixtures) names pod web-7d4 of namespace
 * shop, container nginx.
 */
#define POD_CTR "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
static void add_pod_container(void)
{
        static const char *const types[] = { "user", "mnt", "pid",    "net",
                                             "uts",  "ipc", "cgroup", "time" };
        const char *fixtures = getenv("NS_FIXTURES");
        char cmd[1024], path[256], link[64];
        FILE *f;

        cr_assert_not_null(fixtures, "NS_FIXTURES is not set");
        snprintf(cmd, sizeof(cmd), "cp -a '%s/proc/150' '%s/proc/400'", dir, dir);
        cr_assert_eq(system(cmd), 0);
        for (int t = 0; t < 8; t++) {
                snprintf(path, sizeof(path), "%s/proc/400/ns/%s", dir, types[t]);
                snprintf(link, sizeof(link), "%s:[%llu]", types[t], 4026540000ULL + (unsigned)t);
                cr_assert_eq(unlink(path), 0);
                cr_assert_eq(symlink(link, path), 0);
        }
        snprintf(path, sizeof(path), "%s/proc/400/cgroup", dir);
        f = fopen(path, "we");
        cr_assert_not_null(f);
        fprintf(f, "0::/kubepods.slice/kubepods-pod5.slice/cri-containerd-" POD_CTR ".scope\n");
        cr_assert_eq(fclose(f), 0);
        snprintf(
                cmd, sizeof(cmd),
                "d='%s/root/run/containerd/io.containerd.runtime.v2.task/k8s.io/" POD_CTR "' && "
                "mkdir -p \"$d\" && cp '%s/identify/root/run/containerd/io.containerd.runtime.v2.task/k8s.io/" POD_CTR
                "/config.json' \"$d/\"",
                dir, fixtures);
        cr_assert_eq(system(cmd), 0);
}

Test(prom_fixture, kubernetes_pod_and_namespace)
{
        TopOptions o = { .delay = 2, .sort = TOP_COL_CPU };
        TopModel *m = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        const char *s;
        FILE *f;

        add_pod_container();
        cr_assert_eq(top_model_new(proc_fd, root_fd, &o, &m), 0);
        cr_assert_eq(top_model_refresh(m), 0);
        f = open_memstream(&buf, &size);
        cr_assert_eq(top_write_prometheus(m, f), 0);
        cr_assert_eq(fclose(f), 0);
        check_exposition(buf);
        s = sample_for(m, buf, "ns_instance_pids", 400);
        cr_assert_not_null(s, "%s", buf);
        cr_expect(strstr(s,
                         "name=\"web-7d4/nginx\",runtime=\"containerd\",runtime_id=\"" POD_CTR
                         "\",pod=\"web-7d4\",namespace=\"shop\"} 1\n") == s + strcspn(s, ",") + 1,
                  "%.300s", s);
        /* not a pod: both empty */
        s = sample_for(m, buf, "ns_instance_pids", 150);
        cr_assert_not_null(s, "%s", buf);
        cr_expect(strstr(s, ",pod=\"\",namespace=\"\"}") != NULL, "%.300s", s);
        top_model_free(m);
}

Test(prom_fixture, one_sample_is_enough)
{
        TopOptions o = { .delay = 2, .sort = TOP_COL_CPU };
        TopModel *m = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        const char *s;
        FILE *f;

        cr_assert_eq(top_model_new(proc_fd, root_fd, &o, &m), 0);
        /* one refresh: no rates yet, and every counter already there */
        cr_assert_eq(top_model_refresh(m), 0);
        f = open_memstream(&buf, &size);
        cr_assert_eq(top_write_prometheus(m, f), 0);
        cr_assert_eq(fclose(f), 0);
        cr_expect_gt(check_exposition(buf), 0);

        /* the docker container (leader 101): its cgroup's files, as read */
        s = sample_for(m, buf, "ns_instance_cpu_seconds_total", 101);
        cr_assert_not_null(s, "%s", buf);
        cr_expect(strstr(s, "name=\"nginx\",runtime=\"docker\",runtime_id=\"3b1e2f6a9c0d") != NULL,
                  "%.200s", s);
        cr_expect(strstr(s, "} 5.000000\n") != NULL, "usage_usec 5000000: %.200s", s);
        s = sample_for(m, buf, "ns_instance_oom_kills_total", 101);
        cr_assert_not_null(s, "%s", buf);
        cr_expect(strstr(s, "} 1\n") != NULL, "oom_kill 1, a total: %.200s", s);
        s = sample_for(m, buf, "ns_instance_cpu_throttled_seconds_total", 101);
        cr_assert_not_null(s, "%s", buf);
        cr_expect(strstr(s, "} 0.300000\n") != NULL, "throttled_usec 300000: %.200s", s);
        s = sample_for(m, buf, "ns_instance_memory_limit_bytes", 101);
        cr_assert_not_null(s, "%s", buf);
        cr_expect(strstr(s, "} 209715200\n") != NULL, "%.200s", s);

        /* an unshare without a cgroup of its own: no limit to show */
        cr_expect_not_null(sample_for(m, buf, "ns_instance_pids", 150), "%s", buf);
        cr_expect_null(sample_for(m, buf, "ns_instance_memory_limit_bytes", 150), "%s", buf);
        top_model_free(m);
}
