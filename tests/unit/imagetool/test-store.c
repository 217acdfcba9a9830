/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* store.c: blobs verified before they are in place, refs replaced whole. */
#include <criterion/criterion.h>
#include <sys/stat.h>

#include "image.h"
#include "store-fixture.h"

TestSuite(store, .init = fixture_setup, .fini = fixture_teardown);

Test(store, layout)
{
        static const char *const dirs[] = { "blobs/sha256", "layers/sha256", "refs", "tmp" };
        struct stat st;

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                cr_expect_eq(fixture_count(dirs[i]), 0, "%s", dirs[i]);
        cr_assert_eq(stat(store.path, &st), 0);
        cr_expect_eq(st.st_mode & 07777, 0700, "the store is private");
        cr_expect_eq(fstatat(store.dir_fd, "lock", &st, 0), 0);
}

Test(store, blob_verified)
{
        char d[72];
        _cleanup_free_ char *back = NULL;
        size_t len;

        cr_assert_eq(fixture_blob("hello", 5, d), 0);
        cr_expect_str_eq(d,
                         "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        cr_expect(store_has_blob(&store, d));
        cr_assert_eq(store_read_blob(&store, d, 100, &back, &len), 0);
        cr_expect_eq(len, 5);
        cr_expect_str_eq(back, "hello");
        /* the same blob again, as a concurrent pull would: fine */
        cr_expect_eq(fixture_blob("hello", 5, d), 0);
        cr_expect_eq(fixture_count("blobs/sha256"), 1);
        cr_expect_eq(fixture_count("tmp"), 0);
}

Test(store, digest_mismatch_leaves_nothing)
{
        char d[72];
        BlobWriter *w;

        cr_assert_eq(store_digest_of("hello", 5, d), 0);
        cr_assert_eq(store_blob_begin(&store, d, -1, &w), 0);
        cr_assert_eq(store_blob_write(w, "hellO", 5), 0);
        cr_expect_eq(store_blob_written(w), 5);
        cr_expect_eq(store_blob_commit(w), -EBADMSG);
        cr_expect_not(store_has_blob(&store, d));
        cr_expect_eq(fixture_count("blobs/sha256"), 0);
        cr_expect_eq(fixture_count("tmp"), 0);
}

Test(store, size_checked)
{
        char d[72];
        BlobWriter *w;

        cr_assert_eq(store_digest_of("hello", 5, d), 0);
        cr_assert_eq(store_blob_begin(&store, d, 4, &w), 0);
        /* more than announced is refused as it comes */
        cr_expect_eq(store_blob_write(w, "hello", 5), -EMSGSIZE);
        store_blob_abort(w);
        cr_assert_eq(store_blob_begin(&store, d, 6, &w), 0);
        cr_assert_eq(store_blob_write(w, "hello", 5), 0);
        cr_expect_eq(store_blob_commit(w), -EMSGSIZE);
        cr_expect_eq(fixture_count("blobs/sha256"), 0);
}

Test(store, verify_then_commit)
{
        char d[72];
        BlobWriter *w;

        cr_assert_eq(store_digest_of("abc", 3, d), 0);
        cr_assert_eq(store_blob_begin(&store, d, 3, &w), 0);
        cr_assert_eq(store_blob_write(w, "abc", 3), 0);
        cr_expect_eq(store_blob_verify(w), 0);
        /* verified but aside: not in the store yet */
        cr_expect_not(store_has_blob(&store, d));
        cr_expect_eq(store_blob_commit(w), 0);
        cr_expect(store_has_blob(&store, d));
}

Test(store, bad_digests)
{
        BlobWriter *w = NULL;

        cr_expect_eq(store_blob_begin(&store, "sha512:00", -1, &w), -EINVAL);
        cr_expect_eq(store_blob_begin(&store, "sha256:../../etc/passwd", -1, &w), -EINVAL);
        cr_expect_not(store_has_blob(&store, "sha256:.."));
        cr_expect_eq(store_set_ref(&store, "k", "sha256:xyz"), -EINVAL);
        store_blob_abort(NULL);
}

Test(store, refs_replaced)
{
        char d1[72], d2[72], got[IMAGE_DIGEST_SIZE];

        cr_assert_eq(store_digest_of("1", 1, d1), 0);
        cr_assert_eq(store_digest_of("2", 1, d2), 0);
        cr_expect_eq(image_store_read_ref(store.dir_fd, "docker.io/library/a:1", got), -ENOENT);
        cr_assert_eq(store_set_ref(&store, "docker.io/library/a:1", d1), 0);
        cr_assert_eq(image_store_read_ref(store.dir_fd, "docker.io/library/a:1", got), 0);
        cr_expect_str_eq(got, d1);
        cr_assert_eq(store_set_ref(&store, "docker.io/library/a:1", d2), 0);
        cr_assert_eq(image_store_read_ref(store.dir_fd, "docker.io/library/a:1", got), 0);
        cr_expect_str_eq(got, d2);
        cr_expect_eq(fixture_count("refs"), 1);
        cr_expect_eq(fixture_count("tmp"), 0);
}
