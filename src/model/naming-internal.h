/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What naming.c and naming-meta.c share: (pointer, length) string ranges. */

#include <stdbool.h>
#include <string.h>

typedef struct Str {
        const char *s;
        size_t n;
} Str;

static inline bool str_has_prefix(Str a, const char *prefix)
{
        size_t k = strlen(prefix);
        return a.n >= k && memcmp(a.s, prefix, k) == 0;
}

static inline bool str_has_suffix(Str a, const char *suffix)
{
        size_t k = strlen(suffix);
        return a.n >= k && memcmp(a.s + a.n - k, suffix, k) == 0;
}

static inline bool str_eq(Str a, const char *b)
{
        return a.n == strlen(b) && memcmp(a.s, b, a.n) == 0;
}

static inline Str str_drop_prefix(Str a, const char *prefix)
{
        size_t k = strlen(prefix);

        if (!str_has_prefix(a, prefix))
                return a;
        return (Str){ a.s + k, a.n - k };
}

static inline Str str_drop_suffix(Str a, const char *suffix)
{
        if (str_has_suffix(a, suffix))
                a.n -= strlen(suffix);
        return a;
}

/* What stands in a before and after p, a separator inside it. */
static inline Str str_before(Str a, const char *p)
{
        return (Str){ a.s, (size_t)(p - a.s) };
}

static inline Str str_after(Str a, const char *p)
{
        return (Str){ p + 1, (size_t)(a.s + a.n - p - 1) };
}

/*
 * A unit name's inside, "<inside>" of "<prefix><inside><suffix>": false
 * unless a has both. The suffix is looked for after the prefix, so that
 * the two never overlap ("snap.scope" is no "snap." unit).
 */
static inline bool str_unwrap(Str a, const char *prefix, const char *suffix, Str *ret)
{
        Str inside = str_drop_prefix(a, prefix);

        if (!str_has_prefix(a, prefix) || !str_has_suffix(inside, suffix))
                return false;
        *ret = str_drop_suffix(inside, suffix);
        return true;
}

/* The lines of a NUL-terminated text, without their '\n'. */
static inline bool str_next_line(const char **p, Str *ret)
{
        const char *eol;

        if (!**p)
                return false;
        eol = strchrnul(*p, '\n');
        *ret = (Str){ *p, (size_t)(eol - *p) };
        *p = *eol ? eol + 1 : eol;
        return true;
}
