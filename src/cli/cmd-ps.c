/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "commands.h"
#include "hostroot.h"
#include "output.h"
#include "procinfo.h"
#include "usercache.h"
#include "util.h"

enum {
        COL_PID,
        COL_NSPID,
        COL_USER,
        COL_STATE,
        COL_CPU,
        COL_RSS,
        COL_COMMAND,
        COL_PPID,
        COL_UID,
        COL_THREADS,
        COL_COMM,
        COL_TIME,
        COL_MAX,
};

static const ColumnDesc ps_columns[COL_MAX] = {
        [COL_PID] = { "PID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "host PID" },
        [COL_NSPID] = { "NSPID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "PID inside the instance" },
        [COL_USER] = { "USER", 0.1, 0, SCOLS_JSON_STRING, "effective user" },
        [COL_STATE] = { "STATE", 1, 0, SCOLS_JSON_STRING, "process state (R, S, D, T, Z, ...)" },
        [COL_CPU] = { "CPU", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "CPU use since start, percent" },
        [COL_RSS] = { "RSS", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "resident memory (bytes with -J or -r)" },
        [COL_COMMAND] = { "COMMAND", 0.5, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, "command line" },
        [COL_PPID] = { "PPID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "parent's host PID" },
        [COL_UID] = { "UID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "effective UID" },
        [COL_THREADS] = { "THREADS", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "number of threads" },
        [COL_COMM] = { "COMM", 0.1, 0, SCOLS_JSON_STRING, "command name" },
        [COL_TIME] = { "TIME", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "CPU time, seconds" },
};

static const int ps_default_columns[] = {
        COL_PID, COL_NSPID, COL_USER, COL_STATE, COL_CPU, COL_RSS, COL_COMMAND,
};

static const ColumnSet ps_column_set = {
        ps_columns, COL_MAX, ps_default_columns, ELEMENTSOF(ps_default_columns),
};

static void ps_help(void)
{
        fputs("Usage:\n"
              " ns ps [options] <id>\n"
              "\n"
              "List the processes of one instance.\n"
              "\n"
              "<id> is an instance ID or a unique prefix of it, a name, the runtime's\n"
              "container ID or a unique prefix of it, or the host PID of a member.\n"
              "\n"
              "Options:\n"
              " -J, --json             use JSON output format\n"
              " -r, --raw              use raw output format\n"
              " -n, --noheadings       don't print headings\n"
              " -o, --output <list>    output columns (a list starting with '+' extends the default)\n"
              "     --output-all       output all columns\n"
              " -H, --list-columns     list the available columns\n"
              " -N, --namespace <ns>   <id> among the pods of this Kubernetes namespace\n"
              " -h, --help             display this help\n"
              "\n"
              "See ns-ps(1).\n",
              stdout);
}

static char *ps_cell(const ProcInfo *pi, pid_t nspid, int col, bool exact, UserCache *users)
{
        char buf[32];

        switch (col) {
        case COL_PID:
                return xasprintf("%d", (int)pi->pid);
        case COL_NSPID:
                return nspid > 0 ? xasprintf("%d", (int)nspid) : NULL;
        case COL_USER:
                return xstrdup(user_cache_name(users, pi->uid));
        case COL_STATE:
                return xasprintf("%c", pi->state);
        case COL_CPU:
                return xasprintf("%.1f", pi->cpu);
        case COL_RSS:
                return exact ? xasprintf("%llu", pi->rss) : xstrdup(format_size(pi->rss, buf, sizeof(buf)));
        case COL_COMMAND:
                return xstrdup(pi->command);
        case COL_PPID:
                return xasprintf("%d", (int)pi->ppid);
        case COL_UID:
                return xasprintf("%u", (unsigned)pi->uid);
        case COL_THREADS:
                return xasprintf("%d", pi->threads);
        case COL_COMM:
                return xstrdup(pi->comm);
        case COL_TIME:
                return xasprintf("%.2f", pi->cputime);
        default:
                return NULL;
        }
}

/* True when instance i is a container of a pod in Kubernetes namespace ns. */
static bool in_k8s_ns(const Instances *is, size_t i, const char *ns)
{
        const char *have = is->items[i].ident.k8s_namespace;
        return have && streq(have, ns);
}

/*
 * The <id>, among the pods of Kubernetes namespace k8s_ns only (-N): a pod
 * name may well be the same in two namespaces. Reports as
 * resolve_or_report() does; returns the index or -1.
 */
static ssize_t resolve_in(const Instances *is, const char *id, const char *k8s_ns)
{
        _cleanup_free_ size_t *cand = NULL;
        size_t n_cand = 0, n_hit = 0;
        ssize_t r, hit = -1;

        if (!k8s_ns)
                return resolve_or_report(is, id);
        r = instances_resolve(is, id, &cand, &n_cand);
        if (r >= 0 && in_k8s_ns(is, (size_t)r, k8s_ns))
                return r;
        for (size_t k = 0; r < 0 && k < n_cand; k++)
                if (in_k8s_ns(is, cand[k], k8s_ns)) {
                        hit = (ssize_t)cand[k];
                        n_hit++;
                }
        if (n_hit == 1)
                return hit;
        if (n_hit == 0) {
                log_error("no instance '%s' in Kubernetes namespace '%s'", id, k8s_ns);
                return -1;
        }
        log_error("'%s' is ambiguous: it matches %zu instances in '%s':", id, n_hit, k8s_ns);
        for (size_t k = 0; k < n_cand; k++)
                if (in_k8s_ns(is, cand[k], k8s_ns))
                        print_candidate(is, cand[k]);
        fputs("Give more of the ID, or the full name.\n", stderr);
        return -1;
}

int cmd_ps(int argc, char **argv)
{
        static const struct option options[] = {
                TABLE_OPTIONS,
                { "namespace", required_argument, NULL, 'N' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        TableOpts t = {};
        const char *k8s_ns = NULL;
        _cleanup_free_ int *cols = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n_cols = 0;
        Scan *scan = NULL;
        Instances *is;
        const Instance *in = NULL;
        ProcInfo *infos = NULL;
        UserCache users = {};
        _cleanup_close_ int root_fd = -EBADF;
        Scols sc;
        struct libscols_table *tb;
        ssize_t idx;
        int c, r, ret = 0;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":" TABLE_OPTSTRING "N:h", options, NULL)) >= 0) {
                if (table_opts_parse(&t, c, optarg))
                        continue;
                if (c == 'N') {
                        k8s_ns = optarg;
                        continue;
                }
                if (c == 'h') {
                        ps_help();
                        return 0;
                }
                return option_error("ps", c, argv);
        }
        if (t.list_columns)
                return table_list_columns(&t, &ps_column_set);
        if (optind >= argc) {
                log_error("no instance given");
                return usage_error("ps");
        }
        if (optind + 1 < argc) {
                log_error("unexpected argument '%s'", argv[optind + 1]);
                return usage_error("ps");
        }
        if (table_columns("ps", &t, &ps_column_set, &cols, &n_cols) < 0)
                return 1;

        if (load_smartcols(&sc) < 0)
                return 1;
        is = load_instances(&scan);
        if (!is)
                return 1;
        idx = resolve_in(is, argv[optind], k8s_ns);
        if (idx < 0) {
                ret = 1;
                goto finish;
        }
        in = &is->items[idx];
        /* libproc2 names users through NSS, ns' own: the host's are below its root */
        root_fd = open_host_root(scan->proc_fd);
        if (root_fd < 0) {
                ret = 1;
                goto finish;
        }
        if (host_root_differs(scan->proc_fd, root_fd, 0))
                user_cache_set_root(&users, root_fd);

        pids = xnew(pid_t, in->n_members);
        for (size_t k = 0; k < in->n_members; k++)
                pids[k] = instance_member(is, in, k)->pid;
        r = procinfo_load(pids, in->n_members, &infos);
        if (r < 0) {
                log_error("cannot load libproc2.so.0: per-process fields need it (install libproc2-0)");
                ret = 1;
                goto finish;
        }

        tb = output_table_new(&sc, ps_columns, cols, n_cols, &t.out, "processes");
        for (size_t k = 0; k < in->n_members; k++) {
                const ProcInfo *pi = &infos[k];
                struct libscols_line *ln;
                pid_t nspid;

                if (pi->pid == 0)
                        continue; /* exited since the scan */
                if (proc_read_nspid(scan->proc_fd, pi->pid, &nspid) < 0)
                        nspid = 0;
                ln = output_line_new(&sc, tb, NULL);
                for (size_t ci = 0; ci < n_cols; ci++)
                        output_cell_set(&sc, ln, ci,
                                        ps_cell(pi, nspid, cols[ci], t.out.json || t.out.raw,
                                                &users));
        }
        sc.print_table(tb);
        sc.unref_table(tb);

finish:
        user_cache_done(&users);
        procinfo_free(infos, in ? in->n_members : 0);
        instances_free(is);
        scan_free(scan);
        return ret;
}
