/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* image.c: the warm path over a store made here, whole and broken. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "macro.h"

#define HEXC "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define HEXM "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define HEX1 "1111111111111111111111111111111111111111111111111111111111111111"
#define HEX2 "2222222222222222222222222222222222222222222222222222222222222222"

static char store[64];

static void put(const char *rel, const char *content)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", store, rel);
        FILE *f = fopen(p, "we");

        cr_assert_not_null(f, "cannot write %s", p);
        fputs(content, f);
        fclose(f);
}

static void mk(const char *rel)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", store, rel);

        cr_assert_eq(mkdir(p, 0755), 0, "mkdir %s", p);
}

static void set_ref(const char *key, const char *digest)
{
        _cleanup_free_ char *name = image_ref_escape(key), *rel = xasprintf("refs/%s", name);
        _cleanup_free_ char *content = xasprintf("%s\n%s\n", digest, key);

        put(rel, content);
}

/* A whole store: one image of two layers, under the reference "app:1". */
static void make_store(void)
{
        strcpy(store, "/tmp/test-image.XXXXXX");
        cr_assert_not_null(mkdtemp(store));
        mk("blobs");
        mk("blobs/sha256");
        mk("layers");
        mk("layers/sha256");
        mk("refs");
        mk("tmp");
        put("lock", "");
        put("blobs/sha256/" HEXC, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":"
                                  "{\"Cmd\":[\"sh\"],\"Env\":[\"PATH=/bin\"],\"User\":\"1000\"}}");
        put("blobs/sha256/" HEXM,
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            "\"config\":{\"digest\":\"sha256:" HEXC "\"},"
            "\"layers\":[{\"digest\":\"sha256:" HEX1 "\"},{\"digest\":\"sha256:" HEX2 "\"}]}");
        mk("layers/sha256/" HEX1);
        mk("layers/sha256/" HEX1 "/root");
        put("layers/sha256/" HEX1 "/size", "10\n");
        mk("layers/sha256/" HEX2);
        mk("layers/sha256/" HEX2 "/root");
        put("layers/sha256/" HEX2 "/size", "20\n");
        set_ref("docker.io/library/app:1", "sha256:" HEXM);
}

static void remove_store(void)
{
        _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", store);

        cr_expect_eq(system(cmd), 0);
}

TestSuite(image, .init = make_store, .fini = remove_store);

Test(image, open_whole)
{
        Image *img = NULL;
        StepError e = {};
        _cleanup_free_ char *l1 = xasprintf("%s/layers/sha256/" HEX1 "/root", store);
        _cleanup_free_ char *l2 = xasprintf("%s/layers/sha256/" HEX2 "/root", store);

        cr_assert_eq(image_open(store, "app:1", &img, &e), 0, "step %d: %s", e.step, e.detail);
        cr_expect_str_eq(img->name, "app");
        cr_expect_str_eq(img->ref, "docker.io/library/app:1");
        cr_expect_str_eq(img->manifest_digest, "sha256:" HEXM);
        cr_assert_eq(img->n_layers, 2);
        cr_expect_str_eq(img->layers[0], l1);
        cr_expect_str_eq(img->layers[1], l2);
        cr_expect_null(img->layers[2]);
        cr_expect_str_eq(img->config.cmd[0], "sh");
        cr_expect_str_eq(img->config.user, "1000");
        image_free(img);
}

Test(image, lock_held_until_unlock)
{
        Image *img = NULL;
        _cleanup_free_ char *lock = xasprintf("%s/lock", store);
        int fd;

        cr_assert_eq(image_open(store, "docker.io/library/app:1", &img, NULL), 0);
        fd = open(lock, O_RDONLY | O_CLOEXEC);
        cr_assert(fd >= 0);
        /* a writer's removal waits for the shared lock */
        cr_expect_eq(flock(fd, LOCK_EX | LOCK_NB), -1);
        image_unlock(img);
        cr_expect_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
        close(fd);
        image_free(img);
}

Test(image, not_found)
{
        Image *img = NULL;
        StepError e = {};

        cr_expect_eq(image_open(store, "app:2", &img, &e), -ENOENT);
        cr_expect_eq(e.step, IMAGE_STEP_NOT_FOUND);
        cr_expect_eq(image_open("/nonexistent/store", "app:1", &img, &e), -ENOENT);
        cr_expect_eq(e.step, IMAGE_STEP_NOT_FOUND);
        cr_expect_eq(image_open(store, "NOT A REF", &img, &e), -EINVAL);
        cr_expect_eq(e.step, IMAGE_STEP_REF);
}

Test(image, layer_not_whole)
{
        Image *img = NULL;
        StepError e = {};
        _cleanup_free_ char *size = xasprintf("%s/layers/sha256/" HEX2 "/size", store);

        /* no size file: the layer's unpacking never finished */
        cr_assert_eq(unlink(size), 0);
        cr_expect_eq(image_open(store, "app:1", &img, &e), -ENOENT);
        cr_expect_eq(e.step, IMAGE_STEP_NOT_FOUND);
        cr_expect_str_eq(e.detail, "sha256:" HEX2);
}

Test(image, broken_documents)
{
        Image *img = NULL;
        StepError e = {};
        _cleanup_free_ char *cfg = xasprintf("%s/blobs/sha256/" HEXC, store);

        put("blobs/sha256/" HEXC, "{\"config\":{\"Cmd\":\"sh\"}}");
        cr_expect_eq(image_open(store, "app:1", &img, &e), -EINVAL);
        cr_expect_eq(e.step, IMAGE_STEP_CONFIG);

        cr_assert_eq(unlink(cfg), 0);
        cr_expect_eq(image_open(store, "app:1", &img, &e), -ENOENT);
        cr_expect_eq(e.step, IMAGE_STEP_NOT_FOUND);

        put("blobs/sha256/" HEXM, "{\"schemaVersion\":2,\"manifests\":[]}");
        cr_expect_eq(image_open(store, "app:1", &img, &e), -EINVAL);
        cr_expect_eq(e.step, IMAGE_STEP_MANIFEST);

        set_ref("docker.io/library/app:1", "sha256:nothex");
        cr_expect_eq(image_open(store, "app:1", &img, &e), -EINVAL);
        cr_expect_eq(e.step, IMAGE_STEP_STORE);
}

Test(image, ref_file_for_another_key)
{
        Image *img = NULL;
        StepError e = {};
        _cleanup_free_ char *name = image_ref_escape("docker.io/library/app:1");
        _cleanup_free_ char *rel = xasprintf("refs/%s", name);

        /* the file name matches but the key in it does not: a hash collision */
        put(rel, "sha256:" HEXM "\nsomething else\n");
        cr_expect_eq(image_open(store, "app:1", &img, &e), -ENOENT);
        cr_expect_eq(e.step, IMAGE_STEP_NOT_FOUND);
}

Test(image, path_reference)
{
        Image *img = NULL;
        _cleanup_free_ char *archive = xasprintf("%s/busybox.oci.tar", store), *key = NULL;

        put("busybox.oci.tar", "not really an archive");
        cr_assert_eq(image_ref_key(archive, &key), 0);
        set_ref(key, "sha256:" HEXM);
        cr_assert_eq(image_open(store, archive, &img, NULL), 0);
        cr_expect_str_eq(img->name, "busybox");
        cr_expect_str_eq(img->ref, archive);
        image_free(img);

        /* rewritten: no longer the imported one */
        put("busybox.oci.tar", "another archive, longer");
        cr_expect_eq(image_open(store, archive, &img, NULL), -ENOENT);
}

Test(image, default_path)
{
        _cleanup_free_ char *p = NULL, *q = NULL;

        setenv("XDG_CACHE_HOME", "/x/cache", 1);
        cr_assert_eq(image_store_default_path(&p), 0);
        cr_expect_str_eq(p, "/x/cache/ns");
        /* relative: ignored, as the XDG spec says */
        setenv("XDG_CACHE_HOME", "rel", 1);
        cr_assert_eq(image_store_default_path(&q), 0);
        if (geteuid() == 0)
                cr_expect_str_eq(q, "/var/cache/ns");
        else
                cr_expect(strstr(q, "/.cache/ns") != NULL, "%s", q);
        unsetenv("XDG_CACHE_HOME");
}
