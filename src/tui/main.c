/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ns-top, the program behind `ns top`: its options, and the batch mode
 * (-b) that writes frames of the top model as text, JSON lines or the
 * Prometheus exposition, to standard output or to a file replaced whole
 * (--output); --listen serves the exposition (serve.h); without either,
 * the screen (tui_run()). A program of its own so that the ns binary
 * never loads ncurses; libmicrohttpd is loaded for --listen only.
 */
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

#include "hostroot.h"
#include "macro.h"
#include "resolve.h"
#include "serve.h"
#include "top-model.h"
#include "top-prom.h"
#include "tui.h"
#include "util.h"

#ifndef NS_VERSION
#define NS_VERSION "unknown"
#endif

/* The longest delay taken: a day. */
#define DELAY_MAX 86400.0

typedef enum Format {
        FORMAT_TEXT,
        FORMAT_JSON,
        FORMAT_PROMETHEUS,
        FORMAT_MAX,
        FORMAT_INVALID = -1,
} Format;

static const char *const format_names[FORMAT_MAX] = {
        [FORMAT_TEXT] = "text",
        [FORMAT_JSON] = "json",
        [FORMAT_PROMETHEUS] = "prometheus",
};

/* Where and how batch frames go: the options ns-top has beyond the model's. */
typedef struct BatchOptions {
        Format format;
        const char *output; /* --output FILE, or NULL for standard output */
        const char *listen; /* --listen [ADDR:]PORT, or NULL */
        ServeAddress listen_addr;
} BatchOptions;

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
              "     --format <format>  with -b, the format: text, json (as -J) or prometheus\n"
              "     --output <file>    with -b, write each frame to file, replaced whole\n"
              "     --listen <address> serve the prometheus format on /metrics at\n"
              "                        [addr:]port (127.0.0.1 when only a port)\n"
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

static Format format_from_name(const char *name)
{
        for (int k = 0; k < FORMAT_MAX; k++)
                if (streq(format_names[k], name))
                        return (Format)k;
        return FORMAT_INVALID;
}

/* The end of a batch run: what a failed refresh means, said; frees m. */
static int report_refresh(TopModel *m, int r)
{
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

static int write_frame(const TopModel *m, Format format, FILE *f)
{
        switch (format) {
        case FORMAT_JSON:
                return top_write_json(m, f);
        case FORMAT_PROMETHEUS:
                return top_write_prometheus(m, f);
        default:
                return top_write_text(m, f);
        }
}

/*
 * One frame into path, replacing it whole: written to a temporary file in
 * the same directory and renamed over it, so that a reader (the textfile
 * collector of node_exporter) never sees half of one. The temporary name
 * starts with a dot and does not end in ".prom": the collector skips it.
 */
static int write_frame_file(const TopModel *m, Format format, const char *path)
{
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        mode_t mask;
        FILE *f;
        int r;

        if (slash)
                tmp = xasprintf("%.*s.%s.XXXXXX", (int)(slash + 1 - path), path, slash + 1);
        else
                tmp = xasprintf(".%s.XXXXXX", path);
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* mkostemp() makes it 0600; the collector may run as another user */
        mask = umask(0);
        umask(mask);
        f = fchmod(fd, 0666 & ~mask) == 0 ? fdopen(fd, "w") : NULL;
        if (!f) {
                r = -errno;
                unlink(tmp);
                return r;
        }
        TAKE_FD(fd);
        r = write_frame(m, format, f);
        if (fclose(f) != 0 && r >= 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}

static int run_batch(const TopOptions *o, const BatchOptions *b, int proc_fd, int root_fd)
{
        TopModel *m = NULL;
        int r;

        r = top_model_new(proc_fd, root_fd, o, &m);
        if (r < 0) {
                top_error("cannot start: %s", ERRSTR(-r));
                return 1;
        }
        r = top_model_refresh(m);
        for (long frame = 0; r >= 0 && (o->iterations == 0 || frame < o->iterations); frame++) {
                /* Text and JSON show rates: the first sample is their baseline and
                 * their first frame comes one delay later. The Prometheus format
                 * has counters, not rates: its first frame is the first sample. */
                if (frame > 0 || b->format != FORMAT_PROMETHEUS) {
                        sleep_for(o->delay);
                        r = top_model_refresh(m);
                        if (r < 0)
                                break;
                }
                if (b->output)
                        r = write_frame_file(m, b->format, b->output);
                else
                        r = write_frame(m, b->format, stdout);
                if (r == -EPIPE && !b->output) {
                        /* the reader went away (ns top -b | head): a normal end */
                        top_model_free(m);
                        return 0;
                }
                if (r < 0) {
                        if (b->output)
                                top_error("cannot write '%s': %s", b->output, ERRSTR(-r));
                        else
                                top_error("cannot write: %s", ERRSTR(-r));
                        top_model_free(m);
                        return 1;
                }
        }
        return report_refresh(m, r);
}

/* ns top --listen: the first sample taken (so that a bad -p is said at once), then served. */
static int run_server(const TopOptions *o, const BatchOptions *b, int proc_fd, int root_fd)
{
        _cleanup_free_ char *err = NULL;
        TopModel *m = NULL;
        Mhd mhd;
        int fd, r;

        /* before the port is taken: without the library nothing is served */
        if (serve_load(&mhd, &err) < 0) {
                top_error("--listen needs libmicrohttpd (libmicrohttpd12): %s", err);
                return 1;
        }
        fd = serve_listen(&b->listen_addr);
        if (fd < 0) {
                top_error("cannot listen on '%s': %s%s", b->listen, ERRSTR(-fd),
                          fd == -EADDRINUSE ? " (choose another port)" : "");
                return 1;
        }
        r = top_model_new(proc_fd, root_fd, o, &m);
        if (r < 0) {
                close(fd);
                top_error("cannot start: %s", ERRSTR(-r));
                return 1;
        }
        r = top_model_refresh(m);
        if (r < 0) {
                close(fd);
                return report_refresh(m, r);
        }
        r = serve_run(&mhd, m, fd, o->delay);
        if (r < 0)
                top_error("cannot serve on '%s': %s", b->listen, ERRSTR(-r));
        top_model_free(m);
        return r < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
        enum { OPT_RUNTIME = 0x100, OPT_FORMAT, OPT_OUTPUT, OPT_LISTEN };
        static const struct option options[] = {
                { "delay", required_argument, NULL, 'd' },
                { "iterations", required_argument, NULL, 'n' },
                { "batch", no_argument, NULL, 'b' },
                { "json", no_argument, NULL, 'J' },
                { "format", required_argument, NULL, OPT_FORMAT },
                { "output", required_argument, NULL, OPT_OUTPUT },
                { "listen", required_argument, NULL, OPT_LISTEN },
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
        BatchOptions b = { .format = FORMAT_INVALID };
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
                case OPT_FORMAT:
                        b.format = format_from_name(optarg);
                        if (b.format == FORMAT_INVALID) {
                                top_error("unknown format '%s': text, json or prometheus", optarg);
                                return usage_error();
                        }
                        break;
                case OPT_OUTPUT:
                        if (!*optarg) {
                                top_error("option '--output' needs a file name");
                                return usage_error();
                        }
                        b.output = optarg;
                        break;
                case OPT_LISTEN:
                        if (serve_parse_address(optarg, &b.listen_addr) < 0) {
                                top_error("invalid address '%s': [address:]port, an IPv6 address "
                                          "in brackets",
                                          optarg);
                                return usage_error();
                        }
                        b.listen = optarg;
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
        if (o.json && b.format != FORMAT_INVALID && b.format != FORMAT_JSON) {
                top_error("option '-J' conflicts with '--format=%s'", format_names[b.format]);
                return usage_error();
        }
        if (b.listen) {
                /* a server of its own: no frames, no screen */
                if (o.json || (b.format != FORMAT_INVALID && b.format != FORMAT_PROMETHEUS)) {
                        top_error("option '--listen' serves the prometheus format only");
                        return usage_error();
                }
                if (have_n || b.output) {
                        top_error("option '%s' does not go with '--listen'",
                                  have_n ? "-n" : "--output");
                        return usage_error();
                }
                b.format = FORMAT_PROMETHEUS;
                o.batch = true;
        }
        if (have_n && !o.batch) {
                top_error("option '-n' needs '-b'");
                return usage_error();
        }
        if (b.format != FORMAT_INVALID && !o.batch) {
                top_error("option '--format' needs '-b'");
                return usage_error();
        }
        if (b.output && !o.batch) {
                top_error("option '--output' needs '-b'");
                return usage_error();
        }
        if (b.format == FORMAT_INVALID)
                b.format = o.json ? FORMAT_JSON : FORMAT_TEXT;
        o.json = b.format == FORMAT_JSON;
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
                if (b.listen)
                        return run_server(&o, &b, proc_fd, root_fd);
                return run_batch(&o, &b, proc_fd, root_fd);
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
