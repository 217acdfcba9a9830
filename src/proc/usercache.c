/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pwd.h>

#include "macro.h"
#include "passwd.h"
#include "usercache.h"

void user_cache_set_root(UserCache *c, int root_fd)
{
        c->from_root = true;
        c->root_fd = root_fd;
}

/* The name of uid in root_fd's etc/passwd, malloc'd, or NULL. */
static char *name_from_root(UserCache *c, uid_t uid)
{
        PasswdEntry e;
        char *name;

        if (!c->loaded) {
                c->loaded = true;
                /* confined to the root: its absolute links point inside it */
                if (passwd_read_file(c->root_fd, "etc/passwd", &c->passwd) < 0)
                        c->passwd = NULL;
        }
        if (!c->passwd || passwd_find(c->passwd, NULL, uid, &e) < 0)
                return NULL;
        name = TAKE_PTR(e.name);
        passwd_entry_done(&e);
        return name;
}

const char *user_cache_name(UserCache *c, uid_t uid)
{
        struct passwd *pw = NULL;
        char *name;

        if (uid == (uid_t)-1)
                return "?";
        /* a linear search: a host has a handful of owners of instances */
        for (size_t i = 0; i < c->n; i++)
                if (c->uids[i] == uid)
                        return c->names[i];
        if (c->from_root)
                name = name_from_root(c, uid);
        else
                name = (pw = getpwuid(uid)) ? xstrdup(pw->pw_name) : NULL;
        c->uids = xreallocarray(c->uids, c->n + 1, sizeof(uid_t));
        c->names = xreallocarray(c->names, c->n + 1, sizeof(char *));
        c->uids[c->n] = uid;
        c->names[c->n] = name ?: xasprintf("%u", (unsigned)uid);
        return c->names[c->n++];
}

void user_cache_done(UserCache *c)
{
        for (size_t i = 0; i < c->n; i++)
                free(c->names[i]);
        free(c->names);
        free(c->uids);
        free(c->passwd);
        *c = (UserCache){};
}
