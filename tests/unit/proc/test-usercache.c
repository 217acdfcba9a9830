/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* usercache.c: host user names by uid, remembered. */
#include <criterion/criterion.h>
#include <pwd.h>

#include "macro.h"
#include "usercache.h"

/* A uid the host's passwd database does not know. */
static uid_t unknown_uid(void)
{
        for (uid_t u = 3000000000u; u < 3000001000u; u++)
                if (!getpwuid(u))
                        return u;
        cr_assert_fail("every uid from 3000000000 has a passwd entry");
        return 0;
}

Test(usercache, names_from_passwd)
{
        UserCache c = {};
        struct passwd *pw = getpwuid(0);

        cr_assert_not_null(pw, "the host has no passwd entry for uid 0");
        cr_assert_str_eq(user_cache_name(&c, 0), pw->pw_name);
        user_cache_done(&c);
}

Test(usercache, number_without_entry)
{
        UserCache c = {};
        uid_t u = unknown_uid();
        char want[16];

        snprintf(want, sizeof(want), "%u", (unsigned)u);
        cr_assert_str_eq(user_cache_name(&c, u), want);
        cr_assert_str_eq(user_cache_name(&c, (uid_t)-1), "?", "an owner not known");
        cr_assert_eq(c.n, 1, "'?' is not an entry");
        user_cache_done(&c);
}

Test(usercache, remembers)
{
        UserCache c = {};
        uid_t u = unknown_uid();
        const char *root = user_cache_name(&c, 0), *other = user_cache_name(&c, u);

        /* the same string again, not a second lookup */
        cr_assert_eq(user_cache_name(&c, 0), root);
        cr_assert_eq(user_cache_name(&c, u), other);
        cr_assert_eq(c.n, 2);
        user_cache_done(&c);
        cr_assert_eq(c.n, 0);
        cr_assert_null(c.names);
}
