/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.c: image configs and manifests, well-formed and not. */
#include <criterion/criterion.h>
#include <string.h>

#include "image.h"
#include "macro.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static int parse_cfg(const char *s, ImageConfig *c)
{
        return image_config_parse(s, strlen(s), c);
}

static int parse_mf(const char *s, ImageManifest *m)
{
        return image_manifest_parse(s, strlen(s), m);
}

Test(config, full)
{
        ImageConfig c = {};
        const char *json =
                "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{"
                "\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":[\"echo \\\"hi\\\"\"],"
                "\"Env\":[\"PATH=/bin\",\"A=b=c\",\"EMPTY=\"],\"WorkingDir\":\"/home/app\","
                "\"User\":\"1000:1000\",\"Labels\":{\"User\":\"decoy\"}},"
                "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";

        cr_assert_eq(parse_cfg(json, &c), 0);
        cr_expect_str_eq(c.architecture, "amd64");
        cr_expect_str_eq(c.os, "linux");
        cr_assert_not_null(c.entrypoint);
        cr_expect_str_eq(c.entrypoint[0], "/bin/sh");
        cr_expect_str_eq(c.entrypoint[1], "-c");
        cr_expect_null(c.entrypoint[2]);
        cr_expect_str_eq(c.cmd[0], "echo \"hi\"");
        cr_expect_null(c.cmd[1]);
        cr_expect_str_eq(c.env[1], "A=b=c");
        cr_expect_str_eq(c.env[2], "EMPTY=");
        cr_expect_null(c.env[3]);
        cr_expect_str_eq(c.workdir, "/home/app");
        cr_expect_str_eq(c.user, "1000:1000");
        image_config_done(&c);
}

Test(config, unset_fields)
{
        static const char *const docs[] = {
                "{}",
                "{\"config\":null}",
                "{\"config\":{}}",
                "{\"config\":{\"Entrypoint\":null,\"Cmd\":null,\"Env\":null,"
                "\"WorkingDir\":\"\",\"User\":\"\"}}",
        };
        for (size_t i = 0; i < ELEMENTSOF(docs); i++) {
                ImageConfig c = {};

                cr_assert_eq(parse_cfg(docs[i], &c), 0, "%s", docs[i]);
                cr_expect_null(c.entrypoint);
                cr_expect_null(c.cmd);
                cr_expect_null(c.env);
                cr_expect_null(c.workdir);
                cr_expect_null(c.user);
                image_config_done(&c);
        }
}

Test(config, empty_arrays)
{
        ImageConfig c = {};

        cr_assert_eq(parse_cfg("{\"config\":{\"Cmd\":[]}}", &c), 0);
        cr_assert_not_null(c.cmd);
        cr_expect_null(c.cmd[0]);
        image_config_done(&c);
}

Test(config, malformed)
{
        static const char *const bad[] = {
                "",
                "[]",
                "{\"config\":[]}",
                "{\"config\":{\"Cmd\":\"sh\"}}", /* a string, not an array */
                "{\"config\":{\"Cmd\":[1]}}",
                "{\"config\":{\"Cmd\":[\"a\",]}}",
                "{\"config\":{\"Cmd\":[\"a\\u0000b\"]}}", /* a NUL cannot go into argv */
                "{\"config\":{\"Env\":[\"NOEQUALS\"]}}",
                "{\"config\":{\"Env\":[\"=v\"]}}",
                "{\"config\":{\"WorkingDir\":\"relative\"}}",
                "{\"config\":{\"User\":1000}}",
                "{\"config\":{\"Entrypoint\":[\"/bin/sh\"",
                "{\"architecture\":7}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ImageConfig c = {};

                cr_expect_lt(parse_cfg(bad[i], &c), 0, "accepted: %s", bad[i]);
        }
}

Test(config, bounded_by_length)
{
        /* the document ends where len says: what follows is not read */
        const char *s = "{\"config\":{\"Cmd\":[\"a\"]}}GARBAGE";
        ImageConfig c = {};

        cr_assert_eq(image_config_parse(s, strlen(s) - strlen("GARBAGE"), &c), 0);
        image_config_done(&c);
        cr_expect_lt(image_config_parse(s, 10, &c), 0);
}

Test(manifest, oci_and_docker)
{
        static const char *const docs[] = {
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                "\"config\":{\"digest\":\"" D1 "\",\"size\":7},"
                "\"layers\":[{\"digest\":\"" D2 "\"},{\"digest\":\"" D3 "\"}]}",
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                "\"layers\":[{\"digest\":\"" D2 "\"},{\"digest\":\"" D3 "\"}],"
                "\"config\":{\"digest\":\"" D1 "\"}}",
                /* no mediaType: an OCI manifest may leave it out */
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\"},"
                "\"layers\":[{\"digest\":\"" D2 "\"},{\"digest\":\"" D3 "\"}]}",
        };
        for (size_t i = 0; i < ELEMENTSOF(docs); i++) {
                ImageManifest m = {};

                cr_assert_eq(parse_mf(docs[i], &m), 0, "%s", docs[i]);
                cr_expect_str_eq(m.config_digest, D1);
                cr_assert_eq(m.n_layers, 2);
                cr_expect_str_eq(m.layers[0], D2);
                cr_expect_str_eq(m.layers[1], D3);
                cr_expect_null(m.layers[2]);
                image_manifest_done(&m);
        }
}

Test(manifest, index_is_told_apart)
{
        ImageManifest m = {};

        cr_expect_eq(parse_mf("{\"schemaVersion\":2,\"mediaType\":"
                              "\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}",
                              &m),
                     -EMEDIUMTYPE);
        cr_expect_eq(parse_mf("{\"schemaVersion\":2,\"manifests\":[]}", &m), -EMEDIUMTYPE);
        cr_expect_eq(parse_mf("{\"schemaVersion\":2,\"mediaType\":"
                              "\"application/vnd.docker.distribution.manifest.list.v2+json\"}",
                              &m),
                     -EMEDIUMTYPE);
}

Test(manifest, malformed)
{
        static const char *const bad[] = {
                "",
                "{}",
                "{\"schemaVersion\":1,\"config\":{\"digest\":\"" D1
                "\"},\"layers\":[{\"digest\":\"" D2 "\"}]}",
                "{\"schemaVersion\":\"2\",\"config\":{\"digest\":\"" D1
                "\"},\"layers\":[{\"digest\":\"" D2 "\"}]}",
                "{\"schemaVersion\":2,\"mediaType\":\"text/plain\",\"config\":{\"digest\":\"" D1
                "\"},\"layers\":[{\"digest\":\"" D2 "\"}]}",
                "{\"schemaVersion\":2,\"layers\":[{\"digest\":\"" D2 "\"}]}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\"}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\"},\"layers\":[]}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:../../etc\"},\"layers\":[{\"digest\":\"" D2
                "\"}]}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1
                "\"},\"layers\":[{\"digest\":\"sha512:00\"}]}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\"},\"layers\":[\"" D2 "\"]}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1
                "\"},\"layers\":[{\"digest\":\"" D2 "\"}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ImageManifest m = {};

                cr_expect_eq(parse_mf(bad[i], &m), -EINVAL, "accepted: %s", bad[i]);
        }
}

Test(manifest, too_many_layers)
{
        size_t n = IMAGE_LAYERS_MAX + 1, cap = 100 + n * 90;
        _cleanup_free_ char *doc = xmalloc(cap);
        size_t o = 0;
        ImageManifest m = {};

        o += (size_t)snprintf(doc + o, cap - o,
                              "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1
                              "\"},\"layers\":[");
        for (size_t i = 0; i < n; i++)
                o += (size_t)snprintf(doc + o, cap - o, "%s{\"digest\":\"" D2 "\"}", i ? "," : "");
        snprintf(doc + o, cap - o, "]}");
        cr_expect_eq(parse_mf(doc, &m), -EINVAL);
}
