/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The JSON documents of an image that the warm path reads: the image
 * config (what ns run honours) and the manifest (which config, which
 * layers). Both come from an image's author: everything is checked, and a
 * document that is not what it claims is -EINVAL, never a partial result.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "json.h"
#include "macro.h"

/* No image needs more; a bound keeps a hostile document from making ns
 * allocate without end. */
#define STRV_MAX 65536

void image_strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

/* An array of strings (or null: *ret stays NULL) into a NULL-terminated vector. */
static int get_strv(const char *p, const char *end, char ***ret)
{
        JsonIter it;
        const char *e;
        char **v = NULL;
        size_t n = 0;
        int r;

        if (json_is(p, end, 'n')) {
                *ret = NULL;
                return 0;
        }
        r = json_iter_array(p, end, &it);
        if (r < 0)
                return r;
        v = xnew(char *, 1);
        while ((r = json_iter_next(&it, &e)) > 0) {
                if (n >= STRV_MAX) {
                        r = -EINVAL;
                        break;
                }
                v = xreallocarray(v, n + 2, sizeof(char *));
                r = json_get_string(e, end, &v[n]);
                if (r < 0)
                        break;
                v[++n] = NULL;
        }
        if (r < 0) {
                v[n] = NULL;
                image_strv_free(v);
                return r;
        }
        *ret = v;
        return 0;
}

/* A string member (absent, null or "" leave *ret NULL). */
static int get_opt_string(const char *obj, const char *end, const char *key, char **ret)
{
        const char *v;
        char *s;
        int r;

        r = json_object_get(obj, end, key, &v);
        if (r <= 0) {
                *ret = NULL;
                return r;
        }
        if (json_is(v, end, 'n')) {
                *ret = NULL;
                return 0;
        }
        r = json_get_string(v, end, &s);
        if (r < 0)
                return r;
        if (!*s) {
                free(s);
                s = NULL;
        }
        *ret = s;
        return 0;
}

static int get_opt_strv(const char *obj, const char *end, const char *key, char ***ret)
{
        const char *v;
        int r;

        r = json_object_get(obj, end, key, &v);
        if (r <= 0) {
                *ret = NULL;
                return r;
        }
        return get_strv(v, end, ret);
}

void image_config_done(ImageConfig *c)
{
        if (!c)
                return;
        image_strv_free(c->entrypoint);
        image_strv_free(c->cmd);
        image_strv_free(c->env);
        free(c->workdir);
        free(c->user);
        free(c->architecture);
        free(c->os);
        *c = (ImageConfig){};
}

int image_config_parse(const char *json, size_t len, ImageConfig *ret)
{
        const char *end = json + len, *cfg;
        ImageConfig c = {};
        int r;

        if (!json_is(json, end, '{'))
                return -EINVAL;
        r = get_opt_string(json, end, "architecture", &c.architecture);
        if (r >= 0)
                r = get_opt_string(json, end, "os", &c.os);
        if (r < 0)
                goto fail;

        /* "config" may be absent or null: an image that sets nothing */
        r = json_object_get(json, end, "config", &cfg);
        if (r < 0)
                goto fail;
        if (r > 0 && !json_is(cfg, end, 'n')) {
                if (!json_is(cfg, end, '{')) {
                        r = -EINVAL;
                        goto fail;
                }
                r = get_opt_strv(cfg, end, "Entrypoint", &c.entrypoint);
                if (r >= 0)
                        r = get_opt_strv(cfg, end, "Cmd", &c.cmd);
                if (r >= 0)
                        r = get_opt_strv(cfg, end, "Env", &c.env);
                if (r >= 0)
                        r = get_opt_string(cfg, end, "WorkingDir", &c.workdir);
                if (r >= 0)
                        r = get_opt_string(cfg, end, "User", &c.user);
                if (r < 0)
                        goto fail;
        }
        /* every Env entry is K=V with a name */
        for (char **e = c.env; e && *e; e++)
                if ((*e)[0] == '=' || !strchr(*e, '=')) {
                        r = -EINVAL;
                        goto fail;
                }
        /* a relative working directory means nothing to ns run */
        if (c.workdir && c.workdir[0] != '/') {
                r = -EINVAL;
                goto fail;
        }
        *ret = c;
        return 0;
fail:
        image_config_done(&c);
        return r < 0 ? r : -EINVAL;
}

/* The media types a manifest of one image may have; an index (a list of
 * manifests per platform) is a different document. */
static const char *const manifest_types[] = {
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
};

static const char *const index_types[] = {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
};

static bool str_in(const char *s, const char *const *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (streq(s, v[i]))
                        return true;
        return false;
}

void image_manifest_done(ImageManifest *m)
{
        if (!m)
                return;
        free(m->config_digest);
        image_strv_free(m->layers);
        *m = (ImageManifest){};
}

/* {"digest": "sha256:..."} of a descriptor. */
static int descriptor_digest(const char *d, const char *end, char **ret)
{
        char *digest;
        int r;

        if (!json_is(d, end, '{'))
                return -EINVAL;
        r = json_object_get_string(d, end, "digest", &digest);
        if (r <= 0)
                return -EINVAL;
        if (!image_digest_valid(digest)) {
                free(digest);
                return -EINVAL;
        }
        *ret = digest;
        return 0;
}

int image_manifest_parse(const char *json, size_t len, ImageManifest *ret)
{
        const char *end = json + len, *v, *e;
        _cleanup_free_ char *media_type = NULL;
        ImageManifest m = {};
        long long version;
        JsonIter it;
        int r;

        if (!json_is(json, end, '{'))
                return -EINVAL;
        r = json_object_get(json, end, "schemaVersion", &v);
        if (r <= 0 || json_get_integer(v, end, &version) < 0 || version != 2)
                return -EINVAL;
        r = json_object_get_string(json, end, "mediaType", &media_type);
        if (r < 0)
                return r;
        if (media_type) {
                if (str_in(media_type, index_types, ELEMENTSOF(index_types)))
                        return -EMEDIUMTYPE;
                if (!str_in(media_type, manifest_types, ELEMENTSOF(manifest_types)))
                        return -EINVAL;
        } else if (json_object_get(json, end, "manifests", &v) > 0) {
                /* an OCI index may leave out its mediaType */
                return -EMEDIUMTYPE;
        }

        r = json_object_get(json, end, "config", &v);
        if (r <= 0)
                return -EINVAL;
        r = descriptor_digest(v, end, &m.config_digest);
        if (r < 0)
                return r;

        r = json_object_get(json, end, "layers", &v);
        if (r <= 0 || json_iter_array(v, end, &it) < 0) {
                r = -EINVAL;
                goto fail;
        }
        m.layers = xnew(char *, 1);
        while ((r = json_iter_next(&it, &e)) > 0) {
                if (m.n_layers >= IMAGE_LAYERS_MAX) {
                        r = -EINVAL;
                        goto fail;
                }
                m.layers = xreallocarray(m.layers, m.n_layers + 2, sizeof(char *));
                m.layers[m.n_layers] = NULL;
                r = descriptor_digest(e, end, &m.layers[m.n_layers]);
                if (r < 0)
                        goto fail;
                m.layers[++m.n_layers] = NULL;
        }
        if (r < 0)
                goto fail;
        /* an image is at least one layer (and overlayfs needs a lower one) */
        if (m.n_layers == 0) {
                r = -EINVAL;
                goto fail;
        }
        *ret = m;
        return 0;
fail:
        image_manifest_done(&m);
        return r < 0 ? r : -EINVAL;
}
