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

int instances_load(int proc_fd, int root_fd, InstancesLoadFlags flags, Instances **ret,
                   Scan **ret_scan)
{
        Scan *scan = NULL;
        Instances *is;
        int r;

        r = scan_proc(proc_fd, &scan);
        if (r < 0)
                return r;
        is = instances_build(scan);
        if (flags & INSTANCES_LOAD_NEST)
                instances_find_parents(is);
        instances_identify(is, root_fd);
        *ret = is;
        *ret_scan = scan;
        return 0;
}
