/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
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

static int proc_key_cmp(const void *a, const void *b)
{
        pid_t x = ((const ProcKey *)a)->pid, y = ((const ProcKey *)b)->pid;
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

static void proc_set_stat(Proc *p, const ProcStat *st)
{
        p->state = st->state;
        p->ppid = st->ppid;
        p->starttime = st->starttime;
        memcpy(p->comm, st->comm, sizeof(p->comm));
        p->utime = st->utime;
        p->stime = st->stime;
        p->rss = st->rss;
        p->num_threads = st->num_threads;
}

/* Read and parse PID/stat below the /proc at proc_fd. */
static int read_pid_stat(int proc_fd, pid_t pid, ProcStat *ret)
{
        char path[PID_PATH_MAX], buf[1024];
        ssize_t k;

        snprintf(path, sizeof(path), "%d/stat", (int)pid);
        k = read_small_at(proc_fd, path, buf, sizeof(buf));
        if (k < 0)
                return (int)k;
        return proc_parse_stat_full(buf, ret);
}

/* A sorted array of keys holds (pid, starttime)? */
static bool keys_have(const ProcKey *keys, size_t n, pid_t pid, unsigned long long starttime)
{
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (keys[mid].pid == pid)
                        return keys[mid].starttime == starttime;
                if (keys[mid].pid < pid)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return false;
}

/*
 * The zombies of a SCAN_STAT scan that the previous scan did not know
 * alive take their parent's tuple, so that the instance that should reap
 * them counts them; one whose parent is unknown (or a zombie too) is left
 * out, as any scan leaves zombies out. procs is sorted by pid. Returns the
 * new count.
 */
static size_t zombies_to_parents(Proc *procs, size_t n)
{
        Scan view = { .procs = procs, .n_procs = n };
        _cleanup_free_ bool *drop = xnew(bool, n);
        size_t out = 0;

        /* Every parent is looked up before anything moves. */
        for (size_t i = 0; i < n; i++) {
                Proc *p = &procs[i];
                const Proc *parent;

                if (p->state != 'Z' || p->reused)
                        continue;
                parent = p->ppid > 0 ? scan_find(&view, p->ppid) : NULL;
                if (!parent || (parent->state == 'Z' && !parent->reused))
                        drop[i] = true;
                else
                        memcpy(p->ns, parent->ns, sizeof(p->ns));
        }
        for (size_t i = 0; i < n; i++)
                if (!drop[i])
                        procs[out++] = procs[i];
        return out;
}

int scan_proc_with(int proc_fd, const Scan *prev, ScanFlags flags, Scan **ret)
{
        _cleanup_free_ Proc *procs = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_free_ ProcKey *unreadable_keys = NULL;
        size_t n = 0, n_pids = 0, unreadable = 0, n_keys = 0, n_reused = 0, n_zombies = 0;
        bool present[NS_TYPE_MAX];
        bool with_stat = flags & SCAN_STAT;
        Scan *s;
        int r;

        /* Without the start time a recycled pid would pass for the old process. */
        if (prev && !(prev->with_stat && with_stat))
                prev = NULL;

        r = scan_list_pids(proc_fd, &pids, &n_pids);
        if (r < 0)
                return r;
        if (prev)
                memcpy(present, prev->ns_present, sizeof(present));
        else
                scan_detect_present(proc_fd, present);

        procs = xnew(Proc, n_pids + 1);
        if (with_stat)
                unreadable_keys = xnew(ProcKey, n_pids + 1);
        for (size_t i = 0; i < n_pids; i++) {
                Proc *p = &procs[n];
                const Proc *old;
                char name[16];
                ProcStat st;

                p->pid = pids[i];
                p->instance = -1;
                if (with_stat) {
                        r = read_pid_stat(proc_fd, p->pid, &st);
                        if (r < 0) {
                                r = scan_skip_error(r, &unreadable);
                                if (r < 0)
                                        return r;
                                memset(p, 0, sizeof(Proc));
                                continue;
                        }
                        proc_set_stat(p, &st);
                        p->stat_loaded = p->stat_ok = true;
                        p->zombie = st.state == 'Z';
                        if (prev) {
                                /* Known and the same process: its tuple, no readlink. */
                                old = scan_find(prev, p->pid);
                                if (old && old->stat_ok && old->starttime == st.starttime) {
                                        memcpy(p->ns, old->ns, sizeof(p->ns));
                                        p->reused = true;
                                        n_reused++;
                                        n++;
                                        continue;
                                }
                                if (keys_have(prev->unreadable, prev->n_unreadable_keys, p->pid,
                                              st.starttime)) {
                                        unreadable++;
                                        unreadable_keys[n_keys++] = (ProcKey){ p->pid, st.starttime };
                                        memset(p, 0, sizeof(Proc));
                                        continue;
                                }
                        }
                        /* A zombie has no namespace links left: it goes with
                         * its parent, which holds it (zombies_to_parents()). */
                        if (st.state == 'Z') {
                                NsIno ino;

                                /* ... when it is ours to read: a zombie of
                                 * another user's fails with EACCES, as a plain
                                 * scan counts it, and its parent is not ours
                                 * either. One readlink, for zombies only. */
                                snprintf(name, sizeof(name), "%d/", (int)p->pid);
                                r = ns_read_link(proc_fd, name, NS_USER, &ino);
                                if (r == -EACCES || r == -EPERM) {
                                        unreadable++;
                                        memset(p, 0, sizeof(Proc));
                                        continue;
                                }
                                n_zombies++;
                                n++;
                                continue;
                        }
                }
                snprintf(name, sizeof(name), "%d", (int)p->pid);
                r = scan_read_tuple(proc_fd, name, present, p->ns);
                if (r < 0) {
                        size_t before = unreadable;

                        r = scan_skip_error(r, &unreadable);
                        if (r < 0)
                                return r;
                        if (with_stat && unreadable > before)
                                unreadable_keys[n_keys++] = (ProcKey){ p->pid, p->starttime };
                        memset(p, 0, sizeof(Proc));
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
        if (n_zombies > 0)
                n = zombies_to_parents(procs, n);
        for (size_t i = 1; i < n_keys; i++)
                if (unreadable_keys[i - 1].pid > unreadable_keys[i].pid) {
                        qsort(unreadable_keys, n_keys, sizeof(ProcKey), proc_key_cmp);
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
        s->unreadable = TAKE_PTR(unreadable_keys);
        s->n_unreadable_keys = n_keys;
        s->n_reused = n_reused;
        s->with_stat = with_stat;
        memcpy(s->ns_present, present, sizeof(present));

        /* The host is PID 1's tuple, or, when we may not read it, our own. */
        Proc *init = scan_find(s, 1);
        if (init)
                memcpy(s->host_ns, init->ns, sizeof(s->host_ns));
        else if (prev)
                memcpy(s->host_ns, prev->host_ns, sizeof(s->host_ns));
        else if (scan_read_tuple(proc_fd, "self", present, s->host_ns) < 0 && n > 0)
                memcpy(s->host_ns, s->procs[0].ns, sizeof(s->host_ns));

        *ret = s;
        return 0;
}

int scan_proc(int proc_fd, Scan **ret)
{
        return scan_proc_with(proc_fd, NULL, 0, ret);
}

Scan *scan_free(Scan *s)
{
        if (!s)
                return NULL;
        if (s->proc_fd >= 0)
                close(s->proc_fd);
        free(s->procs);
        free(s->unreadable);
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

/* One decimal field of stat, all digits, no overflow. */
static int stat_number(const char *tok, size_t len, unsigned long long *ret)
{
        unsigned long long v = 0;

        if (len == 0 || len > 20)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                unsigned d = (unsigned)(tok[i] - '0');
                if (d > 9 || v > (ULLONG_MAX - d) / 10)
                        return -EINVAL;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

int proc_parse_stat_full(const char *buf, ProcStat *ret)
{
        const char *open = strchr(buf, '('), *close_p = strrchr(buf, ')'), *p;
        ProcStat st = {};
        size_t clen;

        /* comm may hold spaces and parentheses: it ends at the last ')'. */
        if (!open || !close_p || close_p < open)
                return -EINVAL;
        /* Fields after comm, numbered as proc(5) does: 3 state, 4 ppid, 14
         * utime, 15 stime, 20 num_threads, 22 starttime, 24 rss. Fields we
         * skip may be negative (tpgid, priority); ours never are. */
        p = close_p + 1;
        for (unsigned field = 3; field <= 24; field++) {
                unsigned long long v = 0;
                const char *tok;
                size_t len;

                p += strspn(p, " ");
                tok = p;
                len = strcspn(p, " \n");
                p += len;
                if (len == 0) {
                        /* rss and the field before it came later than starttime */
                        if (field > 22)
                                break;
                        return -EINVAL;
                }
                switch (field) {
                case 3:
                        if (len != 1)
                                return -EINVAL;
                        st.state = tok[0];
                        break;
                case 4:
                        if (stat_number(tok, len, &v) < 0 || v > INT32_MAX)
                                return -EINVAL;
                        st.ppid = (pid_t)v;
                        break;
                case 14:
                case 15:
                case 20:
                case 22:
                case 24:
                        if (stat_number(tok, len, &v) < 0)
                                return -EINVAL;
                        if (field == 14)
                                st.utime = v;
                        else if (field == 15)
                                st.stime = v;
                        else if (field == 20)
                                st.num_threads = v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
                        else if (field == 22)
                                st.starttime = v;
                        else
                                st.rss = v;
                        break;
                default:
                        break;
                }
        }
        clen = MIN((size_t)(close_p - open - 1), (size_t)15);
        memcpy(st.comm, open + 1, clen);
        st.comm[clen] = '\0';
        *ret = st;
        return 0;
}

int proc_parse_stat(const char *buf, char *ret_state, pid_t *ret_ppid,
                    unsigned long long *ret_starttime, char ret_comm[16])
{
        ProcStat st;
        int r;

        r = proc_parse_stat_full(buf, &st);
        if (r < 0)
                return r;
        memcpy(ret_comm, st.comm, sizeof(st.comm));
        *ret_state = st.state;
        *ret_ppid = st.ppid;
        *ret_starttime = st.starttime;
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
        ProcStat st;
        int r;

        if (p->stat_loaded)
                return p->stat_ok ? 0 : -ESRCH;
        p->stat_loaded = true;
        r = read_pid_stat(s->proc_fd, p->pid, &st);
        if (r < 0)
                return r;
        proc_set_stat(p, &st);
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
