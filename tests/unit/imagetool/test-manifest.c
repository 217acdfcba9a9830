/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* manifest.c: manifests and indexes as registries serve them, and the
 * platform an index is read for. */
#include <criterion/criterion.h>

#include "macro.h"
#include "manifest.h"

#define H(c) #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
             #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c
#define DA "sha256:" H(a)
#define DB "sha256:" H(b)
#define DC "sha256:" H(c)
#define DD "sha256:" H(d)

static const char oci_manifest[] =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" DA
        "\",\"size\":1234},"
        "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" DB
        "\",\"size\":100},{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
        "\"digest\":\"" DC "\",\"size\":200,\"annotations\":{\"x\":\"y\"}}]}";

static Manifest parse_ok(const char *json, const char *ctype)
{
        Manifest m;

        cr_assert_eq(manifest_parse(json, strlen(json), ctype, &m), 0, "%s", json);
        return m;
}

Test(manifest, image)
{
        Manifest m = parse_ok(oci_manifest, "application/vnd.oci.image.manifest.v1+json");

        cr_assert_eq(m.kind, MANIFEST_IMAGE);
        cr_assert_str_eq(m.config.digest, DA);
        cr_assert_eq(m.config.size, 1234);
        cr_assert_eq(m.n_layers, 2);
        cr_assert_str_eq(m.layers[0].digest, DB);
        cr_assert_eq(m.layers[1].size, 200);
        cr_assert_str_eq(m.layers[1].media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
        manifest_done(&m);

        /* no Content-Type, or a generic one: the document's mediaType decides */
        m = parse_ok(oci_manifest, NULL);
        cr_assert_eq(m.kind, MANIFEST_IMAGE);
        manifest_done(&m);
        m = parse_ok(oci_manifest, "application/json; charset=utf-8");
        cr_assert_eq(m.kind, MANIFEST_IMAGE);
        manifest_done(&m);
}

Test(manifest, docker_v2_and_no_media_type)
{
        static const char docker[] =
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\","
                "\"size\":7,\"digest\":\"" DA "\"},\"layers\":[{\"mediaType\":"
                "\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":9,\"digest\":\"" DB "\"}]}";
        /* OCI lets mediaType out: the members say what it is */
        static const char bare_index[] = "{\"schemaVersion\":2,\"manifests\":[]}";
        Manifest m = parse_ok(docker, NULL);

        cr_assert_eq(m.kind, MANIFEST_IMAGE);
        cr_assert_eq(m.n_layers, 1);
        manifest_done(&m);
        m = parse_ok(bare_index, "");
        cr_assert_eq(m.kind, MANIFEST_INDEX);
        cr_assert_eq(m.n_manifests, 0);
        manifest_done(&m);
}

static const char index_json[] =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DA "\",\"size\":1,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"s390x\"}},"
        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DB "\",\"size\":2,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v6\"}},"
        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DC "\",\"size\":3,"
        "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}},"
        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DD "\",\"size\":4,"
        "\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}},"
        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DD "\",\"size\":5,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";

static int pick(const Manifest *m, const char *machine)
{
        Platform p;

        cr_assert_eq(platform_from_machine(machine, &p), 0, "%s", machine);
        return manifest_pick_platform(m, &p);
}

Test(manifest, index_and_platforms)
{
        Manifest m = parse_ok(index_json, "application/vnd.docker.distribution.manifest.list.v2+json");
        Platform p;
        char buf[64];

        cr_assert_eq(m.kind, MANIFEST_INDEX);
        cr_assert_eq(m.n_manifests, 5);
        cr_assert_str_eq(m.manifests[1].variant, "v6");
        cr_assert_null(m.manifests[0].variant);

        cr_assert_eq(pick(&m, "x86_64"), 4);  /* not the attestation before it */
        cr_assert_eq(pick(&m, "aarch64"), 2); /* arm64 without a variant is v8 */
        cr_assert_eq(pick(&m, "s390x"), 0);
        cr_assert_eq(pick(&m, "armv7l"), 1); /* v7 runs v6 */
        cr_assert_eq(pick(&m, "armv5tel"), -ENOENT); /* v5 does not run v6 */
        cr_assert_eq(pick(&m, "ppc64le"), -ENOENT);
        cr_assert_eq(platform_from_machine("pdp11", &p), -EOPNOTSUPP);

        cr_assert_eq(platform_from_machine("aarch64", &p), 0);
        cr_assert_str_eq(platform_to_string(&p, buf, sizeof(buf)), "linux/arm64/v8");
        cr_assert_eq(platform_from_machine("x86_64", &p), 0);
        cr_assert_str_eq(platform_to_string(&p, buf, sizeof(buf)), "linux/amd64");
        manifest_done(&m);
}

Test(manifest, platform_parse)
{
        char a[] = "linux/arm/v7", b[] = "linux/amd64", c[] = "linux", d[] = "linux/arm/", e[] = "/x";
        Platform p;

        cr_assert_eq(platform_parse(a, &p), 0);
        cr_assert_str_eq(p.architecture, "arm");
        cr_assert_str_eq(p.variant, "v7");
        cr_assert_eq(platform_parse(b, &p), 0);
        cr_assert_null(p.variant);
        cr_assert_eq(platform_parse(c, &p), -EINVAL);
        cr_assert_eq(platform_parse(d, &p), -EINVAL);
        cr_assert_eq(platform_parse(e, &p), -EINVAL);
}

static void refused(const char *json, int want)
{
        Manifest m = { .n_layers = 77 };

        cr_expect_eq(manifest_parse(json, strlen(json), NULL, &m), want, "%s", json);
        cr_expect_eq(m.n_layers, 77, "nothing written on failure");
}

Test(manifest, refused)
{
        /* schema 1 and artifacts are not pulled */
        refused("{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}", -EPROTONOSUPPORT);
        refused("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.cncf.helm.chart\"}",
                -EPROTONOSUPPORT);
        /* digests go into paths: only sha256 and lower-case hex */
        refused("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                "\"config\":{\"digest\":\"sha256:../../etc/passwd\",\"size\":1},\"layers\":[]}",
                -EINVAL);
        refused("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                "\"config\":{\"digest\":\"sha512:" H(a) "\",\"size\":1},\"layers\":[]}",
                -EINVAL);
        refused("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                "\"config\":{\"digest\":\"" DA "\",\"size\":-1},\"layers\":[]}",
                -EINVAL);
        /* a layer list is required; a bad layer spoils the whole */
        refused("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                "\"config\":{\"digest\":\"" DA "\",\"size\":1}}",
                -EINVAL);
        refused("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                "\"config\":{\"digest\":\"" DA "\",\"size\":1},\"layers\":[{\"digest\":\"" DB
                "\",\"size\":1},{\"digest\":\"" DB "\"}]}",
                -EINVAL);
        refused("[]", -EINVAL);
        refused("{\"schemaVersion\":2,", -EINVAL);
        refused("", -EINVAL);
}
