/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `ns-image import PATH`: a `docker save` archive or an OCI image layout
 * (a directory, or a tar of one) into the store. Every blob of the image
 * is written aside and verified before any is put in place, so a
 * corrupted one leaves nothing behind; then the layers are unpacked and
 * refs/ pointed at the manifest, last. A docker-save archive has no
 * manifest: one is made (Docker v2 schema 2) from its manifest.json, with
 * the digests of its files as they are, so the layers it shares with an
 * OCI layout of the same image are the same layers.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "image.h"
#include "import.h"
#include "json.h"
#include "macro.h"
#include "unpack.h"
#include "userns.h"
#include "util.h"

#define DOC_MAX (4u << 20)
#define CHUNK (128 * 1024)

typedef struct Source {
        const char *path;
        int dir_fd; /* a directory; -EBADF for an archive */
} Source;

/* "./a//b" and "a/b" are the same member. */
static bool member_is(const char *name, const char *want)
{
        while (startswith(name, "./"))
                name += 2;
        return streq(name, want);
}

typedef int (*ChunkFn)(void *ctx, const void *buf, size_t n);

/* Feed member name's bytes to fn; -ENOENT when there is no such member. */
static int source_stream(const Source *src, const char *name, ChunkFn fn, void *ctx)
{
        struct archive *a;
        struct archive_entry *e;
        int r = -ENOENT, k;

        if (src->dir_fd >= 0) {
                _cleanup_close_ int fd =
                        openat(src->dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                _cleanup_free_ char *buf = NULL;

                if (fd < 0)
                        return -errno;
                buf = xmalloc(CHUNK);
                for (;;) {
                        ssize_t n = read(fd, buf, CHUNK);

                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0)
                                return -errno;
                        if (n == 0)
                                return 0;
                        r = fn(ctx, buf, (size_t)n);
                        if (r < 0)
                                return r;
                }
        }

        a = archive_read_new();
        archive_read_support_filter_all(a);
        archive_read_support_format_tar(a);
        if (archive_read_open_filename(a, src->path, CHUNK) != ARCHIVE_OK) {
                archive_read_free(a);
                return -EBADMSG;
        }
        while ((k = archive_read_next_header(a, &e)) == ARCHIVE_OK || k == ARCHIVE_WARN) {
                const void *buf;
                size_t n;
                la_int64_t off;

                if (archive_entry_filetype(e) != AE_IFREG ||
                    !member_is(archive_entry_pathname(e), name))
                        continue;
                r = 0;
                while ((k = archive_read_data_block(a, &buf, &n, &off)) == ARCHIVE_OK) {
                        r = fn(ctx, buf, n);
                        if (r < 0)
                                break;
                }
                if (r == 0 && k != ARCHIVE_EOF)
                        r = -EBADMSG;
                break;
        }
        if (r == -ENOENT && k != ARCHIVE_EOF && k != ARCHIVE_OK)
                r = -EBADMSG;
        archive_read_free(a);
        return r;
}

typedef struct Buf {
        char *p;
        size_t n, max;
} Buf;

static int buf_add(void *ctx, const void *data, size_t n)
{
        Buf *b = ctx;

        if (b->n + n > b->max)
                return -EFBIG;
        b->p = xrealloc(b->p, b->n + n + 1);
        memcpy(b->p + b->n, data, n);
        b->n += n;
        b->p[b->n] = '\0';
        return 0;
}

static int source_read(const Source *src, const char *name, char **ret, size_t *ret_len)
{
        Buf b = { .max = DOC_MAX };
        int r = source_stream(src, name, buf_add, &b);

        if (r < 0) {
                free(b.p);
                return r;
        }
        if (!b.p)
                b.p = xstrdup("");
        *ret = b.p;
        *ret_len = b.n;
        return 0;
}

static int writer_add(void *ctx, const void *data, size_t n)
{
        return store_blob_write(ctx, data, n);
}

/* One blob of the image: where it is in the source, what it must be. */
typedef struct Blob {
        char *member;
        char digest[IMAGE_DIGEST_SIZE];
        int64_t size;
        bool layer;
        bool committed; /* put in place by this import */
        BlobWriter *w;  /* written aside and verified, not yet in place */
} Blob;

typedef struct Plan {
        char manifest_digest[IMAGE_DIGEST_SIZE];
        char *manifest; /* the document, when made here (docker save) */
        size_t manifest_len;
        Blob *blobs;
        size_t n_blobs;
        unsigned images; /* docker save: how many manifest.json lists */
} Plan;

static void plan_done(Plan *p)
{
        for (size_t i = 0; i < p->n_blobs; i++) {
                free(p->blobs[i].member);
                store_blob_abort(p->blobs[i].w);
        }
        free(p->blobs);
        free(p->manifest);
        *p = (Plan){};
}

static Blob *plan_add(Plan *p, char *member, const char *digest, int64_t size, bool layer)
{
        Blob *b;

        p->blobs = xreallocarray(p->blobs, p->n_blobs + 1, sizeof(Blob));
        b = &p->blobs[p->n_blobs++];
        *b = (Blob){ .member = member, .size = size, .layer = layer };
        if (digest)
                snprintf(b->digest, sizeof(b->digest), "%s", digest);
        return b;
}

/* sha256 of a member too big to read whole (a layer), streamed. */
typedef struct StreamHash {
        EVP_MD_CTX *md;
        uint64_t n;
        unsigned char head[2];
} StreamHash;

static int hash_add(void *ctx, const void *data, size_t n)
{
        StreamHash *h = ctx;

        for (size_t i = 0; h->n + i < 2 && i < n; i++)
                h->head[h->n + i] = ((const unsigned char *)data)[i];
        h->n += n;
        return EVP_DigestUpdate(h->md, data, n) ? 0 : -EIO;
}

static int stream_digest(const Source *src, const char *member, char ret[IMAGE_DIGEST_SIZE],
                         int64_t *ret_size, bool *ret_gzip)
{
        StreamHash h = { .md = EVP_MD_CTX_new() };
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        int r;

        if (!h.md || !EVP_DigestInit_ex(h.md, EVP_sha256(), NULL)) {
                EVP_MD_CTX_free(h.md);
                return -EIO;
        }
        r = source_stream(src, member, hash_add, &h);
        if (r >= 0 && (!EVP_DigestFinal_ex(h.md, md, &len) || len != 32))
                r = -EIO;
        EVP_MD_CTX_free(h.md);
        if (r < 0)
                return r;
        strcpy(ret, "sha256:");
        for (unsigned i = 0; i < len; i++)
                sprintf(ret + 7 + 2 * i, "%02x", md[i]);
        *ret_size = (int64_t)h.n;
        *ret_gzip = h.n >= 2 && h.head[0] == 0x1f && h.head[1] == 0x8b;
        return 0;
}

/* The digest, size and compression of a docker-save member, which no
 * manifest states: small ones (configs) read whole, layers streamed. */
static int member_digest(const Source *src, const char *member, char ret[IMAGE_DIGEST_SIZE],
                         int64_t *ret_size, bool *ret_gzip)
{
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        r = source_read(src, member, &buf, &len);
        if (r == 0) {
                *ret_size = (int64_t)len;
                *ret_gzip =
                        len >= 2 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b;
                return store_digest_of(buf, len, ret);
        }
        if (r != -EFBIG)
                return r;
        return stream_digest(src, member, ret, ret_size, ret_gzip);
}

static const char *docker_layer_type(bool gzip)
{
        return gzip ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
                    : "application/vnd.docker.image.rootfs.diff.tar";
}

/* docker save: manifest.json names the config file and the layer files of
 * each image; the first image is imported. */
static int plan_docker_save(const Source *src, Plan *p, StepError *ret_err)
{
        _cleanup_free_ char *doc = NULL, *config = NULL, *mf = NULL;
        const char *end, *img, *v, *e;
        JsonIter it;
        FILE *f;
        size_t len, mf_len = 0;
        char digest[IMAGE_DIGEST_SIZE];
        int64_t size;
        bool gz, first = true;
        int r;

        r = source_read(src, "manifest.json", &doc, &len);
        if (r < 0)
                return step_error(ret_err, IMPORT_STEP_FORMAT, r, "manifest.json");
        end = doc + len;
        if (json_iter_array(doc, end, &it) < 0 || json_iter_next(&it, &img) <= 0)
                return step_error(ret_err, IMPORT_STEP_FORMAT, EINVAL, "manifest.json");
        {
                JsonIter rest = it;
                const char *other;

                p->images = 1;
                while (json_iter_next(&rest, &other) > 0)
                        p->images++;
        }
        if (json_object_get_string(img, end, "Config", &config) <= 0 || path_has_dotdot(config))
                return step_error(ret_err, IMPORT_STEP_FORMAT, EINVAL, "manifest.json: Config");

        r = member_digest(src, config, digest, &size, &gz);
        if (r < 0)
                return step_error(ret_err, IMPORT_STEP_FORMAT, r, "%s", config);

        f = open_memstream(&mf, &mf_len);
        if (!f)
                oom();
        fprintf(f,
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\","
                "\"size\":%lld,\"digest\":\"%s\"},\"layers\":[",
                (long long)size, digest);
        plan_add(p, TAKE_PTR(config), digest, size, false);

        if (json_object_get(img, end, "Layers", &v) <= 0 || json_iter_array(v, end, &it) < 0) {
                fclose(f);
                return step_error(ret_err, IMPORT_STEP_FORMAT, EINVAL, "manifest.json: Layers");
        }
        while ((r = json_iter_next(&it, &e)) > 0) {
                char *layer = NULL;

                if (json_get_string(e, end, &layer) < 0 || path_has_dotdot(layer)) {
                        free(layer);
                        r = -EINVAL;
                        break;
                }
                r = member_digest(src, layer, digest, &size, &gz);
                if (r < 0) {
                        fclose(f);
                        step_error(ret_err, IMPORT_STEP_FORMAT, r, "%s", layer);
                        free(layer);
                        return r;
                }
                fprintf(f, "%s{\"mediaType\":\"%s\",\"size\":%lld,\"digest\":\"%s\"}",
                        first ? "" : ",", docker_layer_type(gz), (long long)size, digest);
                first = false;
                plan_add(p, layer, digest, size, true);
        }
        fputs("]}", f);
        if (fclose(f) != 0)
                oom();
        if (r < 0 || first)
                return step_error(ret_err, IMPORT_STEP_FORMAT, EINVAL, "manifest.json: Layers");
        r = store_digest_of(mf, mf_len, p->manifest_digest);
        if (r < 0)
                return step_error(ret_err, IMPORT_STEP_STORE, r, NULL);
        p->manifest = TAKE_PTR(mf);
        p->manifest_len = mf_len;
        return 0;
}

static const char *host_architecture(void)
{
        static const struct {
                const char *machine, *arch;
        } names[] = { { "x86_64", "amd64" },   { "aarch64", "arm64" },   { "i686", "386" },
                      { "armv7l", "arm" },     { "ppc64le", "ppc64le" }, { "s390x", "s390x" },
                      { "riscv64", "riscv64" } };
        struct utsname u;

        if (uname(&u) < 0)
                return "amd64";
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(u.machine, names[i].machine))
                        return names[i].arch;
        return "amd64";
}

/*
 * The manifest an index names for this host: the only one, or the one
 * whose platform is linux and the host's architecture. Returns its digest
 * and size.
 */
static int index_pick(const char *doc, size_t len, char ret[IMAGE_DIGEST_SIZE], int64_t *ret_size)
{
        const char *end = doc + len, *v, *e, *chosen = NULL;
        const char *arch = host_architecture();
        unsigned n = 0;
        JsonIter it;
        int r;

        if (json_object_get(doc, end, "manifests", &v) <= 0 || json_iter_array(v, end, &it) < 0)
                return -EINVAL;
        while ((r = json_iter_next(&it, &e)) > 0) {
                _cleanup_free_ char *os = NULL, *a = NULL;
                const char *plat;

                n++;
                if (!chosen)
                        chosen = e;
                if (json_object_get(e, end, "platform", &plat) > 0 &&
                    json_object_get_string(plat, end, "os", &os) > 0 &&
                    json_object_get_string(plat, end, "architecture", &a) > 0 &&
                    streq(os, "linux") && streq(a, arch)) {
                        chosen = e;
                        break;
                }
        }
        if (r < 0 || !chosen)
                return -EINVAL;
        {
                _cleanup_free_ char *d = NULL;
                long long size = -1;

                if (json_object_get_string(chosen, end, "digest", &d) <= 0 ||
                    !image_digest_valid(d))
                        return -EINVAL;
                if (json_object_get(chosen, end, "size", &v) > 0 &&
                    (json_get_integer(v, end, &size) < 0 || size < 0))
                        return -EINVAL;
                strcpy(ret, d);
                *ret_size = size;
        }
        return 0;
}

/* An OCI layout: index.json, then (through nested indexes, a few levels)
 * the image manifest, its config and layers; each blob named by digest. */
static int plan_oci(const Source *src, Plan *p, StepError *ret_err)
{
        _cleanup_free_ char *doc = NULL, *member = NULL;
        ImageManifest m = {};
        char digest[IMAGE_DIGEST_SIZE];
        int64_t size;
        size_t len;
        int r;

        r = source_read(src, "index.json", &doc, &len);
        if (r < 0)
                return step_error(ret_err, IMPORT_STEP_FORMAT, r, "index.json");
        for (int depth = 0;; depth++) {
                if (depth > 4 || index_pick(doc, len, digest, &size) < 0)
                        return step_error(ret_err, IMPORT_STEP_FORMAT, EINVAL, "%s",
                                          depth == 0 ? "index.json" : digest);
                free(member);
                member = xasprintf("blobs/sha256/%s", digest + strlen("sha256:"));
                free(doc);
                doc = NULL;
                r = source_read(src, member, &doc, &len);
                if (r < 0)
                        return step_error(ret_err, IMPORT_STEP_FORMAT, r, "%s", member);
                r = image_manifest_parse(doc, len, &m);
                if (r != -EMEDIUMTYPE)
                        break;
                /* an index is kept too: a registry reference may name it */
                plan_add(p, xstrdup(member), digest, size, false);
        }
        if (r < 0)
                return step_error(ret_err, IMPORT_STEP_FORMAT, r, "%s", digest);
        strcpy(p->manifest_digest, digest);
        plan_add(p, TAKE_PTR(member), digest, size, false);
        plan_add(p, xasprintf("blobs/sha256/%s", m.config_digest + strlen("sha256:")),
                 m.config_digest, -1, false);
        for (size_t i = 0; i < m.n_layers; i++)
                plan_add(p, xasprintf("blobs/sha256/%s", m.layers[i] + strlen("sha256:")),
                         m.layers[i], -1, true);
        image_manifest_done(&m);
        return 0;
}

/* Write every blob aside and verify it; nothing is in place yet. */
static int stage_blobs(Store *s, const Source *src, Plan *p, StepError *ret_err)
{
        int r;

        for (size_t i = 0; i < p->n_blobs; i++) {
                Blob *b = &p->blobs[i];

                if (b->layer ? store_has_layer(s, b->digest) : store_has_blob(s, b->digest))
                        continue;
                r = store_blob_begin(s, b->digest, b->size, &b->w);
                if (r < 0)
                        return step_error(ret_err, IMPORT_STEP_STORE, r, "%s/tmp", s->path);
                r = source_stream(src, b->member, writer_add, b->w);
                if (r >= 0)
                        r = store_blob_verify(b->w);
                if (r == -EBADMSG)
                        return step_error(ret_err, IMPORT_STEP_DIGEST, r, "%s", b->digest);
                if (r == -EMSGSIZE)
                        return step_error(ret_err, IMPORT_STEP_SIZE, r, "%s", b->digest);
                if (r < 0)
                        return step_error(ret_err, IMPORT_STEP_FORMAT, r, "%s", b->member);
        }
        return 0;
}

int image_import(Store *s, const char *path, const IdMap *m, ImportResult *ret_res,
                 StepError *ret_err)
{
        _cleanup_close_ int dir_fd = -EBADF;
        _cleanup_free_ char *key = NULL;
        Source src = { .path = path, .dir_fd = -EBADF };
        Plan p = {};
        ImportResult res = {};
        struct stat st;
        bool oci, manifest_committed = false;
        int r;

        if (stat(path, &st) < 0)
                return step_error(ret_err, IMPORT_STEP_SOURCE, errno, "%s", path);
        if (S_ISDIR(st.st_mode)) {
                dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dir_fd < 0)
                        return step_error(ret_err, IMPORT_STEP_SOURCE, errno, "%s", path);
                src.dir_fd = dir_fd;
        }
        r = image_ref_key(path, &key);
        if (r == -EMEDIUMTYPE)
                return step_error(ret_err, IMPORT_STEP_FORMAT, EINVAL,
                                  "%s: no index.json or manifest.json", path);
        if (r < 0)
                return step_error(ret_err, IMPORT_STEP_SOURCE, r, "%s", path);

        /* docker 25 and later write both: the OCI side has the digests */
        {
                _cleanup_free_ char *layout = NULL;
                size_t len;

                oci = source_read(&src, "oci-layout", &layout, &len) == 0;
        }
        r = oci ? plan_oci(&src, &p, ret_err) : plan_docker_save(&src, &p, ret_err);
        if (r < 0)
                goto finish;

        r = stage_blobs(s, &src, &p, ret_err);
        if (r < 0)
                goto finish;
        if (p.manifest && !store_has_blob(s, p.manifest_digest)) {
                BlobWriter *w;

                r = store_blob_begin(s, p.manifest_digest, (int64_t)p.manifest_len, &w);
                if (r >= 0)
                        r = store_blob_write(w, p.manifest, p.manifest_len);
                if (r >= 0) {
                        r = store_blob_commit(w);
                        manifest_committed = r >= 0;
                } else
                        store_blob_abort(w);
                if (r < 0) {
                        r = step_error(ret_err, IMPORT_STEP_STORE, r, "%s", p.manifest_digest);
                        goto finish;
                }
        }
        /* all verified: in place now */
        for (size_t i = 0; i < p.n_blobs; i++) {
                Blob *b = &p.blobs[i];

                if (!b->w)
                        continue;
                r = store_blob_commit(b->w);
                b->w = NULL;
                b->committed = r >= 0;
                if (r < 0) {
                        r = step_error(ret_err, IMPORT_STEP_STORE, r, "%s", b->digest);
                        goto finish;
                }
        }

        for (size_t i = 0; i < p.n_blobs; i++) {
                Blob *b = &p.blobs[i];
                UnpackResult u;

                if (!b->layer)
                        continue;
                r = store_unpack_layer(s, m, b->digest, &u);
                res.devices_skipped += u.devices_skipped;
                res.setid_dropped += u.setid_dropped;
                res.unmapped += u.unmapped;
                if (r < 0) {
                        /* an image with a layer that cannot be unpacked is of
                         * no use to anyone: what this import put in place goes */
                        if (store_lock(s) >= 0) {
                                for (size_t j = 0; j < p.n_blobs; j++) {
                                        _cleanup_free_ char *blob =
                                                store_blob_path(p.blobs[j].digest);

                                        if (p.blobs[j].committed || j == i)
                                                (void)unlinkat(s->dir_fd, blob, 0);
                                }
                                if (manifest_committed) {
                                        _cleanup_free_ char *blob =
                                                store_blob_path(p.manifest_digest);

                                        (void)unlinkat(s->dir_fd, blob, 0);
                                }
                                store_unlock(s);
                        }
                        r = step_error(ret_err,
                                       r == -EXDEV ? IMPORT_STEP_UNSAFE : IMPORT_STEP_UNPACK, r,
                                       "layer %s: %s", b->digest, u.detail);
                        goto finish;
                }
        }

        r = store_set_ref(s, key, p.manifest_digest);
        if (r < 0) {
                r = step_error(ret_err, IMPORT_STEP_STORE, r, "%s/refs", s->path);
                goto finish;
        }
        strcpy(res.manifest_digest, p.manifest_digest);
        res.images = p.images;
        *ret_res = res;
        r = 0;
finish:
        plan_done(&p);
        return r;
}
