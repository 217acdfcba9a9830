/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The decision: which runtime made an instance, its id and its name, from
 * the evidence in DESIGN.md's order. Marks that cannot be wrong first (the
 * host, kernel threads, ns run's own pid 1), then the leader's cgroup
 * against the rules of the runtime table, then each runtime's state files
 * and process tree in the table's order; the name falls back to the UTS
 * hostname and then the command. The files are read by identify-state.c.
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "identify-internal.h"
#include "macro.h"
#include "util.h"

static char *mfree(char *p)
{
        free(p);
        return NULL;
}

void found_done(Found *f)
{
        f->id = mfree(f->id);
        f->name = mfree(f->name);
        f->k8s_ns = mfree(f->k8s_ns);
}

static int read_ns_ino(IdentifyContext *ctx, pid_t pid, NsType t, NsIno *ret)
{
        char prefix[16];

        snprintf(prefix, sizeof(prefix), "%d/", (int)pid);
        return ns_read_link(ctx->proc_fd, prefix, t, ret);
}

/* --- the process tree --- */

bool identify_comm_is(const IdentifyInput *in, bool parent, const char *comm)
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
bool identify_cgroup_inherited(IdentifyContext *ctx, const IdentifyInput *in, const char *cgroup,
                               const CgroupMatch *m)
{
        _cleanup_free_ char *parent = NULL;
        CgroupMatch pm;

        if (in->leader_ppid <= 0 || parent_is_shim(in) || (m && m->runtime == RUNTIME_FLATPAK))
                return false;
        if (identify_read_proc(ctx, in->leader_ppid, "cgroup", CGROUP_FILE_MAX, &parent) < 0)
                return false;
        if (streq(parent, cgroup))
                return true;
        if (!m || naming_match_cgroup(parent, &pm) <= 0 || pm.monitor)
                return false;
        return pm.runtime == m->runtime && streq(pm.id, m->id) && streq(pm.name, m->name);
}

/*
 * The hostname in the UTS namespace ino of pid, read by entering it (root
 * only). Returns 0, or -errno (-ESRCH: the pid no longer has it).
 */
static int read_uts_name(IdentifyContext *ctx, pid_t pid, NsIno ino, struct utsname *ret)
{
        _cleanup_close_ int target = -EBADF;
        struct stat st;
        char path[64];
        int r = 0;

        snprintf(path, sizeof(path), "%d/%s", (int)pid, ns_info[NS_UTS].proc);
        target = openat(ctx->proc_fd, path, O_RDONLY | O_CLOEXEC);
        if (target < 0)
                return -errno;
        /* The pid may be gone and reused: enter only the namespace we grouped. */
        if (fstat(target, &st) < 0)
                return -errno;
        if ((NsIno)st.st_ino != ino)
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
        if (uname(ret) < 0)
                r = -errno;
        /*
         * Staying in the container's UTS namespace would give every later
         * instance, and the host instance, the container's hostname, and
         * leave the caller there: there is no sane way to go on.
         */
        if (setns(ctx->self_uts_fd, ns_info[NS_UTS].clone_flag) < 0)
                abort();
        return r;
}

/*
 * The host's hostname: ours, unless ns runs in a UTS namespace of its own
 * (a pod without hostNetwork) and may enter the host's (root). Decided
 * once per context, from the first instance, which knows the host's tuple.
 */
static void host_hostname(IdentifyContext *ctx, const IdentifyInput *in)
{
        struct utsname u;
        NsIno mine;

        if (ctx->host_name_known || !in->host_ns)
                return;
        ctx->host_name_known = true;
        if (!ctx->privileged || in->host_ns[NS_UTS] == 0 ||
            ns_read_link(ctx->proc_fd, "thread-self/", NS_UTS, &mine) < 0 ||
            mine == in->host_ns[NS_UTS])
                return;
        /* pid 1 holds the host's tuple: the scan took it from there */
        if (read_uts_name(ctx, 1, in->host_ns[NS_UTS], &u) < 0 || !u.nodename[0])
                return;
        free(ctx->hostname);
        ctx->hostname = xstrdup(u.nodename);
}

/*
 * The hostname of the instance's own UTS namespace. Not when the namespace
 * is the host's or the parent's: then the hostname names them, not this
 * instance.
 */
static int uts_hostname(IdentifyContext *ctx, const IdentifyInput *in, char **ret)
{
        struct utsname u;
        NsIno parent = 0;
        int r;

        if (!ctx->privileged || !in->ns || !in->host_ns || in->ns[NS_UTS] == 0 ||
            in->ns[NS_UTS] == in->host_ns[NS_UTS])
                return 0;
        if (in->leader_ppid > 0 && read_ns_ino(ctx, in->leader_ppid, NS_UTS, &parent) == 0 &&
            parent == in->ns[NS_UTS])
                return 0;
        r = read_uts_name(ctx, in->leader, in->ns[NS_UTS], &u);
        if (r < 0)
                return r;
        if (!u.nodename[0] || streq(u.nodename, ctx->hostname))
                return 0;
        *ret = xstrdup(u.nodename);
        return 1;
}

/* --- the evidence, in order --- */

/*
 * Evidence from runtime state and the process tree, for an instance whose
 * cgroup names no runtime: each runtime of the table in its order, first
 * match wins. Returns true when something matched.
 */
static bool identify_by_process(IdentifyContext *ctx, const IdentifyInput *in, const char *cgroup,
                                Found *f)
{
        for (int r = 0; r < RUNTIME_MAX; r++)
                if (runtime_table[r].match && runtime_table[r].match(ctx, in, cgroup, f))
                        return true;
        return false;
}

/*
 * A kubepods path or a bare id does not say which runtime made the
 * container: the one with metadata for the id does. The kubelet's runtimes
 * are asked first, then Docker.
 */
static const Runtime bare_id_owners[] = { RUNTIME_CONTAINERD, RUNTIME_CRIO, RUNTIME_DOCKER };

/* Evidence from a matching cgroup path, completed from the runtime's metadata. */
static void identify_by_cgroup(IdentifyContext *ctx, const IdentifyInput *in, const char *cgroup,
                               const CgroupMatch *m, Found *f)
{
        const RuntimeInfo *info = &runtime_table[m->runtime];

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

        if (m->runtime != RUNTIME_KUBERNETES && m->runtime != RUNTIME_UNKNOWN) {
                if (info->complete)
                        (void)info->complete(ctx, in, f);
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(bare_id_owners); i++)
                if (runtime_table[bare_id_owners[i]].complete(ctx, in, f) > 0) {
                        f->runtime = bare_id_owners[i];
                        return;
                }
        if (m->runtime == RUNTIME_UNKNOWN) {
                /* A bare id is weak: other evidence wins, else the id stays. */
                Found p = {};
                if (identify_by_process(ctx, in, cgroup, &p)) {
                        found_done(f);
                        *f = p;
                }
        }
}

void identify_instance(IdentifyContext *ctx, const IdentifyInput *in, Identity *ret)
{
        _cleanup_free_ char *cgroup = NULL;
        Found f = { .runtime = RUNTIME_UNKNOWN };
        char *image = NULL;
        CgroupMatch m;

        host_hostname(ctx, in);
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
                (void)naming_ns_init_image(in->cmdline, in->cmdline_len, &image);
        } else if (identify_read_proc(ctx, in->leader, "cgroup", CGROUP_FILE_MAX, &cgroup) >= 0 &&
                   naming_match_cgroup(cgroup, &m) > 0 && !identify_cgroup_inherited(ctx, in, cgroup, &m)) {
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
        str_sanitize(image);
        str_sanitize(f.k8s_ns);
        *ret = (Identity){
                .runtime = f.runtime,
                .name = f.name,
                .runtime_id = f.id,
                .image = image,
                .k8s_namespace = f.k8s_ns,
        };
}
