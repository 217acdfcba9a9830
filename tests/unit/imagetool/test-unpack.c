/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unpack.c: layers made here with libarchive, unpacked into the store. */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image.h"
#include "store-fixture.h"
#include "unpack.h"
#include "userns.h"

TestSuite(unpack, .init = fixture_setup, .fini = fixture_teardown);

typedef struct E {
        const char *path;
        mode_t type; /* AE_IF* */
        mode_t mode;
        const char *data; /* regular file content */
        const char *link; /* symlink target */
        const char *hardlink;
        unsigned dev_major, dev_minor;
} E;

/* A gzip'd tar of the entries, written into the store as a blob. */
static void make_layer(const E *e, size_t n, char digest[72])
{
        struct archive *a = archive_write_new();
        size_t cap = 1 << 20, used = 0;
        _cleanup_free_ char *buf = xmalloc(cap);

        cr_assert_eq(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
        cr_assert_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
        cr_assert_eq(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *x = archive_entry_new();

                archive_entry_set_pathname(x, e[i].path);
                archive_entry_set_filetype(x, e[i].hardlink ? AE_IFREG : e[i].type);
                archive_entry_set_perm(x, e[i].mode ?: 0644);
                if (e[i].hardlink)
                        archive_entry_set_hardlink(x, e[i].hardlink);
                if (e[i].link)
                        archive_entry_set_symlink(x, e[i].link);
                if (e[i].type == AE_IFCHR)
                        archive_entry_set_rdev(x, makedev(e[i].dev_major, e[i].dev_minor));
                archive_entry_set_size(x, e[i].data ? (la_int64_t)strlen(e[i].data) : 0);
                cr_assert_eq(archive_write_header(a, x), ARCHIVE_OK);
                if (e[i].data)
                        archive_write_data(a, e[i].data, strlen(e[i].data));
                archive_entry_free(x);
        }
        cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        cr_assert_eq(fixture_blob(buf, used, digest), 0);
}

static char *root_path(const char *digest, const char *rel)
{
        return xasprintf("%s/layers/sha256/%s/root/%s", store.path, digest + 7, rel);
}

static int unpack(const char *digest, UnpackResult *res)
{
        IdMap m;

        cr_assert_eq(userns_plan(&m), 0);
        return store_unpack_layer(&store, &m, digest, res);
}

Test(unpack, whiteouts_opaque_and_files)
{
        static const E e[] = {
                { "etc/", AE_IFDIR, 0755 },
                { "etc/.wh.gone", AE_IFREG },
                { "etc/file", AE_IFREG, 0640, "content\n" },
                { "./opt/dir/.wh..wh..opq", AE_IFREG },
                { "opt/dir/new", AE_IFREG, 0644, "n" },
                { "bin/sh", AE_IFLNK, 0777, NULL, "/bin/busybox" },
                { "etc/hard", AE_IFREG, 0, NULL, NULL, "etc/file" },
                { "dev/null", AE_IFCHR, 0666, NULL, NULL, NULL, 1, 3 },
                { "dev/wh", AE_IFCHR, 0, NULL, NULL, NULL, 0, 0 },
                { "a/.wh..wh.plnk", AE_IFREG },
        };
        char d[72], buf[16];
        UnpackResult res;
        struct stat st;

        make_layer(e, ELEMENTSOF(e), d);
        cr_assert_eq(unpack(d, &res), 0, "detail: %s", res.detail);

        _cleanup_free_ char *gone = root_path(d, "etc/gone");
        cr_assert_eq(lstat(gone, &st), 0);
        cr_expect(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0),
                  "a whiteout is a 0:0 char device");
        _cleanup_free_ char *dir = root_path(d, "opt/dir");
        cr_expect_eq(getxattr(dir, "user.overlay.opaque", buf, sizeof(buf)), 1);
        cr_expect_eq(buf[0], 'y');
        _cleanup_free_ char *opq = root_path(d, "opt/dir/.wh..wh..opq");
        cr_expect_neq(access(opq, F_OK), 0, "the opaque marker itself is not unpacked");
        _cleanup_free_ char *file = root_path(d, "etc/file"), *hard = root_path(d, "etc/hard");
        struct stat a, b;
        cr_assert_eq(stat(file, &a), 0);
        cr_assert_eq(stat(hard, &b), 0);
        cr_expect_eq(a.st_ino, b.st_ino, "a hard link shares the inode");
        cr_expect_eq(a.st_mode & 07777, 0640);
        cr_expect_eq(a.st_size, 8);
        _cleanup_free_ char *sh = root_path(d, "bin/sh");
        char target[64] = "";
        cr_expect_gt(readlink(sh, target, sizeof(target) - 1), 0);
        cr_expect_str_eq(target, "/bin/busybox", "an absolute symlink is kept as it is");
        _cleanup_free_ char *null = root_path(d, "dev/null"), *wh = root_path(d, "dev/wh");
        cr_expect_neq(access(null, F_OK), 0, "a device node is skipped");
        cr_expect_eq(res.devices_skipped, 1);
        cr_assert_eq(lstat(wh, &st), 0, "a 0:0 device in the archive is a whiteout already");
        _cleanup_free_ char *plnk = root_path(d, "a/.wh..wh.plnk");
        cr_expect_neq(access(plnk, F_OK), 0, "aufs' bookkeeping is not unpacked");

        /* the archive goes once unpacked; unpacking again is nothing to do */
        cr_expect_not(store_has_blob(&store, d));
        cr_expect(store_has_layer(&store, d));
        cr_expect_eq(unpack(d, &res), 0);
        cr_expect_eq(fixture_count("tmp"), 0);
}

Test(unpack, setuid_of_root_dropped)
{
        static const E e[] = { { "su", AE_IFREG, 04755, "x" }, { "sg", AE_IFREG, 02755, "x" } };
        char d[72];
        UnpackResult res;
        struct stat st;

        make_layer(e, ELEMENTSOF(e), d);
        cr_assert_eq(unpack(d, &res), 0, "detail: %s", res.detail);
        _cleanup_free_ char *su = root_path(d, "su"), *sg = root_path(d, "sg");
        cr_assert_eq(stat(su, &st), 0);
        /* owned by inside 0: for root that is the host's root, and the bit goes */
        if (geteuid() == 0) {
                cr_expect_eq(st.st_mode & 07777, 0755);
                cr_expect_eq(res.setid_dropped, 2);
        } else {
                cr_expect_eq(st.st_mode & 07777, 04755, "the caller's own setuid file is harmless");
        }
        cr_assert_eq(stat(sg, &st), 0);
}

/* Each entry must be refused, and nothing be left. */
static void refused(const E *e, size_t n, const char *what)
{
        char d[72];
        UnpackResult res;

        make_layer(e, n, d);
        cr_expect_eq(unpack(d, &res), -EXDEV, "%s: accepted", what);
        cr_expect_neq(res.detail[0], '\0', "%s: the entry is named", what);
        cr_expect_not(store_has_layer(&store, d), "%s", what);
        cr_expect_eq(fixture_count("tmp"), 0, "%s: tmp/ is cleaned", what);
        cr_expect_eq(fixture_count("layers/sha256"), 0, "%s", what);
}

Test(unpack, escapes_refused)
{
        static const E dotdot[] = { { "a/../../x", AE_IFREG, 0644, "x" } };
        static const E absolute[] = { { "/x", AE_IFREG, 0644, "x" } };
        static const E through_symlink[] = { { "l", AE_IFLNK, 0777, NULL, "/tmp" },
                                             { "l/x", AE_IFREG, 0644, "x" } };
        static const E through_rel_symlink[] = { { "d/", AE_IFDIR, 0755 },
                                                 { "l", AE_IFLNK, 0777, NULL, "d" },
                                                 { "l/x", AE_IFREG, 0644, "x" } };
        static const E hardlink_out[] = { { "h", AE_IFREG, 0, NULL, NULL, "../../etc/passwd" } };
        static const E hardlink_abs[] = { { "h", AE_IFREG, 0, NULL, NULL, "/etc/passwd" } };
        static const E whiteout_up[] = { { "a/.wh...", AE_IFREG } };

        refused(dotdot, ELEMENTSOF(dotdot), "dotdot");
        refused(absolute, ELEMENTSOF(absolute), "absolute");
        refused(through_symlink, ELEMENTSOF(through_symlink), "through a symlink");
        refused(through_rel_symlink, ELEMENTSOF(through_rel_symlink), "through a relative symlink");
        refused(hardlink_out, ELEMENTSOF(hardlink_out), "a hard link out");
        refused(hardlink_abs, ELEMENTSOF(hardlink_abs), "a hard link to an absolute path");
        refused(whiteout_up, ELEMENTSOF(whiteout_up), "a whiteout of ..");
}

Test(unpack, broken_archive)
{
        static const char junk[] = "\x1f\x8b not really gzip";
        char d[72];
        UnpackResult res;

        cr_assert_eq(fixture_blob(junk, sizeof(junk) - 1, d), 0);
        cr_expect_eq(unpack(d, &res), -EBADMSG);
        cr_expect_eq(fixture_count("tmp"), 0);
        cr_expect_eq(fixture_count("layers/sha256"), 0);
}

Test(unpack, missing_blob)
{
        UnpackResult res;

        cr_expect_eq(
                unpack("sha256:1111111111111111111111111111111111111111111111111111111111111111",
                       &res),
                -ENOENT);
}
