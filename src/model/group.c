/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Grouping: the scanned processes by namespace tuple, each group's
 * leader, ID and how its namespaces are shared. A function of the scan
 * alone (the leader's parent comes from the scan's lazily read stat); what
 * needs more of the system (nesting, naming) is in nest.c and instances.c.
 */
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
                is->items[idx].n_zombies += p->zombie;
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
        /* No nesting known yet: nest.c finds it for the callers that show it. */
        for (size_t i = 0; i < is->n; i++)
                is->items[i].parent = -1;

        return is;
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
