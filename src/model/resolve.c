/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "resolve.h"
#include "macro.h"
#include "util.h"

typedef struct Matches {
        size_t *items;
        size_t n;
} Matches;

static void matches_add(Matches *m, size_t i)
{
        for (size_t k = 0; k < m->n; k++)
                if (m->items[k] == i)
                        return;
        m->items = xreallocarray(m->items, m->n + 1, sizeof(size_t));
        m->items[m->n++] = i;
}

static ssize_t matches_take(Matches *m, size_t **ret_candidates, size_t *ret_n)
{
        ssize_t r;

        if (m->n == 1)
                r = (ssize_t)m->items[0];
        else
                r = m->n == 0 ? -ENOENT : -ENOTUNIQ;
        if (r < 0 && ret_candidates) {
                *ret_candidates = m->items;
                *ret_n = m->n;
        } else
                free(m->items);
        m->items = NULL;
        m->n = 0;
        return r;
}

ssize_t instances_resolve(const Instances *is, const char *id, size_t **ret_candidates,
                          size_t *ret_n_candidates)
{
        Matches m = {};
        size_t len = strlen(id);
        pid_t pid;

        if (ret_candidates) {
                *ret_candidates = NULL;
                *ret_n_candidates = 0;
        }
        if (len == 0)
                return -ENOENT;

        /* Exact matches first, in this order: ID, NAME, the runtime's id. A
         * name that several instances share is ambiguous. */
        for (size_t i = 0; i < is->n; i++)
                if (streq(is->items[i].id, id))
                        return (ssize_t)i;
        for (size_t i = 0; i < is->n; i++) {
                const Identity *ident = &is->items[i].ident;
                if ((ident->name && streq(ident->name, id)) ||
                    (ident->runtime_id && streq(ident->runtime_id, id)))
                        matches_add(&m, i);
        }
        if (m.n > 0)
                return matches_take(&m, ret_candidates, ret_n_candidates);

        /* A host PID of a member. */
        if (parse_pid(id, &pid) >= 0) {
                const Proc *p = scan_find(is->scan, pid);
                if (p && p->instance >= 0)
                        return p->instance;
        }

        /* Unique prefixes of the ID and of the runtime's id. */
        for (size_t i = 0; i < is->n; i++) {
                const Identity *ident = &is->items[i].ident;
                if (strncmp(is->items[i].id, id, len) == 0 ||
                    (ident->runtime_id && strncmp(ident->runtime_id, id, len) == 0))
                        matches_add(&m, i);
        }
        return matches_take(&m, ret_candidates, ret_n_candidates);
}
