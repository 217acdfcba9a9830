/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ref.c: image references normalised as docker does, sources, refs/ keys. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "macro.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* ref parsed and written back as the normalised string */
static void check_norm(const char *ref, const char *want)
{
        ImageRef r = {};
        _cleanup_free_ char *s = NULL;

        cr_assert_eq(image_ref_parse(ref, &r), 0, "'%s' refused", ref);
        s = image_ref_to_string(&r);
        cr_expect_str_eq(s, want, "'%s' normalised to '%s', not '%s'", ref, s, want);
        image_ref_done(&r);
}

Test(ref, docker_normalisation)
{
        check_norm("alpine", "docker.io/library/alpine:latest");
        check_norm("alpine:3.19", "docker.io/library/alpine:3.19");
        check_norm("library/alpine", "docker.io/library/alpine:latest");
        check_norm("docker.io/alpine", "docker.io/library/alpine:latest");
        check_norm("index.docker.io/library/alpine:3", "docker.io/library/alpine:3");
        check_norm("user/app", "docker.io/user/app:latest");
        check_norm("localhost/app", "localhost/app:latest");
        check_norm("localhost:5000/app:1", "localhost:5000/app:1");
        check_norm("127.0.0.1:5000/a/b/c:v1.2_x-y", "127.0.0.1:5000/a/b/c:v1.2_x-y");
        check_norm("ghcr.io/org/app", "ghcr.io/org/app:latest");
        check_norm("[::1]:5000/app", "[::1]:5000/app:latest");
        check_norm("my-registry.example.com/a.b/c__d/e-f--g", "my-registry.example.com/a.b/c__d/e-f--g:latest");
        check_norm("alpine@sha256:" HEX64, "docker.io/library/alpine@sha256:" HEX64);
        check_norm("alpine:3@sha256:" HEX64, "docker.io/library/alpine:3@sha256:" HEX64);
        /* "localhost:5000" alone is the repository localhost with tag 5000, as docker reads it */
        check_norm("localhost:5000", "docker.io/library/localhost:5000");
}

Test(ref, fields)
{
        ImageRef r = {};

        cr_assert_eq(image_ref_parse("localhost:5000/app@sha256:" HEX64, &r), 0);
        cr_expect_str_eq(r.registry, "localhost:5000");
        cr_expect_str_eq(r.repository, "app");
        cr_expect_null(r.tag);
        cr_expect_str_eq(r.digest, "sha256:" HEX64);
        image_ref_done(&r);
}

Test(ref, refused)
{
        static const char *const bad[] = {
                "",
                "Alpine",                       /* upper case in the repository */
                "docker.io/Library/alpine",
                "alpine:",                      /* an empty tag */
                "alpine:-x",                    /* a tag starts with [A-Za-z0-9_] */
                "alpine:a/b",
                "alpine@sha256:abc",            /* a short digest */
                "alpine@sha256:" HEX64 "0",
                "alpine@sha512:" HEX64,         /* only sha256 is kept */
                "alpine@sha256:" "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
                "a//b",
                "/alpine",
                "alpine/",
                "-alpine",
                "al..pine",
                "al___pine",
                "al pine",
                "host:port/app",                /* a port is decimal */
                "host:123456/app",
                "-host.io/app",
                "ho_st.io/app",
                "[]/app",
                "a@b@c",
                "\x01",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ImageRef r = {};

                cr_expect_eq(image_ref_parse(bad[i], &r), -EINVAL, "'%s' accepted", bad[i]);
        }
}

Test(ref, long_names)
{
        char name[300];
        ImageRef r = {};

        memset(name, 'a', sizeof(name) - 1);
        name[sizeof(name) - 1] = '\0';
        cr_expect_eq(image_ref_parse(name, &r), -EINVAL);
        /* a tag of 128 is the most */
        char tagged[200] = "app:";
        memset(tagged + 4, 'x', 128);
        tagged[132] = '\0';
        cr_expect_eq(image_ref_parse(tagged, &r), 0);
        image_ref_done(&r);
        tagged[132] = 'x';
        tagged[133] = '\0';
        cr_expect_eq(image_ref_parse(tagged, &r), -EINVAL);
}

Test(ref, digest_valid)
{
        cr_expect(image_digest_valid("sha256:" HEX64));
        cr_expect_not(image_digest_valid("sha256:" HEX64 "\n"));
        cr_expect_not(image_digest_valid("sha256:"));
        cr_expect_not(image_digest_valid("SHA256:" HEX64));
        cr_expect_not(image_digest_valid(NULL));
}

Test(ref, source_of)
{
        char dir[] = "/tmp/test-ref.XXXXXX";
        _cleanup_free_ char *cwd = getcwd(NULL, 0);

        cr_assert_not_null(mkdtemp(dir));
        cr_assert_eq(chdir(dir), 0);
        cr_expect_eq(image_source_of("alpine"), IMAGE_SOURCE_REGISTRY);
        cr_expect_eq(image_source_of("localhost:5000/app:1"), IMAGE_SOURCE_REGISTRY);
        cr_expect_eq(image_source_of("/nonexistent/x.tar"), IMAGE_SOURCE_PATH);
        cr_expect_eq(image_source_of("./x.tar"), IMAGE_SOURCE_PATH);
        cr_expect_eq(image_source_of("../x"), IMAGE_SOURCE_PATH);
        cr_expect_eq(image_source_of("Not A Ref"), IMAGE_SOURCE_INVALID);
        cr_expect_eq(image_source_of(""), IMAGE_SOURCE_INVALID);
        /* a file in the current directory is a path, even with a reference's name */
        close(open("alpine", O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
        cr_expect_eq(image_source_of("alpine"), IMAGE_SOURCE_PATH);
        unlink("alpine");
        cr_assert_eq(chdir(cwd), 0);
        rmdir(dir);
}

Test(ref, key_of_path_follows_the_file)
{
        char dir[] = "/tmp/test-ref.XXXXXX";
        _cleanup_free_ char *p = NULL, *k1 = NULL, *k2 = NULL, *k3 = NULL, *want = NULL;
        struct timespec ts[2] = {{.tv_sec = 1000}, {.tv_sec = 1000}};

        cr_assert_not_null(mkdtemp(dir));
        p = xasprintf("%s/img.tar", dir);
        int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        cr_assert(fd >= 0);
        cr_assert_eq(write(fd, "abc", 3), 3);
        cr_assert_eq(futimens(fd, ts), 0);
        cr_assert_eq(image_ref_key(p, &k1), 0);
        want = xasprintf("path:%s:", p);
        cr_expect(startswith(k1, want), "key '%s'", k1);
        cr_expect(strstr(k1, ":3:1000000000000") != NULL, "size and mtime in '%s'", k1);
        cr_assert_eq(image_ref_key(p, &k2), 0);
        cr_expect_str_eq(k1, k2);
        /* rewritten in place: another key */
        cr_assert_eq(write(fd, "d", 1), 1);
        cr_assert_eq(image_ref_key(p, &k3), 0);
        cr_expect_str_neq(k1, k3);
        close(fd);
        unlink(p);
        cr_expect_eq(image_ref_key(p, &k3), -ENOENT);
        rmdir(dir);
}

Test(ref, key_of_reference)
{
        _cleanup_free_ char *k = NULL;

        cr_assert_eq(image_ref_key("alpine:3", &k), 0);
        cr_expect_str_eq(k, "docker.io/library/alpine:3");
        cr_expect_eq(image_ref_key("NOPE", &k), -EINVAL);
}

Test(ref, escape)
{
        _cleanup_free_ char *a = image_ref_escape("docker.io/library/alpine:3");
        _cleanup_free_ char *b = image_ref_escape("path:/a b/%x");
        _cleanup_free_ char *c = image_ref_escape(".hidden");
        char longkey[1000];

        cr_expect_str_eq(a, "docker.io%2Flibrary%2Falpine:3");
        cr_expect_str_eq(b, "path:%2Fa%20b%2F%25x");
        cr_expect_str_eq(c, "%2Ehidden");

        memset(longkey, 'k', sizeof(longkey) - 1);
        longkey[sizeof(longkey) - 1] = '\0';
        _cleanup_free_ char *l1 = image_ref_escape(longkey);
        longkey[500] = 'j';
        _cleanup_free_ char *l2 = image_ref_escape(longkey);
        cr_expect_leq(strlen(l1), IMAGE_REF_NAME_MAX);
        cr_expect_str_neq(l1, l2, "two long keys differing late have different names");
        cr_expect_null(strchr(l1, '/'));
}
