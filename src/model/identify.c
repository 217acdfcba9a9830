/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "identify.h"
#include "macro.h"
#include "naming.h"
#include "scan.h"
#include "util.h"

/* Caps on what is read: a file larger than these is not a metadata file we know. */
#define CGROUP_FILE_MAX (64U * 1024U)
#define METADATA_FILE_MAX (4U * 1024U * 1024U)
#define CONTAINERS_JSON_MAX (64U * 1024U * 1024U)

#define CONTAINERD_TASK_DIR "run/containerd/io.containerd.runtime.v2.task"

typedef struct PidEntry {
        pid_t pid;
        unsigned long long start; /* 0: unknown */
        Runtime runtime;
        char *id;
} PidEntry;

typedef struct NetnsEntry {
        NsIno ino;
        char *name;
} NetnsEntry;

struct IdentifyContext {
        int proc_fd;
        int root_fd;
        char *hostname;
        bool privileged; /* euid 0: may enter UTS namespaces to read their hostname */
        int self_uts_fd; /* opened on first use */

        /* Read once per context, on first need. */
        bool runc_loaded;
        PidEntry *runc;
        size_t n_runc;
        bool netns_loaded;
        NetnsEntry *netns;
        size_t n_netns;
        bool task_ns_loaded;
        char **task_ns;
        size_t n_task_ns;
        bool podman_loaded;
        NamingPair *podman;
        size_t n_podman;
};

IdentifyContext *identify_context_new(int proc_fd, int root_fd)
{
        IdentifyContext *ctx = xnew(IdentifyContext, 1);
        struct utsname u;

        ctx->proc_fd = proc_fd;
        ctx->root_fd = root_fd;
        ctx->hostname = xstrdup(uname(&u) == 0 ? u.nodename : "");
        ctx->privileged = geteuid() == 0;
        ctx->self_uts_fd = -EBADF;
        return ctx;
}

IdentifyContext *identify_context_free(IdentifyContext *ctx)
{
        if (!ctx)
                return NULL;
        for (size_t i = 0; i < ctx->n_runc; i++)
                free(ctx->runc[i].id);
        free(ctx->runc);
        for (size_t i = 0; i < ctx->n_netns; i++)
                free(ctx->netns[i].name);
        free(ctx->netns);
        for (size_t i = 0; i < ctx->n_task_ns; i++)
                free(ctx->task_ns[i]);
        free(ctx->task_ns);
        naming_pairs_free(ctx->podman, ctx->n_podman);
        closep(&ctx->self_uts_fd);
        free(ctx->hostname);
        free(ctx);
        return NULL;
}

void identity_done(Identity *id)
{
        if (!id)
                return;
        free(id->name);
        free(id->runtime_id);
        id->name = id->runtime_id = NULL;
}

static char *mfree(char *p)
{
        free(p);
        return NULL;
}

/* --- reading --- */

static int read_proc(IdentifyContext *ctx, pid_t pid, const char *file, size_t max, char **ret)
{
        char path[64];

        snprintf(path, sizeof(path), "%d/%s", (int)pid, file);
        return read_file_at(ctx->proc_fd, path, max, ret, NULL);
}

/*
 * Read a file the instance itself controls (below its root): a symlink
 * could point at a host file and a FIFO would block the whole listing, so
 * only a regular file is read.
 */
static int read_untrusted_at(int dirfd, const char *path, size_t max, char **ret)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        struct stat st;

        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        buf = xmalloc(max + 1);
        while (len < max) {
                ssize_t k = read(fd, buf + len, max - len);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                len += (size_t)k;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

static int read_ns_ino(IdentifyContext *ctx, pid_t pid, NsType t, NsIno *ret)
{
        char path[64], buf[64];
        ssize_t k;

        snprintf(path, sizeof(path), "%d/%s", (int)pid, ns_info[t].proc);
        k = readlinkat(ctx->proc_fd, path, buf, sizeof(buf) - 1);
        if (k < 0)
                return -errno;
        return ns_parse_link(buf, (size_t)k, ret);
}

/* --- state directories, scanned once per context --- */

typedef int (*StateParser)(const char *json, pid_t *ret_pid, unsigned long long *ret_start);

static void scan_state_dir(IdentifyContext *ctx, const char *dir, const char *file, Runtime runtime,
                           StateParser parse)
{
        struct dirent *de;
        DIR *d;
        int fd;

        fd = openat(ctx->root_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return;
        }
        while ((de = readdir(d))) {
                _cleanup_free_ char *json = NULL, *path = NULL;
                unsigned long long start;
                pid_t pid;

                if (de->d_name[0] == '.')
                        continue;
                path = xasprintf("%s/%s", de->d_name, file);
                if (read_file_at(dirfd(d), path, METADATA_FILE_MAX, &json, NULL) < 0)
                        continue;
                if (parse(json, &pid, &start) <= 0)
                        continue;
                ctx->runc = xreallocarray(ctx->runc, ctx->n_runc + 1, sizeof(PidEntry));
                ctx->runc[ctx->n_runc++] = (PidEntry){ pid, start, runtime, xstrdup(de->d_name) };
        }
        closedir(d);
}

static const PidEntry *runc_lookup(IdentifyContext *ctx, pid_t pid)
{
        if (!ctx->runc_loaded) {
                ctx->runc_loaded = true;
                scan_state_dir(ctx, "run/runc", "state.json", RUNTIME_RUNC, naming_runc_state);
                scan_state_dir(ctx, "run/crun", "status", RUNTIME_CRUN, naming_crun_status);
        }
        for (size_t i = 0; i < ctx->n_runc; i++) {
                const PidEntry *e = &ctx->runc[i];
                unsigned long long start;
                char path[64], comm[16], state;
                pid_t ppid;

                if (e->pid != pid)
                        continue;
                if (e->start == 0)
                        return e;
                /* A stopped container leaves its state: its pid may be another process's now. */
                snprintf(path, sizeof(path), "%d/stat", (int)pid);
                if (proc_read_stat(ctx->proc_fd, path, &state, &ppid, &start, comm) < 0 ||
                    start != e->start)
                        return NULL;
                return e;
        }
        return NULL;
}

static const char *netns_lookup(IdentifyContext *ctx, NsIno ino)
{
        if (!ctx->netns_loaded) {
                struct dirent *de;
                DIR *d = NULL;
                int fd;

                ctx->netns_loaded = true;
                fd = openat(ctx->root_fd, "run/netns", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0 && !(d = fdopendir(fd)))
                        close(fd);
                while (d && (de = readdir(d))) {
                        struct stat st;

                        if (de->d_name[0] == '.')
                                continue;
                        /* "ip netns add" bind-mounts the namespace: its inode is the ns's. */
                        if (fstatat(dirfd(d), de->d_name, &st, 0) < 0)
                                continue;
                        ctx->netns =
                                xreallocarray(ctx->netns, ctx->n_netns + 1, sizeof(NetnsEntry));
                        ctx->netns[ctx->n_netns++] = (NetnsEntry){ st.st_ino, xstrdup(de->d_name) };
                }
                if (d)
                        closedir(d);
        }
        for (size_t i = 0; i < ctx->n_netns; i++)
                if (ctx->netns[i].ino == ino)
                        return ctx->netns[i].name;
        return NULL;
}

/* --- per-runtime metadata --- */

/*
 * The name in a metadata file at path. Returns 1 when the file exists
 * (*ret_name replaced when it held a name), 0 when it does not.
 */
static int metadata_name(IdentifyContext *ctx, const char *path,
                         int (*parse)(const char *, char **), char **ret_name)
{
        _cleanup_free_ char *content = NULL;
        char *name = NULL;

        if (read_file_at(ctx->root_fd, path, METADATA_FILE_MAX, &content, NULL) < 0)
                return 0;
        /* The runtime's own name beats one guessed before (from the path). */
        if (parse(content, &name) > 0) {
                free(*ret_name);
                *ret_name = name;
        }
        return 1;
}

static int docker_name(IdentifyContext *ctx, const char *id, char **ret_name)
{
        _cleanup_free_ char *path = xasprintf("var/lib/docker/containers/%s/config.v2.json", id);
        return metadata_name(ctx, path, naming_docker_config, ret_name);
}

static int crio_name(IdentifyContext *ctx, const char *id, char **ret_name)
{
        static const char *const roots[] = { "run/containers/storage",
                                             "var/lib/containers/storage" };

        for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
                _cleanup_free_ char *path =
                        xasprintf("%s/overlay-containers/%s/userdata/config.json", roots[i], id);
                if (metadata_name(ctx, path, naming_oci_annotations, ret_name) > 0)
                        return 1;
        }
        return 0;
}

/* containerd keeps one task directory per namespace ("k8s.io", "moby", "default", ...). */
static void load_task_ns(IdentifyContext *ctx)
{
        struct dirent *de;
        DIR *d = NULL;
        int fd;

        if (ctx->task_ns_loaded)
                return;
        ctx->task_ns_loaded = true;
        fd = openat(ctx->root_fd, CONTAINERD_TASK_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0 && !(d = fdopendir(fd)))
                close(fd);
        while (d && (de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                ctx->task_ns = xreallocarray(ctx->task_ns, ctx->n_task_ns + 1, sizeof(char *));
                ctx->task_ns[ctx->n_task_ns++] = xstrdup(de->d_name);
        }
        if (d)
                closedir(d);
}

static bool task_ns_exists(IdentifyContext *ctx, const char *ns)
{
        load_task_ns(ctx);
        for (size_t i = 0; i < ctx->n_task_ns; i++)
                if (streq(ctx->task_ns[i], ns))
                        return true;
        return false;
}

static int containerd_name(IdentifyContext *ctx, const char *id, char **ret_name)
{
        load_task_ns(ctx);
        for (size_t i = 0; i < ctx->n_task_ns; i++) {
                _cleanup_free_ char *path =
                        xasprintf(CONTAINERD_TASK_DIR "/%s/%s/config.json", ctx->task_ns[i], id);
                if (metadata_name(ctx, path, naming_oci_annotations, ret_name) > 0)
                        return 1;
        }
        return 0;
}

static void podman_name(IdentifyContext *ctx, const IdentifyInput *in, const char *id,
                        char **ret_name)
{
        if (!id)
                return;

        /*
         * conmon is the container's parent and carries "-n <name>" on a
         * command line anyone may read, rootless containers included.
         */
        if (in->leader_ppid > 0 && in->parent_comm && streq(in->parent_comm, "conmon")) {
                _cleanup_free_ char *cmdline = NULL, *cid = NULL, *name = NULL;
                char path[64];
                size_t len;

                snprintf(path, sizeof(path), "%d/cmdline", (int)in->leader_ppid);
                if (read_file_at(ctx->proc_fd, path, 65536, &cmdline, &len) >= 0 &&
                    naming_conmon_cmdline(cmdline, len, &cid, &name) > 0 &&
                    (!cid || streq(cid, id))) {
                        *ret_name = TAKE_PTR(name);
                        return;
                }
        }

        if (!ctx->podman_loaded) {
                _cleanup_free_ char *json = NULL;

                ctx->podman_loaded = true;
                if (read_file_at(ctx->root_fd,
                                 "var/lib/containers/storage/overlay-containers/containers.json",
                                 CONTAINERS_JSON_MAX, &json, NULL) >= 0)
                        (void)naming_podman_containers_all(json, &ctx->podman, &ctx->n_podman);
        }
        for (size_t i = 0; i < ctx->n_podman; i++)
                if (streq(ctx->podman[i].id, id)) {
                        *ret_name = xstrdup(ctx->podman[i].name);
                        return;
                }
}

static void nspawn_name(IdentifyContext *ctx, char **name)
{
        _cleanup_free_ char *path = NULL;

        /* The name came from an escaped unit name: never let it walk out of the directory. */
        if (!*name || strchr(*name, '/') || streq(*name, ".") || streq(*name, ".."))
                return;
        path = xasprintf("run/systemd/machines/%s", *name);
        (void)metadata_name(ctx, path, naming_nspawn_machine, name);
}

static bool flatpak_name(IdentifyContext *ctx, pid_t leader, char **ret_name)
{
        _cleanup_free_ char *ini = NULL;
        char path[64];

        snprintf(path, sizeof(path), "%d/root/.flatpak-info", (int)leader);
        if (read_untrusted_at(ctx->proc_fd, path, 65536, &ini) < 0)
                return false;
        return naming_flatpak_info(ini, ret_name) > 0;
}

static bool firejail_name(IdentifyContext *ctx, pid_t pid, char **ret_name)
{
        _cleanup_free_ char *content = NULL;
        char path[64];

        snprintf(path, sizeof(path), "run/firejail/name/%d", (int)pid);
        if (read_file_at(ctx->root_fd, path, 4096, &content, NULL) < 0)
                return false;
        return naming_firejail_name(content, ret_name) > 0;
}

/* --- nesting --- */

static bool comm_is(const IdentifyInput *in, bool parent, const char *comm)
{
        const char *c = parent ? in->parent_comm : in->leader_comm;
        return c && streq(c, comm);
}

/* The processes that start a runtime's containers, and so are never inside one. */
static bool parent_is_shim(const IdentifyInput *in)
{
        const char *c = in->parent_comm;

        if (!c)
                return false;
        /* comm is cut at 15 characters: "containerd-shim-runc-v2" reads "containerd-shim". */
        return startswith(c, "containerd-shim") || streq(c, "docker-containe") ||
               streq(c, "conmon") || streq(c, "lxc-start") || streq(c, "systemd-nspawn");
}

/*
 * A process nested inside a container (a bwrap or unshare sandbox in it, a
 * service with PrivateTmp= in a system container) has the container's
 * cgroup by inheritance. The container's own leader does not share its
 * cgroup with its parent: that is the runtime's shim or monitor. flatpak is
 * the exception: its bwrap monitor sits in the app's scope by design.
 */
static bool cgroup_inherited(IdentifyContext *ctx, const IdentifyInput *in, const char *cgroup,
                             const CgroupMatch *m)
{
        _cleanup_free_ char *parent = NULL;
        CgroupMatch pm;

        if (in->leader_ppid <= 0 || parent_is_shim(in) || (m && m->runtime == RUNTIME_FLATPAK))
                return false;
        if (read_proc(ctx, in->leader_ppid, "cgroup", CGROUP_FILE_MAX, &parent) < 0)
                return false;
        if (streq(parent, cgroup))
                return true;
        if (!m || naming_match_cgroup(parent, &pm) <= 0 || pm.monitor)
                return false;
        return pm.runtime == m->runtime && streq(pm.id, m->id) && streq(pm.name, m->name);
}

/*
 * The hostname of the instance's own UTS namespace, read by entering it
 * (root only). Not when the namespace is the host's or the parent's: then
 * the hostname names them, not this instance.
 */
static int uts_hostname(IdentifyContext *ctx, const IdentifyInput *in, char **ret)
{
        _cleanup_close_ int target = -EBADF;
        struct utsname u;
        struct stat st;
        char path[64];
        NsIno parent = 0;
        int r = 0;

        if (!ctx->privileged || !in->ns || !in->host_ns || in->ns[NS_UTS] == 0 ||
            in->ns[NS_UTS] == in->host_ns[NS_UTS])
                return 0;
        if (in->leader_ppid > 0 && read_ns_ino(ctx, in->leader_ppid, NS_UTS, &parent) == 0 &&
            parent == in->ns[NS_UTS])
                return 0;

        snprintf(path, sizeof(path), "%d/%s", (int)in->leader, ns_info[NS_UTS].proc);
        target = openat(ctx->proc_fd, path, O_RDONLY | O_CLOEXEC);
        if (target < 0)
                return -errno;
        /* The leader may be gone and its pid reused: enter only the namespace we grouped. */
        if (fstat(target, &st) < 0)
                return -errno;
        if ((NsIno)st.st_ino != in->ns[NS_UTS])
                return -ESRCH;
        if (ctx->self_uts_fd < 0) {
                snprintf(path, sizeof(path), "thread-self/%s", ns_info[NS_UTS].proc);
                ctx->self_uts_fd = openat(ctx->proc_fd, path, O_RDONLY | O_CLOEXEC);
                if (ctx->self_uts_fd < 0)
                        return -errno;
        }

        /* setns() of a UTS namespace moves only this thread, and only until the setns() back. */
        if (setns(target, ns_info[NS_UTS].clone_flag) < 0)
                return -errno;
        if (uname(&u) < 0)
                r = -errno;
        /*
         * Staying in the container's UTS namespace would give every later
         * instance, and the host instance, the container's hostname, and
         * leave the caller there: there is no sane way to go on.
         */
        if (setns(ctx->self_uts_fd, ns_info[NS_UTS].clone_flag) < 0)
                abort();
        if (r < 0)
                return r;
        if (!u.nodename[0] || streq(u.nodename, ctx->hostname))
                return 0;
        *ret = xstrdup(u.nodename);
        return 1;
}

/* --- the evidence, in order --- */

typedef struct Found {
        Runtime runtime;
        char *id;
        char *name;
} Found;

static void found_done(Found *f)
{
        f->id = mfree(f->id);
        f->name = mfree(f->name);
}

/*
 * Evidence from the process tree and runtime state, for an instance whose
 * cgroup names no runtime. Returns true when something matched.
 */
static bool identify_by_process(IdentifyContext *ctx, const IdentifyInput *in, const char *cgroup,
                                Found *f)
{
        _cleanup_free_ char *task_ns = NULL, *task_id = NULL;
        const PidEntry *e;
        const char *netns;

        e = runc_lookup(ctx, in->leader);
        if (e) {
                f->runtime = e->runtime;
                f->id = xstrdup(e->id);
                f->name = xstrdup(e->id);
                return true;
        }

        /* "ctr run" and other clients without CRI: "/<namespace>/<id>", confirmed on disk. */
        if (naming_cgroup_task_candidate(cgroup, &task_ns, &task_id) > 0 &&
            task_ns_exists(ctx, task_ns) && !cgroup_inherited(ctx, in, cgroup, NULL)) {
                _cleanup_free_ char *path =
                        xasprintf(CONTAINERD_TASK_DIR "/%s/%s/config.json", task_ns, task_id);

                if (metadata_name(ctx, path, naming_oci_annotations, &f->name) > 0) {
                        f->runtime = RUNTIME_CONTAINERD;
                        f->id = xstrdup(task_id);
                        /* Without CRI the id is the name the user chose. */
                        if (!f->name)
                                f->name = xstrdup(task_id);
                        return true;
                }
        }

        /* The sandbox's leader is a second firejail process; the first owns the name file. */
        if (comm_is(in, true, "firejail") || comm_is(in, false, "firejail")) {
                f->runtime = RUNTIME_FIREJAIL;
                if (!(comm_is(in, true, "firejail") && in->leader_ppid > 0 &&
                      firejail_name(ctx, in->leader_ppid, &f->name)))
                        (void)firejail_name(ctx, in->leader, &f->name);
                return true;
        }

        /*
         * bwrap forks the sandbox; with --unshare-pid the sandbox's pid 1 is
         * bwrap again, reaping for the command. flatpak runs bwrap too.
         */
        if (comm_is(in, true, "bwrap") || comm_is(in, false, "bwrap")) {
                if (flatpak_name(ctx, in->leader, &f->name)) {
                        f->runtime = RUNTIME_FLATPAK;
                        return true;
                }
                f->runtime = RUNTIME_BWRAP;
                if (comm_is(in, false, "bwrap"))
                        (void)naming_bwrap_command(in->cmdline, in->cmdline_len, &f->name);
                return true;
        }

        /* systemd-nspawn --keep-unit (or without systemd) makes no machine scope. */
        if (comm_is(in, true, "systemd-nspawn")) {
                _cleanup_free_ char *cmdline = NULL;
                char path[64];
                size_t len;

                f->runtime = RUNTIME_NSPAWN;
                snprintf(path, sizeof(path), "%d/cmdline", (int)in->leader_ppid);
                if (in->leader_ppid > 0 &&
                    read_file_at(ctx->proc_fd, path, 65536, &cmdline, &len) >= 0)
                        (void)naming_nspawn_cmdline(cmdline, len, &f->name);
                return true;
        }

        if (comm_is(in, true, "unshare") || comm_is(in, false, "unshare")) {
                f->runtime = RUNTIME_UNSHARE;
                return true;
        }

        if (in->ns && in->host_ns && in->ns[NS_NET] != 0 && in->ns[NS_NET] != in->host_ns[NS_NET]) {
                netns = netns_lookup(ctx, in->ns[NS_NET]);
                if (netns) {
                        f->runtime = RUNTIME_NETNS;
                        f->name = xstrdup(netns);
                        return true;
                }
        }

        /* The cheap last check: flatpak without a systemd scope. */
        if (flatpak_name(ctx, in->leader, &f->name)) {
                f->runtime = RUNTIME_FLATPAK;
                return true;
        }
        return false;
}

/* Evidence from a matching cgroup path, completed from the runtime's metadata. */
static void identify_by_cgroup(IdentifyContext *ctx, const IdentifyInput *in, const char *cgroup,
                               const CgroupMatch *m, Found *f)
{
        f->runtime = m->runtime;
        /*
         * A monitor (conmon, the nspawn supervisor, the LXC monitor) is not
         * the container: keep the runtime but neither id nor name, so that
         * "ns enter <id>" resolves to the container alone.
         */
        if (m->monitor)
                return;
        f->id = m->id[0] ? xstrdup(m->id) : NULL;
        f->name = m->name[0] ? xstrdup(m->name) : NULL;

        switch (m->runtime) {
        case RUNTIME_DOCKER:
                if (f->id)
                        (void)docker_name(ctx, f->id, &f->name);
                break;
        case RUNTIME_PODMAN:
                podman_name(ctx, in, f->id, &f->name);
                break;
        case RUNTIME_CONTAINERD:
                (void)containerd_name(ctx, f->id, &f->name);
                break;
        case RUNTIME_CRIO:
                (void)crio_name(ctx, f->id, &f->name);
                break;
        case RUNTIME_KUBERNETES:
        case RUNTIME_UNKNOWN:
                /* The path does not say which runtime: the one with metadata for the id does. */
                if (containerd_name(ctx, f->id, &f->name) > 0)
                        f->runtime = RUNTIME_CONTAINERD;
                else if (crio_name(ctx, f->id, &f->name) > 0)
                        f->runtime = RUNTIME_CRIO;
                else if (docker_name(ctx, f->id, &f->name) > 0)
                        f->runtime = RUNTIME_DOCKER;
                else if (m->runtime == RUNTIME_UNKNOWN) {
                        /* A bare id is weak: other evidence wins, else the id stays. */
                        Found p = {};
                        if (identify_by_process(ctx, in, cgroup, &p)) {
                                found_done(f);
                                *f = p;
                        }
                }
                break;
        case RUNTIME_NSPAWN:
                nspawn_name(ctx, &f->name);
                break;
        case RUNTIME_FLATPAK:
                /* The scope's app id is enough; .flatpak-info only when the scope name was odd. */
                if (!f->name)
                        (void)flatpak_name(ctx, in->leader, &f->name);
                break;
        default:
                break;
        }
}


void identify_instance(IdentifyContext *ctx, const IdentifyInput *in, Identity *ret)
{
        _cleanup_free_ char *cgroup = NULL;
        Found f = { .runtime = RUNTIME_UNKNOWN };
        CgroupMatch m;

        if (in->host) {
                *ret = (Identity){ .runtime = RUNTIME_HOST, .name = xstrdup(ctx->hostname) };
                return;
        }

        /* Children of kthreadd with no command line are kernel threads
         * (kdevtmpfs has a mount namespace of its own). */
        if (in->leader_ppid == 2 && !in->cmdline) {
                *ret = (Identity){ .runtime = RUNTIME_KERNEL, .name = xstrdup(in->leader_comm) };
                return;
        }

        /* ns run's pid 1 says so itself: the most specific evidence there is. */
        if (naming_ns_init(in->leader_comm, in->cmdline, in->cmdline_len, &f.name) > 0) {
                f.runtime = RUNTIME_NS;
                if (!f.name[0])
                        f.name = mfree(f.name);
        } else if (read_proc(ctx, in->leader, "cgroup", CGROUP_FILE_MAX, &cgroup) >= 0 &&
                   naming_match_cgroup(cgroup, &m) > 0 && !cgroup_inherited(ctx, in, cgroup, &m)) {
                identify_by_cgroup(ctx, in, cgroup, &m, &f);
        } else {
                (void)identify_by_process(ctx, in, cgroup, &f);
        }

        if (!f.name)
                (void)uts_hostname(ctx, in, &f.name);
        if (!f.name)
                f.name = naming_command_name(in->cmdline, in->cmdline_len, in->leader_comm);
        if (!f.name)
                f.name = xstrdup("-");
        str_sanitize(f.name);
        str_sanitize(f.id);
        *ret = (Identity){ .runtime = f.runtime, .name = f.name, .runtime_id = f.id };
}
