/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>

#include "macro.h"
#include "scan.h"
#include "util.h"

/* "4194304/ns/cgroup" and friends */
#define PID_PATH_MAX 32

int scan_read_tuple(int proc_fd, const char *pid, const bool *present, NsIno ret[NS_TYPE_MAX])
{
        char prefix[PID_PATH_MAX + 2];
        size_t plen = strlen(pid);
        NsIno tuple[NS_TYPE_MAX] = {};

        if (plen > PID_PATH_MAX)
                return -EINVAL;
        memcpy(prefix, pid, plen);
        memcpy(prefix + plen, "/", 2);

        for (int t = 0; t < NS_TYPE_MAX; t++) {
                int r;

                /* Types the kernel lacks are left out (no time namespace
                 * before Linux 5.6); for the others, ENOENT means the
                 * process went away or is a zombie. */
                if (present && !present[t])
                        continue;
                r = ns_read_link(proc_fd, prefix, (NsType)t, &tuple[t]);
                if (r < 0)
                        return r;
        }
        memcpy(ret, tuple, sizeof(tuple));
        return 0;
}

int scan_skip_error(int r, size_t *n_unreadable)
{
        if (!proc_error_is_skippable(r))
                return r;
        /* Gone, or a zombie: nothing to group. Not ours to read: say how many. */
        if (r == -EACCES || r == -EPERM)
                (*n_unreadable)++;
        return 0;
}

static int proc_cmp(const void *a, const void *b)
{
        pid_t x = ((const Proc *)a)->pid, y = ((const Proc *)b)->pid;
        return (x > y) - (x < y);
}

void scan_detect_present(int proc_fd, bool present[NS_TYPE_MAX])
{
        /* Which namespace types this kernel has, from our own links. A
         * fixture tree has no "self": assume all of them there. */
        if (faccessat(proc_fd, "self", F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                for (int t = 0; t < NS_TYPE_MAX; t++)
                        present[t] = true;
                return;
        }
        for (int t = 0; t < NS_TYPE_MAX; t++) {
                NsIno ino;
                present[t] = ns_read_link(proc_fd, "self/", (NsType)t, &ino) != -ENOENT;
        }
}

int scan_list_pids(int proc_fd, pid_t **ret, size_t *ret_n)
{
        _cleanup_close_ int dfd = -EBADF;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, cap = 0;
        char buf[32768];

        dfd = openat(proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        for (;;) {
                /* getdents64 directly: readdir's 32 KiB buffer is the same,
                 * and this saves a DIR allocation and a copy. */
                long k = syscall(SYS_getdents64, dfd, buf, sizeof(buf));
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                for (long off = 0; off < k;) {
                        struct dirent64 *de = (struct dirent64 *)(buf + off);
                        pid_t pid;

                        off += de->d_reclen;
                        if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
                            parse_pid(de->d_name, &pid) < 0)
                                continue;
                        if (n == cap) {
                                cap = cap ? cap * 2 : 512;
                                pids = xreallocarray(pids, cap, sizeof(pid_t));
                        }
                        pids[n++] = pid;
                }
        }
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

int scan_proc(int proc_fd, Scan **ret)
{
        _cleanup_free_ Proc *procs = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, n_pids = 0, unreadable = 0;
        bool present[NS_TYPE_MAX];
        Scan *s;
        int r;

        r = scan_list_pids(proc_fd, &pids, &n_pids);
        if (r < 0)
                return r;
        scan_detect_present(proc_fd, present);

        procs = xnew(Proc, n_pids + 1);
        for (size_t i = 0; i < n_pids; i++) {
                char name[16];

                snprintf(name, sizeof(name), "%d", (int)pids[i]);
                procs[n].pid = pids[i];
                procs[n].instance = -1;
                r = scan_read_tuple(proc_fd, name, present, procs[n].ns);
                if (r < 0) {
                        r = scan_skip_error(r, &unreadable);
                        if (r < 0)
                                return r;
                        memset(&procs[n], 0, sizeof(Proc));
                        continue;
                }
                n++;
        }

        /* /proc lists tasks in pid order already; sort to be sure of it. */
        for (size_t i = 1; i < n; i++)
                if (procs[i - 1].pid > procs[i].pid) {
                        qsort(procs, n, sizeof(Proc), proc_cmp);
                        break;
                }

        s = xnew(Scan, 1);
        s->proc_fd = fcntl(proc_fd, F_DUPFD_CLOEXEC, 3);
        if (s->proc_fd < 0) {
                r = -errno;
                free(s);
                return r;
        }
        s->procs = TAKE_PTR(procs);
        s->n_procs = n;
        s->n_unreadable = unreadable;
        memcpy(s->ns_present, present, sizeof(present));

        /* The host is PID 1's tuple, or, when we may not read it, our own. */
        Proc *init = scan_find(s, 1);
        if (init)
                memcpy(s->host_ns, init->ns, sizeof(s->host_ns));
        else if (scan_read_tuple(proc_fd, "self", present, s->host_ns) < 0 && n > 0)
                memcpy(s->host_ns, s->procs[0].ns, sizeof(s->host_ns));

        *ret = s;
        return 0;
}

Scan *scan_free(Scan *s)
{
        if (!s)
                return NULL;
        if (s->proc_fd >= 0)
                close(s->proc_fd);
        free(s->procs);
        free(s);
        return NULL;
}

Proc *scan_find(const Scan *s, pid_t pid)
{
        size_t lo = 0, hi = s->n_procs;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (s->procs[mid].pid == pid)
                        return &s->procs[mid];
                if (s->procs[mid].pid < pid)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

int proc_parse_stat(const char *buf, char *ret_state, pid_t *ret_ppid,
                    unsigned long long *ret_starttime, char ret_comm[16])
{
        const char *open = strchr(buf, '('), *close_p = strrchr(buf, ')');
        unsigned long long start = 0;
        char state;
        int ppid;
        size_t clen;

        /* comm may hold spaces and parentheses: it ends at the last ')'. */
        if (!open || !close_p || close_p < open)
                return -EINVAL;
        /* fields after comm: state ppid pgrp session tty_nr tpgid flags minflt
         * cminflt majflt cmajflt utime stime cutime cstime priority nice
         * num_threads itrealvalue starttime */
        if (sscanf(close_p + 1, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                   &state, &ppid, &start) != 3)
                return -EINVAL;
        clen = MIN((size_t)(close_p - open - 1), (size_t)15);
        memcpy(ret_comm, open + 1, clen);
        ret_comm[clen] = '\0';
        *ret_state = state;
        *ret_ppid = ppid;
        *ret_starttime = start;
        return 0;
}

int proc_read_stat(int dirfd, const char *path, char *ret_state, pid_t *ret_ppid,
                   unsigned long long *ret_starttime, char ret_comm[16])
{
        char buf[1024];
        ssize_t k;

        k = read_small_at(dirfd, path, buf, sizeof(buf));
        if (k < 0)
                return (int)k;
        return proc_parse_stat(buf, ret_state, ret_ppid, ret_starttime, ret_comm);
}

int scan_load_stat(Scan *s, Proc *p)
{
        char path[PID_PATH_MAX];
        int r;

        if (p->stat_loaded)
                return p->stat_ok ? 0 : -ESRCH;
        p->stat_loaded = true;
        snprintf(path, sizeof(path), "%d/stat", (int)p->pid);
        r = proc_read_stat(s->proc_fd, path, &p->state, &p->ppid, &p->starttime, p->comm);
        if (r < 0)
                return r;
        p->stat_ok = true;
        return 0;
}

int proc_parse_nspid(const char *status, pid_t *ret)
{
        const char *p, *last = NULL;
        long v;

        if (strncmp(status, "NSpid:", 6) == 0)
                p = status + 6;
        else {
                p = strstr(status, "\nNSpid:");
                if (!p)
                        return -ENOENT;
                p += 7;
        }
        for (;;) {
                p += strspn(p, " \t");
                if (*p < '0' || *p > '9')
                        break;
                last = p;
                p += strspn(p, "0123456789");
        }
        if (!last)
                return -ENOENT;
        v = strtol(last, NULL, 10);
        if (v <= 0 || v > INT32_MAX)
                return -ENOENT;
        *ret = (pid_t)v;
        return 0;
}

int proc_read_nspid(int proc_fd, pid_t pid, pid_t *ret)
{
        _cleanup_free_ char *status = NULL;
        char path[32];
        int r;

        snprintf(path, sizeof(path), "%d/status", (int)pid);
        r = read_file_at(proc_fd, path, 1024 * 1024, &status, NULL);
        if (r < 0)
                return r;
        return proc_parse_nspid(status, ret);
}
