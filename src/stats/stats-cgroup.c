/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup side of the sampler: each instance's leader's cgroups (read
 * once per leader and kept), which of them are the instance's own, and the
 * figures read from those, per controller from cgroup v2 or v1.
 */
#include <fcntl.h>

#include "macro.h"
#include "stats-internal.h"
#include "stats-parse.h"
#include "util.h"

/* cgroup files are small; a huge one is not a cgroup file. */
#define CGFILE_MAX (256 * 1024)
#define PROCS_MAX (4 << 20) /* cgroup.procs: 500,000 pids */

/* Where each figure is: the v2 file, else the v1 controller and its file (or files). */
typedef struct FigureSource {
        const char *v2;
        const char *controller;
        const char *v1;
        const char *v1_alt; /* tried when v1 is not there */
} FigureSource;

static const FigureSource figure_sources[FIG_MAX] = {
        [FIG_CPU] = { "cpu.stat", "cpuacct", "cpuacct.usage", NULL },
        [FIG_THROTTLE] = { "cpu.stat", "cpu", "cpu.stat", NULL },
        [FIG_CPU_LIMIT] = { "cpu.max", "cpu", "cpu.cfs_quota_us", NULL },
        [FIG_MEM] = { "memory.current", "memory", "memory.usage_in_bytes", NULL },
        [FIG_MEM_LIMIT] = { "memory.max", "memory", "memory.limit_in_bytes", NULL },
        [FIG_OOM] = { "memory.events", "memory", "memory.oom_control", NULL },
        [FIG_PIDS_LIMIT] = { "pids.max", "pids", "pids.max", NULL },
        [FIG_PIDS_EVENTS] = { "pids.events", "pids", "pids.events", NULL },
        [FIG_PIDS_CURRENT] = { "pids.current", "pids", "pids.current", NULL },
        [FIG_IO] = { "io.stat", "blkio", "blkio.throttle.io_service_bytes_recursive",
                     "blkio.throttle.io_service_bytes" },
};

static int entry_cmp(const void *a, const void *b)
{
        pid_t x = ((const CgEntry *)a)->pid, y = ((const CgEntry *)b)->pid;
        return (x > y) - (x < y);
}

void cgcache_done(CgCache *c)
{
        for (size_t i = 0; i < c->n; i++)
                cgroups_done(&c->items[i].cg);
        free(c->items);
        c->items = NULL;
        c->n = 0;
}

static void count_unreadable(int r, size_t *n_unreadable)
{
        if (r == -EACCES || r == -EPERM)
                (*n_unreadable)++;
}

/* The leader's parent, when it is a process outside the instance (NULL otherwise). */
static const Proc *outside_parent(const Instances *is, size_t i)
{
        const Proc *leader = instance_leader(is, &is->items[i]), *p;

        if (!leader->stat_ok || leader->ppid <= 0)
                return NULL;
        p = scan_find(is->scan, leader->ppid);
        return p && p->stat_ok && p->instance != (int)i ? p : NULL;
}

static int key_cmp(const void *a, const void *b)
{
        const ProcKey *x = a, *y = b;
        return (x->pid > y->pid) - (x->pid < y->pid);
}

static CgEntry *entry_of(const CgCache *c, const Proc *p)
{
        CgEntry key = { .pid = p ? p->pid : 0 };

        if (!p || !p->stat_ok || c->n == 0)
                return NULL;
        return bsearch(&key, c->items, c->n, sizeof(CgEntry), entry_cmp);
}

void cgcache_update(CgCache *c, int proc_fd, const char *mountinfo, const Instances *is,
                    CgEntry **ret, CgEntry **ret_parent, size_t *n_unreadable)
{
        _cleanup_free_ ProcKey *keys = xnew(ProcKey, 2 * is->n + 1);
        CgEntry *items;
        size_t n_keys = 0, n = 0;

        /* every leader, and every leader's parent outside its instance */
        for (size_t i = 0; i < is->n; i++) {
                const Proc *leader = instance_leader(is, &is->items[i]);
                const Proc *parent = outside_parent(is, i);

                if (leader->stat_ok)
                        keys[n_keys++] = (ProcKey){ leader->pid, leader->starttime };
                if (parent)
                        keys[n_keys++] = (ProcKey){ parent->pid, parent->starttime };
        }
        qsort(keys, n_keys, sizeof(ProcKey), key_cmp);

        items = xnew(CgEntry, n_keys + 1);
        for (size_t k = 0; k < n_keys; k++) {
                CgEntry key = { .pid = keys[k].pid }, *old;
                char path[32];
                int r;

                if (k > 0 && keys[k].pid == keys[k - 1].pid)
                        continue; /* a parent that leads an instance too */
                old = c->n ? bsearch(&key, c->items, c->n, sizeof(CgEntry), entry_cmp) : NULL;
                if (old && old->starttime == keys[k].starttime && old->age < STATS_CGROUP_REVERIFY) {
                        /* known: moved over, not read again */
                        items[n] = *old;
                        items[n].age++;
                        old->cg = (Cgroups){};
                        old->pid = 0;
                        n++;
                        continue;
                }
                items[n] = (CgEntry){ .pid = keys[k].pid, .starttime = keys[k].starttime };
                snprintf(path, sizeof(path), "%d/cgroup", (int)keys[k].pid);
                r = cgroup_load(proc_fd, path, mountinfo ? mountinfo : "", &items[n].cg);
                if (r < 0) {
                        count_unreadable(r, n_unreadable);
                        items[n].cg = (Cgroups){};
                }
                n++;
        }
        /* what is left of the old entries is of processes no longer asked for */
        cgcache_done(c);
        c->items = items;
        c->n = n;

        for (size_t i = 0; i < is->n; i++) {
                ret[i] = entry_of(c, instance_leader(is, &is->items[i]));
                ret_parent[i] = entry_of(c, outside_parent(is, i));
        }
}

/* ------------------------------------------------------------ ownership */

typedef struct CgRef {
        size_t inst;
        unsigned k;
        const CgroupPath *p;
} CgRef;

static int ref_cmp(const void *a, const void *b)
{
        const CgroupPath *x = ((const CgRef *)a)->p, *y = ((const CgRef *)b)->p;
        int c;

        if (x->hierarchy != y->hierarchy)
                return x->hierarchy < y->hierarchy ? -1 : 1;
        c = strcmp(x->controllers, y->controllers);
        if (c)
                return c;
        c = strcmp(x->path, y->path);
        if (c)
                return c;
        /* a stable order within a cgroup: by instance */
        return (((const CgRef *)a)->inst > ((const CgRef *)b)->inst) -
               (((const CgRef *)a)->inst < ((const CgRef *)b)->inst);
}

static bool same_cgroup(const CgroupPath *a, const CgroupPath *b)
{
        return a->hierarchy == b->hierarchy && streq(a->controllers, b->controllers) &&
               streq(a->path, b->path);
}

/* Does the leader of instance `inner` descend from a member of instance `outer`? */
static bool nested_in(const Instances *is, size_t inner, size_t outer)
{
        const Proc *p = instance_leader(is, &is->items[inner]);

        /* bounded: a ppid loop is impossible, but the scan is not atomic */
        for (int steps = 0; steps < 256 && p->stat_ok && p->ppid > 0; steps++) {
                p = scan_find(is->scan, p->ppid);
                if (!p)
                        return false;
                if (p->instance == (int)outer)
                        return true;
        }
        return false;
}

/* The instance in refs[0..n) whose leader started first (then lowest pid). */
static size_t eldest(const Instances *is, const CgRef *refs, size_t n)
{
        size_t best = 0;

        for (size_t j = 1; j < n; j++) {
                const Proc *a = instance_leader(is, &is->items[refs[j].inst]);
                const Proc *b = instance_leader(is, &is->items[refs[best].inst]);

                if (a->starttime < b->starttime ||
                    (a->starttime == b->starttime && a->pid < b->pid))
                        best = j;
        }
        return best;
}

void stats_cgroup_owners(const Instances *is, CgEntry *const *entries, CgEntry *const *parents,
                         uint64_t *own)
{
        const CgEntry *host = is->host >= 0 ? entries[is->host] : NULL;
        _cleanup_free_ CgRef *refs = NULL;
        size_t n = 0, cap = 0;

        for (size_t i = 0; i < is->n; i++) {
                own[i] = 0;
                if (!entries[i])
                        continue;
                for (unsigned k = 0; k < entries[i]->cg.n && k < 64; k++) {
                        const CgroupPath *pp = parents[i] ? cgroup_find_hierarchy(&parents[i]->cg,
                                                                                  &entries[i]->cg.items[k])
                                                          : NULL;

                        /* The process that started it is in there too (a shell that
                         * ran unshare, bwrap): the cgroup holds more than the instance. */
                        if (pp && streq(pp->path, entries[i]->cg.items[k].path))
                                continue;
                        if (n == cap) {
                                cap = cap ? cap * 2 : 64;
                                refs = xreallocarray(refs, cap, sizeof(CgRef));
                        }
                        refs[n++] = (CgRef){ i, k, &entries[i]->cg.items[k] };
                }
        }
        if (n > 1)
                qsort(refs, n, sizeof(CgRef), ref_cmp);

        for (size_t a = 0, b; a < n; a = b) {
                const CgroupPath *p = refs[a].p, *hp;
                size_t owner;
                bool ok = true;

                for (b = a + 1; b < n && same_cgroup(refs[b].p, p); b++)
                        ;
                /* The root, and the host's own cgroup, hold everything else too. */
                if (streq(p->path, "/") || !p->dir)
                        continue;
                hp = host ? cgroup_find_hierarchy(&host->cg, p) : NULL;
                if (hp && streq(hp->path, p->path))
                        continue;
                owner = a + eldest(is, refs + a, b - a);
                for (size_t j = a; ok && j < b; j++)
                        if (j != owner && !nested_in(is, refs[j].inst, refs[owner].inst))
                                ok = false;
                if (ok)
                        own[refs[owner].inst] |= UINT64_C(1) << refs[owner].k;
        }
}

/* Is every process in text (a cgroup.procs) of instance i, or nested in it? */
static bool procs_all_of(const Instances *is, size_t i, const char *text)
{
        for (const char *p = text; *p;) {
                char *end;
                long v;
                const Proc *pr;

                errno = 0;
                v = strtol(p, &end, 10);
                if (end == p || errno)
                        break;
                p = *end ? end + 1 : end;
                pr = v > 0 && v <= INT32_MAX ? scan_find(is->scan, (pid_t)v) : NULL;
                if (!pr || pr->instance < 0 || (size_t)pr->instance == i)
                        continue;
                if (!nested_in(is, (size_t)pr->instance, i))
                        return false;
        }
        return true;
}

void stats_cgroup_check_owners(int root_fd, const Instances *is, CgEntry *const *entries,
                               uint64_t *own)
{
        for (size_t i = 0; i < is->n; i++)
                for (unsigned k = 0; own[i] && k < entries[i]->cg.n && k < 64; k++) {
                        _cleanup_close_ int fd = -EBADF;
                        _cleanup_free_ char *text = NULL;

                        if (!(own[i] & (UINT64_C(1) << k)))
                                continue;
                        fd = cgroup_open_file(root_fd, &entries[i]->cg.items[k], "cgroup.procs",
                                              O_RDONLY | O_CLOEXEC);
                        /* unreadable: the verdict stands */
                        if (fd < 0 || read_fd(fd, PROCS_MAX, &text, NULL) < 0)
                                continue;
                        if (!procs_all_of(is, i, text))
                                own[i] &= ~(UINT64_C(1) << k);
                }
}

/* -------------------------------------------------------------- reading */

static bool has_controller(const CgroupPath *p, const char *name)
{
        size_t len = strlen(name);

        for (const char *c = p->controllers; *c;) {
                size_t n = strcspn(c, ",");
                if (n == len && memcmp(c, name, n) == 0)
                        return true;
                c += n;
                if (*c == ',')
                        c++;
        }
        return false;
}

/* A cgroup file, read within one instance's sampling at most once. */
typedef struct FileCache {
        struct {
                unsigned k;
                const char *name;
                char *text;
                int r;
        } items[32];
        size_t n;
} FileCache;

static void file_cache_done(FileCache *fc)
{
        for (size_t i = 0; i < fc->n; i++)
                free(fc->items[i].text);
}

static int read_cgfile(int root_fd, const Cgroups *cg, unsigned k, const char *name,
                       FileCache *fc, const char **ret)
{
        _cleanup_close_ int fd = -EBADF;
        char *text = NULL;
        int r;

        for (size_t i = 0; i < fc->n; i++)
                if (fc->items[i].k == k && streq(fc->items[i].name, name)) {
                        *ret = fc->items[i].text;
                        return fc->items[i].r;
                }
        /* The figures try at most ten v2 files and a dozen v1 ones, the
         * missing included: the cache never fills. */
        if (fc->n == ELEMENTSOF(fc->items))
                return -E2BIG;
        fd = cgroup_open_file(root_fd, &cg->items[k], name, O_RDONLY | O_CLOEXEC);
        r = fd < 0 ? fd : read_fd(fd, CGFILE_MAX, &text, NULL);
        fc->items[fc->n].k = k;
        fc->items[fc->n].name = name;
        fc->items[fc->n].text = text;
        fc->items[fc->n].r = r;
        fc->n++;
        *ret = text;
        return r;
}

/* FNV-1a of a cgroup's directory: which cgroup a counter came from. */
static uint64_t source_of(const CgroupPath *p)
{
        uint64_t h = 0xcbf29ce484222325ULL;

        for (const char *c = p->dir; c && *c; c++) {
                h ^= (unsigned char)*c;
                h *= 0x100000001b3ULL;
        }
        h ^= p->hierarchy;
        return h | 1; /* never 0, which means "none" */
}

/* Parse the text of one figure's file into r. Returns 0, -ENOENT (not in this file), -EINVAL. */
static int parse_figure(StatsFigure f, bool v2, const char *text, const char *period,
                        CgReading *r)
{
        uint64_t a, b, c;
        bool limited;
        int k;

        switch (f) {
        case FIG_CPU:
                if (v2)
                        return stats_parse_keyed(text, "usage_usec", &r->cpu_usec);
                k = stats_parse_u64(text, &a);
                if (k == 0)
                        r->cpu_usec = a / 1000; /* ns */
                return k;
        case FIG_THROTTLE:
                if ((k = stats_parse_keyed(text, "nr_periods", &a)) < 0 ||
                    (k = stats_parse_keyed(text, "nr_throttled", &b)) < 0 ||
                    (k = stats_parse_keyed(text, v2 ? "throttled_usec" : "throttled_time", &c)) < 0)
                        return k;
                r->nr_periods = a;
                r->nr_throttled = b;
                r->throttled_usec = v2 ? c : c / 1000;
                return 0;
        case FIG_CPU_LIMIT:
                k = v2 ? stats_parse_cpu_max(text, &limited, &a)
                       : stats_parse_cfs(text, period, &limited, &a);
                if (k == 0)
                        r->cpu_limit_millis = limited ? a : 0;
                return k < 0 ? k : limited ? 0 : 1;
        case FIG_MEM:
                return stats_parse_u64(text, &r->mem_bytes);
        case FIG_MEM_LIMIT:
        case FIG_PIDS_LIMIT:
                k = stats_parse_limit(text, &limited, &a);
                if (k < 0)
                        return k;
                if (f == FIG_MEM_LIMIT)
                        r->mem_limit = a;
                else
                        r->pids_limit = a;
                return limited ? 0 : 1;
        case FIG_OOM:
                return stats_parse_keyed(text, "oom_kill", &r->oom_kills);
        case FIG_PIDS_EVENTS:
                return stats_parse_keyed(text, "max", &r->pids_refused);
        case FIG_PIDS_CURRENT:
                return stats_parse_u64(text, &r->pids_current);
        case FIG_IO:
                return v2 ? stats_parse_io_stat(text, &r->io_read, &r->io_write)
                          : stats_parse_blkio(text, &r->io_read, &r->io_write);
        default:
                return -EINVAL;
        }
}

void stats_cgroup_read(int root_fd, CgEntry *e, uint64_t own, CgReading *ret,
                       size_t *n_unreadable)
{
        _cleanup_(file_cache_done) FileCache fc = {};
        CgReading r = {};

        for (StatsFigure f = 0; f < FIG_MAX; f++) {
                const FigureSource *src = &figure_sources[f];
                bool done = false;

                /* v2 first, then the v1 hierarchy with the controller */
                for (int pass = 0; pass < 2 && !done; pass++)
                        for (unsigned k = 0; k < e->cg.n && k < 64 && !done; k++) {
                                const CgroupPath *p = &e->cg.items[k];
                                bool v2 = cgroup_is_v2(p);
                                const char *names[2] = { v2 ? src->v2 : src->v1,
                                                         v2 ? NULL : src->v1_alt };

                                if (!(own & (UINT64_C(1) << k)) || v2 != (pass == 0) ||
                                    (!v2 && !has_controller(p, src->controller)))
                                        continue;
                                for (int alt = 0; alt < 2 && names[alt] && !done; alt++) {
                                        uint64_t bit = UINT64_C(1) << k;
                                        const char *text = NULL, *period = NULL;
                                        int k2;

                                        if (alt == 1 && !(e->missing[f] & bit))
                                                break; /* the first file is there */
                                        if (alt == 0 && (e->missing[f] & bit)) {
                                                if (!names[1])
                                                        break;
                                                continue;
                                        }
                                        k2 = read_cgfile(root_fd, &e->cg, k, names[alt], &fc, &text);
                                        if (k2 == 0 && f == FIG_CPU_LIMIT && !v2) {
                                                k2 = read_cgfile(root_fd, &e->cg, k,
                                                                 "cpu.cfs_period_us", &fc, &period);
                                        }
                                        if (k2 == -ENOENT) {
                                                /* not there (no such controller in v2):
                                                 * not tried again for this leader */
                                                if (alt == 0)
                                                        e->missing[f] |= bit;
                                                continue;
                                        }
                                        if (k2 < 0) {
                                                count_unreadable(k2, n_unreadable);
                                                continue;
                                        }
                                        k2 = parse_figure(f, v2, text, period, &r);
                                        if (k2 < 0)
                                                continue; /* the figure is not in this file */
                                        done = true;
                                        /* 1: "no limit", read from here all the same */
                                        if (k2 == 0)
                                                r.have |= 1U << f;
                                        r.source[f] = source_of(p);
                                        if (!r.shown || (v2 && !cgroup_is_v2(r.shown)) ||
                                            (f == FIG_MEM && !cgroup_is_v2(r.shown)))
                                                r.shown = p;
                                }
                        }
        }
        *ret = r;
}

bool stats_cgroup_frozen(int root_fd, const CgEntry *e, size_t *n_unreadable)
{
        for (size_t k = 0; k < e->cg.n; k++) {
                int r = cgroup_path_frozen(root_fd, &e->cg.items[k]);

                if (r > 0)
                        return true;
                count_unreadable(r, n_unreadable);
        }
        return false;
}
