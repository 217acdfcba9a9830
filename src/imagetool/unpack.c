/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unpacking one layer blob into layers/sha256/<hex>/root as an overlayfs
 * lower directory. The archive is the image author's: every path is
 * checked (no "..", nothing absolute, never through a symlink, hard links
 * to this layer's own files only), device nodes are skipped (an
 * unprivileged user cannot make them, and an image has no business with
 * the host's), no file ends up setuid or setgid for the host's root, and
 * no file capability, trusted.* or security.* attribute is kept.
 * The work runs in a child as the layers' owner (userns.c); it is done in
 * tmp/ and renamed into place whole.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image.h"
#include "macro.h"
#include "unpack.h"
#include "userns.h"

#define WHITEOUT ".wh."
#define OPAQUE ".wh..wh..opq"

typedef struct Extract {
        int blob_fd;
        int root_fd;
        const IdMap *map; /* n_uid 0: the ids are the host's (root) */
} Extract;

/*
 * The entry's path, normalised: "./" prefixes and "." components and
 * trailing slashes dropped. NULL for the root itself; -EXDEV for a path
 * that leaves the layer.
 */
static int normalise(const char *in, char **ret)
{
        _cleanup_free_ char *out = xmalloc(strlen(in) + 1);
        size_t o = 0;
        const char *p = in;

        if (in[0] == '/')
                return -EXDEV;
        while (*p) {
                const char *slash = strchr(p, '/');
                size_t n = slash ? (size_t)(slash - p) : strlen(p);

                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return -EXDEV;
                if (n > 0 && !(n == 1 && p[0] == '.')) {
                        if (o > 0)
                                out[o++] = '/';
                        memcpy(out + o, p, n);
                        o += n;
                }
                p += n;
                if (*p == '/')
                        p++;
        }
        out[o] = '\0';
        *ret = o > 0 ? TAKE_PTR(out) : NULL;
        return 0;
}

/*
 * The directory that holds path's last component, opened component by
 * component below the root without following a symlink, created (0755)
 * where missing when create. *ret_base points into path.
 */
static int open_parent(int root_fd, char *path, bool create, const char **ret_base)
{
        char *slash = strrchr(path, '/');
        int fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);

        if (fd < 0)
                return -errno;
        if (!slash) {
                *ret_base = path;
                return fd;
        }
        *slash = '\0';
        for (char *p = path; p;) {
                char *next = strchr(p, '/');
                int nfd;

                if (next)
                        *next = '\0';
                if (create && mkdirat(fd, p, 0755) < 0 && errno != EEXIST) {
                        int r = -errno;

                        close(fd);
                        return r;
                }
                /* O_NOFOLLOW: a symlink here (ELOOP, ENOTDIR) would lead out */
                nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next)
                        *next = '/';
                close(fd);
                if (nfd < 0)
                        return errno == ELOOP || errno == ENOTDIR ? -EXDEV : -errno;
                fd = nfd;
                p = next ? next + 1 : NULL;
        }
        *slash = '/';
        *ret_base = slash + 1;
        return fd;
}

static bool id_mapped(const Extract *x, bool uid, unsigned id, unsigned *ret_outside)
{
        unsigned o;

        if (x->map->n_uid == 0) {
                *ret_outside = id;
                return true;
        }
        o = uid ? idmap_to_outside(x->map->uid, x->map->n_uid, id)
                : idmap_to_outside(x->map->gid, x->map->n_gid, id);
        *ret_outside = o;
        return o != (unsigned)-1;
}

/* Owner and mode of what pfd/name is now: the image's ids where the map
 * has them, and setuid/setgid dropped where they would be the host
 * root's (or the owner is not the image's). */
static int apply_meta(const Extract *x, int pfd, const char *name, struct archive_entry *e,
                      UnpackResult *res)
{
        unsigned uid = (unsigned)archive_entry_uid(e), gid = (unsigned)archive_entry_gid(e);
        unsigned ou, og;
        bool mu = id_mapped(x, true, uid, &ou), mg = id_mapped(x, false, gid, &og);
        mode_t type = archive_entry_filetype(e);
        mode_t mode = archive_entry_perm(e) & 07777;
        struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT } };

        if (!mu || !mg)
                res->unmapped++;
        if (fchownat(pfd, name, mu ? uid : (uid_t)-1, mg ? gid : (gid_t)-1, AT_SYMLINK_NOFOLLOW) <
                    0 &&
            errno != EINVAL)
                return -errno;
        if ((mode & S_ISUID) && (!mu || ou == 0)) {
                mode &= ~(mode_t)S_ISUID;
                res->setid_dropped++;
        }
        /* a setgid directory only passes its group on: harmless */
        if ((mode & S_ISGID) && type != AE_IFDIR && (!mg || og == 0)) {
                mode &= ~(mode_t)S_ISGID;
                res->setid_dropped++;
        }
        if (type != AE_IFLNK && fchmodat(pfd, name, mode, 0) < 0)
                return -errno;
        ts[1].tv_sec = archive_entry_mtime(e);
        ts[1].tv_nsec = archive_entry_mtime_nsec(e);
        if (type != AE_IFDIR)
                (void)utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW);
        return 0;
}

/*
 * The archive's extended attributes that mean something in a lower layer:
 * user.* only, and not overlay's own (which only the unpack sets). Never
 * security.capability: the instance's root is mounted nosuid, which
 * ignores file capabilities, so the only place one would work is the
 * host, where root (unpacking with no user namespace) would write a
 * capability of the host's own for any user who reached the file.
 */
static void apply_xattrs(int pfd, const char *name, struct archive_entry *e)
{
        const char *key;
        const void *value;
        size_t size;
        int fd;

        if (archive_entry_xattr_reset(e) == 0 || archive_entry_filetype(e) == AE_IFLNK)
                return;
        fd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return;
        while (archive_entry_xattr_next(e, &key, &value, &size) == ARCHIVE_OK) {
                if (startswith(key, "user.") && !startswith(key, "user.overlay."))
                        (void)fsetxattr(fd, key, value, size, 0);
        }
        close(fd);
}

static int remove_existing(int pfd, const char *name, bool keep_dir)
{
        struct stat st;

        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (S_ISDIR(st.st_mode)) {
                if (keep_dir)
                        return 1;
                /* a directory replaced by a file within one layer: only an empty one */
                return unlinkat(pfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
        }
        return unlinkat(pfd, name, 0) < 0 ? -errno : 0;
}

static int write_data(struct archive *a, int fd)
{
        const void *buf;
        size_t size;
        la_int64_t offset;
        int r;

        while ((r = archive_read_data_block(a, &buf, &size, &offset)) == ARCHIVE_OK) {
                const char *p = buf;

                while (size > 0) {
                        ssize_t k = pwrite(fd, p, size, offset);

                        if (k < 0) {
                                if (errno == EINTR)
                                        continue;
                                return -errno;
                        }
                        p += k;
                        size -= (size_t)k;
                        offset += k;
                }
        }
        return r == ARCHIVE_EOF ? 0 : -EIO;
}

static int whiteout(int pfd, const char *name)
{
        if (!*name || streq(name, ".") || streq(name, "..") || strchr(name, '/'))
                return -EXDEV;
        (void)remove_existing(pfd, name, false);
        /* a 0:0 character device: overlayfs' whiteout, which any user may
         * make since Linux 5.8 */
        if (mknodat(pfd, name, S_IFCHR | 0000, makedev(0, 0)) < 0)
                return -errno;
        return 0;
}

static int extract_entry(const Extract *x, struct archive *a, struct archive_entry *e,
                         UnpackResult *res)
{
        _cleanup_free_ char *path = NULL, *target = NULL;
        _cleanup_close_ int pfd = -EBADF;
        const char *name, *hardlink = archive_entry_hardlink(e);
        mode_t type = archive_entry_filetype(e);
        int r;

        r = normalise(archive_entry_pathname(e) ?: "", &path);
        if (r < 0)
                return r;
        if (!path)
                return 0; /* "./": the root, made by the unpack itself */
        pfd = open_parent(x->root_fd, path, true, &name);
        if (pfd < 0)
                return pfd;

        if (startswith(name, WHITEOUT)) {
                if (streq(name, OPAQUE))
                        return fsetxattr(pfd, "user.overlay.opaque", "y", 1, 0) < 0 ? -errno : 0;
                if (startswith(name, WHITEOUT WHITEOUT))
                        return 0; /* aufs' own bookkeeping (.wh..wh.plnk): not for overlayfs */
                return whiteout(pfd, name + strlen(WHITEOUT));
        }

        if (hardlink) {
                _cleanup_close_ int tfd = -EBADF;
                const char *tname;

                r = normalise(hardlink, &target);
                if (r < 0)
                        return r;
                if (!target)
                        return -EXDEV;
                tfd = open_parent(x->root_fd, target, false, &tname);
                if (tfd < 0)
                        return tfd == -ENOENT ? -EXDEV : tfd;
                r = remove_existing(pfd, name, false);
                if (r < 0)
                        return r;
                if (linkat(tfd, tname, pfd, name, 0) < 0)
                        return errno == ENOENT ? -EXDEV : -errno;
                return 0;
        }

        switch (type) {
        case AE_IFDIR:
                r = remove_existing(pfd, name, true);
                if (r < 0)
                        return r;
                if (r == 0 && mkdirat(pfd, name, 0700) < 0)
                        return -errno;
                break;
        case AE_IFREG: {
                _cleanup_close_ int fd = -EBADF;

                r = remove_existing(pfd, name, false);
                if (r < 0)
                        return r;
                fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0)
                        return -errno;
                r = write_data(a, fd);
                if (r < 0)
                        return r;
                /* a sparse file's hole at its end */
                if (ftruncate(fd, archive_entry_size(e)) < 0)
                        return -errno;
                res->size += (uint64_t)archive_entry_size(e);
                break;
        }
        case AE_IFLNK:
                r = remove_existing(pfd, name, false);
                if (r < 0)
                        return r;
                /* a symlink may point anywhere: it is resolved in the instance's root */
                if (symlinkat(archive_entry_symlink(e) ?: "", pfd, name) < 0)
                        return -errno;
                res->size += strlen(archive_entry_symlink(e) ?: "");
                break;
        case AE_IFIFO:
                r = remove_existing(pfd, name, false);
                if (r < 0)
                        return r;
                if (mkfifoat(pfd, name, 0600) < 0)
                        return -errno;
                break;
        case AE_IFCHR:
                if (archive_entry_rdevmajor(e) == 0 && archive_entry_rdevminor(e) == 0)
                        return whiteout(pfd, name); /* already in overlayfs' form */
                res->devices_skipped++;
                return 0;
        default:
                /* block devices, sockets */
                res->devices_skipped++;
                return 0;
        }
        r = apply_meta(x, pfd, name, e, res);
        if (r < 0)
                return r;
        apply_xattrs(pfd, name, e);
        return 0;
}

static int extract(void *arg, void *out)
{
        Extract *x = arg;
        UnpackResult *res = out;
        struct archive *a = archive_read_new();
        struct archive_entry *e;
        int r = 0, k;

        archive_read_support_filter_all(a);
        archive_read_support_format_tar(a);
        if (archive_read_open_fd(a, x->blob_fd, 128 * 1024) != ARCHIVE_OK) {
                snprintf(res->detail, sizeof(res->detail), "%s", archive_error_string(a) ?: "");
                archive_read_free(a);
                return -EBADMSG;
        }
        while ((k = archive_read_next_header(a, &e)) == ARCHIVE_OK || k == ARCHIVE_WARN) {
                r = extract_entry(x, a, e, res);
                if (r < 0) {
                        snprintf(res->detail, sizeof(res->detail), "%s",
                                 archive_entry_pathname(e) ?: "");
                        break;
                }
        }
        if (r == 0 && k != ARCHIVE_EOF) {
                snprintf(res->detail, sizeof(res->detail), "%s", archive_error_string(a) ?: "");
                r = -EBADMSG;
        }
        archive_read_free(a);
        return r;
}

int store_unpack_layer(Store *s, const IdMap *m, const char *digest, UnpackResult *ret_res)
{
        _cleanup_free_ char *blob = NULL, *work = NULL, *final = NULL, *size = NULL;
        _cleanup_close_ int blob_fd = -EBADF, tmp_fd = -EBADF, root_fd = -EBADF;
        const char *hex = digest + strlen("sha256:");
        UnpackResult res = {};
        const char *names[1];
        char *slash;
        int r;

        if (!image_digest_valid(digest))
                return -EINVAL;
        *ret_res = res;
        blob = store_blob_path(digest);
        if (store_has_layer(s, digest)) {
                /* a concurrent import may have put the archive back after the
                 * unpack removed it */
                if (store_has_blob(s, digest) && store_lock(s) >= 0) {
                        (void)unlinkat(s->dir_fd, blob, 0);
                        store_unlock(s);
                }
                return 0;
        }
        blob_fd = openat(s->dir_fd, blob, O_RDONLY | O_CLOEXEC);
        if (blob_fd < 0) {
                /* a concurrent unpack finished and removed the blob */
                if (errno == ENOENT && store_has_layer(s, digest))
                        return 0;
                return -errno;
        }

        tmp_fd = openat(s->dir_fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (tmp_fd < 0)
                return -errno;
        work = xasprintf("%s/tmp/layer-%.12s-XXXXXX", s->path, hex);
        if (!mkdtemp(work))
                return -errno;
        (void)chmod(work, 0755);
        slash = strrchr(work, '/');
        names[0] = slash + 1;
        root_fd = -EBADF;
        {
                _cleanup_free_ char *root = xasprintf("%s/root", work);

                if (mkdir(root, 0755) < 0) {
                        r = -errno;
                        goto fail;
                }
                root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (root_fd < 0) {
                        r = -errno;
                        goto fail;
                }
        }

        r = userns_run(m, extract, &(Extract){ .blob_fd = blob_fd, .root_fd = root_fd, .map = m },
                       &res, sizeof(res));
        res.detail[sizeof(res.detail) - 1] = '\0';
        if (r < 0)
                goto fail;

        /* size inside the directory before the rename: whatever is under
         * layers/ is whole, with its size */
        size = xasprintf("%s/size", work);
        {
                FILE *f = fopen(size, "we");

                if (!f) {
                        r = -errno;
                        goto fail;
                }
                fprintf(f, "%llu\n", (unsigned long long)res.size);
                if (fclose(f) != 0) {
                        r = -errno;
                        goto fail;
                }
        }
        final = xasprintf("layers/sha256/%s", hex);
        r = store_lock(s);
        if (r < 0)
                goto fail;
        if (renameat(tmp_fd, names[0], s->dir_fd, final) < 0) {
                r = -errno;
                /* unpacked by a concurrent import in the meantime: keep that one */
                if ((r == -EEXIST || r == -ENOTEMPTY) && store_has_layer(s, digest))
                        r = 0;
                store_unlock(s);
                (void)userns_rm_rf(m, tmp_fd, names, 1);
                *ret_res = res;
                return r;
        }
        /* the archive is no longer needed: the directory is the layer */
        (void)unlinkat(s->dir_fd, blob, 0);
        store_unlock(s);
        *ret_res = res;
        return 0;
fail:
        *ret_res = res;
        (void)userns_rm_rf(m, tmp_fd, names, 1);
        return r;
}
