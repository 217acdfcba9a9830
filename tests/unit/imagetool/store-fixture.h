/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A fresh store in a temporary directory, for the tests of ns-image's
 * store writing and unpacking. */

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "store-write.h"

static char fixture_dir[64];
static Store store = { .dir_fd = -EBADF, .lock_fd = -EBADF };

static void fixture_setup(void)
{
        _cleanup_free_ char *path = NULL;

        strcpy(fixture_dir, "/var/tmp/test-store.XXXXXX");
        cr_assert_not_null(mkdtemp(fixture_dir));
        path = xasprintf("%s/store", fixture_dir);
        cr_assert_eq(store_open(path, &store), 0);
}

static void fixture_teardown(void)
{
        _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", fixture_dir);

        store_close(&store);
        cr_expect_eq(system(cmd), 0);
}

/* The number of entries in a directory of the store. */
static int fixture_count(const char *rel)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", store.path, rel);
        DIR *d = opendir(p);
        struct dirent *de;
        int n = 0;

        if (!d)
                return -1;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

/* Write a blob whole; its digest into digest. */
static int fixture_blob(const void *buf, size_t n, char digest[72])
{
        BlobWriter *w;
        int r;

        cr_assert_eq(store_digest_of(buf, n, digest), 0);
        r = store_blob_begin(&store, digest, (int64_t)n, &w);
        if (r < 0)
                return r;
        r = store_blob_write(w, buf, n);
        if (r < 0) {
                store_blob_abort(w);
                return r;
        }
        return store_blob_commit(w);
}
