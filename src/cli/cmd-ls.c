/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <getopt.h>

#include "commands.h"
#include "hostroot.h"
#include "inspect.h"
#include "output.h"
#include "usercache.h"
#include "util.h"

enum {
        COL_ID,
        COL_NAME,
        COL_RUNTIME,
        COL_PID,
        COL_NPROCS,
        COL_USER,
        COL_NS,
        COL_COMMAND,
        COL_RUNTIME_ID,
        COL_IMAGE,
        COL_PPID,
        COL_UID,
        COL_PARENT,
        COL_PRIVATE,
        COL_SHARED,
        COL_USERNS, /* the eight inode columns, in display order */
        COL_MNTNS,
        COL_PIDNS,
        COL_NETNS,
        COL_UTSNS,
        COL_IPCNS,
        COL_CGROUPNS,
        COL_TIMENS,
        COL_HEALTH,
        COL_K8SNS,
        COL_MAX,
};

static const ColumnDesc ls_columns[COL_MAX] = {
        [COL_ID] = { "ID", INSTANCE_ID_LEN, 0, SCOLS_JSON_STRING, "instance ID (digest of the namespaces)" },
        [COL_NAME] = { "NAME", 0.15, 0, SCOLS_JSON_STRING, "container, machine or sandbox name" },
        [COL_RUNTIME] = { "RUNTIME", 0.08, 0, SCOLS_JSON_STRING, "what made the instance" },
        [COL_PID] = { "PID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "leader's host PID" },
        [COL_NPROCS] = { "NPROCS", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "number of processes" },
        [COL_USER] = { "USER", 0.08, 0, SCOLS_JSON_STRING, "leader's owner" },
        [COL_NS] = { "NS", NS_TYPE_MAX, 0, SCOLS_JSON_STRING,
                     "namespaces: letter private, * shared, - host's" },
        [COL_COMMAND] = { "COMMAND", 0.3, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, "leader's command line" },
        [COL_RUNTIME_ID] = { "RUNTIME_ID", 0.1, 0, SCOLS_JSON_STRING, "the runtime's container ID" },
        [COL_IMAGE] = { "IMAGE", 0.15, 0, SCOLS_JSON_STRING, "the image it runs (ns run --image)" },
        [COL_PPID] = { "PPID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "leader's parent PID" },
        [COL_UID] = { "UID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "leader's owner UID" },
        [COL_PARENT] = { "PARENT", INSTANCE_ID_LEN, 0, SCOLS_JSON_STRING, "ID of the parent instance" },
        [COL_PRIVATE] = { "PRIVATE", 0.1, 0, SCOLS_JSON_STRING, "private namespace types" },
        [COL_SHARED] = { "SHARED", 0.1, 0, SCOLS_JSON_STRING, "types shared with another instance" },
        [COL_USERNS] = { "USERNS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "user namespace inode" },
        [COL_MNTNS] = { "MNTNS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "mount namespace inode" },
        [COL_PIDNS] = { "PIDNS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "pid namespace inode" },
        [COL_NETNS] = { "NETNS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "network namespace inode" },
        [COL_UTSNS] = { "UTSNS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "UTS namespace inode" },
        [COL_IPCNS] = { "IPCNS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "IPC namespace inode" },
        [COL_CGROUPNS] = { "CGROUPNS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "cgroup namespace inode" },
        [COL_TIMENS] = { "TIMENS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "time namespace inode" },
        [COL_HEALTH] = { "HEALTH", 0.1, 0, SCOLS_JSON_STRING,
                         "frozen, D-state and zombie tasks, OOM kills, refused forks" },
        [COL_K8SNS] = { "K8SNS", 0.1, 0, SCOLS_JSON_STRING, "Kubernetes namespace of a pod's instance" },
};

static const int ls_default_columns[] = {
        COL_ID, COL_NAME, COL_RUNTIME, COL_PID, COL_NPROCS, COL_USER, COL_NS, COL_COMMAND,
};

static const ColumnSet ls_column_set = {
        ls_columns, COL_MAX, ls_default_columns, ELEMENTSOF(ls_default_columns),
};

typedef struct LsOptions {
        TableOpts table;
        bool all;
        bool runtime_set;
        Runtime runtime;
        const char *k8s_ns; /* -N: only the pods of this Kubernetes namespace */
        int *cols;
        size_t n_cols;
        const StatsSnapshot *health; /* with the HEALTH column */
} LsOptions;

static void ls_help(void)
{
        fputs("Usage:\n"
              " ns ls [options]\n"
              "\n"
              "List every instance on the host: the processes that share one set of\n"
              "namespaces, whatever made them.\n"
              "\n"
              "Options:\n"
              " -a, --all              include the host instance\n"
              " -J, --json             use JSON output format\n"
              " -r, --raw              use raw output format\n"
              " -n, --noheadings       don't print headings\n"
              " -o, --output <list>    output columns (a list starting with '+' extends the default)\n"
              "     --output-all       output all columns\n"
              " -T, --tree             show nested instances as a tree\n"
              "     --runtime <name>   only instances made by this runtime\n"
              " -N, --namespace <ns>   only the pods of this Kubernetes namespace\n"
              " -H, --list-columns     list the available columns\n"
              "     --list-runtimes    list the runtimes --runtime takes\n"
              " -h, --help             display this help\n"
              "\n"
              "See ns-ls(1).\n",
              stdout);
}

static char *ls_cell(const LsOptions *o, const Instances *is, const Instance *in, int col,
                     UserCache *users)
{
        const Proc *leader = instance_leader(is, in);

        switch (col) {
        case COL_ID:
                return xstrdup(in->id);
        case COL_NAME:
                return xstrdup(in->ident.name ?: "");
        case COL_RUNTIME:
                return xstrdup(runtime_to_string(in->ident.runtime));
        case COL_PID:
                return xasprintf("%d", (int)leader->pid);
        case COL_NPROCS:
                return xasprintf("%zu", in->n_members - in->n_zombies);
        case COL_USER:
                return xstrdup(user_cache_name(users, in->uid));
        case COL_NS: {
                char letters[NS_TYPE_MAX + 1];
                output_ns_letters(in->share, letters);
                return xstrdup(letters);
        }
        case COL_COMMAND:
                return xstrdup(in->command ?: "");
        case COL_RUNTIME_ID:
                return in->ident.runtime_id ? xstrdup(in->ident.runtime_id) : NULL;
        case COL_IMAGE:
                return in->ident.image ? xstrdup(in->ident.image) : NULL;
        case COL_K8SNS:
                return in->ident.k8s_namespace ? xstrdup(in->ident.k8s_namespace) : NULL;
        case COL_PPID:
                return leader->stat_ok ? xasprintf("%d", (int)leader->ppid) : NULL;
        case COL_UID:
                return in->uid != (uid_t)-1 ? xasprintf("%u", (unsigned)in->uid) : NULL;
        case COL_PARENT:
                return in->parent >= 0 ? xstrdup(is->items[in->parent].id) : NULL;
        case COL_PRIVATE:
                return output_ns_names(in->share, NS_SHARE_PRIVATE);
        case COL_SHARED:
                return output_ns_names(in->share, NS_SHARE_OTHER);
        case COL_HEALTH: {
                const InstanceSample *s = o->health ? stats_snapshot_find(o->health, in->id) : NULL;
                char buf[128];

                if (!s)
                        return NULL;
                inspect_health_flags(s, buf, sizeof(buf));
                return xstrdup(buf);
        }
        default:
                if (col >= COL_USERNS && col <= COL_TIMENS) {
                        NsIno ino = in->ns[ns_display_order[col - COL_USERNS]];
                        return ino ? xasprintf("%llu", (unsigned long long)ino) : NULL;
                }
                return NULL;
        }
}

static bool ls_shows(const LsOptions *o, int col)
{
        for (size_t i = 0; i < o->n_cols; i++)
                if (o->cols[i] == col)
                        return true;
        return false;
}

static bool ls_shown(const LsOptions *o, const Instance *in)
{
        if (in->host && !o->all)
                return false;
        if (o->runtime_set && in->ident.runtime != o->runtime)
                return false;
        if (o->k8s_ns && !(in->ident.k8s_namespace && streq(in->ident.k8s_namespace, o->k8s_ns)))
                return false;
        return true;
}

/* The nearest shown ancestor, so a tree stays connected when the host or
 * filtered instances are left out. */
static ssize_t shown_parent(const LsOptions *o, const Instances *is, const Instance *in)
{
        ssize_t p = in->parent;

        while (p >= 0 && !ls_shown(o, &is->items[p]))
                p = is->items[p].parent;
        return p;
}

static void add_line(const LsOptions *o, const Instances *is, const Scols *sc,
                     struct libscols_table *tb, struct libscols_line **lines, UserCache *users,
                     size_t i)
{
        const Instance *in = &is->items[i];
        struct libscols_line *parent = NULL;

        if (lines[i] || !ls_shown(o, in))
                return;
        if (o->table.out.tree) {
                ssize_t p = shown_parent(o, is, in);
                if (p >= 0) {
                        add_line(o, is, sc, tb, lines, users, (size_t)p);
                        parent = lines[p];
                }
        }
        lines[i] = output_line_new(sc, tb, parent);
        for (size_t c = 0; c < o->n_cols; c++)
                output_cell_set(sc, lines[i], c, ls_cell(o, is, in, o->cols[c], users));
}

/* --list-runtimes: from the table, so that a new runtime reaches the
 * completions, which ask this, with nothing else to edit. */
static int ls_list_runtimes(bool json)
{
        ColumnDesc runtimes[RUNTIME_MAX];
        Scols sc;

        for (int r = 0; r < RUNTIME_MAX; r++)
                runtimes[r] = (ColumnDesc){ .name = runtime_table[r].name,
                                            .help = runtime_table[r].help };
        if (load_smartcols(&sc) < 0)
                return 1;
        return output_list_named(&sc, runtimes, RUNTIME_MAX, json, "runtimes") < 0;
}

int cmd_ls(int argc, char **argv)
{
        enum { OPT_RUNTIME = 0x100, OPT_LIST_RUNTIMES };
        static const struct option options[] = {
                TABLE_OPTIONS,
                { "all", no_argument, NULL, 'a' },
                { "tree", no_argument, NULL, 'T' },
                { "runtime", required_argument, NULL, OPT_RUNTIME },
                { "namespace", required_argument, NULL, 'N' },
                { "list-runtimes", no_argument, NULL, OPT_LIST_RUNTIMES },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        LsOptions o = {};
        UserCache users = {};
        _cleanup_close_ int root_fd = -EBADF;
        _cleanup_free_ int *cols = NULL;
        bool list_runtimes = false;
        Scan *scan = NULL;
        Instances *is;
        Scols sc;
        struct libscols_table *tb;
        _cleanup_free_ struct libscols_line **lines = NULL;
        Stats *stats = NULL;
        StatsSnapshot *health = NULL;
        InstancesLoadFlags flags = 0;
        int c;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":" TABLE_OPTSTRING "aTN:h", options, NULL)) >= 0) {
                if (table_opts_parse(&o.table, c, optarg))
                        continue;
                switch (c) {
                case 'a':
                        o.all = true;
                        break;
                case 'T':
                        o.table.out.tree = true;
                        break;
                case OPT_RUNTIME:
                        o.runtime = runtime_from_string(optarg);
                        if (o.runtime == RUNTIME_INVALID) {
                                log_error("unknown runtime '%s'", optarg);
                                return usage_error("ls");
                        }
                        o.runtime_set = true;
                        break;
                case 'N':
                        o.k8s_ns = optarg;
                        break;
                case OPT_LIST_RUNTIMES:
                        list_runtimes = true;
                        break;
                case 'h':
                        ls_help();
                        return 0;
                default:
                        return option_error("ls", c, argv);
                }
        }
        if (optind < argc) {
                log_error("unexpected argument '%s'", argv[optind]);
                return usage_error("ls");
        }
        if (o.table.list_columns)
                return table_list_columns(&o.table, &ls_column_set);
        if (list_runtimes)
                return ls_list_runtimes(o.table.out.json);
        if (table_columns("ls", &o.table, &ls_column_set, &cols, &o.n_cols) < 0)
                return 1;
        o.cols = cols;

        if (load_smartcols(&sc) < 0)
                return 1;
        /* Nesting costs a few syscalls per instance: only when it is shown.
         * HEALTH needs every process's stat, read by the scan itself: it
         * counts zombies with their parents (stats.h), and marks them so
         * that NPROCS stays what lsns counts. */
        if (o.table.out.tree || ls_shows(&o, COL_PARENT))
                flags |= INSTANCES_LOAD_NEST;
        if (ls_shows(&o, COL_HEALTH))
                flags |= INSTANCES_LOAD_STAT;
        is = load_instances_with(flags, &scan);
        if (!is)
                return 1;
        root_fd = open_host_root(scan->proc_fd);
        if (root_fd < 0) {
                instances_free(is);
                scan_free(scan);
                return 1;
        }
        /* Owners by the host's names: read below its root from a container. */
        if (host_root_differs(scan->proc_fd, root_fd, 0))
                user_cache_set_root(&users, root_fd);
        if (flags & INSTANCES_LOAD_STAT) {
                if (stats_new(scan->proc_fd, root_fd, &stats) >= 0 &&
                    stats_sample(stats, is, &health) >= 0)
                        o.health = health;
        }
        tb = output_table_new(&sc, ls_columns, o.cols, o.n_cols, &o.table.out, "instances");
        lines = xnew(struct libscols_line *, is->n);
        for (size_t i = 0; i < is->n; i++)
                add_line(&o, is, &sc, tb, lines, &users, i);
        user_cache_done(&users);

        sc.print_table(tb);
        sc.unref_table(tb);
        stats_snapshot_free(health);
        stats_free(stats);
        report_unreadable(scan);
        instances_free(is);
        scan_free(scan);
        return 0;
}
