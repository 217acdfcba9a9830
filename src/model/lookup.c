/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>

#include "lookup.h"
#include "macro.h"
#include "scan.h"
#include "util.h"

static int read_stat(int proc_fd, pid_t pid, pid_t *ret_ppid, unsigned long long *ret_starttime)
{
        char path[32], state, comm[16];
        int r;

        snprintf(path, sizeof(path), "%d/stat", (int)pid);
        r = proc_read_stat(proc_fd, path, &state, ret_ppid, ret_starttime, comm);
        if (r < 0)
                return r;
        return state == 'Z' || state == 'X' ? -ESRCH : 0;
}

/* The namespace link of one type of a pid, as an inode number (0: none). */
static NsIno read_link(int proc_fd, pid_t pid, NsType t)
{
        char prefix[16];
        NsIno ino = 0;

        snprintf(prefix, sizeof(prefix), "%d/", (int)pid);
        return ns_read_link(proc_fd, prefix, t, &ino) < 0 ? 0 : ino;
}

/* Whether pid has the tuple: the types most likely to differ first, so
 * that a parent outside the instance costs one readlink. */
static bool has_tuple(int proc_fd, pid_t pid, const NsIno tuple[NS_TYPE_MAX])
{
        static const NsType order[NS_TYPE_MAX] = { NS_PID, NS_MNT, NS_USER,   NS_NET,
                                                   NS_UTS, NS_IPC, NS_CGROUP, NS_TIME };

        for (int i = 0; i < NS_TYPE_MAX; i++)
                if (tuple[order[i]] != 0 && read_link(proc_fd, pid, order[i]) != tuple[order[i]])
                        return false;
        return true;
}

int lookup_leader(int proc_fd, pid_t pid, pid_t *ret_leader, unsigned long long *ret_starttime)
{
        NsIno tuple[NS_TYPE_MAX] = {};
        unsigned long long start;
        char prefix[16];
        pid_t ppid;
        int r;

        /* the stat first: a zombie has no namespace links, and is -ESRCH */
        r = read_stat(proc_fd, pid, &ppid, &start);
        if (r < 0)
                return r;
        snprintf(prefix, sizeof(prefix), "%d/", (int)pid);
        for (int t = 0; t < NS_TYPE_MAX; t++) {
                NsIno self;

                r = ns_read_link(proc_fd, prefix, (NsType)t, &tuple[t]);
                if (r == -ENOENT) {
                        /* a type this kernel lacks (time before Linux 5.6), or it
                         * just exited: tell them apart by our own link */
                        if (ns_read_link(proc_fd, "self/", (NsType)t, &self) >= 0)
                                return -ESRCH;
                        continue;
                }
                if (r < 0)
                        return r;
        }

        /* Up while the parent is in the same instance; 4096 is more than
         * any real chain and stops a loop on a pid reused mid-walk. */
        for (int depth = 0; depth < 4096 && ppid > 0; depth++) {
                unsigned long long pstart;
                pid_t pppid;

                if (!has_tuple(proc_fd, ppid, tuple))
                        break;
                if (read_stat(proc_fd, ppid, &pppid, &pstart) < 0 || pstart > start)
                        break; /* gone, or a newer process that reused the pid */
                pid = ppid;
                start = pstart;
                ppid = pppid;
        }
        *ret_leader = pid;
        *ret_starttime = start;
        return 0;
}

bool lookup_is_full_id(const char *s)
{
        if (strlen(s) != INSTANCE_ID_LEN)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

static int pid_cmp_desc(const void *a, const void *b)
{
        pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
        return (x < y) - (x > y);
}

int lookup_by_id(int proc_fd, const char *id, pid_t *ret_pid)
{
        _cleanup_free_ pid_t *pids = NULL;
        bool present[NS_TYPE_MAX];
        size_t n;
        int r;

        if (!lookup_is_full_id(id))
                return -EINVAL;
        /* Only the directory listing for all of them: cheap. */
        r = scan_list_pids(proc_fd, &pids, &n);
        if (r < 0)
                return r;
        scan_detect_present(proc_fd, present);

        /* Containers are usually younger than the host's daemons: look at
         * the highest pids first. Any order finds it; this one sooner. */
        qsort(pids, n, sizeof(pid_t), pid_cmp_desc);
        for (size_t i = 0; i < n; i++) {
                NsIno tuple[NS_TYPE_MAX] = {};
                char name[16], got[INSTANCE_ID_LEN + 1];

                snprintf(name, sizeof(name), "%d", (int)pids[i]);
                r = scan_read_tuple(proc_fd, name, present, tuple);
                if (r < 0 && proc_error_is_skippable(r))
                        continue; /* gone, a zombie, or not ours to read */
                if (r < 0)
                        return r;
                instance_id_from_tuple(tuple, got);
                if (streq(got, id)) {
                        *ret_pid = pids[i];
                        return 0;
                }
        }
        return -ENOENT;
}
