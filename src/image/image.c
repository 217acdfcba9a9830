/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The warm path of ns run --image: REF through refs/ to the manifest, the
 * config and the unpacked layer directories. A few small reads and one
 * stat per layer; nothing is hashed (every blob was verified when it was
 * written, and nothing half-written is ever under blobs/, layers/, refs/).
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "macro.h"
#include "util.h"

/* Manifests and configs are a few KiB; docker's own limit is 4 MiB. */
#define DOC_MAX (4u << 20)

int image_store_default_path(char **ret)
{
        const char *xdg = getenv("XDG_CACHE_HOME"), *home;

        /* the XDG base directory spec: a relative value is to be ignored */
        if (xdg && xdg[0] == '/') {
                *ret = xasprintf("%s/ns", xdg);
                return 0;
        }
        if (geteuid() == 0) {
                *ret = xstrdup("/var/cache/ns");
                return 0;
        }
        home = getenv("HOME");
        if (!home || home[0] != '/') {
                struct passwd *pw = getpwuid(geteuid());

                if (!pw || !pw->pw_dir || pw->pw_dir[0] != '/')
                        return -ENOENT;
                home = pw->pw_dir;
        }
        *ret = xasprintf("%s/.cache/ns", home);
        return 0;
}

int image_store_read_ref(int store_fd, const char *key, char ret_digest[IMAGE_DIGEST_SIZE])
{
        _cleanup_free_ char *name = image_ref_escape(key), *path = NULL, *buf = NULL;
        char *nl, *second;
        size_t len;
        int r;

        path = xasprintf("refs/%s", name);
        r = read_file_at(store_fd, path, 64 * 1024, &buf, &len);
        if (r < 0)
                return r;
        nl = strchr(buf, '\n');
        if (!nl)
                return -EINVAL;
        *nl = '\0';
        if (!image_digest_valid(buf))
                return -EINVAL;
        /* the second line is the whole key: an over-long key's file name is
         * shortened with a hash, and this tells a collision apart */
        second = nl + 1;
        nl = strchr(second, '\n');
        if (nl) {
                *nl = '\0';
                if (!streq(second, key))
                        return -ENOENT;
        }
        memcpy(ret_digest, buf, IMAGE_DIGEST_SIZE);
        return 0;
}

int image_store_read_doc(int store_fd, const char *digest, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *path = NULL;

        if (!image_digest_valid(digest))
                return -EINVAL;
        path = xasprintf("blobs/sha256/%s", digest + strlen("sha256:"));
        return read_file_at(store_fd, path, DOC_MAX, ret, ret_len);
}

Image *image_free(Image *i)
{
        if (!i)
                return NULL;
        free(i->name);
        free(i->ref);
        free(i->manifest_digest);
        image_strv_free(i->layers);
        image_config_done(&i->config);
        if (i->lock_fd >= 0)
                close(i->lock_fd);
        free(i);
        return NULL;
}

void image_unlock(Image *i)
{
        if (i && i->lock_fd >= 0) {
                close(i->lock_fd);
                i->lock_fd = -EBADF;
        }
}

/* What --name defaults to: the repository's last component ("alpine"),
 * or an archive's file name without its extensions ("busybox"). */
static char *readable_name(const char *ref, bool is_path)
{
        _cleanup_free_ char *copy = xstrdup(ref);
        char *base, *dot;
        size_t n;

        if (!is_path) {
                ImageRef r = {};
                char *s;

                if (image_ref_parse(ref, &r) < 0)
                        return xstrdup("image");
                base = strrchr(r.repository, '/');
                s = xstrdup(base ? base + 1 : r.repository);
                image_ref_done(&r);
                return s;
        }
        /* trailing slashes of a directory */
        for (n = strlen(copy); n > 1 && copy[n - 1] == '/'; n--)
                copy[n - 1] = '\0';
        base = strrchr(copy, '/');
        base = base ? base + 1 : copy;
        dot = strchr(base, '.');
        if (dot && dot != base)
                *dot = '\0';
        return xstrdup(*base ? base : "image");
}

int image_open(const char *store, const char *ref, Image **ret, StepError *ret_err)
{
        _cleanup_free_ char *key = NULL, *doc = NULL, *store_abs = NULL, *cwd = NULL;
        _cleanup_close_ int dir_fd = -EBADF, lock_fd = -EBADF;
        ImageManifest m = {};
        char digest[IMAGE_DIGEST_SIZE];
        Image *img = NULL;
        size_t len;
        bool is_path;
        int r;

        is_path = image_source_of(ref) == IMAGE_SOURCE_PATH;
        r = image_ref_key(ref, &key);
        if (r < 0)
                return step_error(ret_err, IMAGE_STEP_REF, r, "%s", ref);

        /* the layer paths go to overlayfs, which wants them absolute */
        if (store[0] == '/') {
                store_abs = xstrdup(store);
        } else {
                cwd = getcwd(NULL, 0);
                if (!cwd)
                        return step_error(ret_err, IMAGE_STEP_STORE, errno, "%s", store);
                store_abs = xasprintf("%s/%s", cwd, store);
        }

        dir_fd = open(store_abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return step_error(ret_err,
                                  errno == ENOENT ? IMAGE_STEP_NOT_FOUND : IMAGE_STEP_STORE, errno,
                                  "%s", store_abs);
        /* shared: a removal (ns images rm, prune) waits until the caller has
         * mounted the layers and let go (image_unlock, image_free) */
        lock_fd = openat(dir_fd, "lock", O_RDONLY | O_CLOEXEC);
        if (lock_fd < 0)
                return step_error(ret_err,
                                  errno == ENOENT ? IMAGE_STEP_NOT_FOUND : IMAGE_STEP_STORE, errno,
                                  "%s/lock", store_abs);
        if (flock(lock_fd, LOCK_SH) < 0)
                return step_error(ret_err, IMAGE_STEP_STORE, errno, "%s/lock", store_abs);

        r = image_store_read_ref(dir_fd, key, digest);
        if (r == -ENOENT)
                return step_error(ret_err, IMAGE_STEP_NOT_FOUND, r, "%s", ref);
        if (r < 0)
                return step_error(ret_err, IMAGE_STEP_STORE, r, "%s/refs", store_abs);

        r = image_store_read_doc(dir_fd, digest, &doc, &len);
        if (r == -ENOENT)
                return step_error(ret_err, IMAGE_STEP_NOT_FOUND, r, "%s", digest);
        if (r < 0)
                return step_error(ret_err, IMAGE_STEP_MANIFEST, r, "%s", digest);
        r = image_manifest_parse(doc, len, &m);
        if (r < 0)
                return step_error(ret_err, IMAGE_STEP_MANIFEST, r == -EMEDIUMTYPE ? EINVAL : r,
                                  "%s", digest);

        img = xnew(Image, 1);
        img->lock_fd = -EBADF;
        img->manifest_digest = xstrdup(digest);
        img->name = readable_name(ref, is_path);
        if (is_path)
                img->ref = realpath(ref, NULL) ?: xstrdup(ref);
        else
                img->ref = xstrdup(key);

        free(doc);
        doc = NULL;
        r = image_store_read_doc(dir_fd, m.config_digest, &doc, &len);
        if (r < 0) {
                r = step_error(ret_err, r == -ENOENT ? IMAGE_STEP_NOT_FOUND : IMAGE_STEP_CONFIG, r,
                               "%s", m.config_digest);
                goto fail;
        }
        r = image_config_parse(doc, len, &img->config);
        if (r < 0) {
                r = step_error(ret_err, IMAGE_STEP_CONFIG, r, "%s", m.config_digest);
                goto fail;
        }

        img->layers = xnew(char *, m.n_layers + 1);
        for (size_t i = 0; i < m.n_layers; i++) {
                const char *hex = m.layers[i] + strlen("sha256:");
                _cleanup_free_ char *size_path = xasprintf("layers/sha256/%s/size", hex);

                /* size is written last, after the rename: its presence says whole */
                if (faccessat(dir_fd, size_path, F_OK, AT_EACCESS) < 0) {
                        r = step_error(ret_err,
                                       errno == ENOENT ? IMAGE_STEP_NOT_FOUND : IMAGE_STEP_LAYER,
                                       errno, "%s", m.layers[i]);
                        goto fail;
                }
                img->layers[i] = xasprintf("%s/layers/sha256/%s/root", store_abs, hex);
                img->n_layers++;
        }

        image_manifest_done(&m);
        img->lock_fd = TAKE_FD(lock_fd);
        *ret = img;
        return 0;
fail:
        image_manifest_done(&m);
        image_free(img);
        return r;
}
