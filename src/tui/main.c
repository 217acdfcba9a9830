/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ns-top, the program behind `ns top`: its options, and the batch mode
 * (-b) that writes frames of the top model as text or JSON lines; without
 * -b, the screen (tui_run()). A program of its own so that the ns binary
 * never loads ncurses.
 */
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <time.h>

#include "hostroot.h"
#include "macro.h"
#include "resolve.h"
#include "top-model.h"
#include "tui.h"
#include "util.h"

#ifndef NS_VERSION
#define NS_VERSION "unknown"
#endif

/* The longest delay taken: a day. */
#define DELAY_MAX 86400.0

_printf_(1, 2) static void top_error(const char *fmt, ...)
{
        va_list ap;

        fputs("ns top: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

static int usage_error(void)
{
        fputs("Try 'ns top --help'.\n", stderr);
        return 1;
}

/* strerror(), lowercased as ns' messages are. */
static const char *errstr(int err, char buf[static 128])
{
        snprintf(buf, 128, "%s", strerror(err));
        if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
                buf[0] = (char)(buf[0] - 'A' + 'a');
        return buf;
}
#define ERRSTR(err) errstr((err), (char[128]){ 0 })

static void help(void)
{
        fputs("Usage:\n"
              " ns top [options]\n"
              "\n"
              "Show every instance live, with its resource use and health.\n"
              "\n"
              "Options:\n"
              " -d, --delay <secs>     time between refreshes (default 2; fractions allowed)\n"
              " -b, --batch            write frames as text to standard output, like top -b\n"
              " -n, --iterations <n>   with -b, write n frames and exit\n"
              " -J, --json             with -b, write each frame as one line of JSON\n"
              " -p, --instance <id>    show only this instance (repeatable)\n"
              "     --runtime <name>   show only the instances of this runtime\n"
              " -N, --namespace <ns>   show only the pods of this Kubernetes namespace\n"
              " -a, --all              show the host too\n"
              " -s, --sort <column>    sort by this column (default CPU%)\n"
              " -I, --invert           sort the other way round\n"
              " -h, --help             display this help\n"
              " -V, --version          display version\n"
              "\n"
              "Columns:\n",
              stdout);
        for (int c = 0; c < TOP_COL_MAX; c++)
                printf(" %-9s %s\n", top_columns[c].name, top_columns[c].help);
        fputs("\n"
              "<id> is an instance ID or a unique prefix of it, a name, the runtime's\n"
              "container ID or a unique prefix of it, or the host PID of a member.\n"
              "\n"
              "See ns-top(1).\n",
              stdout);
}

/* What getopt_long() returned for a bad option, said once (opterr = 0). */
static int option_error(int c, char *const *argv)
{
        _cleanup_free_ char *msg = option_error_message(c, optopt, optind > 0 ? argv[optind - 1] : "");

        top_error("%s", msg);
        return usage_error();
}

static int parse_delay(const char *s, double *ret)
{
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        /* "0x1p3", "inf" and "nan" are numbers to strtod, not delays */
        if (errno || end == s || *end || strpbrk(s, "xXiInN") || !isfinite(v) || v <= 0 ||
            v > DELAY_MAX)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_count(const char *s, long *ret)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < 1)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* Sleep for the delay, whatever signals come in between. */
static void sleep_for(double seconds)
{
        struct timespec ts = {
                .tv_sec = (time_t)seconds,
                .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9),
        };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* -p that named nothing, or several: say which, with what there is. */
static void report_bad_id(const TopModel *m, int r)
{
        _cleanup_free_ size_t *cand = NULL;
        size_t n_cand = 0;

        if (r == -ENOTUNIQ && m->instances &&
            instances_resolve(m->instances, m->bad_id, &cand, &n_cand) == -ENOTUNIQ) {
                top_error("'%s' is ambiguous; it matches:", m->bad_id);
                for (size_t i = 0; i < n_cand; i++) {
                        const Instance *in = &m->instances->items[cand[i]];
                        fprintf(stderr, "  %s %s (%s, pid %d)\n", in->id, in->ident.name,
                                runtime_to_string(in->ident.runtime),
                                (int)instance_leader(m->instances, in)->pid);
                }
        } else if (r == -ENOTUNIQ)
                top_error("'%s' is ambiguous (see ns ls)", m->bad_id);
        else
                top_error("no instance '%s' (see ns ls)", m->bad_id);
}

static int run_batch(const TopOptions *o, int proc_fd, int root_fd)
{
        TopModel *m = NULL;
        int r;

        r = top_model_new(proc_fd, root_fd, o, &m);
        if (r < 0) {
                top_error("cannot start: %s", ERRSTR(-r));
                return 1;
        }
        /* The baseline sample: the first frame comes one delay later, with rates. */
        r = top_model_refresh(m);
        for (long frame = 0; r >= 0 && (o->iterations == 0 || frame < o->iterations); frame++) {
                sleep_for(o->delay);
                r = top_model_refresh(m);
                if (r < 0)
                        break;
                r = o->json ? top_write_json(m, stdout) : top_write_text(m, stdout);
                if (r == -EPIPE) {
                        /* the reader went away (ns top -b | head): a normal end */
                        top_model_free(m);
                        return 0;
                }
                if (r < 0) {
                        top_error("cannot write: %s", ERRSTR(-r));
                        top_model_free(m);
                        return 1;
                }
        }
        if (r == -ENOENT && m->bad_id) {
                report_bad_id(m, r);
                r = 1;
        } else if (r == -ENOTUNIQ && m->bad_id) {
                report_bad_id(m, r);
                r = 1;
        } else if (r < 0) {
                top_error("cannot read '/proc': %s", ERRSTR(-r));
                r = 1;
        }
        top_model_free(m);
        return r;
}

int main(int argc, char **argv)
{
        enum { OPT_RUNTIME = 0x100 };
        static const struct option options[] = {
                { "delay", required_argument, NULL, 'd' },
                { "iterations", required_argument, NULL, 'n' },
                { "batch", no_argument, NULL, 'b' },
                { "json", no_argument, NULL, 'J' },
                { "instance", required_argument, NULL, 'p' },
                { "runtime", required_argument, NULL, OPT_RUNTIME },
                { "namespace", required_argument, NULL, 'N' },
                { "all", no_argument, NULL, 'a' },
                { "sort", required_argument, NULL, 's' },
                { "invert", no_argument, NULL, 'I' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {}
        };
        TopOptions o = { .delay = 2, .sort = TOP_COL_CPU };
        _cleanup_free_ char **ids = NULL;
        _cleanup_close_ int proc_fd = -EBADF, root_fd = -EBADF;
        const char *host_root;
        size_t n_ids = 0;
        bool have_n = false;
        int c, r;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":d:n:bJp:N:as:IhV", options, NULL)) >= 0) {
                switch (c) {
                case 'd':
                        if (parse_delay(optarg, &o.delay) < 0) {
                                top_error("invalid delay '%s': seconds, more than 0", optarg);
                                return usage_error();
                        }
                        break;
                case 'n':
                        if (parse_count(optarg, &o.iterations) < 0) {
                                top_error("invalid number of iterations '%s'", optarg);
                                return usage_error();
                        }
                        have_n = true;
                        break;
                case 'b':
                        o.batch = true;
                        break;
                case 'J':
                        o.json = true;
                        break;
                case 'p':
                        ids = xreallocarray(ids, n_ids + 2, sizeof(char *));
                        ids[n_ids++] = optarg;
                        ids[n_ids] = NULL;
                        break;
                case OPT_RUNTIME:
                        if (runtime_from_string(optarg) == RUNTIME_INVALID) {
                                top_error("unknown runtime '%s'", optarg);
                                return usage_error();
                        }
                        o.runtime = optarg;
                        break;
                case 'N':
                        o.k8s_ns = optarg;
                        break;
                case 'a':
                        o.all = true;
                        break;
                case 's':
                        o.sort = top_column_from_name(optarg);
                        if (o.sort == TOP_COL_INVALID) {
                                top_error("unknown column '%s'", optarg);
                                return usage_error();
                        }
                        break;
                case 'I':
                        o.sort_invert = true;
                        break;
                case 'h':
                        help();
                        return 0;
                case 'V':
                        printf("ns top %s\n", NS_VERSION);
                        return 0;
                default:
                        return option_error(c, argv);
                }
        }
        if (optind < argc) {
                top_error("unexpected argument '%s'", argv[optind]);
                return usage_error();
        }
        if (o.json && !o.batch) {
                top_error("option '-J' needs '-b'");
                return usage_error();
        }
        if (have_n && !o.batch) {
                top_error("option '-n' needs '-b'");
                return usage_error();
        }
        o.ids = ids;

        proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (proc_fd < 0) {
                top_error("cannot open '/proc': %s (is procfs mounted?)", ERRSTR(errno));
                return 1;
        }
        host_root = getenv(HOST_ROOT_ENV);
        root_fd = host_root_open(proc_fd, AT_FDCWD, host_root, NULL);
        if (root_fd < 0) {
                if (host_root && host_root[0])
                        top_error("cannot open host root '%s': %s", host_root, ERRSTR(-root_fd));
                else
                        top_error("cannot open '/': %s", ERRSTR(-root_fd));
                return 1;
        }
        /* A pod's own cgroup namespace would hide every cgroup outside the pod. */
        r = host_root_join_cgroupns(proc_fd, root_fd);
        if (r < 0)
                top_error("warning: cannot join the host's cgroup namespace: %s (cgroups "
                          "outside this container are not shown)",
                          ERRSTR(-r));

        if (o.batch) {
                /* a closed pipe is EPIPE from the write, and a quiet end */
                signal(SIGPIPE, SIG_IGN);
                return run_batch(&o, proc_fd, root_fd);
        }
        r = tui_run(&o, proc_fd, root_fd);
        if (r == -ENOTSUP) {
                top_error("this ns-top has no screen: it needs a terminal build (ncurses); "
                          "-b writes frames as text");
                return 1;
        }
        if (r < 0) {
                top_error("%s", ERRSTR(-r));
                return 1;
        }
        return r;
}
