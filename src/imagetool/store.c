/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writing the image store: verified blobs and refs, each written aside and
 * put in place by one rename (or link) under the store's lock, so a reader
 * sees a blob or ref whole or not at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "macro.h"
#include "store-write.h"
#include "util.h"

struct BlobWriter {
        Store *store;
        char digest[IMAGE_DIGEST_SIZE];
        int64_t expected_size;
        uint64_t written;
        EVP_MD_CTX *md;
        int fd;
        char *tmp_name; /* below tmp/, when O_TMPFILE is not supported */
        bool verified;
};

/* mkdir -p with mode 0700 for what it creates. */
static int mkdir_parents(const char *path)
{
        _cleanup_free_ char *p = xstrdup(path);

        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, 0700) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(p, 0700) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int store_open(const char *path, Store *ret)
{
        static const char *const dirs[] = { "blobs",         "blobs/sha256", "layers",
                                            "layers/sha256", "refs",         "tmp" };
        _cleanup_close_ int dir_fd = -EBADF, lock_fd = -EBADF;
        int r;

        r = mkdir_parents(path);
        if (r < 0)
                return r;
        dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                if (mkdirat(dir_fd, dirs[i], 0700) < 0 && errno != EEXIST)
                        return -errno;
        lock_fd = openat(dir_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (lock_fd < 0)
                return -errno;
        *ret = (Store){ .dir_fd = TAKE_FD(dir_fd),
                        .path = xstrdup(path),
                        .lock_fd = TAKE_FD(lock_fd) };
        return 0;
}

void store_close(Store *s)
{
        if (!s)
                return;
        if (s->dir_fd >= 0)
                close(s->dir_fd);
        if (s->lock_fd >= 0)
                close(s->lock_fd);
        free(s->path);
        *s = (Store){ .dir_fd = -EBADF, .lock_fd = -EBADF };
}

int store_lock(Store *s)
{
        while (flock(s->lock_fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return -errno;
        return 0;
}

void store_unlock(Store *s)
{
        (void)flock(s->lock_fd, LOCK_UN);
}

char *store_blob_path(const char *digest)
{
        return xasprintf("blobs/sha256/%s", digest + strlen("sha256:"));
}

bool store_has_blob(Store *s, const char *digest)
{
        _cleanup_free_ char *p = NULL;

        if (!image_digest_valid(digest))
                return false;
        p = store_blob_path(digest);
        return faccessat(s->dir_fd, p, F_OK, AT_EACCESS) == 0;
}

bool store_has_layer(Store *s, const char *digest)
{
        _cleanup_free_ char *p = NULL;

        if (!image_digest_valid(digest))
                return false;
        p = xasprintf("layers/sha256/%s/size", digest + strlen("sha256:"));
        return faccessat(s->dir_fd, p, F_OK, AT_EACCESS) == 0;
}

int store_read_blob(Store *s, const char *digest, size_t max, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *p = NULL;

        if (!image_digest_valid(digest))
                return -EINVAL;
        p = store_blob_path(digest);
        return read_file_at(s->dir_fd, p, max, ret, ret_len);
}

int store_digest_of(const void *buf, size_t n, char ret[72])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;

        if (!EVP_Digest(buf, n, md, &len, EVP_sha256(), NULL) || len != 32)
                return -EIO;
        strcpy(ret, "sha256:");
        for (unsigned i = 0; i < len; i++)
                sprintf(ret + 7 + 2 * i, "%02x", md[i]);
        return 0;
}

/* A temporary file below tmp/: unnamed when the file system can (Linux
 * 3.11, most file systems), so a crash leaves nothing behind; named when
 * it is to replace a file (a ref) by one rename. */
static int tmp_file(Store *s, const char *prefix, bool named, char **ret_name)
{
        _cleanup_free_ char *name = NULL;
        int fd;

        if (!named) {
                fd = openat(s->dir_fd, "tmp", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
                if (fd >= 0) {
                        *ret_name = NULL;
                        return fd;
                }
                if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
                        return -errno;
        }
        name = xasprintf("%s/tmp/%s-XXXXXX", s->path, prefix);
        fd = mkostemp(name, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        (void)fchmod(fd, 0644);
        *ret_name = TAKE_PTR(name);
        return fd;
}

/* Put the temporary file in place as rel (relative to the store), under
 * the lock: -EEXIST when something is there already. */
static int tmp_file_commit(Store *s, int fd, const char *tmp_name, const char *rel, bool replace)
{
        int r = 0;

        r = store_lock(s);
        if (r < 0)
                return r;
        if (tmp_name) {
                if (!replace && faccessat(s->dir_fd, rel, F_OK, AT_EACCESS) == 0)
                        r = -EEXIST;
                else if (renameat(AT_FDCWD, tmp_name, s->dir_fd, rel) < 0)
                        r = -errno;
        } else {
                char proc[64];

                snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
                /* linking an O_TMPFILE file by its /proc link, which any user may */
                if (linkat(AT_FDCWD, proc, s->dir_fd, rel, AT_SYMLINK_FOLLOW) < 0)
                        r = -errno;
        }
        store_unlock(s);
        return r;
}

int store_blob_begin(Store *s, const char *digest, int64_t expected_size, BlobWriter **ret)
{
        BlobWriter *w;
        int fd;

        if (!image_digest_valid(digest))
                return -EINVAL;
        w = xnew(BlobWriter, 1);
        fd = tmp_file(s, "blob", false, &w->tmp_name);
        if (fd < 0) {
                free(w);
                return fd;
        }
        w->fd = fd;
        w->store = s;
        w->expected_size = expected_size;
        strcpy(w->digest, digest);
        w->md = EVP_MD_CTX_new();
        if (!w->md || !EVP_DigestInit_ex(w->md, EVP_sha256(), NULL)) {
                store_blob_abort(w);
                return -EIO;
        }
        *ret = w;
        return 0;
}

int store_blob_write(BlobWriter *w, const void *buf, size_t n)
{
        const char *p = buf;
        size_t left = n;

        /* more than announced: stop now rather than fill the disk */
        if (w->expected_size >= 0 && w->written + n > (uint64_t)w->expected_size)
                return -EMSGSIZE;
        if (!EVP_DigestUpdate(w->md, buf, n))
                return -EIO;
        while (left > 0) {
                ssize_t k = write(w->fd, p, left);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                left -= (size_t)k;
        }
        w->written += n;
        return 0;
}

uint64_t store_blob_written(const BlobWriter *w)
{
        return w->written;
}

void store_blob_abort(BlobWriter *w)
{
        if (!w)
                return;
        if (w->fd >= 0)
                close(w->fd);
        if (w->tmp_name) {
                (void)unlink(w->tmp_name);
                free(w->tmp_name);
        }
        EVP_MD_CTX_free(w->md);
        free(w);
}

int store_blob_verify(BlobWriter *w)
{
        unsigned char md[EVP_MAX_MD_SIZE];
        char got[IMAGE_DIGEST_SIZE];
        unsigned len = 0;

        if (w->verified)
                return 0;
        if (w->expected_size >= 0 && w->written != (uint64_t)w->expected_size)
                return -EMSGSIZE;
        if (!EVP_DigestFinal_ex(w->md, md, &len) || len != 32)
                return -EIO;
        strcpy(got, "sha256:");
        for (unsigned i = 0; i < len; i++)
                sprintf(got + 7 + 2 * i, "%02x", md[i]);
        if (!streq(got, w->digest))
                return -EBADMSG;
        w->verified = true;
        return 0;
}

int store_blob_commit(BlobWriter *w)
{
        _cleanup_free_ char *rel = NULL;
        int r;

        r = store_blob_verify(w);
        if (r < 0) {
                store_blob_abort(w);
                return r;
        }
        rel = store_blob_path(w->digest);
        r = tmp_file_commit(w->store, w->fd, w->tmp_name, rel, false);
        /* a concurrent writer put the same verified bytes there first */
        if (r == -EEXIST)
                r = 0;
        store_blob_abort(w);
        return r;
}

int store_set_ref(Store *s, const char *key, const char *manifest_digest)
{
        _cleanup_free_ char *name = image_ref_escape(key), *rel = NULL, *tmp_name = NULL;
        _cleanup_free_ char *content = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t n;
        int r;

        if (!image_digest_valid(manifest_digest))
                return -EINVAL;
        content = xasprintf("%s\n%s\n", manifest_digest, key);
        n = strlen(content);
        fd = tmp_file(s, "ref", true, &tmp_name);
        if (fd < 0)
                return fd;
        if (write(fd, content, n) != (ssize_t)n) {
                r = -errno ?: -EIO;
                goto fail;
        }
        rel = xasprintf("refs/%s", name);
        r = tmp_file_commit(s, fd, tmp_name, rel, true);
        if (r < 0)
                goto fail;
        return 0;
fail:
        if (tmp_name)
                (void)unlink(tmp_name);
        return r;
}
