/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "macro.h"
#include "manifest.h"
#include "progress.h"
#include "pull.h"
#include "unpack.h"
#include "util.h"

#define MANIFEST_MAX (4 * 1024 * 1024) /* what registries themselves accept */

/* Layer media types an unpack reads: tar, gzip'd or zstd'd tar. Foreign
 * (Windows) layers and anything else are refused before a byte is fetched. */
static bool layer_type_ok(const char *mt)
{
        static const char *const ok[] = {
                "application/vnd.oci.image.layer.v1.tar",
                "application/vnd.oci.image.layer.v1.tar+gzip",
                "application/vnd.oci.image.layer.v1.tar+zstd",
                "application/vnd.docker.image.rootfs.diff.tar.gzip",
        };

        if (!mt) /* optional in OCI descriptors: the unpack sniffs the format */
                return true;
        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                if (streq(mt, ok[i]))
                        return true;
        return false;
}

/* The blobs this pull put in place, to take back when the image turns out
 * of no use (a layer that cannot be unpacked), as an import does. */
typedef struct Placed {
        char **digests;
        size_t n;
} Placed;

static void placed_add(Placed *p, const char *digest)
{
        if (!p)
                return;
        p->digests = xreallocarray(p->digests, p->n + 1, sizeof(char *));
        p->digests[p->n++] = xstrdup(digest);
}

static void placed_done(Placed *p)
{
        for (size_t i = 0; i < p->n; i++)
                free(p->digests[i]);
        free(p->digests);
        *p = (Placed){};
}

/* Remove the blobs of p, and refused (the layer that could not be
 * unpacked, whoever fetched it: it would be refused again). Layers that
 * were unpacked stay: they are whole, and prune takes them if unused. */
static void placed_remove(Store *s, const Placed *p, const char *refused)
{
        if (store_lock(s) < 0)
                return;
        for (size_t i = 0; i <= p->n; i++) {
                const char *d = i < p->n ? p->digests[i] : refused;
                _cleanup_free_ char *blob = NULL;

                if (!d)
                        continue;
                blob = store_blob_path(d);
                (void)unlinkat(s->dir_fd, blob, 0);
        }
        store_unlock(s);
}

/* A document fetched whole (an index, a manifest) into blobs/, through the
 * same verified writer as everything else. */
static int blob_put(Store *s, const char *digest, const char *buf, size_t len, Placed *placed,
                    StepError *ret_err)
{
        BlobWriter *w;
        int r;

        if (store_has_blob(s, digest))
                return 0;
        r = store_blob_begin(s, digest, (int64_t)len, &w);
        if (r < 0)
                return step_error(ret_err, REGISTRY_STEP_STORE, r, "manifest %s", digest);
        r = store_blob_write(w, buf, len);
        if (r < 0) {
                store_blob_abort(w);
                return step_error(ret_err, REGISTRY_STEP_STORE, r, "manifest %s", digest);
        }
        /* the digest was computed from these bytes: a mismatch here is the
         * store's fault. Commit frees the writer, whatever it returns. */
        r = store_blob_commit(w);
        if (r < 0)
                return step_error(ret_err, REGISTRY_STEP_STORE, r, "manifest %s", digest);
        placed_add(placed, digest);
        return 0;
}

/* A blob from the registry into blobs/, unless it is there already. */
static int blob_fetch(Registry *reg, Store *s, const Descriptor *d, const char *what,
                      Placed *placed, StepError *ret_err)
{
        int r;

        if (store_has_blob(s, d->digest))
                return 0;
        r = registry_fetch_blob(reg, s, d->digest, d->size, what, ret_err);
        if (r < 0)
                return r;
        placed_add(placed, d->digest);
        return 0;
}

/*
 * GET a manifest and check it: against the digest it was asked by, or
 * the registry's Docker-Content-Digest, and the size an index gave.
 * Returns its digest (computed) and the parsed document.
 */
static int manifest_fetch(Registry *reg, const char *reference, const char *want_digest,
                          int64_t want_size, char **ret_body, size_t *ret_len, char ret_digest[72],
                          Manifest *ret, StepError *ret_err)
{
        _cleanup_free_ char *body = NULL, *ctype = NULL, *claimed = NULL;
        char digest[72];
        size_t len;
        int r;

        r = registry_get_manifest(reg, reference, MANIFEST_MAX, &body, &len, &ctype, &claimed,
                                  ret_err);
        if (r < 0)
                return r;
        r = store_digest_of(body, len, digest);
        if (r < 0)
                return step_error(ret_err, REGISTRY_STEP_STORE, r, "digest of manifest");
        if (want_digest && !streq(digest, want_digest))
                return step_error(ret_err, REGISTRY_STEP_DIGEST, EBADMSG, "manifest %s",
                                  want_digest);
        /* by tag the bytes are all there is; a registry that names another
         * digest for them is serving something else than it says */
        if (claimed && startswith(claimed, "sha256:") && !streq(claimed, digest))
                return step_error(ret_err, REGISTRY_STEP_DIGEST, EBADMSG, "manifest %s",
                                  str_sanitize(claimed));
        if (want_size >= 0 && (uint64_t)want_size != len)
                return step_error(ret_err, REGISTRY_STEP_SIZE, EMSGSIZE, "manifest %s", digest);

        r = manifest_parse(body, len, ctype, ret);
        if (r == -EPROTONOSUPPORT)
                return step_error(ret_err, REGISTRY_STEP_MANIFEST, EPROTONOSUPPORT,
                                  "unsupported manifest type '%s'",
                                  ctype ? str_sanitize(ctype) : "unknown");
        if (r < 0)
                return step_error(ret_err, REGISTRY_STEP_MANIFEST, EINVAL, "malformed manifest %s",
                                  digest);
        *ret_body = TAKE_PTR(body);
        *ret_len = len;
        memcpy(ret_digest, digest, sizeof(digest));
        return 0;
}

typedef struct Tick {
        Progress *progress;
        size_t line;
} Tick;

static void on_bytes(void *userdata, uint64_t done)
{
        Tick *t = userdata;

        progress_bytes(t->progress, t->line, done);
}

/* Every layer's blob into blobs/, but for the layers unpacked already. */
static int fetch_layers(Registry *reg, Store *s, const Manifest *m, Progress *progress, Tick *tick,
                        Placed *placed, StepError *ret_err)
{
        int r;

        for (size_t i = 0; i < m->n_layers; i++) {
                const Descriptor *l = &m->layers[i];

                tick->line = i;
                if (store_has_layer(s, l->digest)) {
                        progress_state(progress, i, "Already exists", -1);
                        continue;
                }
                if (!store_has_blob(s, l->digest)) {
                        progress_state(progress, i, "Downloading", l->size);
                        r = blob_fetch(reg, s, l, "layer", placed, ret_err);
                        if (r < 0)
                                return r;
                }
                progress_state(progress, i, "Download complete", -1);
        }
        return 0;
}

/* Then each into layers/, lowest first, as an import unpacks them (the
 * blob goes once its layer is there). A layer a concurrent pull or import
 * unpacked meanwhile is taken as it is. */
static int unpack_layers(Store *s, const Manifest *m, const IdMap *map, Progress *progress,
                         PullResult *res, Placed *placed, StepError *ret_err)
{
        for (size_t i = 0; i < m->n_layers; i++) {
                const char *digest = m->layers[i].digest;
                UnpackResult u;
                int r;

                if (store_has_layer(s, digest))
                        continue;
                progress_state(progress, i, "Extracting", -1);
                r = store_unpack_layer(s, map, digest, &u);
                res->devices_skipped += u.devices_skipped;
                res->setid_dropped += u.setid_dropped;
                res->unmapped += u.unmapped;
                if (r < 0) {
                        /* an image with a layer that cannot be unpacked is of
                         * no use to anyone: what this pull put in place goes */
                        placed_remove(s, placed, digest);
                        return step_error(
                                ret_err, r == -EXDEV ? REGISTRY_STEP_UNSAFE : REGISTRY_STEP_UNPACK,
                                r, "layer %s%s%s", digest, u.detail[0] ? ": " : "", u.detail);
                }
                progress_state(progress, i, "Pull complete", -1);
        }
        return 0;
}

int image_pull(Store *s, const char *ref, const PullOptions *o, PullResult *ret, StepError *ret_err)
{
        _cleanup_(image_ref_done) ImageRef ir = {};
        _cleanup_(manifest_done) Manifest top = {}, image = {};
        _cleanup_free_ char *top_body = NULL, *body = NULL, *platform_copy = NULL, *key = NULL;
        _cleanup_free_ char **ids = NULL;
        char top_digest[72], digest[72], pbuf[64];
        size_t top_len, len;
        Progress *progress = NULL;
        Registry *reg = NULL;
        PullResult res = {};
        Placed placed = {};
        Tick tick = {};
        Platform platform;
        int r;

        if (image_ref_parse(ref, &ir) < 0)
                return step_error(ret_err, REGISTRY_STEP_REF, EINVAL, NULL);
        if (o->platform) {
                platform_copy = xstrdup(o->platform);
                if (platform_parse(platform_copy, &platform) < 0)
                        return step_error(ret_err, REGISTRY_STEP_PLATFORM, EINVAL,
                                          "bad platform '%s': not os/arch[/variant]", o->platform);
        } else if (platform_host(&platform) < 0)
                return step_error(ret_err, REGISTRY_STEP_PLATFORM, EOPNOTSUPP,
                                  "this machine's architecture has no image platform name");

        r = registry_new(&ir,
                         &(RegistryOptions){ .insecure = o->insecure,
                                             .progress = on_bytes,
                                             .progress_userdata = &tick },
                         &reg, ret_err);
        if (r < 0)
                return r;

        r = manifest_fetch(reg, ir.digest ?: ir.tag, ir.digest, -1, &top_body, &top_len, top_digest,
                           &top, ret_err);
        if (r < 0)
                goto finish;

        if (top.kind == MANIFEST_INDEX) {
                const Descriptor *d;
                int k = manifest_pick_platform(&top, &platform);

                if (k < 0) {
                        r = step_error(ret_err, REGISTRY_STEP_PLATFORM, ENOENT, "%s",
                                       platform_to_string(&platform, pbuf, sizeof(pbuf)));
                        goto finish;
                }
                d = &top.manifests[k];
                r = manifest_fetch(reg, d->digest, d->digest, d->size, &body, &len, digest, &image,
                                   ret_err);
                if (r < 0)
                        goto finish;
                if (image.kind != MANIFEST_IMAGE) {
                        r = step_error(ret_err, REGISTRY_STEP_MANIFEST, EPROTONOSUPPORT,
                                       "an index inside an index (%s)", d->digest);
                        goto finish;
                }
                r = blob_put(s, top_digest, top_body, top_len, &placed, ret_err);
                if (r < 0)
                        goto finish;
        } else {
                image = top;
                top = (Manifest){};
                body = TAKE_PTR(top_body);
                len = top_len;
                memcpy(digest, top_digest, sizeof(digest));
        }

        for (size_t i = 0; i < image.n_layers; i++)
                if (!layer_type_ok(image.layers[i].media_type)) {
                        r = step_error(ret_err, REGISTRY_STEP_MANIFEST, EPROTONOSUPPORT,
                                       "layer %s of type '%s'", image.layers[i].digest,
                                       str_sanitize(image.layers[i].media_type));
                        goto finish;
                }

        r = blob_put(s, digest, body, len, &placed, ret_err);
        if (r < 0)
                goto finish;
        r = blob_fetch(reg, s, &image.config, "config", &placed, ret_err);
        if (r < 0)
                goto finish;

        ids = xnew(char *, image.n_layers + 1);
        for (size_t i = 0; i < image.n_layers; i++)
                ids[i] = image.layers[i].digest;
        progress = o->progress ? progress_new(o->progress, ids, image.n_layers) : NULL;
        tick.progress = progress;

        r = fetch_layers(reg, s, &image, progress, &tick, &placed, ret_err);
        if (r < 0)
                goto finish;
        r = unpack_layers(s, &image, o->map, progress, &res, &placed, ret_err);
        if (r < 0)
                goto finish;

        r = image_ref_key(ref, &key);
        if (r < 0) {
                r = step_error(ret_err, REGISTRY_STEP_REF, r, NULL);
                goto finish;
        }
        /* last: until now nothing names the image, so nothing runs it */
        r = store_set_ref(s, key, digest);
        if (r < 0) {
                r = step_error(ret_err, REGISTRY_STEP_STORE, r, "refs/");
                goto finish;
        }
        progress_note(progress, "Digest: %s", digest);
        memcpy(res.manifest_digest, digest, sizeof(res.manifest_digest));
        *ret = res;
        r = 0;
finish:
        progress_free(progress);
        registry_free(reg);
        placed_done(&placed);
        return r;
}

/* strerror(), lowercased as ns' messages are ("no space left on device"). */
static const char *errstr(int err, char buf[static 128])
{
        snprintf(buf, 128, "%s", strerror(err < 0 ? -err : err));
        if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
                buf[0] = (char)(buf[0] - 'A' + 'a');
        return buf;
}

char *pull_error_message(const char *ref, const StepError *e)
{
        const char *words = registry_step_to_string(e->step);

        switch (e->step) {
        case REGISTRY_STEP_REF:
                return xasprintf("cannot pull '%s': not a registry reference", ref);
        case REGISTRY_STEP_CONNECT:
        case REGISTRY_STEP_HTTP:
        case REGISTRY_STEP_INSECURE:
        case REGISTRY_STEP_MANIFEST:
                /* the detail says it all: "no such host 'x'" */
                return xasprintf("cannot pull '%s': %s", ref, e->detail[0] ? e->detail : words);
        case REGISTRY_STEP_MANIFEST_UNKNOWN:
                return xasprintf("cannot pull '%s': %s", ref, e->detail[0] ? e->detail : words);
        case REGISTRY_STEP_DIGEST:
        case REGISTRY_STEP_SIZE:
                return xasprintf("cannot pull '%s': %s for %s", ref, words, e->detail);
        case REGISTRY_STEP_PLATFORM:
                /* ENOENT: the index has none; else the platform itself is the trouble */
                if (e->error != ENOENT)
                        return xasprintf("cannot pull '%s': %s", ref, e->detail);
                return xasprintf("cannot pull '%s': no image for platform %s", ref, e->detail);
        case REGISTRY_STEP_STORE:
        case REGISTRY_STEP_UNPACK:
                return xasprintf("cannot pull '%s': %s: %s: %s", ref, words, e->detail,
                                 errstr(e->error, (char[128]){ 0 }));
        case REGISTRY_STEP_UNSAFE:
                /* the entry is the reason */
                return xasprintf("cannot pull '%s': %s: %s", ref, words, e->detail);
        default:
                return xasprintf("cannot pull '%s': %s%s%s", ref, words, e->detail[0] ? ": " : "",
                                 e->detail);
        }
}
