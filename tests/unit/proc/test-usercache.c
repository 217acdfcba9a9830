/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* usercache.c: host user names by uid, remembered. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

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

/* A host root of a fixture: etc/passwd in a temporary directory. */
static int passwd_root(char dir[static 64], const char *content)
{
        char path[96];
        FILE *f;
        int fd;

        snprintf(dir, 64, "/tmp/ns-test-usercache.XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/etc", dir);
        cr_assert_eq(mkdir(path, 0755), 0);
        if (content) {
                snprintf(path, sizeof(path), "%s/etc/passwd", dir);
                f = fopen(path, "we");
                cr_assert_not_null(f);
                fputs(content, f);
                fclose(f);
        }
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(fd, 0);
        return fd;
}

static void remove_root(const char *dir)
{
        char cmd[96];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}

Test(usercache, names_from_a_root)
{
        char dir[64];
        _cleanup_close_ int fd =
                passwd_root(dir, "root:x:0:0:root:/root:/bin/sh\n"
                                 "nodeuser:x:4242:4242::/home/nodeuser:/bin/sh\n");
        UserCache c = {};
        struct passwd *pw = getpwuid(4242);

        user_cache_set_root(&c, fd);
        /* the root's names, not NSS's (which may well name 4242 otherwise, or not) */
        cr_expect_str_eq(user_cache_name(&c, 4242), "nodeuser");
        cr_expect(!pw || strcmp(pw->pw_name, "nodeuser") != 0, "the host has a 'nodeuser' at 4242");
        cr_expect_str_eq(user_cache_name(&c, 0), "root");
        cr_expect_str_eq(user_cache_name(&c, 4343), "4343", "a uid the root does not name");
        cr_expect_str_eq(user_cache_name(&c, (uid_t)-1), "?");
        user_cache_done(&c);
        cr_expect_not(c.from_root);
        remove_root(dir);
}

Test(usercache, root_without_passwd)
{
        char dir[64];
        _cleanup_close_ int fd = passwd_root(dir, NULL);
        UserCache c = {};

        /* never NSS instead: numbers */
        user_cache_set_root(&c, fd);
        cr_expect_str_eq(user_cache_name(&c, 0), "0");
        user_cache_done(&c);
        remove_root(dir);
}
