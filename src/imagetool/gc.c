/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the store holds (ns images ls) and taking out what no image uses
 * (rm, prune). Removals run under the store's lock, exclusively: ns run
 * holds it shared from image_open() until its layers are mounted. The
 * import lock keeps them from running under an import, whose blobs are in
 * place before the ref that makes them used.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gc.h"
#include "image.h"
#include "macro.h"
#include "userns.h"
#include "util.h"

int store_import_lock(Store *s, bool exclusive)
{
        int fd = openat(s->dir_fd, "import.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);

        if (fd < 0)
                return -errno;
        while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
                if (errno != EINTR) {
                        int r = -errno;

                        close(fd);
                        return r;
                }
        return fd;
}

char *store_key_display(const char *key)
{
        char *s, *p;

        if (!startswith(key, "path:"))
                return xstrdup(key);
        /* path:<realpath>:<dev>:<ino>:<size>:<mtime> */
        s = xstrdup(key + strlen("path:"));
        for (int i = 0; i < 4; i++) {
                p = strrchr(s, ':');
                if (p)
                        *p = '\0';
        }
        return s;
}

static uint64_t layer_size(Store *s, const char *digest)
{
        _cleanup_free_ char *p = xasprintf("layers/sha256/%s/size", digest + strlen("sha256:"));
        char buf[32];

        if (read_small_at(s->dir_fd, p, buf, sizeof(buf)) < 0)
                return 0;
        return strtoull(buf, NULL, 10);
}

void store_entries_free(StoreEntry *e, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(e[i].file);
                free(e[i].key);
                free(e[i].display);
                image_strv_free(e[i].layers);
                free(e[i].layer_sizes);
        }
        free(e);
}

int store_list(Store *s, StoreEntry **ret, size_t *ret_n)
{
        _cleanup_close_ int fd = openat(s->dir_fd, "refs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        StoreEntry *v = NULL;
        struct dirent *de;
        size_t n = 0;
        DIR *d;

        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d)
                return -errno;
        fd = -EBADF;
        while ((de = readdir(d))) {
                _cleanup_free_ char *rel = NULL, *buf = NULL, *doc = NULL;
                ImageManifest m = {};
                StoreEntry *e;
                char *nl;
                size_t len;

                if (de->d_name[0] == '.')
                        continue;
                rel = xasprintf("refs/%s", de->d_name);
                if (read_file_at(s->dir_fd, rel, 64 * 1024, &buf, &len) < 0)
                        continue;
                nl = strchr(buf, '\n');
                if (!nl)
                        continue;
                *nl = '\0';
                v = xreallocarray(v, n + 1, sizeof(StoreEntry));
                e = &v[n++];
                *e = (StoreEntry){ .file = xstrdup(de->d_name) };
                snprintf(e->digest, sizeof(e->digest), "%s", buf);
                {
                        char *key = nl + 1, *end = strchr(key, '\n');

                        if (end)
                                *end = '\0';
                        e->key = xstrdup(*key ? key : de->d_name);
                }
                e->display = store_key_display(e->key);
                if (!image_digest_valid(e->digest) ||
                    image_store_read_doc(s->dir_fd, e->digest, &doc, &len) < 0 ||
                    image_manifest_parse(doc, len, &m) < 0)
                        continue; /* listed, with no layers: broken */
                e->layers = TAKE_PTR(m.layers);
                e->n_layers = m.n_layers;
                snprintf(e->config, sizeof(e->config), "%s", m.config_digest);
                image_manifest_done(&m);
                e->layer_sizes = xnew(uint64_t, e->n_layers ? e->n_layers : 1);
                for (size_t i = 0; i < e->n_layers; i++) {
                        e->layer_sizes[i] = layer_size(s, e->layers[i]);
                        e->size += e->layer_sizes[i];
                }
        }
        closedir(d);
        *ret = v;
        *ret_n = n;
        return 0;
}

/* Whether a path key still names the archive as it was imported: a key
 * for a file rewritten, or gone, can never be asked for again. */
static bool key_stale(const char *key)
{
        _cleanup_free_ char *path = NULL, *now = NULL;

        if (!startswith(key, "path:"))
                return false;
        path = store_key_display(key);
        if (image_ref_key(path, &now) < 0)
                return true;
        return !streq(now, key);
}

typedef struct Names {
        char **v;
        size_t n;
} Names;

static void names_add(Names *s, const char *name)
{
        s->v = xreallocarray(s->v, s->n + 1, sizeof(char *));
        s->v[s->n++] = xstrdup(name);
}

static void names_free(Names *s)
{
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i]);
        free(s->v);
        *s = (Names){};
}

static bool in_entries(const StoreEntry *e, size_t n, const char *hex, bool layers_only)
{
        for (size_t i = 0; i < n; i++) {
                if (!layers_only &&
                    (startswith(e[i].digest, "sha256:") && streq(e[i].digest + 7, hex)))
                        return true;
                if (!layers_only && e[i].config[0] && streq(e[i].config + 7, hex))
                        return true;
                for (size_t j = 0; j < e[i].n_layers; j++)
                        if (streq(e[i].layers[j] + 7, hex))
                                return true;
        }
        return false;
}

/* Remove every entry of directory rel (of the store) that no image in e
 * uses, as the layers' owner. */
static int sweep(Store *s, const IdMap *m, const char *rel, const StoreEntry *e, size_t n,
                 bool layers, GcResult *res)
{
        _cleanup_close_ int fd = openat(s->dir_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        Names gone = {};
        struct dirent *de;
        DIR *d;
        int r;

        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        d = fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 3));
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (in_entries(e, n, de->d_name, layers))
                        continue;
                if (layers) {
                        _cleanup_free_ char *digest = xasprintf("sha256:%s", de->d_name);

                        res->layers++;
                        res->bytes += layer_size(s, digest);
                } else {
                        res->blobs++;
                }
                names_add(&gone, de->d_name);
        }
        closedir(d);
        r = userns_rm_rf(m, fd, (const char *const *)gone.v, gone.n);
        names_free(&gone);
        return r;
}

int store_gc(Store *s, const IdMap *m, bool prune, GcResult *ret)
{
        _cleanup_close_ int tmp_fd = -EBADF;
        StoreEntry *e = NULL;
        GcResult res = {};
        Names tmp = {};
        size_t n = 0;
        int r;

        r = store_list(s, &e, &n);
        if (r < 0)
                return r;
        if (prune)
                for (size_t i = 0; i < n; i++)
                        if (key_stale(e[i].key)) {
                                _cleanup_free_ char *rel = xasprintf("refs/%s", e[i].file);

                                if (unlinkat(s->dir_fd, rel, 0) == 0)
                                        res.refs++;
                                /* used by nothing now */
                                image_strv_free(e[i].layers);
                                e[i].layers = NULL;
                                e[i].n_layers = 0;
                                e[i].digest[0] = e[i].config[0] = '\0';
                        }
        r = sweep(s, m, "layers/sha256", e, n, true, &res);
        if (r >= 0)
                r = sweep(s, m, "blobs/sha256", e, n, false, &res);
        /* work an interrupted import left: no import runs now (the import lock) */
        if (r >= 0 && prune) {
                tmp_fd = openat(s->dir_fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (tmp_fd >= 0) {
                        DIR *d = fdopendir(fcntl(tmp_fd, F_DUPFD_CLOEXEC, 3));
                        struct dirent *de;

                        while (d && (de = readdir(d)))
                                if (de->d_name[0] != '.')
                                        names_add(&tmp, de->d_name);
                        if (d)
                                closedir(d);
                        res.tmp = tmp.n;
                        r = userns_rm_rf(m, tmp_fd, (const char *const *)tmp.v, tmp.n);
                        names_free(&tmp);
                }
        }
        store_entries_free(e, n);
        *ret = res;
        return r;
}
