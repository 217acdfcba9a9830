/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "json.h"
#include "macro.h"
#include "manifest.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
/* schema 1, signed or not: no content-addressed config, never pulled */
#define MT_DOCKER_V1_PREFIX "application/vnd.docker.distribution.manifest.v1"

/* Digests end up in file names of the store and in URLs: only sha256 with
 * 64 lower-case hex digits passes. */
static bool digest_ok(const char *d)
{
        if (!startswith(d, "sha256:") || strlen(d) != 71)
                return false;
        for (const char *p = d + 7; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

static void descriptor_done(Descriptor *d)
{
        free(d->media_type);
        free(d->digest);
        free(d->os);
        free(d->architecture);
        free(d->variant);
        *d = (Descriptor){};
}

static int descriptor_parse(const char *p, const char *end, bool with_platform, Descriptor *ret)
{
        _cleanup_free_ char *mt = NULL, *digest = NULL, *os = NULL, *arch = NULL, *variant = NULL;
        const char *v;
        long long size;
        int r;

        if (!json_is(p, end, '{'))
                return -EINVAL;
        if (json_object_get_string(p, end, "mediaType", &mt) < 0)
                return -EINVAL;
        if (json_object_get_string(p, end, "digest", &digest) <= 0 || !digest_ok(digest))
                return -EINVAL;
        r = json_object_get(p, end, "size", &v);
        if (r <= 0 || json_get_integer(v, end, &size) < 0 || size < 0)
                return -EINVAL;

        if (with_platform) {
                r = json_object_get(p, end, "platform", &v);
                if (r < 0)
                        return r;
                if (r > 0) {
                        const char *pend = json_skip_value(v, end);

                        if (!pend)
                                return -EINVAL;
                        if (json_object_get_string(v, pend, "os", &os) < 0 ||
                            json_object_get_string(v, pend, "architecture", &arch) < 0 ||
                            json_object_get_string(v, pend, "variant", &variant) < 0)
                                return -EINVAL;
                }
        }

        *ret = (Descriptor){
                .media_type = TAKE_PTR(mt),
                .digest = TAKE_PTR(digest),
                .size = size,
                .os = TAKE_PTR(os),
                .architecture = TAKE_PTR(arch),
                .variant = TAKE_PTR(variant),
        };
        return 0;
}

static int descriptor_list_parse(const char *p, const char *end, bool with_platform,
                                 Descriptor **ret, size_t *ret_n)
{
        Descriptor *list = NULL;
        size_t n = 0;
        const char *elem;
        JsonIter it;
        int r;

        r = json_iter_array(p, end, &it);
        if (r < 0)
                return r;
        while ((r = json_iter_next(&it, &elem)) > 0) {
                list = xreallocarray(list, n + 1, sizeof(*list));
                r = descriptor_parse(elem, end, with_platform, &list[n]);
                if (r < 0)
                        break;
                n++;
        }
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        descriptor_done(&list[i]);
                free(list);
                return r;
        }
        *ret = list;
        *ret_n = n;
        return 0;
}

int manifest_parse(const char *json, size_t len, const char *content_type, Manifest *ret)
{
        const char *end = json + len, *v;
        _cleanup_free_ char *mt = NULL, *ct = NULL;
        Manifest m = {};
        long long schema;
        int r;

        if (!json_is(json, end, '{'))
                return -EINVAL;
        r = json_object_get(json, end, "schemaVersion", &v);
        if (r <= 0 || json_get_integer(v, end, &schema) < 0)
                return -EINVAL;
        if (schema != 2)
                return -EPROTONOSUPPORT;
        if (json_object_get_string(json, end, "mediaType", &mt) < 0)
                return -EINVAL;

        /* "application/json; charset=utf-8" says nothing: the document does */
        if (content_type && *content_type) {
                ct = xstrndup(content_type, strcspn(content_type, "; \t"));
                if (!startswith(ct, "application/vnd."))
                        free(TAKE_PTR(ct));
        }
        if (!ct && mt)
                ct = xstrdup(mt);

        if (!ct) {
                /* OCI makes mediaType optional: what the document holds decides */
                r = json_object_get(json, end, "manifests", &v);
                if (r < 0)
                        return r;
                ct = xstrdup(r > 0 ? MT_OCI_INDEX : MT_OCI_MANIFEST);
        }

        if (streq(ct, MT_OCI_INDEX) || streq(ct, MT_DOCKER_LIST)) {
                m.kind = MANIFEST_INDEX;
                r = json_object_get(json, end, "manifests", &v);
                if (r <= 0)
                        return -EINVAL;
                r = descriptor_list_parse(v, end, true, &m.manifests, &m.n_manifests);
                if (r < 0)
                        return r;
        } else if (streq(ct, MT_OCI_MANIFEST) || streq(ct, MT_DOCKER_MANIFEST)) {
                m.kind = MANIFEST_IMAGE;
                r = json_object_get(json, end, "config", &v);
                if (r <= 0)
                        return -EINVAL;
                r = descriptor_parse(v, end, false, &m.config);
                if (r < 0)
                        return r;
                r = json_object_get(json, end, "layers", &v);
                if (r <= 0) {
                        manifest_done(&m);
                        return -EINVAL;
                }
                r = descriptor_list_parse(v, end, false, &m.layers, &m.n_layers);
                if (r < 0) {
                        manifest_done(&m);
                        return r;
                }
        } else
                return -EPROTONOSUPPORT; /* schema 1, an artifact, a signature */

        *ret = m;
        return 0;
}

void manifest_done(Manifest *m)
{
        descriptor_done(&m->config);
        for (size_t i = 0; i < m->n_layers; i++)
                descriptor_done(&m->layers[i]);
        free(m->layers);
        for (size_t i = 0; i < m->n_manifests; i++)
                descriptor_done(&m->manifests[i]);
        free(m->manifests);
        *m = (Manifest){};
}

/* uname's machine names in Go's GOARCH names, which image indexes use. */
static const struct {
        const char *machine;
        Platform platform;
} machines[] = {
        { "x86_64", { "linux", "amd64", NULL } },
        { "amd64", { "linux", "amd64", NULL } },
        { "i386", { "linux", "386", NULL } },
        { "i486", { "linux", "386", NULL } },
        { "i586", { "linux", "386", NULL } },
        { "i686", { "linux", "386", NULL } },
        { "aarch64", { "linux", "arm64", "v8" } },
        { "arm64", { "linux", "arm64", "v8" } },
        { "armv8l", { "linux", "arm", "v7" } }, /* a 32-bit userland on a 64-bit CPU */
        { "armv7l", { "linux", "arm", "v7" } },
        { "armv6l", { "linux", "arm", "v6" } },
        { "armv5tel", { "linux", "arm", "v5" } },
        { "armv5tejl", { "linux", "arm", "v5" } },
        { "ppc64le", { "linux", "ppc64le", NULL } },
        { "ppc64", { "linux", "ppc64", NULL } },
        { "s390x", { "linux", "s390x", NULL } },
        { "riscv64", { "linux", "riscv64", NULL } },
        { "mips64", { "linux", "mips64", NULL } },
        { "loongarch64", { "linux", "loong64", NULL } },
};

int platform_from_machine(const char *machine, Platform *ret)
{
        for (size_t i = 0; i < ELEMENTSOF(machines); i++)
                if (streq(machines[i].machine, machine)) {
                        *ret = machines[i].platform;
                        return 0;
                }
        return -EOPNOTSUPP;
}

int platform_host(Platform *ret)
{
        static struct utsname u; /* the machine string outlives the call */

        if (uname(&u) < 0)
                return -errno;
        return platform_from_machine(u.machine, ret);
}

int platform_parse(char *s, Platform *ret)
{
        char *os, *arch, *variant;

        os = s;
        arch = strchr(os, '/');
        if (!arch)
                return -EINVAL;
        *arch++ = '\0';
        variant = strchr(arch, '/');
        if (variant) {
                *variant++ = '\0';
                if (!*variant || strchr(variant, '/'))
                        return -EINVAL;
        }
        if (!*os || !*arch)
                return -EINVAL;
        *ret = (Platform){ .os = os, .architecture = arch, .variant = variant };
        return 0;
}

static bool str_eq_or_null(const char *a, const char *b)
{
        return (!a && !b) || (a && b && streq(a, b));
}

int manifest_pick_platform(const Manifest *m, const Platform *p)
{
        int no_variant = -1, older = -1, older_v = 0;

        for (size_t i = 0; i < m->n_manifests; i++) {
                const Descriptor *d = &m->manifests[i];
                const char *v = d->variant && *d->variant ? d->variant : NULL;

                /* buildkit's attestations are "unknown/unknown" entries: never matched */
                if (!d->os || !d->architecture || !streq(d->os, p->os) ||
                    !streq(d->architecture, p->architecture))
                        continue;
                if (str_eq_or_null(v, p->variant))
                        return (int)i;
                if (!v) {
                        if (no_variant < 0)
                                no_variant = (int)i;
                        continue;
                }
                /* arm v7 runs v6 and v5 binaries: the newest one below the host's */
                if (streq(p->architecture, "arm") && p->variant && v[0] == 'v' &&
                    p->variant[0] == 'v') {
                        int hv = atoi(p->variant + 1), ev = atoi(v + 1);

                        if (ev > 0 && ev < hv && ev > older_v) {
                                older = (int)i;
                                older_v = ev;
                        }
                }
        }
        if (no_variant >= 0)
                return no_variant;
        if (older >= 0)
                return older;
        return -ENOENT;
}

const char *platform_to_string(const Platform *p, char *buf, size_t n)
{
        snprintf(buf, n, "%s/%s%s%s", p->os, p->architecture, p->variant ? "/" : "",
                 p->variant ?: "");
        return buf;
}
