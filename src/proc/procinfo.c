/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>
#include <libproc2/pids.h>

#include "macro.h"
#include "procinfo.h"
#include "util.h"

typedef struct Proc2 {
        typeof(procps_pids_new) *pids_new;
        typeof(procps_pids_unref) *pids_unref;
        typeof(procps_pids_select) *pids_select;
} Proc2;

static int proc2_open(Proc2 *p)
{
        static const DlSymbol syms[] = {
                { "procps_pids_new", offsetof(Proc2, pids_new) },
                { "procps_pids_unref", offsetof(Proc2, pids_unref) },
                { "procps_pids_select", offsetof(Proc2, pids_select) },
        };
        _cleanup_free_ char *err = NULL;

        return dlopen_symbols("libproc2.so.0", syms, ELEMENTSOF(syms), p, &err);
}

enum {
        I_PID,
        I_PPID,
        I_EUID,
        I_EUSER,
        I_STATE,
        I_UTIL,
        I_TIME,
        I_RSS,
        I_NLWP,
        I_CMD,
        I_CMDLINE,
        I_MAX,
};

int procinfo_load(const pid_t *pids, size_t n, ProcInfo **ret)
{
        return procinfo_load_flags(pids, n, 0, ret);
}

int procinfo_load_flags(const pid_t *pids, size_t n, ProcInfoFlags flags, ProcInfo **ret)
{
        bool command = !(flags & PROCINFO_NO_COMMAND);
        enum pids_item items[I_MAX] = {
                [I_PID] = PIDS_ID_PID,     [I_PPID] = PIDS_ID_PPID,
                [I_EUID] = PIDS_ID_EUID,   [I_EUSER] = PIDS_ID_EUSER,
                [I_STATE] = PIDS_STATE,    [I_UTIL] = PIDS_UTILIZATION,
                [I_TIME] = PIDS_TIME_ALL,  [I_RSS] = PIDS_VM_RSS,
                [I_NLWP] = PIDS_NLWP,      [I_CMD] = PIDS_CMD,
                [I_CMDLINE] = PIDS_CMDLINE,
        };
        struct pids_info *info = NULL;
        struct pids_fetch *fetch;
        _cleanup_free_ unsigned *these = NULL;
        ProcInfo *out;
        Proc2 p2 = {};
        int r;

        r = proc2_open(&p2);
        if (r < 0)
                return r;
        /* the command line is the last item: without it, one fewer */
        if (p2.pids_new(&info, items, command ? I_MAX : I_CMDLINE) < 0)
                return -ELIBACC;

        out = xnew(ProcInfo, n);
        these = xnew(unsigned, n);
        for (size_t i = 0; i < n; i++)
                these[i] = (unsigned)pids[i];

        /* select takes at most FILL_ID_MAX (255) pids a call */
        for (size_t off = 0; off < n; off += 255) {
                int chunk = (int)MIN(n - off, (size_t)255);

                fetch = p2.pids_select(info, these + off, chunk, PIDS_SELECT_PID);
                if (!fetch)
                        continue;
                for (int k = 0; k < fetch->counts->total; k++) {
                        struct pids_stack *st = fetch->stacks[k];
                        pid_t pid = PIDS_VAL(I_PID, s_int, st, info);
                        ProcInfo *pi = NULL;
                        const char *cmdline;

                        for (size_t i = off; i < off + (size_t)chunk; i++)
                                if (pids[i] == pid) {
                                        pi = &out[i];
                                        break;
                                }
                        if (!pi)
                                continue;
                        pi->pid = pid;
                        pi->ppid = PIDS_VAL(I_PPID, s_int, st, info);
                        pi->uid = PIDS_VAL(I_EUID, u_int, st, info);
                        pi->user = xstrdup(PIDS_VAL(I_EUSER, str, st, info) ?: "?");
                        pi->state = (char)PIDS_VAL(I_STATE, s_ch, st, info);
                        pi->cpu = PIDS_VAL(I_UTIL, real, st, info);
                        pi->cputime = PIDS_VAL(I_TIME, real, st, info);
                        pi->rss = (unsigned long long)PIDS_VAL(I_RSS, ul_int, st, info) * 1024;
                        pi->threads = PIDS_VAL(I_NLWP, s_int, st, info);
                        pi->comm = xstrdup(PIDS_VAL(I_CMD, str, st, info) ?: "");
                        if (!command)
                                continue;
                        cmdline = PIDS_VAL(I_CMDLINE, str, st, info);
                        /* libproc2 gives "-" for an empty command line */
                        if (cmdline && *cmdline && !streq(cmdline, "-"))
                                pi->command = xstrdup(cmdline);
                        else
                                pi->command = xasprintf("[%s]", pi->comm);
                }
        }

        p2.pids_unref(&info);
        /* libproc2 stays loaded: unloading libsystemd behind it is not safe. */
        *ret = out;
        return 0;
}

ProcInfo *procinfo_free(ProcInfo *infos, size_t n)
{
        if (!infos)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                free(infos[i].user);
                free(infos[i].comm);
                free(infos[i].command);
        }
        free(infos);
        return NULL;
}
