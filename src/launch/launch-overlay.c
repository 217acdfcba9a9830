/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The root of ns run --image: the image's layers, read-only directories of
 * the store, stacked by overlayfs with a tmpfs upper layer, so that the
 * root is writable and every write vanishes with the instance (or no upper
 * at all with --read-only). Mounted by the payload inside the instance's
 * user namespace: unprivileged overlayfs (Linux 5.11) with "userxattr",
 * which reads whiteouts' and opaque directories' marks from user.overlay.*
 * as the store writes them.
 *
 * Below the image's layers sits one more, made here: the mount points the
 * instance needs (proc, dev, tmp, sys) as empty directories, so that an
 * image without them still gets its /proc and /dev, read-only or not.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "launch-internal.h"
#include "util.h"

#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 0x00000001
#endif

static const char *const base_dirs[] = { "proc", "dev", "tmp", "sys" };

static int fail_at(LaunchError *e, LaunchStage stage, int err, const char *detail)
{
        return step_error(e, (int)stage, err, "%s", detail);
}

/*
 * What overlayfs said about a failure, from the file system context's log
 * (the "e overlayfs: ..." lines a read of the fsopen fd returns), for the
 * message. Empty when it said nothing.
 */
static void context_log(int fsfd, char *buf, size_t size)
{
        char line[256];
        ssize_t k;

        buf[0] = '\0';
        while ((k = read(fsfd, line, sizeof(line) - 1)) > 0) {
                line[k] = '\0';
                /* "e " error, "w " warning, "i " info: keep the last error */
                if (line[0] == 'e' && line[1] == ' ')
                        snprintf(buf, size, "%s", line + 2);
        }
}

/* Escape a path for overlayfs' lowerdir= option: ':' separates layers and
 * ',' options; a backslash escapes both (and itself). */
static void append_escaped(char **s, size_t *len, const char *path)
{
        for (const char *p = path; *p; p++) {
                bool esc = *p == ':' || *p == ',' || *p == '\\';

                *s = xrealloc(*s, *len + 3);
                if (esc)
                        (*s)[(*len)++] = '\\';
                (*s)[(*len)++] = *p;
                (*s)[*len] = '\0';
        }
}

/*
 * Before Linux 6.8 (no "lowerdir+"): the layers in one lowerdir= option of
 * mount(2), which the kernel takes up to a page (4096 bytes). The layers
 * are named by their fds (/proc/self/fd/N, top first): short, and they
 * still lead to the layers under the scratch mount.
 */
static int overlay_mount_legacy(const int *fds, size_t n, const char *upper, const char *work,
                                bool ro, const char *target)
{
        _cleanup_free_ char *opts = xstrdup("lowerdir=");
        size_t len = strlen(opts);
        char fdpath[32];

        for (size_t i = 0; i < n; i++) {
                if (i > 0) {
                        opts = xrealloc(opts, len + 2);
                        opts[len++] = ':';
                        opts[len] = '\0';
                }
                snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fds[i]);
                append_escaped(&opts, &len, fdpath);
        }
        {
                _cleanup_free_ char *tail =
                        upper ? xasprintf("%s,upperdir=%s,workdir=%s,userxattr", opts, upper, work)
                              : xasprintf("%s,userxattr", opts);
                free(opts);
                opts = TAKE_PTR(tail);
        }
        if (strlen(opts) >= 4096)
                return -E2BIG;
        if (mount("overlay", target, "overlay", MS_NOSUID | MS_NODEV | (ro ? MS_RDONLY : 0), opts) <
            0)
                return -errno;
        return 0;
}

/* The scratch tmpfs's directories: upper, work and the base layer. The
 * root of an overlay takes the owner and mode of its upper directory (of
 * its top layer when read-only): the image's, where its owner is mapped
 * here. */
static int make_scratch(const char *scratch, const struct stat *top, bool ro)
{
        _cleanup_free_ char *base = xasprintf("%s/base", scratch);

        if (mkdir(base, 0755) < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(base_dirs); i++) {
                _cleanup_free_ char *d = xasprintf("%s/%s", base, base_dirs[i]);
                if (mkdir(d, 0755) < 0)
                        return -errno;
        }
        if (!ro) {
                _cleanup_free_ char *upper = xasprintf("%s/upper", scratch),
                                    *work = xasprintf("%s/work", scratch);

                if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0)
                        return -errno;
                if (chown(upper, top->st_uid, top->st_gid) < 0 && errno != EINVAL && errno != EPERM)
                        return -errno;
                if (chmod(upper, top->st_mode & 07777) < 0)
                        return -errno;
        }
        return 0;
}

static int config_string(int fsfd, const char *key, const char *value, char *log, size_t size)
{
        int err;

        if (fsconfig(fsfd, value ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, key, value, 0) >= 0)
                return 0;
        err = errno;
        context_log(fsfd, log, size);
        return -err;
}

int launch_overlay_setup(const LaunchConfig *c, const char *target, LaunchError *ret_err)
{
        size_t n = c->n_lowerdirs;
        _cleanup_free_ int *fds = NULL;
        _cleanup_free_ char *base = NULL, *upper = NULL, *work = NULL;
        _cleanup_close_ int fsfd = -EBADF, mfd = -EBADF;
        char log[sizeof(ret_err->detail) - 32] = "";
        struct stat top;
        bool legacy = false;
        int r;

        if (n == 0)
                return fail_at(ret_err, LAUNCH_STAGE_OVERLAY, EINVAL, "no layers");

        /* Each layer held by an fd, top first, before the scratch tmpfs
         * covers target; the last slot is the base layer's. */
        fds = xnew(int, n + 1);
        for (size_t i = 0; i <= n; i++)
                fds[i] = -EBADF;
        for (size_t i = 0; i < n; i++) {
                const char *path = c->lowerdirs[n - 1 - i];

                fds[i] = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fds[i] < 0) {
                        r = fail_at(ret_err, LAUNCH_STAGE_ROOT, errno, path);
                        goto out;
                }
        }
        if (fstat(fds[0], &top) < 0) {
                r = fail_at(ret_err, LAUNCH_STAGE_ROOT, errno, c->lowerdirs[n - 1]);
                goto out;
        }

        /* The new mount API (fsopen: Linux 5.2), one "lowerdir+" per layer
         * (Linux 6.8): no limit on the number of layers or the length of
         * their paths, and the kernel's own words when it refuses. The
         * paths are resolved now, while they still lead to the layers. */
        fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fsfd < 0 && errno != ENOSYS) {
                r = fail_at(ret_err, LAUNCH_STAGE_OVERLAY, errno, "");
                goto out;
        }
        legacy = fsfd < 0;
        for (size_t i = 0; !legacy && i < n; i++) {
                r = config_string(fsfd, "lowerdir+", c->lowerdirs[n - 1 - i], log, sizeof(log));
                if (r == -EINVAL && i == 0) {
                        /* an unknown parameter: a kernel before 6.8 */
                        legacy = fsfd < 0;
                        closep(&fsfd);
                        break;
                }
                if (r < 0) {
                        r = fail_at(ret_err, LAUNCH_STAGE_OVERLAY, -r, log);
                        goto out;
                }
        }

        /* The scratch: a tmpfs of the instance's own over target (out of
         * sight once the root is switched), for the upper and work
         * directories and the base layer. Memory only: the writes go with
         * the instance. */
        if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
                r = fail_at(ret_err, LAUNCH_STAGE_MOUNT, errno, target);
                goto out;
        }
        r = make_scratch(target, &top, c->read_only);
        if (r < 0) {
                r = fail_at(ret_err, LAUNCH_STAGE_MOUNT, -r, target);
                goto out;
        }
        base = xasprintf("%s/base", target);
        if (!c->read_only) {
                upper = xasprintf("%s/upper", target);
                work = xasprintf("%s/work", target);
        }

        if (legacy) {
                fds[n] = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fds[n] < 0) {
                        r = fail_at(ret_err, LAUNCH_STAGE_MOUNT, errno, base);
                        goto out;
                }
                r = overlay_mount_legacy(fds, n + 1, upper, work, c->read_only, target);
                if (r < 0)
                        r = fail_at(ret_err, LAUNCH_STAGE_OVERLAY, -r, "");
                goto out;
        }

        r = config_string(fsfd, "lowerdir+", base, log, sizeof(log));
        if (r >= 0 && upper)
                r = config_string(fsfd, "upperdir", upper, log, sizeof(log));
        if (r >= 0 && work)
                r = config_string(fsfd, "workdir", work, log, sizeof(log));
        /* user.overlay.* marks rather than trusted.* (which needs the
         * host's CAP_SYS_ADMIN): Linux 5.11. */
        if (r >= 0)
                r = config_string(fsfd, "userxattr", NULL, log, sizeof(log));
        if (r >= 0 && fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
                r = -errno;
                context_log(fsfd, log, sizeof(log));
        }
        if (r < 0) {
                r = fail_at(ret_err, LAUNCH_STAGE_OVERLAY, -r, log);
                goto out;
        }
        mfd = fsmount(fsfd, FSMOUNT_CLOEXEC,
                      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                              (c->read_only ? MOUNT_ATTR_RDONLY : 0));
        if (mfd < 0) {
                r = fail_at(ret_err, LAUNCH_STAGE_OVERLAY, errno, "");
                goto out;
        }
        /* Stacked over the scratch, at the same path. */
        if (move_mount(mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
                r = fail_at(ret_err, LAUNCH_STAGE_OVERLAY, errno, target);
                goto out;
        }
        r = 0;
out:
        for (size_t i = 0; i <= n; i++)
                closep(&fds[i]);
        return r;
}
