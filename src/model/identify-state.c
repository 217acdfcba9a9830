/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the runtimes leave on disk: their state directories (/run/runc,
 * /run/crun, containerd's task directories, /run/netns, podman's
 * containers.json), each read at most once per context, and the metadata
 * files that give a container's name by its id. The decision that uses
 * them is in identify.c.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "identify-internal.h"
#include "macro.h"
#include "scan.h"
#include "util.h"

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

/* --- reading --- */

int identify_read_proc(IdentifyContext *ctx, pid_t pid, const char *file, size_t max, char **ret)
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
        struct stat st;

        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        return read_fd(fd, max, ret, NULL);
}

/* --- state directories, scanned once per context --- */

typedef int (*StateParser)(const char *json, pid_t *ret_pid, unsigned long long *ret_start);

static void scan_state_dir(IdentifyContext *ctx, const char *dir, const char *file, Runtime runtime,
                           StateParser parse)
{
        struct dirent *de;
        DIR *d;

        if (opendir_at(ctx->root_fd, dir, &d) < 0)
                return;
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

const PidEntry *state_runc_lookup(IdentifyContext *ctx, pid_t pid)
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

const char *state_netns_lookup(IdentifyContext *ctx, NsIno ino)
{
        if (!ctx->netns_loaded) {
                struct dirent *de;
                DIR *d = NULL;

                ctx->netns_loaded = true;
                (void)opendir_at(ctx->root_fd, "run/netns", &d);
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

/* --- each runtime's metadata, by id --- */

int identify_metadata_name(IdentifyContext *ctx, const char *path,
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

int identify_metadata_kube(IdentifyContext *ctx, const char *path, Found *f)
{
        _cleanup_free_ char *content = NULL;
        char *name = NULL, *ns = NULL;

        if (read_file_at(ctx->root_fd, path, METADATA_FILE_MAX, &content, NULL) < 0)
                return 0;
        if (naming_oci_kube(content, &name, &ns) > 0) {
                free(f->name);
                f->name = name;
                free(f->k8s_ns);
                f->k8s_ns = ns;
        }
        return 1;
}

int state_docker_name(IdentifyContext *ctx, const char *id, char **ret_name)
{
        _cleanup_free_ char *path = xasprintf("var/lib/docker/containers/%s/config.v2.json", id);
        return identify_metadata_name(ctx, path, naming_docker_config, ret_name);
}

int state_crio_name(IdentifyContext *ctx, Found *f)
{
        static const char *const roots[] = { "run/containers/storage",
                                             "var/lib/containers/storage" };

        for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
                _cleanup_free_ char *path =
                        xasprintf("%s/overlay-containers/%s/userdata/config.json", roots[i], f->id);
                if (identify_metadata_kube(ctx, path, f) > 0)
                        return 1;
        }
        return 0;
}

/* containerd keeps one task directory per namespace ("k8s.io", "moby", "default", ...). */
static void load_task_ns(IdentifyContext *ctx)
{
        struct dirent *de;
        DIR *d = NULL;

        if (ctx->task_ns_loaded)
                return;
        ctx->task_ns_loaded = true;
        (void)opendir_at(ctx->root_fd, CONTAINERD_TASK_DIR, &d);
        while (d && (de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                ctx->task_ns = xreallocarray(ctx->task_ns, ctx->n_task_ns + 1, sizeof(char *));
                ctx->task_ns[ctx->n_task_ns++] = xstrdup(de->d_name);
        }
        if (d)
                closedir(d);
}

bool state_task_ns_exists(IdentifyContext *ctx, const char *ns)
{
        load_task_ns(ctx);
        for (size_t i = 0; i < ctx->n_task_ns; i++)
                if (streq(ctx->task_ns[i], ns))
                        return true;
        return false;
}

int state_containerd_name(IdentifyContext *ctx, Found *f)
{
        load_task_ns(ctx);
        for (size_t i = 0; i < ctx->n_task_ns; i++) {
                _cleanup_free_ char *path =
                        xasprintf(CONTAINERD_TASK_DIR "/%s/%s/config.json", ctx->task_ns[i], f->id);
                if (identify_metadata_kube(ctx, path, f) > 0)
                        return 1;
        }
        return 0;
}

void state_podman_name(IdentifyContext *ctx, const IdentifyInput *in, const char *id,
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

void state_nspawn_name(IdentifyContext *ctx, char **name)
{
        _cleanup_free_ char *path = NULL;

        /* The name came from an escaped unit name: never let it walk out of the directory. */
        if (!*name || strchr(*name, '/') || streq(*name, ".") || streq(*name, ".."))
                return;
        path = xasprintf("run/systemd/machines/%s", *name);
        (void)identify_metadata_name(ctx, path, naming_nspawn_machine, name);
}

bool state_flatpak_name(IdentifyContext *ctx, pid_t leader, char **ret_name)
{
        _cleanup_free_ char *ini = NULL;
        char path[64];

        snprintf(path, sizeof(path), "%d/root/.flatpak-info", (int)leader);
        if (read_untrusted_at(ctx->proc_fd, path, 65536, &ini) < 0)
                return false;
        return naming_flatpak_info(ini, ret_name) > 0;
}

bool state_firejail_name(IdentifyContext *ctx, pid_t pid, char **ret_name)
{
        _cleanup_free_ char *content = NULL;
        char path[64];

        snprintf(path, sizeof(path), "run/firejail/name/%d", (int)pid);
        if (read_file_at(ctx->root_fd, path, 4096, &content, NULL) < 0)
                return false;
        return naming_firejail_name(content, ret_name) > 0;
}

