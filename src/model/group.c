/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "group.h"
#include "macro.h"
#include "util.h"

/* A 64-bit digest of the tuple: FNV-1a over the inode numbers in display
 * order, then a final avalanche so that nearby inode numbers give unlike
 * IDs. Stable across runs, like the inode numbers it is made from. */
static uint64_t tuple_hash(const NsIno ns[NS_TYPE_MAX])
{
        uint64_t h = 0xcbf29ce484222325ULL;

        for (int i = 0; i < NS_TYPE_MAX; i++) {
                uint64_t v = ns[ns_display_order[i]];
                for (int b = 0; b < 8; b++) {
                        h ^= (v >> (8 * b)) & 0xff;
                        h *= 0x100000001b3ULL;
                }
        }
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 33;
        return h;
}

void instance_id_from_tuple(const NsIno ns[NS_TYPE_MAX], char ret[INSTANCE_ID_LEN + 1])
{
        snprintf(ret, INSTANCE_ID_LEN + 1, "%012llx",
                 (unsigned long long)(tuple_hash(ns) >> (64 - 4 * INSTANCE_ID_LEN)));
}

static size_t table_size(size_t n)
{
        size_t size = 16;
        while (size < n * 2)
                size *= 2;
        return size;
}

/* Open addressing over instance indices (+1, 0 = empty), keyed by tuple. */
static ssize_t group_lookup(const Instance *items, const size_t *slots, size_t mask,
                            const NsIno ns[NS_TYPE_MAX], uint64_t h, size_t *ret_slot)
{
        for (size_t i = h & mask;; i = (i + 1) & mask) {
                if (slots[i] == 0) {
                        *ret_slot = i;
                        return -1;
                }
                if (memcmp(items[slots[i] - 1].ns, ns, sizeof(NsIno) * NS_TYPE_MAX) == 0)
                        return (ssize_t)slots[i] - 1;
        }
}

/* Count how many instances hold each inode of one type. */
typedef struct InoCount {
        NsIno ino;
        size_t count;
} InoCount;

static InoCount *ino_count_slot(InoCount *t, size_t mask, NsIno ino)
{
        for (size_t i = (size_t)(ino * 0x9e3779b97f4a7c15ULL) & mask;; i = (i + 1) & mask)
                if (t[i].ino == ino || t[i].ino == 0)
                        return &t[i];
}

static void compute_sharing(Instances *is)
{
        const NsIno *host = is->scan->host_ns;
        size_t size = table_size(is->n), mask = size - 1;
        _cleanup_free_ InoCount *t = xnew(InoCount, size);

        for (int type = 0; type < NS_TYPE_MAX; type++) {
                memset(t, 0, sizeof(InoCount) * size);
                for (size_t i = 0; i < is->n; i++) {
                        NsIno ino = is->items[i].ns[type];
                        InoCount *c;
                        if (ino == 0)
                                continue;
                        c = ino_count_slot(t, mask, ino);
                        c->ino = ino;
                        c->count++;
                }
                for (size_t i = 0; i < is->n; i++) {
                        Instance *in = &is->items[i];
                        NsIno ino = in->ns[type];
                        if (ino == 0)
                                in->share[type] = NS_SHARE_UNKNOWN;
                        else if (ino == host[type])
                                in->share[type] = NS_SHARE_HOST;
                        else if (ino_count_slot(t, mask, ino)->count > 1)
                                in->share[type] = NS_SHARE_OTHER;
                        else
                                in->share[type] = NS_SHARE_PRIVATE;
                }
        }
}

/* The leader is the member whose parent is outside the instance, lowest PID
 * on ties. Members are in pid order, so the first such one wins; in the
 * common case that is the first member, and only its stat is read. */
static void find_leader(Instances *is, Instance *in)
{
        Scan *s = is->scan;

        in->leader = is->members[in->first_member];
        for (size_t k = 0; k < in->n_members; k++) {
                size_t idx = is->members[in->first_member + k];
                Proc *p = &s->procs[idx], *parent;

                if (scan_load_stat(s, p) < 0)
                        continue;
                parent = p->ppid > 0 ? scan_find(s, p->ppid) : NULL;
                if (!parent || parent->instance != p->instance) {
                        in->leader = idx;
                        return;
                }
        }
}

/* The inode of the parent of the namespace behind fd, via NS_GET_PARENT
 * (Linux 4.9). Consumes fd. Returns a new fd for the parent, or -errno. */
static int ns_parent_fd(int fd, NsIno *ret_ino)
{
        _cleanup_close_ int pfd = -EBADF;
        struct stat st;

        pfd = ioctl(fd, NS_GET_PARENT);
        close(fd);
        if (pfd < 0)
                return -errno;
        if (fstat(pfd, &st) < 0)
                return -errno;
        *ret_ino = st.st_ino;
        return TAKE_FD(pfd);
}

/* Among instances whose namespace of this type is ino, pick the one holding
 * the leader's parent process, else the one listed first. */
static ssize_t pick_holder(const Instances *is, NsType type, NsIno ino, ssize_t self,
                           ssize_t parent_proc_instance)
{
        ssize_t first = -1;

        if (parent_proc_instance >= 0 && parent_proc_instance != self &&
            is->items[parent_proc_instance].ns[type] == ino)
                return parent_proc_instance;
        for (size_t i = 0; i < is->n; i++)
                if ((ssize_t)i != self && is->items[i].ns[type] == ino) {
                        first = (ssize_t)i;
                        break;
                }
        return first;
}

/*
 * Nesting. An instance with its own user namespace hangs below the instance
 * that holds the parent user namespace (NS_GET_PARENT); else one with its
 * own pid namespace below the holder of the parent pid namespace. When the
 * parent namespace has no live process (an intermediate bwrap or unshare
 * that exited), go one level further up. Instances that differ only in
 * unowned namespaces (net, mnt, ... made by root) hang below the instance of
 * the leader's parent process.
 */
static void find_parent(Instances *is, ssize_t self)
{
        Instance *in = &is->items[self];
        const Proc *leader = instance_leader(is, in);
        const Proc *pp = leader->stat_ok && leader->ppid > 0 ? scan_find(is->scan, leader->ppid) : NULL;
        ssize_t ppi = pp ? pp->instance : -1;
        NsType type = NS_TYPE_INVALID;

        in->parent = -1;
        if (in->host)
                return;

        if (in->share[NS_USER] != NS_SHARE_HOST && in->ns[NS_USER] != 0)
                type = NS_USER;
        else if (in->share[NS_PID] != NS_SHARE_HOST && in->ns[NS_PID] != 0)
                type = NS_PID;

        if (type != NS_TYPE_INVALID) {
                char path[48];
                int fd;

                snprintf(path, sizeof(path), "%d/%s", (int)leader->pid, ns_info[type].proc);
                fd = openat(is->scan->proc_fd, path, O_RDONLY | O_CLOEXEC);
                /* Walk up at most 32 levels: the kernel's nesting limit. */
                for (int depth = 0; fd >= 0 && depth < 32; depth++) {
                        NsIno ino = 0;
                        ssize_t holder;

                        fd = ns_parent_fd(fd, &ino);
                        if (fd < 0)
                                break;
                        if (ino == is->scan->host_ns[type])
                                break;
                        holder = pick_holder(is, type, ino, self, ppi);
                        if (holder >= 0) {
                                close(fd);
                                in->parent = holder;
                                return;
                        }
                }
                if (fd >= 0)
                        close(fd);
        }

        if (ppi >= 0 && ppi != self)
                in->parent = ppi;
        else
                in->parent = is->host;
        if (in->parent == self)
                in->parent = -1;
}

/* The parent links come from two sources; make sure they form a forest. */
static void break_cycles(Instances *is)
{
        for (size_t i = 0; i < is->n; i++) {
                ssize_t p = is->items[i].parent;
                for (size_t steps = 0; p >= 0; steps++) {
                        if ((size_t)p == i || steps > is->n) {
                                is->items[i].parent = is->host != (ssize_t)i ? is->host : -1;
                                break;
                        }
                        p = is->items[p].parent;
                }
        }
}

Instances *instances_build(Scan *scan)
{
        Instances *is = xnew(Instances, 1);
        size_t cap = 0, size = table_size(256), mask = size - 1;
        _cleanup_free_ size_t *slots = xnew(size_t, size);
        _cleanup_free_ size_t *fill = NULL;

        is->scan = scan;
        is->host = -1;

        for (size_t i = 0; i < scan->n_procs; i++) {
                Proc *p = &scan->procs[i];
                uint64_t h = tuple_hash(p->ns);
                size_t slot = 0;
                ssize_t idx = group_lookup(is->items, slots, mask, p->ns, h, &slot);

                if (idx < 0) {
                        if (is->n == cap) {
                                cap = cap ? cap * 2 : 64;
                                is->items = xreallocarray(is->items, cap, sizeof(Instance));
                        }
                        idx = (ssize_t)is->n++;
                        memset(&is->items[idx], 0, sizeof(Instance));
                        memcpy(is->items[idx].ns, p->ns, sizeof(p->ns));
                        slots[slot] = (size_t)idx + 1;

                        if (is->n * 2 > size) {
                                /* grow and rehash */
                                free(slots);
                                size *= 2;
                                mask = size - 1;
                                slots = xnew(size_t, size);
                                for (size_t k = 0; k < is->n; k++) {
                                        size_t sl = 0;
                                        (void)group_lookup(is->items, slots, mask, is->items[k].ns,
                                                           tuple_hash(is->items[k].ns), &sl);
                                        slots[sl] = k + 1;
                                }
                        }
                }
                p->instance = (int)idx;
                is->items[idx].n_members++;
        }

        /* Members of each instance, contiguous, in pid order (a counting sort). */
        is->members = xnew(size_t, scan->n_procs);
        fill = xnew(size_t, is->n);
        for (size_t i = 0, off = 0; i < is->n; i++) {
                is->items[i].first_member = off;
                fill[i] = off;
                off += is->items[i].n_members;
        }
        for (size_t i = 0; i < scan->n_procs; i++)
                is->members[fill[scan->procs[i].instance]++] = i;

        for (size_t i = 0; i < is->n; i++) {
                Instance *in = &is->items[i];
                instance_id_from_tuple(in->ns, in->id);
                if (memcmp(in->ns, scan->host_ns, sizeof(in->ns)) == 0) {
                        in->host = true;
                        is->host = (ssize_t)i;
                }
        }

        compute_sharing(is);
        for (size_t i = 0; i < is->n; i++)
                find_leader(is, &is->items[i]);
        for (size_t i = 0; i < is->n; i++)
                is->items[i].parent = -1;

        return is;
}

void instances_find_parents(Instances *is)
{
        if (is->have_parents)
                return;
        for (size_t i = 0; i < is->n; i++)
                find_parent(is, (ssize_t)i);
        break_cycles(is);
        is->have_parents = true;
}

Instances *instances_free(Instances *is)
{
        if (!is)
                return NULL;
        for (size_t i = 0; i < is->n; i++) {
                identity_done(&is->items[i].ident);
                free(is->items[i].command);
        }
        free(is->items);
        free(is->members);
        free(is);
        return NULL;
}

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
