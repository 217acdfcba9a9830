/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The whole load: scan, group, nest, name. Naming an instance reads its
 * leader's command line and owner and asks identify.c which runtime made
 * it.
 */
#include <sys/stat.h>

#include "identify.h"
#include "instances.h"
#include "macro.h"
#include "util.h"

void instances_identify(Instances *is, int root_fd)
{
        IdentifyContext *ctx = identify_context_new(is->scan->proc_fd, root_fd);
        Scan *s = is->scan;

        for (size_t i = 0; i < is->n; i++) {
                Instance *in = &is->items[i];
                Proc *leader = &s->procs[in->leader], *parent = NULL;
                _cleanup_free_ char *cmdline = NULL;
                size_t cmdline_len = 0;
                char path[48];
                struct stat st;

                if (in->identified)
                        continue;
                (void)scan_load_stat(s, leader);
                if (leader->stat_ok && leader->ppid > 0) {
                        parent = scan_find(s, leader->ppid);
                        if (parent)
                                (void)scan_load_stat(s, parent);
                }
                snprintf(path, sizeof(path), "%d/cmdline", (int)leader->pid);
                /* A command line longer than 64 KiB is cut: the column shows its start. */
                if (read_file_at(s->proc_fd, path, 65536, &cmdline, &cmdline_len) < 0)
                        cmdline_len = 0;
                snprintf(path, sizeof(path), "%d", (int)leader->pid);
                in->uid = fstatat(s->proc_fd, path, &st, 0) == 0 ? st.st_uid : (uid_t)-1;

                IdentifyInput input = {
                        .host = in->host,
                        .leader = leader->pid,
                        .leader_ppid = leader->stat_ok ? leader->ppid : 0,
                        .leader_comm = leader->stat_ok ? leader->comm : "",
                        .parent_comm = parent && parent->stat_ok ? parent->comm : "",
                        .cmdline = cmdline_len > 0 ? cmdline : NULL,
                        .cmdline_len = cmdline_len,
                        .ns = in->ns,
                        .host_ns = s->host_ns,
                };
                identify_instance(ctx, &input, &in->ident);
                if (cmdline_len > 0)
                        in->command = cmdline_to_string(cmdline, cmdline_len);
                else
                        /* kernel threads and zombies have no command line */
                        in->command = leader->stat_ok ? xasprintf("[%s]", leader->comm) : xstrdup("");
                in->identified = true;
        }
        identify_context_free(ctx);
}

static int item_id_cmp(const void *a, const void *b, void *arg)
{
        const Instances *is = arg;
        return strcmp(is->items[*(const size_t *)a].id, is->items[*(const size_t *)b].id);
}

/* The instance of prev with that id, through order (prev's indices sorted by id). */
static const Instance *find_by_id(const Instances *prev, const size_t *order, const char *id)
{
        size_t lo = 0, hi = prev->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const Instance *in = &prev->items[order[mid]];
                int c = strcmp(in->id, id);

                if (c == 0)
                        return in;
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

/*
 * Take over the identity of each instance that prev knew with the same
 * leader process: the same tuple (id) and the same (pid, start time) of
 * the leader mean nothing identify reads has changed but a runtime's
 * state files, which do not change while the process lives.
 */
static void reuse_identities(Instances *is, const Instances *prev)
{
        _cleanup_free_ size_t *order = NULL;

        if (!prev || prev->n == 0)
                return;
        order = xnew(size_t, prev->n);
        for (size_t i = 0; i < prev->n; i++)
                order[i] = i;
        qsort_r(order, prev->n, sizeof(size_t), item_id_cmp, (void *)prev);

        for (size_t i = 0; i < is->n; i++) {
                Instance *in = &is->items[i];
                const Instance *old = find_by_id(prev, order, in->id);
                const Proc *leader = instance_leader(is, in), *old_leader;

                if (!old || !old->identified)
                        continue;
                old_leader = instance_leader(prev, old);
                if (old_leader->pid != leader->pid || !leader->stat_ok || !old_leader->stat_ok ||
                    old_leader->starttime != leader->starttime)
                        continue;
                in->ident.runtime = old->ident.runtime;
                in->ident.name = old->ident.name ? xstrdup(old->ident.name) : NULL;
                in->ident.runtime_id = old->ident.runtime_id ? xstrdup(old->ident.runtime_id) : NULL;
                in->ident.image = old->ident.image ? xstrdup(old->ident.image) : NULL;
                in->ident.k8s_namespace =
                        old->ident.k8s_namespace ? xstrdup(old->ident.k8s_namespace) : NULL;
                in->command = old->command ? xstrdup(old->command) : NULL;
                in->uid = old->uid;
                in->identified = true;
                in->reused = true;
        }
}

int instances_load_with(int proc_fd, int root_fd, InstancesLoadFlags flags,
                        const Instances *prev, Instances **ret, Scan **ret_scan)
{
        Scan *scan = NULL;
        Instances *is;
        int r;

        r = scan_proc_with(proc_fd, prev ? prev->scan : NULL,
                           (flags & INSTANCES_LOAD_STAT) ? SCAN_STAT : 0, &scan);
        if (r < 0)
                return r;
        is = instances_build(scan);
        if (flags & INSTANCES_LOAD_NEST)
                instances_find_parents(is);
        reuse_identities(is, prev);
        instances_identify(is, root_fd);
        *ret = is;
        *ret_scan = scan;
        return 0;
}

int instances_load(int proc_fd, int root_fd, InstancesLoadFlags flags, Instances **ret,
                   Scan **ret_scan)
{
        return instances_load_with(proc_fd, root_fd, flags, NULL, ret, ret_scan);
}

size_t instances_n_reused(const Instances *is)
{
        size_t n = 0;

        for (size_t i = 0; i < is->n; i++)
                n += is->items[i].reused;
        return n;
}
