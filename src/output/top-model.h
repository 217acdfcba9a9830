/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The table behind ns top, shared by its screen (src/tui/) and its batch
 * mode: one row per instance with its latest sample, the rates since the
 * sample before, the deltas since the first one (OOM kills, refused
 * forks), a short history for sparklines, and whether it just appeared or
 * just exited. Refreshing reuses the previous scan (a known process's
 * namespaces are not read again) and the previous identities. Never prints
 * but where a function is given a FILE.
 */

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "instances.h"
#include "stats.h"

typedef enum TopColumn {
        TOP_COL_ID,
        TOP_COL_NAME,
        TOP_COL_RUNTIME,
        TOP_COL_PID,     /* leader */
        TOP_COL_PIDS,    /* processes */
        TOP_COL_CPU,     /* % of one core */
        TOP_COL_CPU_LIM, /* % of its own CPU limit */
        TOP_COL_MEM,
        TOP_COL_MEM_LIM, /* % of its memory limit */
        TOP_COL_NET_RX,  /* bytes per second */
        TOP_COL_NET_TX,
        TOP_COL_IO_R,
        TOP_COL_IO_W,
        TOP_COL_HEALTH,
        TOP_COL_UPTIME,
        TOP_COL_COMMAND,
        TOP_COL_MAX,
        TOP_COL_INVALID = -1,
} TopColumn;

typedef struct TopColumnDesc {
        const char *name;     /* heading, and the -o / --sort name (any case) */
        int width;            /* on screen, at least */
        bool right;           /* numbers: right-aligned */
        bool sort_descending; /* the natural order: biggest first */
        const char *help;
} TopColumnDesc;

extern const TopColumnDesc top_columns[TOP_COL_MAX];

/* By heading, any case; TOP_COL_INVALID when unknown. */
TopColumn top_column_from_name(const char *name);

typedef struct TopOptions {
        double delay;           /* seconds between refreshes (-d) */
        long iterations;        /* -n: frames in batch mode; 0: until stopped */
        bool batch;             /* -b */
        bool json;              /* -J, with -b: one JSON document per frame */
        char **ids;             /* -p ID (repeatable): only these, NULL-terminated, or NULL */
        const char *runtime;    /* --runtime NAME, or NULL */
        const char *k8s_ns;     /* -N NS: only the pods of this Kubernetes namespace, or NULL */
        bool all;               /* -a: the host too */
        TopColumn sort;         /* initial sort column */
        bool sort_invert;
} TopOptions;

#define TOP_HISTORY 64          /* samples of history kept per row */
/* Every so many refreshes the scan reads every process's namespaces
 * again, and identities are read again: a process may have called
 * setns() or unshare() since it was first seen. */
#define TOP_REVERIFY_REFRESHES 30
#define TOP_NEW_REFRESHES 2     /* a new row is marked for so many refreshes */
#define TOP_GONE_REFRESHES 3    /* an exited row stays greyed for so many */
/* A leader's command line is read by a helper that may take this long for
 * one (a task in D state can hold the lock the read needs), and this long
 * for all of one refresh. One that did not come is asked for again every
 * TOP_REVERIFY_REFRESHES. */
#define TOP_CMDLINE_TIMEOUT_MS 100
#define TOP_CMDLINE_BUDGET_MS 300

typedef enum TopRowState {
        TOP_ROW_LIVE,
        TOP_ROW_NEW,  /* appeared in one of the last TOP_NEW_REFRESHES refreshes */
        TOP_ROW_GONE, /* exited; kept for TOP_GONE_REFRESHES refreshes */
} TopRowState;

typedef struct TopRow {
        char id[INSTANCE_ID_LEN + 1];
        char *name;
        char *runtime;
        char *command;           /* the leader's command line */
        char *runtime_id;        /* the runtime's own container id, or NULL */
        char *pod;               /* Kubernetes pod and its namespace, or NULL */
        char *pod_namespace;
        pid_t leader;
        unsigned long long leader_start; /* clock ticks after boot, for attach_open() */
        uid_t uid;
        bool host;
        ssize_t parent;          /* index into TopModel.rows of the instance it is nested in, or -1 */
        int depth;               /* nesting depth, for the tree view */

        TopRowState state;
        unsigned state_age;      /* refreshes in that state */

        InstanceSample first;    /* the first sample seen: baseline of the deltas */
        InstanceSample cur;      /* its cgroup string is the row's own copy */
        bool have_rates;         /* a previous sample existed */
        InstanceRates rates;
        uint64_t oom_delta;      /* since ns top started */
        uint64_t pids_refused_delta;

        float cpu_hist[TOP_HISTORY]; /* cpu_pct, oldest first */
        uint64_t mem_hist[TOP_HISTORY];
        unsigned n_hist;
} TopRow;

typedef struct TopModel {
        TopOptions opts;         /* a copy; ids and runtime are not owned */
        TopRow *rows;            /* every row known (live, new and gone), unordered */
        size_t n_rows;
        size_t *view;            /* the rows shown, filtered and sorted: indices into rows */
        size_t n_view;

        char *filter;            /* "/" text: matched against id, name, runtime, command */
        TopColumn sort;
        bool sort_invert;
        bool tree;               /* nested instances under their parents */

        HostSample host, host_prev;
        bool have_host_prev;
        double host_cpu_pct;     /* all CPUs = 100 */
        size_t n_instances;      /* live ones, the host excluded */
        size_t n_unreadable;     /* processes or files it could not read */
        uint64_t refreshes;
        size_t n_by_runtime[RUNTIME_MAX]; /* live instances per runtime, the host excluded */
        size_t n_unreadable_procs; /* of n_unreadable: processes whose namespaces it may not read */
        double interval;         /* seconds between the last two samples; 0 after the first */
        time_t wall;             /* when the last sample was taken */

        /*
         * -p: the instances the ids named at the first refresh (their
         * instance IDs, NULL-terminated), and the one that named none or
         * several when top_model_refresh() failed with -ENOENT or -ENOTUNIQ.
         */
        char **want_ids;
        const char *bad_id;

        /* What the next refresh reuses; the model's own. */
        int proc_fd, root_fd;
        Scan *scan;
        Instances *instances;
        Stats *stats;
        StatsSnapshot *snap;
        bool loaded;             /* top_model_load() made the rows; no sample yet */
        struct Reader *cmdline_reader; /* command lines, with a deadline (reader.h) */
        size_t n_cmdline_blocked; /* leaders whose command line did not come in time */
} TopModel;

/* proc_fd and root_fd are duplicated. Does not refresh. */
int top_model_new(int proc_fd, int root_fd, const TopOptions *o, TopModel **ret);
TopModel *top_model_free(TopModel *m);

/*
 * The rows before the first sample: scan, group and name, and resolve -p
 * (-ENOENT or -ENOTUNIQ and bad_id as below), with the host's header
 * figures but no figures of the instances (shown as unknown), so that a
 * screen can be drawn at once. The next top_model_refresh() samples this
 * same load instead of scanning again. Does nothing after a refresh.
 */
int top_model_load(TopModel *m);

/*
 * Scan, group, name and sample again; update rows, rates, history and the
 * view. Files are read only for the instances the options let through
 * (-p, --runtime, -a). The first refresh resolves -p ids: -ENOENT or
 * -ENOTUNIQ (and bad_id) when one names no instance or several.
 */
int top_model_refresh(TopModel *m);

/* Filter (NULL or "" for none), sort and tree: update the view only. */
void top_model_set_filter(TopModel *m, const char *filter);
void top_model_set_sort(TopModel *m, TopColumn col, bool invert);
void top_model_set_tree(TopModel *m, bool tree);

/* The row of that id, or NULL. */
TopRow *top_model_find(const TopModel *m, const char *id);
/* The instance of that id in the last load (m->instances), or NULL. */
const Instance *top_model_instance(const TopModel *m, const char *id);

/*
 * The PIDS column: its tasks (processes and threads, as the pids
 * controller counts them), the cgroup's pids.current where it has a pids
 * cgroup of its own, else the threads of its processes.
 */
unsigned long long top_row_tasks(const TopRow *r);

/* The text of a cell, as the screen and the batch table show it. */
void top_cell(const TopModel *m, const TopRow *r, TopColumn col, char *buf, size_t size);

/*
 * The HEALTH flags: "frozen 3D 57Z +1 oom +31 forks", or "" when healthy:
 * frozen, tasks in D state, zombies, "N stopped", OOM kills and refused
 * forks since ns top started, "throttled NN%" past 10% of the periods.
 */
void top_health(const TopRow *r, char *buf, size_t size);

/* "512B", "1.5M", "12G"; "12K/s" with per_second. */
void top_format_bytes(double bytes, bool per_second, char *buf, size_t size);
/* "42s", "5m12s", "2h05m", "3d04h". */
void top_format_duration(double seconds, char *buf, size_t size);

/* The columns of the batch table, in order, ended by TOP_COL_INVALID. */
extern const TopColumn top_batch_columns[];

/*
 * Batch mode: one frame, as a header and a table followed by a blank line
 * (text, like top -b) or as one JSON line, every figure a raw number (null
 * when unknown). Returns 0 or -errno from the stream (-EPIPE).
 */
int top_write_text(const TopModel *m, FILE *f);
int top_write_json(const TopModel *m, FILE *f);
