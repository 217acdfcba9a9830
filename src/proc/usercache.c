/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pwd.h>

#include "macro.h"
#include "usercache.h"

const char *user_cache_name(UserCache *c, uid_t uid)
{
        struct passwd *pw;

        if (uid == (uid_t)-1)
                return "?";
        /* a linear search: a host has a handful of owners of instances */
        for (size_t i = 0; i < c->n; i++)
                if (c->uids[i] == uid)
                        return c->names[i];
        pw = getpwuid(uid);
        c->uids = xreallocarray(c->uids, c->n + 1, sizeof(uid_t));
        c->names = xreallocarray(c->names, c->n + 1, sizeof(char *));
        c->uids[c->n] = uid;
        c->names[c->n] = pw ? xstrdup(pw->pw_name) : xasprintf("%u", (unsigned)uid);
        return c->names[c->n++];
}

void user_cache_done(UserCache *c)
{
        for (size_t i = 0; i < c->n; i++)
                free(c->names[i]);
        free(c->names);
        free(c->uids);
        *c = (UserCache){};
}
