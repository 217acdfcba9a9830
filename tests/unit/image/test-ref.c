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

/* The reference grammar case by case, and the canonical form parsing back. */
#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check_docker(const char *in, const char *registry, const char *repository, const char *tag,
                  const char *digest, const char *canonical)
{
        ImageRef r;
        _cleanup_free_ char *s = NULL;

        cr_assert_eq(image_ref_parse(in, &r), 0, "'%s' should parse", in);
        cr_expect_str_eq(r.registry, registry, "%s: registry", in);
        cr_expect_str_eq(r.repository, repository, "%s: repository", in);
        if (tag)
                cr_expect_str_eq(r.tag, tag, "%s: tag", in);
        else
                cr_expect_null(r.tag, "%s: no tag", in);
        if (digest)
                cr_expect_str_eq(r.digest, digest, "%s: digest", in);
        else
                cr_expect_null(r.digest, "%s: no digest", in);
        s = image_ref_to_string(&r);
        cr_expect_str_eq(s, canonical, "%s: canonical", in);
        image_ref_done(&r);

        /* the canonical form parses back to itself */
        cr_assert_eq(image_ref_parse(canonical, &r), 0);
        free(s);
        s = image_ref_to_string(&r);
        cr_expect_str_eq(s, canonical);
        image_ref_done(&r);
}

static void refuse_docker(const char *in)
{
        ImageRef r = { .registry = (char *)"untouched" };

        cr_expect_eq(image_ref_parse(in, &r), -EINVAL, "'%s' should be refused", in);
        /* nothing written on failure */
        cr_expect_str_eq(r.registry, "untouched");
}

Test(ref_docker, docker_hub_short_names)
{
        check_docker("alpine", "docker.io", "library/alpine", "latest", NULL,
              "docker.io/library/alpine:latest");
        check_docker("alpine:3.19", "docker.io", "library/alpine", "3.19", NULL,
              "docker.io/library/alpine:3.19");
        check_docker("user/app", "docker.io", "user/app", "latest", NULL, "docker.io/user/app:latest");
        check_docker("docker.io/alpine", "docker.io", "library/alpine", "latest", NULL,
              "docker.io/library/alpine:latest");
        check_docker("index.docker.io/library/busybox:1.36", "docker.io", "library/busybox", "1.36", NULL,
              "docker.io/library/busybox:1.36");
        /* a first component without '.' or ':' is a Docker Hub namespace */
        check_docker("a/b/c", "docker.io", "a/b/c", "latest", NULL, "docker.io/a/b/c:latest");
}

Test(ref_docker, registries_and_ports)
{
        check_docker("localhost:5000/app:1", "localhost:5000", "app", "1", NULL,
              "localhost:5000/app:1");
        check_docker("localhost/app", "localhost", "app", "latest", NULL, "localhost/app:latest");
        check_docker("127.0.0.1:5000/team/app", "127.0.0.1:5000", "team/app", "latest", NULL,
              "127.0.0.1:5000/team/app:latest");
        check_docker("ghcr.io/owner/repo:v1.2.3-rc_1", "ghcr.io", "owner/repo", "v1.2.3-rc_1", NULL,
              "ghcr.io/owner/repo:v1.2.3-rc_1");
        check_docker("[::1]:5000/app", "[::1]:5000", "app", "latest", NULL, "[::1]:5000/app:latest");
        check_docker("Registry.Example.com/app", "Registry.Example.com", "app", "latest", NULL,
              "Registry.Example.com/app:latest");
        /* "localhost:5000" alone is the Hub image "localhost", tag 5000: as docker reads it */
        check_docker("localhost:5000", "docker.io", "library/localhost", "5000", NULL,
              "docker.io/library/localhost:5000");
}

Test(ref_docker, digests)
{
        check_docker("alpine@sha256:" D64, "docker.io", "library/alpine", NULL, "sha256:" D64,
              "docker.io/library/alpine@sha256:" D64);
        check_docker("localhost:5000/app@sha256:" D64, "localhost:5000", "app", NULL, "sha256:" D64,
              "localhost:5000/app@sha256:" D64);
        /* both given: both kept, the digest is what is pulled */
        check_docker("alpine:3.19@sha256:" D64, "docker.io", "library/alpine", "3.19", "sha256:" D64,
              "docker.io/library/alpine:3.19@sha256:" D64);
}

Test(ref_docker, separators)
{
        check_docker("a_b__c-d---e.f", "docker.io", "library/a_b__c-d---e.f", "latest", NULL,
              "docker.io/library/a_b__c-d---e.f:latest");
        refuse_docker("a___b");
        refuse_docker("a..b");
        refuse_docker("a._b");
        refuse_docker("-ab");
        refuse_docker("ab-");
        refuse_docker("ab.");
        refuse_docker("_ab");
}

Test(ref_docker, refused)
{
        refuse_docker("");
        refuse_docker("Alpine");              /* upper case in a Hub repository */
        refuse_docker("example.com/Team/app"); /* upper case in a repository */
        refuse_docker("alpine:");
        refuse_docker("alpine:-x");           /* a tag starts with a word character */
        refuse_docker("alpine:a/b");
        refuse_docker("alpine@sha256:abc");
        refuse_docker("alpine@sha256:" D64 "0");
        refuse_docker("alpine@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef");
        refuse_docker("alpine@sha512:" D64);
        refuse_docker("alpine@");
        refuse_docker("al pine");
        refuse_docker("alpine\n");
        refuse_docker("/alpine");
        refuse_docker("alpine/");
        refuse_docker("a//b");
        refuse_docker("localhost:0/app");
        refuse_docker("localhost:65536/app");
        refuse_docker("localhost:/app");
        refuse_docker("local_host.com/app");
        refuse_docker("-bad.com/app");
        refuse_docker("bad-.com/app");
        refuse_docker("bad..com/app");
        refuse_docker("[]:5000/app");
        refuse_docker("[::1]x/app");
        refuse_docker("example.com/");
        refuse_docker(D64); /* an image ID, not a name */
        refuse_docker("alpine:a" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
               "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); /* 136 */
}

Test(ref_docker, limits)
{
        char name[300];
        _cleanup_free_ char *canonical = NULL;
        ImageRef r;

        /* registry/repository may be 255 characters long, not one more */
        memset(name, 'a', sizeof(name));
        memcpy(name, "example.com/", 12);
        name[255] = '\0';
        canonical = xasprintf("%s:latest", name);
        check_docker(name, "example.com", name + 12, "latest", NULL, canonical);
        name[255] = 'a';
        name[256] = '\0';
        cr_expect_eq(image_ref_parse(name, &r), -EINVAL);
}
