/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* passwd.c: a container's etc/passwd and etc/group, parsed by ns itself. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "macro.h"
#include "passwd.h"
#include "util.h"

static const char passwd[] =
        "# a comment\n"
        "root:x:0:0:root:/root:/bin/bash\n"
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
        "+nisuser::::::\n"
        "broken:x:notanumber:1::/:/bin/sh\n"
        "short:x:7\n"
        "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
        "nohome:x:1001:1001::\n"
        "alice:x:1000:1000:Alice,,,:/home/alice:/bin/zsh"; /* no final newline */

static const char group[] = "root:x:0:\n"
                            "wheel:x:10:alice,bob\n"
                            "audio:x:29:bob\n"
                            "alice:x:1000:\n"
                            "video:x:44:carol,alice\n"
                            "bad:x:zz:alice\n"
                            "dup:x:10:alice\n";

Test(passwd, find_by_name)
{
        PasswdEntry e;

        cr_assert_eq(passwd_find(passwd, "root", 0, &e), 0);
        cr_assert_eq(e.uid, 0);
        cr_assert_eq(e.gid, 0);
        cr_assert_str_eq(e.home, "/root");
        cr_assert_str_eq(e.shell, "/bin/bash");
        passwd_entry_done(&e);

        cr_assert_eq(passwd_find(passwd, "alice", 0, &e), 0);
        cr_assert_eq(e.uid, 1000);
        cr_assert_str_eq(e.home, "/home/alice");
        cr_assert_str_eq(e.shell, "/bin/zsh");
        passwd_entry_done(&e);

        cr_assert_eq(passwd_find(passwd, "nobody", 0, &e), -ENOENT);
        /* NIS entries and malformed lines are not users */
        cr_assert_eq(passwd_find(passwd, "+nisuser", 0, &e), -ENOENT);
        cr_assert_eq(passwd_find(passwd, "broken", 0, &e), -ENOENT);
        cr_assert_eq(passwd_find(passwd, "short", 0, &e), -ENOENT);
}

Test(passwd, find_by_uid)
{
        PasswdEntry e;

        cr_assert_eq(passwd_find(passwd, NULL, 33, &e), 0);
        cr_assert_str_eq(e.name, "www-data");
        cr_assert_str_eq(e.shell, "/usr/sbin/nologin");
        passwd_entry_done(&e);

        /* missing home and shell fields come back empty */
        cr_assert_eq(passwd_find(passwd, NULL, 1001, &e), 0);
        cr_assert_str_eq(e.name, "nohome");
        cr_assert_str_eq(e.home, "");
        cr_assert_str_eq(e.shell, "");
        passwd_entry_done(&e);

        cr_assert_eq(passwd_find(passwd, NULL, 4242, &e), -ENOENT);
        cr_assert_eq(passwd_find("", NULL, 0, &e), -ENOENT);
}

Test(passwd, groups)
{
        _cleanup_free_ gid_t *list = NULL;
        size_t n;
        gid_t g;

        cr_assert_eq(group_find_gid(group, "wheel", &g), 0);
        cr_assert_eq(g, 10);
        cr_assert_eq(group_find_gid(group, "bad", &g), -ENOENT);
        cr_assert_eq(group_find_gid(group, "nosuch", &g), -ENOENT);

        group_list_for_user(group, "alice", 1000, &list, &n);
        /* the primary group first, each group once */
        cr_assert_eq(n, 3);
        cr_assert_eq(list[0], 1000);
        cr_assert_eq(list[1], 10);
        cr_assert_eq(list[2], 44);
        free(list);
        list = NULL;

        group_list_for_user(NULL, "alice", 1000, &list, &n);
        cr_assert_eq(n, 1);
        cr_assert_eq(list[0], 1000);
}

Test(passwd, user_spec)
{
        char *u = NULL, *g = NULL;

        cr_assert_eq(user_spec_split("alice", &u, &g), 0);
        cr_assert_str_eq(u, "alice");
        cr_assert_null(g);
        free(u);
        cr_assert_eq(user_spec_split("1000:44", &u, &g), 0);
        cr_assert_str_eq(u, "1000");
        cr_assert_str_eq(g, "44");
        free(u);
        free(g);
        cr_assert_eq(user_spec_split("", &u, &g), -EINVAL);
        cr_assert_eq(user_spec_split(":g", &u, &g), -EINVAL);
        cr_assert_eq(user_spec_split("u:", &u, &g), -EINVAL);
        cr_assert_eq(user_spec_split("u:g:h", &u, &g), -EINVAL);
}

Test(passwd, parse_id)
{
        unsigned v;

        cr_assert_eq(parse_id("0", &v), 0);
        cr_assert_eq(v, 0);
        cr_assert_eq(parse_id("4294967294", &v), 0);
        cr_assert_eq(v, 4294967294u);
        /* (uid_t)-1 means "unchanged" to setresuid: never an id */
        cr_assert_eq(parse_id("4294967295", &v), -ERANGE);
        cr_assert_eq(parse_id("-1", &v), -EINVAL);
        cr_assert_eq(parse_id("12a", &v), -EINVAL);
        cr_assert_eq(parse_id("", &v), -EINVAL);
}

/* A fixture root whose etc/passwd tries to lead the reader out of it. */
static char root[] = "/tmp/ns-test-passwd-XXXXXX";
static char outside[] = "/tmp/ns-test-passwd-out-XXXXXX";

static void put(const char *dir, const char *rel, const char *content)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, rel);
        FILE *f = fopen(path, "we");

        cr_assert_not_null(f, "%s", path);
        fputs(content, f);
        fclose(f);
}

static void tree_setup(void)
{
        _cleanup_free_ char *etc = NULL;

        cr_assert_not_null(mkdtemp(root));
        cr_assert_not_null(mkdtemp(outside));
        etc = xasprintf("%s/etc", root);
        cr_assert_eq(mkdir(etc, 0755), 0);
        put(outside, "secret", "host:x:0:0::/host:/bin/host\n");
}

static void tree_teardown(void)
{
        /* a bind of /proc may be left by a failed check: never recurse into it */
        _cleanup_free_ char *cmd = xasprintf("umount -l '%s/proc' 2>/dev/null; "
                                             "rm -rf --one-file-system '%s' '%s'",
                                             root, root, outside);
        cr_assert_eq(system(cmd), 0);
}

static int read_passwd(char **ret)
{
        _cleanup_close_ int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(fd, 0);
        return passwd_read_file(fd, "etc/passwd", ret);
}

Test(passwd, read_regular, .init = tree_setup, .fini = tree_teardown)
{
        _cleanup_free_ char *text = NULL;
        PasswdEntry e;

        put(root, "etc/passwd", passwd);
        cr_assert_eq(read_passwd(&text), 0);
        cr_assert_str_eq(text, passwd);
        cr_assert_eq(passwd_find(text, "alice", 0, &e), 0);
        passwd_entry_done(&e);
}

Test(passwd, absolute_symlink_stays_inside, .init = tree_setup, .fini = tree_teardown)
{
        _cleanup_free_ char *target = xasprintf("%s/secret", outside), *link = NULL, *text = NULL;

        /* "/tmp/...-out/secret" resolves inside the root, where it does not exist */
        link = xasprintf("%s/etc/passwd", root);
        cr_assert_eq(symlink(target, link), 0);
        cr_assert_eq(read_passwd(&text), -ENOENT);
}

Test(passwd, dotdot_stays_inside, .init = tree_setup, .fini = tree_teardown)
{
        _cleanup_free_ char *link = xasprintf("%s/etc/passwd", root), *text = NULL;
        _cleanup_free_ char *rel = NULL;

        /* ../../../.. from the root is the root itself */
        rel = xasprintf("../../../../../../..%s/secret", outside);
        cr_assert_eq(symlink(rel, link), 0);
        cr_assert_eq(read_passwd(&text), -ENOENT);
}

Test(passwd, magic_link_refused, .init = tree_setup, .fini = tree_teardown)
{
        _cleanup_free_ char *link = xasprintf("%s/etc/passwd", root), *text = NULL, *target = NULL;
        _cleanup_close_ int leak = -EBADF;

        /* an fd we hold on a host file, reached through /proc/self/fd */
        target = xasprintf("%s/secret", outside);
        leak = open(target, O_RDONLY | O_CLOEXEC);
        cr_assert_geq(leak, 0);
        /* the link resolves inside the root: give the root its own "proc" */
        {
                _cleanup_free_ char *cmd =
                        xasprintf("mkdir -p '%s/proc' && mount --bind /proc '%s/proc'", root, root);
                _cleanup_free_ char *mag = xasprintf("/proc/self/fd/%d", leak);
                cr_assert_eq(system(cmd), 0, "needs root to bind /proc into the fixture");
                cr_assert_eq(symlink(mag, link), 0);
        }
        cr_assert_eq(read_passwd(&text), -ELOOP);
        {
                _cleanup_free_ char *cmd = xasprintf("umount '%s/proc'", root);
                cr_assert_eq(system(cmd), 0);
        }
}

Test(passwd, fifo_and_directory_refused, .init = tree_setup, .fini = tree_teardown)
{
        _cleanup_free_ char *path = xasprintf("%s/etc/passwd", root), *text = NULL;

        /* a FIFO would block the reader forever: never read one */
        cr_assert_eq(mkfifo(path, 0644), 0);
        cr_assert_eq(read_passwd(&text), -EBADFD);
        cr_assert_eq(unlink(path), 0);
        cr_assert_eq(mkdir(path, 0755), 0);
        cr_assert_eq(read_passwd(&text), -EBADFD);
}
