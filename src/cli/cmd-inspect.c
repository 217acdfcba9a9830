/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <time.h>

#include "commands.h"
#include "inspect.h"
#include "util.h"

typedef struct InspectCmdOptions {
        bool json;
        double watch;               /* seconds between samples; 0: one report */
        long iterations;            /* with --watch: samples in all; 0: until stopped */
        const char *id;
} InspectCmdOptions;

static void inspect_help(void)
{
        fputs("Usage:\n"
              " ns inspect [options] <id>\n"
              "\n"
              "Why is an instance stuck: every thread's state, wait channel, syscall,\n"
              "kernel stack and signals, pid 1's reaping and SIGTERM handling, the\n"
              "freezer, OOM kills, the pids limit, CPU throttling and pressure, with\n"
              "hints ranked by severity. Reads only: it never signals or traces.\n"
              "\n"
              "<id> is an instance ID or a unique prefix of it, a name, the runtime's\n"
              "container ID or a unique prefix of it, or the host PID of a member.\n"
              "\n"
              "Options:\n"
              " -J, --json             use JSON output format\n"
              " -w, --watch <secs>     sample again every <secs> and show what changed\n"
              " -n, --iterations <n>   with --watch: stop after <n> samples\n"
              " -h, --help             display this help\n"
              "\n"
              "See ns-inspect(1).\n",
              stdout);
}

/* The figures of stats.h for the instance, when it samples them. */
static int sample_of(int proc_fd, int root_fd, const Instances *is, size_t idx, Stats **stats,
                     StatsSnapshot **ret_snap, const InstanceSample **ret)
{
        _cleanup_free_ bool *want = xnew(bool, is->n + 1);
        StatsSnapshot *snap = NULL;
        int r;

        if (!*stats) {
                r = stats_new(proc_fd, root_fd, stats);
                if (r < 0)
                        return r;
        }
        /* only this instance's cgroup files are read */
        want[idx] = true;
        r = stats_sample_some(*stats, is, want, &snap);
        if (r < 0)
                return r;
        *ret_snap = snap;
        *ret = stats_snapshot_find(snap, is->items[idx].id);
        return 0;
}

/* Scan, find the instance, sample it and inspect it: one report. */
static int take_report(int proc_fd, int root_fd, const char *id, bool first, Stats **stats,
                       InspectReport **ret)
{
        _cleanup_free_ size_t *cand = NULL;
        size_t n_cand = 0;
        Scan *scan = NULL;
        Instances *is = NULL;
        StatsSnapshot *snap = NULL;
        const InstanceSample *sample = NULL;
        ssize_t idx;
        int r;

        /* stats reads every process's stat: one scan that has them all */
        r = instances_load(proc_fd, root_fd, INSTANCES_LOAD_STAT, &is, &scan);
        if (r < 0) {
                log_error("cannot read '/proc': %s", ERRSTR(-r));
                return -1;
        }
        idx = instances_resolve(is, id, &cand, &n_cand);
        if (idx == -ENOTUNIQ) {
                log_error("cannot inspect '%s': it matches %zu instances (give more of the ID, or "
                          "the full name):",
                          id, n_cand);
                for (size_t k = 0; k < n_cand; k++)
                        print_candidate(is, cand[k]);
                r = -1;
                goto finish;
        }
        if (idx < 0) {
                if (first) {
                        _cleanup_free_ char *prefix = xasprintf("cannot inspect '%s': ", id);

                        if (report_closed_pid(prefix, id)) {
                                r = -1;
                                goto finish;
                        }
                        log_error("cannot inspect '%s': no such instance", id);
                        print_known_instances(is);
                        report_unreadable(scan);
                } else
                        log_error("cannot inspect '%s': the instance is gone (see 'ns ls')", id);
                r = -1;
                goto finish;
        }
        r = sample_of(proc_fd, root_fd, is, (size_t)idx, stats, &snap, &sample);
        if (r < 0)
                sample = NULL; /* the report goes on without the cgroup counters */
        r = inspect_instance(proc_fd, root_fd, is, (size_t)idx, sample, NULL, ret);
        if (r < 0) {
                log_error("cannot inspect '%s': the instance is gone (see 'ns ls')", id);
                r = -1;
        }
finish:
        stats_snapshot_free(snap);
        instances_free(is);
        scan_free(scan);
        return r;
}

static void sleep_secs(double secs)
{
        struct timespec ts = { .tv_sec = (time_t)secs,
                               .tv_nsec = (long)((secs - floor(secs)) * 1e9) };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static int print_changes(const InspectCmdOptions *o, const InspectReport *prev,
                         const InspectReport *cur)
{
        char **lines;
        size_t n;
        char d[32];

        inspect_changes(prev, cur, &lines, &n);
        if (o->json)
                inspect_write_json(cur, lines, n, stdout);
        else {
                snprintf(d, sizeof(d), "%.1f", (double)(cur->taken_usec - prev->taken_usec) / 1e6);
                printf("\nafter %s s: %s\n", d, n ? "" : "no change");
                for (size_t i = 0; i < n; i++)
                        printf("  %s\n", lines[i]);
        }
        for (size_t i = 0; i < n; i++)
                free(lines[i]);
        free(lines);
        fflush(stdout);
        return 0;
}

int cmd_inspect(int argc, char **argv)
{
        static const struct option options[] = {
                { "json", no_argument, NULL, 'J' },
                { "watch", required_argument, NULL, 'w' },
                { "iterations", required_argument, NULL, 'n' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        InspectCmdOptions o = {};
        _cleanup_close_ int proc_fd = -EBADF, root_fd = -EBADF;
        InspectReport *prev = NULL, *cur = NULL;
        Stats *stats = NULL;
        char *end;
        int c, ret = 0;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":Jw:n:h", options, NULL)) >= 0) {
                switch (c) {
                case 'J':
                        o.json = true;
                        break;
                case 'w':
                        errno = 0;
                        o.watch = strtod(optarg, &end);
                        if (errno || end == optarg || *end || !(o.watch >= 0.1) || o.watch > 86400) {
                                log_error("invalid interval '%s' for --watch (seconds, from 0.1)", optarg);
                                return usage_error("inspect");
                        }
                        break;
                case 'n':
                        errno = 0;
                        o.iterations = strtol(optarg, &end, 10);
                        if (errno || end == optarg || *end || o.iterations < 1) {
                                log_error("invalid count '%s' for --iterations (a number from 1)", optarg);
                                return usage_error("inspect");
                        }
                        break;
                case 'h':
                        inspect_help();
                        return 0;
                default:
                        return option_error("inspect", c, argv);
                }
        }
        if (optind >= argc) {
                log_error("no instance given");
                return usage_error("inspect");
        }
        if (optind + 1 < argc) {
                log_error("unexpected argument '%s'", argv[optind + 1]);
                return usage_error("inspect");
        }
        if (o.iterations && !o.watch) {
                log_error("--iterations needs --watch");
                return usage_error("inspect");
        }
        o.id = argv[optind];

        proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (proc_fd < 0) {
                log_error("cannot open '/proc': %s (is procfs mounted?)", ERRSTR(errno));
                return 1;
        }
        root_fd = open_host_root(proc_fd);
        if (root_fd < 0)
                return 1;

        if (take_report(proc_fd, root_fd, o.id, true, &stats, &cur) < 0) {
                stats_free(stats);
                return 1;
        }
        if (o.json)
                inspect_write_json(cur, NULL, 0, stdout);
        else
                inspect_write_text(cur, stdout);
        fflush(stdout);
        /* Later samples follow the instance by its ID, whatever named it first. */
        for (long k = 1; o.watch && (!o.iterations || k < o.iterations); k++) {
                char id[INSTANCE_ID_LEN + 1];

                memcpy(id, cur->id, sizeof(id));
                sleep_secs(o.watch);
                inspect_report_free(prev);
                prev = cur;
                cur = NULL;
                if (take_report(proc_fd, root_fd, id, false, &stats, &cur) < 0) {
                        ret = 1;
                        break;
                }
                print_changes(&o, prev, cur);
        }
        inspect_report_free(prev);
        inspect_report_free(cur);
        stats_free(stats);
        if (ferror(stdout))
                ret = 1;
        return ret;
}
