/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The instance's file system view, built by pid 1 in its new mount
 * namespace: the root made read-only, nosuid and nodev in one
 * mount_setattr() call (so the cost does not grow with the host's mount
 * count), a fresh /proc, a minimal /dev, tmpfs /tmp, host secrets masked,
 * and the user's --map/--vol/--tmpfs. Nothing is written to any disk: every
 * mount point made here is on a tmpfs of the instance's own.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "launch-internal.h"
#include "util.h"

/* Note what failed, for the message; returns -err. */
static int fail_at(LaunchError *e, LaunchStage stage, int err, const char *path)
{
        return step_error(e, (int)stage, err, "%s", path ?: "");
}

static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

static const struct {
        const char *name;
        const char *target;
} dev_links[] = {
        { "ptmx", "pts/ptmx" },          { "fd", "/proc/self/fd" },
        { "stdin", "/proc/self/fd/0" },  { "stdout", "/proc/self/fd/1" },
        { "stderr", "/proc/self/fd/2" },
};

/* Host sockets that hand out power over the host: container engines and the
 * system bus. Each is covered by /dev/null where it exists. (The user's own
 * runtime directory, with the session bus, gets an empty tmpfs.) */
static const char *const masked_sockets[] = {
        "/run/docker.sock",
        "/run/containerd/containerd.sock",
        "/run/crio/crio.sock",
        "/run/dbus/system_bus_socket",
};
static const char *const masked_dirs[] = {
        "/run/podman", "/run/docker", NULL, /* /run/user/$UID */
};

static int setattr(int dfd, const char *path, unsigned flags, uint64_t set, uint64_t clr,
                   uint64_t propagation)
{
        struct mount_attr attr = {
                .attr_set = set,
                .attr_clr = clr,
                .propagation = propagation,
        };

        /* Linux 5.12 */
        return mount_setattr(dfd, path, flags, &attr, sizeof(attr)) < 0 ? -errno : 0;
}

/* Attach a detached tree (from open_tree) at path. */
static int attach(int fd, const char *path)
{
        return move_mount(fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0;
}

/* A copy of a host tree, detached, for a bind mount made later. */
static int clone_tree(int dfd, const char *path, bool recursive)
{
        int fd = open_tree(dfd, path,
                           OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
        return fd < 0 ? -errno : fd;
}

/* The tmpfs mounts of the instance's own (/tmp, each --tmpfs), by device:
 * the only places where a missing mount point may be made. */
typedef struct OwnTmpfs {
        dev_t dev[64];
        size_t n;
} OwnTmpfs;

static void own_tmpfs_add(OwnTmpfs *t, const char *path)
{
        struct stat st;

        if (t->n < ELEMENTSOF(t->dev) && stat(path, &st) == 0)
                t->dev[t->n++] = st.st_dev;
}

static bool own_tmpfs_has(const OwnTmpfs *t, dev_t dev)
{
        for (size_t i = 0; i < t->n; i++)
                if (t->dev[i] == dev)
                        return true;
        return false;
}

/*
 * A mount point that does not exist may be made only on a tmpfs of the
 * instance's own (/tmp, or a --tmpfs): never on a disk, even with --build,
 * and never in a host directory bound in by --vol, even a host tmpfs.
 * -ENOENT when the closest existing parent is elsewhere.
 */
static int make_mountpoint(const char *path, bool dir, const OwnTmpfs *own)
{
        _cleanup_free_ char *p = xstrdup(path), *parent = NULL;
        struct stat st;
        char *slash;
        int r;

        parent = xstrdup(path);
        for (;;) {
                slash = strrchr(parent, '/');
                if (!slash)
                        return -ENOENT;
                if (slash == parent)
                        slash[1] = '\0';
                else
                        slash[0] = '\0';
                if (stat(parent, &st) == 0)
                        break;
                if (errno != ENOENT)
                        return -errno;
                if (streq(parent, "/"))
                        return -ENOENT;
        }
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        if (!own_tmpfs_has(own, st.st_dev))
                return -ENOENT;

        /* mkdir -p, then the last component. */
        for (char *s = p + 1; (s = strchr(s, '/')); s++) {
                *s = '\0';
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (dir)
                r = mkdir(p, 0755) < 0 && errno != EEXIST ? -errno : 0;
        else {
                int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOCTTY, 0644);
                r = fd < 0 ? -errno : 0;
                if (fd >= 0)
                        close(fd);
        }
        return r;
}

/* mkdir -p, in the instance's own view. */
static int mkdir_parents(const char *path)
{
        _cleanup_free_ char *p = xstrdup(path);

        for (char *s = p + 1; (s = strchr(s, '/')); s++) {
                *s = '\0';
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        return mkdir(p, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static int ensure_mountpoint(const char *path, bool dir, const OwnTmpfs *own)
{
        struct stat st;

        if (stat(path, &st) == 0)
                return 0;
        if (errno != ENOENT)
                return -errno;
        return make_mountpoint(path, dir, own);
}

/* Is path at or below dir (both absolute, as given)? */
static bool path_below(const char *path, const char *dir)
{
        size_t n = strlen(dir);

        while (n > 1 && dir[n - 1] == '/')
                n--;
        return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0' || n == 1);
}

/*
 * Why a mount point could not be made: when its closest mount is an
 * earlier --vol or --map, the host's directory would have to change
 * (EXDEV, for the message); else it is not on a tmpfs of the instance's
 * (ENOENT).
 */
static int missing_reason(const LaunchConfig *c, size_t i)
{
        const LaunchMount *best = NULL;

        for (size_t j = 0; j < i; j++)
                if (path_below(c->mounts[i].dst, c->mounts[j].dst) &&
                    (!best || strlen(c->mounts[j].dst) >= strlen(best->dst)))
                        best = &c->mounts[j];
        return best && best->type != LAUNCH_MOUNT_TMPFS ? EXDEV : ENOENT;
}

/* /dev: a small tmpfs with the host's harmless nodes bound in, its own
 * devpts and shm, made read-only once filled. */
static int setup_dev(const LaunchChild *ch, const int node_fds[], int shm_fd, int spare_proc_fd,
                     LaunchError *ret_err)
{
        char path[64];
        int r;

        if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") < 0)
                return fail_at(ret_err, LAUNCH_STAGE_MOUNT, errno, "/dev");
        for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
                int fd;

                if (node_fds[i] < 0)
                        continue;
                snprintf(path, sizeof(path), "/dev/%s", dev_nodes[i]);
                fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOCTTY, 0666);
                if (fd < 0)
                        return fail_at(ret_err, LAUNCH_STAGE_MOUNT, errno, path);
                close(fd);
                r = attach(node_fds[i], path);
                if (r < 0)
                        return fail_at(ret_err, LAUNCH_STAGE_MOUNT, -r, path);
        }
        for (size_t i = 0; i < ELEMENTSOF(dev_links); i++) {
                snprintf(path, sizeof(path), "/dev/%s", dev_links[i].name);
                if (symlink(dev_links[i].target, path) < 0)
                        return fail_at(ret_err, LAUNCH_STAGE_MOUNT, errno, path);
        }
        if (mkdir("/dev/pts", 0755) < 0 || mkdir("/dev/shm", 01777) < 0)
                return fail_at(ret_err, LAUNCH_STAGE_MOUNT, errno, "/dev");
        if (spare_proc_fd >= 0) {
                /* See cover_proc(): under /dev/pts, hidden by the devpts
                 * mounted over it next. */
                if (mkdir("/dev/pts/proc", 0) < 0)
                        return fail_at(ret_err, LAUNCH_STAGE_MOUNT, errno, "/dev/pts/proc");
                r = attach(spare_proc_fd, "/dev/pts/proc");
                if (r < 0)
                        return fail_at(ret_err, LAUNCH_STAGE_MOUNT, -r, "/dev/pts/proc");
        }
        /* Its own pty instance: the host's ptys stay out of reach. */
        if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                  "newinstance,ptmxmode=0666,mode=620") < 0)
                return fail_at(ret_err, LAUNCH_STAGE_MOUNT, errno, "/dev/pts");
        if (shm_fd >= 0) {
                /* --share=ipc: POSIX shared memory lives in the host's /dev/shm. */
                r = attach(shm_fd, "/dev/shm");
                if (r < 0)
                        return fail_at(ret_err, LAUNCH_STAGE_MOUNT, -r, "/dev/shm");
        } else if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
                return fail_at(ret_err, LAUNCH_STAGE_MOUNT, errno, "/dev/shm");
        r = setattr(AT_FDCWD, "/dev", 0, MOUNT_ATTR_RDONLY, 0, 0);
        if (r < 0)
                return fail_at(ret_err, LAUNCH_STAGE_MOUNT, -r, "/dev");
        (void)ch;
        return 0;
}

static int setup_masks(const LaunchChild *ch, int devfd, LaunchError *ret_err)
{
        struct stat st;
        char path[64];
        int r;

        for (size_t i = 0; i < ELEMENTSOF(masked_sockets); i++) {
                _cleanup_close_ int fd = -EBADF;

                if (lstat(masked_sockets[i], &st) < 0 || S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode))
                        continue;
                fd = clone_tree(devfd, "null", false);
                if (fd < 0)
                        return fail_at(ret_err, LAUNCH_STAGE_MOUNT, -fd, "/dev/null");
                r = attach(fd, masked_sockets[i]);
                if (r < 0)
                        return fail_at(ret_err, LAUNCH_STAGE_MOUNT, -r, masked_sockets[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(masked_dirs); i++) {
                if (masked_dirs[i])
                        snprintf(path, sizeof(path), "%s", masked_dirs[i]);
                else
                        snprintf(path, sizeof(path), "/run/user/%u", (unsigned)ch->uid);
                if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                /* Empty and private, but usable: programs that want
                 * $XDG_RUNTIME_DIR still find a directory of their own. */
                if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700,size=1m") < 0)
                        return fail_at(ret_err, LAUNCH_STAGE_MOUNT, errno, path);
        }
        return 0;
}

/*
 * The host's uid 0, even without a capability, passes the permission
 * checks of sysctls and of a few /proc files that have no other (as
 * unshare -Ur shows: kernel.core_pattern). When the instance runs as the
 * host's root, these are made read-only, as bubblewrap does.
 *
 * Covering part of /proc makes it "not fully visible", and Linux then
 * refuses a nested ns run its own /proc. So an untouched copy is kept
 * (*ret_spare, attached by setup_dev where no path reaches it).
 */
static int cover_proc(const char *proc, int *ret_spare, LaunchError *ret_err)
{
        static const char *const covered[] = { "sys", "sysrq-trigger", "irq", "bus" };
        int spare, r;

        spare = clone_tree(AT_FDCWD, proc, false);
        if (spare < 0)
                return fail_at(ret_err, LAUNCH_STAGE_MOUNT, -spare, "/proc");
        *ret_spare = spare;
        for (size_t i = 0; i < ELEMENTSOF(covered); i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", proc, covered[i]);
                _cleanup_close_ int fd = clone_tree(AT_FDCWD, path, false);

                if (fd == -ENOENT)
                        continue;
                if (fd < 0)
                        return fail_at(ret_err, LAUNCH_STAGE_MOUNT, -fd, path);
                r = setattr(fd, "", AT_EMPTY_PATH, MOUNT_ATTR_RDONLY, 0, 0);
                if (r >= 0)
                        r = attach(fd, path);
                if (r < 0)
                        return fail_at(ret_err, LAUNCH_STAGE_MOUNT, -r, path);
        }
        return 0;
}

/*
 * A procfs of the new pid namespace at <root>/proc. Linux lets a user
 * namespace mount one only while a fully visible procfs is in the mount
 * namespace: with --rootfs, before the host's root is taken away.
 */
static int setup_proc(const LaunchChild *ch, const char *root, int *ret_spare, LaunchError *ret_err)
{
        _cleanup_free_ char *proc = xasprintf("%s/proc", root);

        if (mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return fail_at(ret_err, LAUNCH_STAGE_MOUNT, errno, "/proc");
        if (ch->uid == 0)
                return cover_proc(proc, ret_spare, ret_err);
        return 0;
}

/* Replace / with a copy of --rootfs: pivot_root(".", ".") stacks the old
 * root on the new one, and a lazy unmount takes it away (as runc does). */
static int switch_root(const char *rootfs, LaunchError *ret_err)
{
        if (chdir(rootfs) < 0)
                return fail_at(ret_err, LAUNCH_STAGE_ROOT, errno, rootfs);
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return fail_at(ret_err, LAUNCH_STAGE_ROOT, errno, rootfs);
        if (umount2(".", MNT_DETACH) < 0)
                return fail_at(ret_err, LAUNCH_STAGE_ROOT, errno, rootfs);
        if (chdir("/") < 0)
                return fail_at(ret_err, LAUNCH_STAGE_ROOT, errno, "/");
        return 0;
}

static int setup_user_mounts(const LaunchConfig *c, int *bind_fds, OwnTmpfs *own,
                             LaunchError *ret_err)
{
        int r;

        for (size_t i = 0; i < c->n_mounts; i++) {
                const LaunchMount *m = &c->mounts[i];

                if (m->type == LAUNCH_MOUNT_TMPFS) {
                        r = ensure_mountpoint(m->dst, true, own);
                        if (r == -ENOENT)
                                r = -missing_reason(c, i);
                        if (r < 0)
                                return fail_at(ret_err, LAUNCH_STAGE_BIND_TARGET, -r, m->dst);
                        if (mount("tmpfs", m->dst, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
                                return fail_at(ret_err, LAUNCH_STAGE_BIND_TARGET, errno, m->dst);
                        own_tmpfs_add(own, m->dst);
                        continue;
                }
                {
                        struct stat st;
                        bool dir = fstat(bind_fds[i], &st) == 0 && S_ISDIR(st.st_mode);

                        r = ensure_mountpoint(m->dst, dir, own);
                        if (r == -ENOENT)
                                r = -missing_reason(c, i);
                        if (r < 0)
                                return fail_at(ret_err, LAUNCH_STAGE_BIND_TARGET, -r, m->dst);
                }
                r = attach(bind_fds[i], m->dst);
                if (r < 0)
                        return fail_at(ret_err, LAUNCH_STAGE_BIND_TARGET, -r, m->dst);
                closep(&bind_fds[i]);
        }
        return 0;
}

int launch_fs_setup(const LaunchChild *ch, LaunchError *ret_err)
{
        const LaunchConfig *c = ch->c;
        _cleanup_close_ int devfd = -EBADF, root_fd = -EBADF, shm_fd = -EBADF,
                            spare_proc_fd = -EBADF;
        int node_fds[ELEMENTSOF(dev_nodes)];
        _cleanup_free_ int *bind_fds = NULL;
        OwnTmpfs own = {};
        uint64_t ro = c->build ? 0 : MOUNT_ATTR_RDONLY;
        int r = 0;

        for (size_t i = 0; i < ELEMENTSOF(node_fds); i++)
                node_fds[i] = -EBADF;
        bind_fds = xnew(int, c->n_mounts ?: 1);
        for (size_t i = 0; i < c->n_mounts; i++)
                bind_fds[i] = -EBADF;

        /* Without a user namespace of our own (root with --share=user) the
         * host's mounts may be shared: nothing made below may propagate
         * back to the host. */
        if (!ch->new_ns[NS_USER] && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                r = fail_at(ret_err, LAUNCH_STAGE_ROOT, errno, "/");
                goto out;
        }

        /* Everything taken from the host is taken now, before the root is
         * replaced or made read-only: /dev nodes keep their device access,
         * --vol sources keep their write access. */
        devfd = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (devfd < 0) {
                r = fail_at(ret_err, LAUNCH_STAGE_MOUNT, errno, "/dev");
                goto out;
        }
        for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
                node_fds[i] = clone_tree(devfd, dev_nodes[i], false);
                if (node_fds[i] < 0 && node_fds[i] != -ENOENT) {
                        char path[32];
                        snprintf(path, sizeof(path), "/dev/%s", dev_nodes[i]);
                        r = fail_at(ret_err, LAUNCH_STAGE_MOUNT, -node_fds[i], path);
                        goto out;
                }
        }
        if (!ch->new_ns[NS_IPC]) {
                shm_fd = clone_tree(devfd, "shm", true);
                if (shm_fd < 0) {
                        r = fail_at(ret_err, LAUNCH_STAGE_MOUNT, -shm_fd, "/dev/shm");
                        goto out;
                }
        }
        for (size_t i = 0; i < c->n_mounts; i++) {
                const LaunchMount *m = &c->mounts[i];
                uint64_t set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;

                if (m->type == LAUNCH_MOUNT_TMPFS)
                        continue;
                /* Recursive: a plain bind would uncover what the host
                 * mounted below it, which a user namespace forbids. */
                bind_fds[i] = clone_tree(AT_FDCWD, m->src, true);
                if (bind_fds[i] < 0) {
                        r = fail_at(ret_err, LAUNCH_STAGE_BIND_SOURCE, -bind_fds[i], m->src);
                        goto out;
                }
                if (m->type == LAUNCH_MOUNT_MAP)
                        set |= MOUNT_ATTR_RDONLY;
                r = setattr(bind_fds[i], "", AT_EMPTY_PATH | AT_RECURSIVE, set, 0, MS_PRIVATE);
                if (r < 0) {
                        r = fail_at(ret_err, LAUNCH_STAGE_BIND_SOURCE, -r, m->src);
                        goto out;
                }
        }

        if (c->lowerdirs) {
                /* --image: the overlay goes over the lowest layer's
                 * directory (in this mount namespace only), and becomes
                 * the root as --rootfs does. */
                const char *root = c->lowerdirs[0];

                r = launch_overlay_setup(c, root, ret_err);
                if (r < 0)
                        goto out;
                if (ch->new_ns[NS_PID]) {
                        r = setup_proc(ch, root, &spare_proc_fd, ret_err);
                        if (r < 0)
                                goto out;
                }
                r = switch_root(root, ret_err);
                if (r < 0)
                        goto out;
        } else if (c->rootfs) {
                root_fd = clone_tree(AT_FDCWD, c->rootfs, true);
                if (root_fd < 0) {
                        r = fail_at(ret_err, LAUNCH_STAGE_ROOT, -root_fd, c->rootfs);
                        goto out;
                }
                r = setattr(root_fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
                            ro | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0, MS_PRIVATE);
                if (r >= 0)
                        r = attach(root_fd, c->rootfs);
                if (r < 0) {
                        r = fail_at(ret_err, LAUNCH_STAGE_ROOT, -r, c->rootfs);
                        goto out;
                }
                if (ch->new_ns[NS_PID]) {
                        r = setup_proc(ch, c->rootfs, &spare_proc_fd, ret_err);
                        if (r < 0)
                                goto out;
                }
                r = switch_root(c->rootfs, ret_err);
                if (r < 0)
                        goto out;
        } else {
                /* One walk over the whole tree, however many mounts the
                 * host has. Private: no host mount appears inside later,
                 * with the host's (writable) flags. */
                r = setattr(AT_FDCWD, "/", AT_RECURSIVE, ro | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                            0, MS_PRIVATE);
                if (r < 0) {
                        r = fail_at(ret_err, LAUNCH_STAGE_ROOT, -r, "/");
                        goto out;
                }
                /* With --share=pid the host's /proc stays. */
                if (ch->new_ns[NS_PID]) {
                        r = setup_proc(ch, "", &spare_proc_fd, ret_err);
                        if (r < 0)
                                goto out;
                }
        }
        if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0) {
                r = fail_at(ret_err, LAUNCH_STAGE_MOUNT, errno, "/tmp");
                goto out;
        }
        own_tmpfs_add(&own, "/tmp");
        r = setup_dev(ch, node_fds, shm_fd, spare_proc_fd, ret_err);
        if (r < 0)
                goto out;
        /* The host's sockets are only in the host's root. */
        if (!c->rootfs && !c->lowerdirs) {
                r = setup_masks(ch, devfd, ret_err);
                if (r < 0)
                        goto out;
        }
        r = setup_user_mounts(c, bind_fds, &own, ret_err);
        /* The image's WorkingDir need not exist in it (docker makes it):
         * made once every mount is in place, so that one on /tmp or a
         * --tmpfs does not hide it, and after the root switch, so that a
         * link on its way is resolved in the instance. Where the root is
         * read-only, the chdir says why it is missing. */
        if (r >= 0 && c->lowerdirs && c->workdir)
                (void)mkdir_parents(c->workdir);

out:
        for (size_t i = 0; i < ELEMENTSOF(node_fds); i++)
                closep(&node_fds[i]);
        for (size_t i = 0; i < c->n_mounts; i++)
                closep(&bind_fds[i]);
        return r;
}
