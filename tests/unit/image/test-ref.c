/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ref.c: registry references, normalised as docker does. */
#include <criterion/criterion.h>

#include "image.h"
#include "macro.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check(const char *in, const char *registry, const char *repository, const char *tag,
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

static void refuse(const char *in)
{
        ImageRef r = { .registry = (char *)"untouched" };

        cr_expect_eq(image_ref_parse(in, &r), -EINVAL, "'%s' should be refused", in);
        /* nothing written on failure */
        cr_expect_str_eq(r.registry, "untouched");
}

Test(ref, docker_hub_short_names)
{
        check("alpine", "docker.io", "library/alpine", "latest", NULL,
              "docker.io/library/alpine:latest");
        check("alpine:3.19", "docker.io", "library/alpine", "3.19", NULL,
              "docker.io/library/alpine:3.19");
        check("user/app", "docker.io", "user/app", "latest", NULL, "docker.io/user/app:latest");
        check("docker.io/alpine", "docker.io", "library/alpine", "latest", NULL,
              "docker.io/library/alpine:latest");
        check("index.docker.io/library/busybox:1.36", "docker.io", "library/busybox", "1.36", NULL,
              "docker.io/library/busybox:1.36");
        /* a first component without '.' or ':' is a Docker Hub namespace */
        check("a/b/c", "docker.io", "a/b/c", "latest", NULL, "docker.io/a/b/c:latest");
}

Test(ref, registries_and_ports)
{
        check("localhost:5000/app:1", "localhost:5000", "app", "1", NULL,
              "localhost:5000/app:1");
        check("localhost/app", "localhost", "app", "latest", NULL, "localhost/app:latest");
        check("127.0.0.1:5000/team/app", "127.0.0.1:5000", "team/app", "latest", NULL,
              "127.0.0.1:5000/team/app:latest");
        check("ghcr.io/owner/repo:v1.2.3-rc_1", "ghcr.io", "owner/repo", "v1.2.3-rc_1", NULL,
              "ghcr.io/owner/repo:v1.2.3-rc_1");
        check("[::1]:5000/app", "[::1]:5000", "app", "latest", NULL, "[::1]:5000/app:latest");
        check("Registry.Example.com/app", "Registry.Example.com", "app", "latest", NULL,
              "Registry.Example.com/app:latest");
        /* "localhost:5000" alone is the Hub image "localhost", tag 5000: as docker reads it */
        check("localhost:5000", "docker.io", "library/localhost", "5000", NULL,
              "docker.io/library/localhost:5000");
}

Test(ref, digests)
{
        check("alpine@sha256:" D64, "docker.io", "library/alpine", NULL, "sha256:" D64,
              "docker.io/library/alpine@sha256:" D64);
        check("localhost:5000/app@sha256:" D64, "localhost:5000", "app", NULL, "sha256:" D64,
              "localhost:5000/app@sha256:" D64);
        /* both given: both kept, the digest is what is pulled */
        check("alpine:3.19@sha256:" D64, "docker.io", "library/alpine", "3.19", "sha256:" D64,
              "docker.io/library/alpine:3.19@sha256:" D64);
}

Test(ref, separators)
{
        check("a_b__c-d---e.f", "docker.io", "library/a_b__c-d---e.f", "latest", NULL,
              "docker.io/library/a_b__c-d---e.f:latest");
        refuse("a___b");
        refuse("a..b");
        refuse("a._b");
        refuse("-ab");
        refuse("ab-");
        refuse("ab.");
        refuse("_ab");
}

Test(ref, refused)
{
        refuse("");
        refuse("Alpine");              /* upper case in a Hub repository */
        refuse("example.com/Team/app"); /* upper case in a repository */
        refuse("alpine:");
        refuse("alpine:-x");           /* a tag starts with a word character */
        refuse("alpine:a/b");
        refuse("alpine@sha256:abc");
        refuse("alpine@sha256:" D64 "0");
        refuse("alpine@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef");
        refuse("alpine@sha512:" D64);
        refuse("alpine@");
        refuse("al pine");
        refuse("alpine\n");
        refuse("/alpine");
        refuse("alpine/");
        refuse("a//b");
        refuse("localhost:0/app");
        refuse("localhost:65536/app");
        refuse("localhost:/app");
        refuse("local_host.com/app");
        refuse("-bad.com/app");
        refuse("bad-.com/app");
        refuse("bad..com/app");
        refuse("[]:5000/app");
        refuse("[::1]x/app");
        refuse("example.com/");
        refuse(D64); /* an image ID, not a name */
        refuse("alpine:a" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
               "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); /* 136 */
}

Test(ref, limits)
{
        char name[300];
        _cleanup_free_ char *canonical = NULL;
        ImageRef r;

        /* registry/repository may be 255 characters long, not one more */
        memset(name, 'a', sizeof(name));
        memcpy(name, "example.com/", 12);
        name[255] = '\0';
        canonical = xasprintf("%s:latest", name);
        check(name, "example.com", name + 12, "latest", NULL, canonical);
        name[255] = 'a';
        name[256] = '\0';
        cr_expect_eq(image_ref_parse(name, &r), -EINVAL);
}
