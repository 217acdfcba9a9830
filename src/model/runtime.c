/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The runtime table: one entry per runtime, in DESIGN.md's "Naming" order
 * (first match wins). An entry says how the runtime's cgroup paths look
 * (matched by naming.c), how its metadata completes a cgroup match, and
 * what in its state files or the process tree shows it when its cgroup
 * does not. The hooks here hold only what is particular to one runtime;
 * reading the files is identify-state.c's.
 */
#include "identify-internal.h"
#include "macro.h"
#include "runtime.h"
#include "util.h"

void identity_done(Identity *id)
{
        if (!id)
                return;
        free(id->name);
        free(id->runtime_id);
        free(id->image);
        free(id->k8s_namespace);
        id->name = id->runtime_id = id->image = id->k8s_namespace = NULL;
}

/* --- podman --- */

static const CgroupRule podman_cgroup[] = {
        /* conmon, the monitor: its prefix extends the payload's. */
        { CGROUP_PREFIX, "libpod-conmon-", CGROUP_ID_HEX64, .monitor = true },
        /* --cgroups=split: "<unit>.service/libpod-payload-<id>". */
        { CGROUP_PREFIX, "libpod-payload-", CGROUP_ID_HEX64 },
        { CGROUP_PREFIX, "libpod-", CGROUP_ID_HEX64 },
        {},
};

static int podman_complete(IdentifyContext *ctx, const IdentifyInput *in, Found *f)
{
        state_podman_name(ctx, in, f->id, &f->name);
        return 0;
}

/* --- docker --- */

static const CgroupRule docker_cgroup[] = {
        { CGROUP_PREFIX, "docker-", CGROUP_ID_HEX64 },
        { CGROUP_COLON, "docker", CGROUP_ID_HEX64 },
        /* The cgroupfs driver, also nested: "/docker/<outer>/docker/<inner>". */
        { CGROUP_BELOW, "docker", CGROUP_ID_HEX64 },
        /* ECS on EC2: "/ecs/[<cluster>/]<task>/<container>". */
        { CGROUP_IN_ROOT, "ecs", CGROUP_ID_HEX64 },
        {},
};

static int docker_complete(IdentifyContext *ctx, _unused_ const IdentifyInput *in, Found *f)
{
        return f->id ? state_docker_name(ctx, f->id, &f->name) : 0;
}

/* --- containerd --- */

static const CgroupRule containerd_cgroup[] = {
        { CGROUP_PREFIX, "cri-containerd-", CGROUP_ID_HEX64 },
        { CGROUP_PREFIX, "nerdctl-", CGROUP_ID_HEX64 },
        { CGROUP_COLON, "cri-containerd", CGROUP_ID_HEX64 },
        /* Fargate platform 1.4 and later: ids are not 64-hex. */
        { CGROUP_IN_ROOT, "ecs", CGROUP_ID_FARGATE },
        {},
};

static int containerd_complete(IdentifyContext *ctx, _unused_ const IdentifyInput *in, Found *f)
{
        return f->id ? state_containerd_name(ctx, f) : 0;
}

/* "ctr run" and other clients without CRI: "/<namespace>/<id>", confirmed on disk. */
static bool containerd_match(IdentifyContext *ctx, const IdentifyInput *in, const char *cgroup,
                             Found *f)
{
        _cleanup_free_ char *task_ns = NULL, *task_id = NULL, *path = NULL;

        if (naming_cgroup_task_candidate(cgroup, &task_ns, &task_id) <= 0 ||
            !state_task_ns_exists(ctx, task_ns) ||
            identify_cgroup_inherited(ctx, in, cgroup, NULL))
                return false;
        path = xasprintf(CONTAINERD_TASK_DIR "/%s/%s/config.json", task_ns, task_id);
        if (identify_metadata_kube(ctx, path, f) <= 0)
                return false;
        f->runtime = RUNTIME_CONTAINERD;
        f->id = xstrdup(task_id);
        /* Without CRI the id is the name the user chose. */
        if (!f->name)
                f->name = xstrdup(task_id);
        return true;
}

/* --- Kubernetes: the kubelet's cgroupfs driver does not say which runtime --- */

static const CgroupRule kubernetes_cgroup[] = {
        { CGROUP_IN, "kubepods", CGROUP_ID_HEX64 },
        {},
};

/* --- CRI-O --- */

static const CgroupRule crio_cgroup[] = {
        { CGROUP_PREFIX, "crio-conmon-", CGROUP_ID_HEX64, .monitor = true },
        { CGROUP_PREFIX, "crio-", CGROUP_ID_HEX64 },
        { CGROUP_COLON, "crio", CGROUP_ID_HEX64 },
        {},
};

static int crio_complete(IdentifyContext *ctx, _unused_ const IdentifyInput *in, Found *f)
{
        return f->id ? state_crio_name(ctx, f) : 0;
}

/* --- LXC, LXD, Incus --- */

static const CgroupRule lxc_cgroup[] = {
        /* LXC 4 and later, LXD and Incus. */
        { CGROUP_PREFIX, "lxc.payload.", CGROUP_NAME },
        { CGROUP_PREFIX, "lxc.monitor.", CGROUP_NAME, .monitor = true },
        /* LXC 3.x "lxc.payload/<name>", and before it "/lxc/<name>". */
        { CGROUP_BELOW, "lxc.payload", CGROUP_NAME },
        { CGROUP_SECOND, "lxc", CGROUP_NAME },
        { CGROUP_BELOW, "lxc.monitor", CGROUP_NAME, .monitor = true },
        {},
};

/* --- systemd-nspawn --- */

static const CgroupRule nspawn_cgroup[] = {
        { CGROUP_UNIT, .parse = naming_nspawn_unit },
        {},
};

static int nspawn_complete(IdentifyContext *ctx, _unused_ const IdentifyInput *in, Found *f)
{
        state_nspawn_name(ctx, &f->name);
        return 0;
}

/* --keep-unit (or no systemd) makes no machine scope: the parent is nspawn. */
static bool nspawn_match(IdentifyContext *ctx, const IdentifyInput *in,
                         _unused_ const char *cgroup, Found *f)
{
        _cleanup_free_ char *cmdline = NULL;
        char path[64];
        size_t len;

        if (!identify_comm_is(in, true, "systemd-nspawn"))
                return false;
        f->runtime = RUNTIME_NSPAWN;
        snprintf(path, sizeof(path), "%d/cmdline", (int)in->leader_ppid);
        if (in->leader_ppid > 0 && read_file_at(ctx->proc_fd, path, 65536, &cmdline, &len) >= 0)
                (void)naming_nspawn_cmdline(cmdline, len, &f->name);
        return true;
}

/* --- runc and crun without a manager: their state directories, by pid --- */

static bool state_match(IdentifyContext *ctx, const IdentifyInput *in, Runtime runtime, Found *f)
{
        const PidEntry *e = state_runc_lookup(ctx, in->leader);

        if (!e || e->runtime != runtime)
                return false;
        f->runtime = e->runtime;
        f->id = xstrdup(e->id);
        f->name = xstrdup(e->id);
        return true;
}

static bool runc_match(IdentifyContext *ctx, const IdentifyInput *in, _unused_ const char *cgroup,
                       Found *f)
{
        return state_match(ctx, in, RUNTIME_RUNC, f);
}

static bool crun_match(IdentifyContext *ctx, const IdentifyInput *in, _unused_ const char *cgroup,
                       Found *f)
{
        return state_match(ctx, in, RUNTIME_CRUN, f);
}

/* --- flatpak --- */

static const CgroupRule flatpak_cgroup[] = {
        { CGROUP_UNIT, .parse = naming_flatpak_unit },
        {},
};

static int flatpak_complete(IdentifyContext *ctx, const IdentifyInput *in, Found *f)
{
        /* The scope's app id is enough; .flatpak-info only when the scope name was odd. */
        if (!f->name)
                (void)state_flatpak_name(ctx, in->leader, &f->name);
        return 0;
}

/* Without a systemd scope: .flatpak-info in the sandbox's root (flatpak runs bwrap). */
static bool flatpak_match(IdentifyContext *ctx, const IdentifyInput *in,
                          _unused_ const char *cgroup, Found *f)
{
        if (!state_flatpak_name(ctx, in->leader, &f->name))
                return false;
        f->runtime = RUNTIME_FLATPAK;
        return true;
}

/* --- snap --- */

static const CgroupRule snap_cgroup[] = {
        { CGROUP_UNIT, .parse = naming_snap_unit },
        {},
};

/* --- firejail --- */

/* The sandbox's leader is a second firejail process; the first owns the name file. */
static bool firejail_match(IdentifyContext *ctx, const IdentifyInput *in,
                           _unused_ const char *cgroup, Found *f)
{
        if (!identify_comm_is(in, true, "firejail") && !identify_comm_is(in, false, "firejail"))
                return false;
        f->runtime = RUNTIME_FIREJAIL;
        if (!(identify_comm_is(in, true, "firejail") && in->leader_ppid > 0 &&
              state_firejail_name(ctx, in->leader_ppid, &f->name)))
                (void)state_firejail_name(ctx, in->leader, &f->name);
        return true;
}

/* --- bwrap --- */

/*
 * bwrap forks the sandbox; with --unshare-pid the sandbox's pid 1 is bwrap
 * again, reaping for the command, whose name is on bwrap's command line.
 */
static bool bwrap_match(_unused_ IdentifyContext *ctx, const IdentifyInput *in,
                        _unused_ const char *cgroup, Found *f)
{
        if (!identify_comm_is(in, true, "bwrap") && !identify_comm_is(in, false, "bwrap"))
                return false;
        f->runtime = RUNTIME_BWRAP;
        if (identify_comm_is(in, false, "bwrap"))
                (void)naming_bwrap_command(in->cmdline, in->cmdline_len, &f->name);
        return true;
}

/* --- unshare(1) and ip netns --- */

static bool unshare_match(_unused_ IdentifyContext *ctx, const IdentifyInput *in,
                          _unused_ const char *cgroup, Found *f)
{
        if (!identify_comm_is(in, true, "unshare") && !identify_comm_is(in, false, "unshare"))
                return false;
        f->runtime = RUNTIME_UNSHARE;
        return true;
}

static bool netns_match(IdentifyContext *ctx, const IdentifyInput *in, _unused_ const char *cgroup,
                        Found *f)
{
        const char *name;

        if (!in->ns || !in->host_ns || in->ns[NS_NET] == 0 || in->ns[NS_NET] == in->host_ns[NS_NET])
                return false;
        name = state_netns_lookup(ctx, in->ns[NS_NET]);
        if (!name)
                return false;
        f->runtime = RUNTIME_NETNS;
        f->name = xstrdup(name);
        return true;
}

/* --- Cloud Foundry's garden --- */

static const CgroupRule garden_cgroup[] = {
        { CGROUP_BELOW, "garden", CGROUP_ID_PLAIN },
        {},
};

/* --- nothing known: a bare 64-hex directory (a custom cgroup parent) --- */

static const CgroupRule unknown_cgroup[] = {
        { CGROUP_ANY, NULL, CGROUP_ID_HEX64 },
        {},
};

/*
 * Host, kernel threads and ns run are told apart by marks identify.c checks
 * before anything else (ns run's pid 1 names itself: the most specific
 * evidence there is); their entries hold only their names.
 */
const RuntimeInfo runtime_table[RUNTIME_MAX] = {
        [RUNTIME_UNKNOWN] = { "-", "unknown", unknown_cgroup },
        [RUNTIME_HOST] = { "host", "the host instance" },
        [RUNTIME_PODMAN] = { "podman", "Podman", podman_cgroup, podman_complete },
        [RUNTIME_DOCKER] = { "docker", "Docker", docker_cgroup, docker_complete },
        [RUNTIME_CONTAINERD] = { "containerd", "containerd, alone or under Kubernetes",
                                 containerd_cgroup, containerd_complete, containerd_match },
        [RUNTIME_KUBERNETES] = { "kubernetes", "Kubernetes, runtime unknown", kubernetes_cgroup },
        [RUNTIME_CRIO] = { "cri-o", "CRI-O", crio_cgroup, crio_complete },
        [RUNTIME_LXC] = { "lxc", "LXC, LXD or Incus", lxc_cgroup },
        [RUNTIME_NSPAWN] = { "nspawn", "systemd-nspawn", nspawn_cgroup, nspawn_complete,
                             nspawn_match },
        [RUNTIME_RUNC] = { "runc", "runc on its own", NULL, NULL, runc_match },
        [RUNTIME_CRUN] = { "crun", "crun on its own", NULL, NULL, crun_match },
        [RUNTIME_FLATPAK] = { "flatpak", "Flatpak", flatpak_cgroup, flatpak_complete,
                              flatpak_match },
        [RUNTIME_SNAP] = { "snap", "snapd's confinement", snap_cgroup },
        [RUNTIME_FIREJAIL] = { "firejail", "firejail", NULL, NULL, firejail_match },
        [RUNTIME_BWRAP] = { "bwrap", "bubblewrap on its own", NULL, NULL, bwrap_match },
        [RUNTIME_NS] = { "ns", "started by ns" },
        [RUNTIME_UNSHARE] = { "unshare", "unshare(1)", NULL, NULL, unshare_match },
        [RUNTIME_NETNS] = { "netns", "ip netns exec", NULL, NULL, netns_match },
        [RUNTIME_GARDEN] = { "garden", "Garden (Cloud Foundry)", garden_cgroup },
        [RUNTIME_KERNEL] = { "kernel", "a kernel thread" },
};

const char *runtime_to_string(Runtime r)
{
        /* Total, so that a table cell can never be NULL. */
        if (r < 0 || r >= RUNTIME_MAX)
                return runtime_table[RUNTIME_UNKNOWN].name;
        return runtime_table[r].name;
}

Runtime runtime_from_string(const char *s)
{
        if (!s)
                return RUNTIME_INVALID;
        for (int r = 0; r < RUNTIME_MAX; r++)
                if (streq(runtime_table[r].name, s))
                        return (Runtime)r;
        return RUNTIME_INVALID;
}
