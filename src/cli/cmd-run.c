/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ns run: argv, messages and the exit status. The work is in launch.c. */
#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "caps.h"
#include "cglimits.h"
#include "cmd-run.h"
#include "idmap.h"
#include "passwd.h"
#include "util.h"

/* The smallest --memory an instance starts with (ns' pid 1 and a shell). */
#define RUN_MIN_MEMORY (1024 * 1024)

/* --userns: how the ids of the instance are mapped. */
typedef enum RunUserns {
        RUN_USERNS_DEFAULT, /* auto with --image, else single */
        RUN_USERNS_SINGLE,  /* only the caller's own id */
        RUN_USERNS_RANGE,   /* the subordinate range, or an error */
        RUN_USERNS_AUTO,    /* the subordinate range when there is one */
        RUN_USERNS_MAX,
        RUN_USERNS_INVALID = -1,
} RunUserns;

typedef struct RunOptions {
        LaunchConfig launch;
        LaunchMount *mounts;
        char **mount_srcs; /* per mount: a relative source made absolute, or NULL */
        LimitsConfig limits;
        RunUserns userns;
        IdMap idmap;
        bool net_given;
        LaunchPort *ports;
        RunImageOptions image;
        char **env; /* -e, in order */
        RunImage run_image;
        char **envp; /* -e without --image: the caller's environment and them */
} RunOptions;

static void run_options_done(RunOptions *o)
{
        for (size_t i = 0; i < o->launch.n_mounts; i++)
                free(o->mount_srcs[i]);
        free(o->mount_srcs);
        free(o->mounts);
        free(o->env);
        run_image_done(&o->run_image);
        for (size_t i = 0; o->envp && o->envp[i]; i++)
                free(o->envp[i]);
        free(o->envp);
        free(o->ports);
}

static void run_help(void)
{
        fputs("Usage:\n"
              " ns run [options] [--] [<command> [<argument>...]]\n"
              " ns run [options] --image <image> [--] [<command> [<argument>...]]\n"
              "\n"
              "Start a fresh, stateless sandbox: new namespaces, the host's root (or a\n"
              "directory) read-only, your own uid, no capabilities. Nothing is written\n"
              "to disk and nothing is left behind. With no command, your shell.\n"
              "With --image, the root is a container image's, writable, its writes\n"
              "gone with the sandbox; a command replaces the image's own.\n"
              "\n"
              "Options:\n"
              "     --rootfs <dir>         use <dir> as the root instead of the host's /\n"
              "     --image <image>        run a container image: a docker-save archive, an\n"
              "                              OCI layout or a registry reference\n"
              "     --read-only            with --image: refuse writes to the root\n"
              "     --image-cache <dir>    the image store (default: ~/.cache/ns)\n"
              "     --entrypoint <cmd>     with --image: run <cmd> instead of the image's\n"
              "                              entrypoint and command (\"\" for none)\n"
              " -e, --env <var>[=<value>]  set a variable (without a value: yours)\n"
              "     --map <src> <dst>      bind <src> read-only at <dst>\n"
              "     --vol <src> <dst>      bind <src> writable at <dst>\n"
              "     --tmpfs <dst>          mount an empty tmpfs at <dst>\n"
              "     --build                make the root writable\n"
              " -r, --root                 be root (uid 0) inside, as yourself outside\n"
              " -n, --name <name>          name the instance (ns ls, ns enter)\n"
              "     --hostname <name>      set the hostname (default: the name)\n"
              " -w, --workdir <dir>        working directory inside\n"
              "     --userns <mode>        single (your id only, the default), auto\n"
              "                              or range (be root inside, with your\n"
              "                              subordinate ids of /etc/subuid as 1..N)\n"
              "     --time                 own clocks: uptime and CLOCK_MONOTONIC from 0\n"
              "     --net <mode>           none (loopback only, the default), host,\n"
              "                              pasta or slirp4netns\n"
              " -p, --publish <spec>       publish [IP:]HOSTPORT:PORT[/tcp|/udp] on the\n"
              "                              host (127.0.0.1 unless IP; implies pasta)\n"
              "     --share <list>         keep these namespaces of the caller's:\n"
              "                              user, mnt, pid, net, uts, ipc, cgroup\n"
              "     --cap-add <list>       keep these capabilities (inside the sandbox's\n"
              "                              own user namespace), or 'all'\n"
              "     --memory <size>        limit memory (e.g. 512M, 2G)\n"
              "     --pids <number>        limit the number of processes\n"
              "     --cpus <number>        limit CPU time (e.g. 0.5, 2)\n"
              " -h, --help                 display this help\n"
              "\n"
              "See ns-run(1).\n",
              stdout);
}

static int parse_share(const char *list, unsigned *share)
{
        _cleanup_free_ char *s = xstrdup(list);
        char *save = NULL;

        for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                NsType type = ns_type_from_string(streq(t, "mount") ? "mnt" : t);
                if (type == NS_TYPE_INVALID) {
                        log_error("unknown namespace type '%s'", t);
                        return -EINVAL;
                }
                *share |= 1u << type;
        }
        return 0;
}

/* --cap-add: "all" or capability names (or numbers). Reports its errors:
 * -EINVAL for an unknown name. */
static int parse_caps(const char *list, uint64_t *keep)
{
        _cleanup_free_ char *s = xstrdup(list);
        char *save = NULL;
        uint64_t all = caps_all();

        for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                int v;

                if (strcasecmp(t, "all") == 0) {
                        *keep |= all;
                        continue;
                }
                if (caps_from_name(t, &v) < 0 || !(all & (1ULL << v))) {
                        log_error("unknown capability '%s'", t);
                        return -EINVAL;
                }
                *keep |= 1ULL << v;
        }
        return 0;
}

/* Is an absolute path the root itself ("/", "//", "/./", "/tmp/..")?
 * Lexically: ".." of the root is the root. */
static bool is_root_path(const char *path)
{
        int depth = 0;

        for (const char *p = path; *p;) {
                size_t n;

                while (*p == '/')
                        p++;
                n = strcspn(p, "/");
                if (n == 0)
                        break;
                if (n == 2 && p[0] == '.' && p[1] == '.')
                        depth = depth > 0 ? depth - 1 : 0;
                else if (!(n == 1 && p[0] == '.'))
                        depth++;
                p += n;
        }
        return depth == 0;
}

static int add_mount(RunOptions *o, LaunchMountType type, const char *src, const char *dst)
{
        _cleanup_free_ char *abs = NULL;

        if (dst[0] != '/') {
                log_error("the target of --%s needs an absolute path, not '%s'",
                          launch_mount_type_to_string(type), dst);
                return -EINVAL;
        }
        /* A mount over / would not be the root of the processes inside:
         * it would have no effect at all. */
        if (is_root_path(dst)) {
                if (type == LAUNCH_MOUNT_TMPFS)
                        log_error("cannot run with --tmpfs '%s': the root cannot be replaced by "
                                  "a mount (use --rootfs <dir> with --build for a writable root "
                                  "of your own)",
                                  dst);
                else
                        log_error("cannot run with --%s '%s' '%s': the root cannot be replaced by "
                                  "a mount (use --rootfs '%s'%s)",
                                  launch_mount_type_to_string(type), src, dst, src,
                                  type == LAUNCH_MOUNT_VOL ? " --build" : "");
                return -EINVAL;
        }
        /* A relative source is the caller's: pid 1 is in / by the time
         * the payload opens it. */
        if (src && src[0] != '/') {
                _cleanup_free_ char *cwd = getcwd(NULL, 0);

                if (!cwd) {
                        log_error("cannot run with --%s '%s': cannot find the current directory: %s",
                                  launch_mount_type_to_string(type), src, strerror(errno));
                        return -EINVAL;
                }
                abs = xasprintf("%s/%s", streq(cwd, "/") ? "" : cwd, src);
                src = abs;
        }
        o->mount_srcs = xreallocarray(o->mount_srcs, o->launch.n_mounts + 1, sizeof(char *));
        o->mount_srcs[o->launch.n_mounts] = TAKE_PTR(abs);
        o->mounts = xreallocarray(o->mounts, o->launch.n_mounts + 1, sizeof(LaunchMount));
        o->mounts[o->launch.n_mounts++] = (LaunchMount){ .type = type, .src = src, .dst = dst };
        o->launch.mounts = o->mounts;
        return 0;
}

static RunUserns userns_from_string(const char *s)
{
        static const char *const names[RUN_USERNS_MAX] = {
                [RUN_USERNS_SINGLE] = "single",
                [RUN_USERNS_RANGE] = "range",
                [RUN_USERNS_AUTO] = "auto",
        };

        for (int i = 0; i < RUN_USERNS_MAX; i++)
                if (names[i] && streq(names[i], s))
                        return (RunUserns)i;
        return RUN_USERNS_INVALID;
}

/* The caller's user name from the host's passwd, or the uid. */
static char *self_name(void)
{
        _cleanup_free_ char *content = NULL;
        PasswdEntry pw = {};
        char *name;

        _cleanup_close_ int root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

        /* relative to "/": openat2's RESOLVE_IN_ROOT takes the fd as the
         * root, and AT_FDCWD would make that the working directory */
        if (root_fd >= 0 && passwd_read_file(root_fd, "etc/passwd", &content) >= 0 &&
            passwd_find(content, NULL, geteuid(), &pw) >= 0) {
                name = TAKE_PTR(pw.name);
                passwd_entry_done(&pw);
                return name;
        }
        return xasprintf("%u", (unsigned)geteuid());
}

/*
 * --userns: with a subordinate range (and newuidmap/newgidmap), the
 * caller is root inside and the range's ids are 1..N, so that an image's
 * users exist and chown works; else the single map, with a word on what it
 * cannot do when a range was asked for.
 */
static int plan_userns(RunOptions *o)
{
        RunUserns mode = o->userns;
        _cleanup_free_ char *name = NULL;
        int r;

        if (mode == RUN_USERNS_DEFAULT)
                mode = o->image.ref ? RUN_USERNS_AUTO : RUN_USERNS_SINGLE;
        if (mode == RUN_USERNS_SINGLE)
                return 0;
        if (o->image.ref && geteuid() == 0 && !(o->launch.share & (1u << NS_USER))) {
                /* The host's root: ns-image unpacked the layers with their
                 * own owners, so every id is mapped onto itself, as a
                 * container engine run by root has them. */
                o->idmap = (IdMap){
                        .uid = { { 0, 0, UINT32_MAX } },
                        .gid = { { 0, 0, UINT32_MAX } },
                        .n_uid = 1,
                        .n_gid = 1,
                };
                o->launch.idmap = &o->idmap;
                return 0;
        }
        if (o->launch.share & (1u << NS_USER)) {
                log_error("cannot run with --userns=%s and --share=user: the ids would be the "
                          "host's (drop one of them)",
                          mode == RUN_USERNS_RANGE ? "range" : "auto");
                return -EINVAL;
        }
        {
                /* The files below "/", wherever ns run is started: the same
                 * map as ns-image unpacked the layers with. */
                _cleanup_close_ int root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

                if (root_fd < 0)
                        return -errno;
                r = idmap_plan(root_fd, geteuid(), getegid(), &o->idmap);
        }
        if (r < 0)
                return r;
        if (o->idmap.ranged) {
                o->launch.idmap = &o->idmap;
                o->launch.root = true;
                return 0;
        }
        name = self_name();
        if (!idmap_helpers_present())
                (mode == RUN_USERNS_RANGE ? log_error : log_warning)(
                        "%s no subordinate id range: newuidmap/newgidmap are not installed "
                        "(the uidmap package)",
                        mode == RUN_USERNS_RANGE ? "cannot map" : "mapping only your own id,");
        else
                (mode == RUN_USERNS_RANGE ? log_error : log_warning)(
                        "%s '%s' has no range in /etc/subuid and /etc/subgid",
                        mode == RUN_USERNS_RANGE ? "cannot map a subordinate id range:"
                                                 : "mapping only your own id:",
                        name);
        fprintf(stderr,
                "With one id, the instance has one user and one group: files of other owners "
                "show as\nnobody, and chown or setuid to any other id fails. Add a range as root "
                "(usermod\n--add-subuids 100000-165535 --add-subgids 100000-165535 %s). See "
                "ns-run(1).\n",
                name);
        return mode == RUN_USERNS_RANGE ? -EINVAL : 0;
}

static int add_port(RunOptions *o, const char *spec)
{
        LaunchPort p;

        if (launch_port_parse(spec, &p) < 0) {
                log_error("invalid port '%s' (give [IP:]HOSTPORT:PORT[/tcp|/udp])", spec);
                return -EINVAL;
        }
        o->ports = xreallocarray(o->ports, o->launch.n_ports + 1, sizeof(LaunchPort));
        o->ports[o->launch.n_ports++] = p;
        o->launch.ports = o->ports;
        return 0;
}

/* -p needs a network of pasta or slirp4netns: pasta unless --net says. */
static int check_ports(RunOptions *o)
{
        if (o->launch.n_ports == 0)
                return 0;
        if (!o->net_given)
                o->launch.net = LAUNCH_NET_PASTA;
        if (!launch_net_helper(o->launch.net)) {
                log_error("cannot publish ports with --net=%s: -p needs --net=pasta (the "
                          "default with -p) or --net=slirp4netns",
                          launch_net_to_string(o->launch.net));
                return -EINVAL;
        }
        for (size_t i = 0; i < o->launch.n_ports; i++)
                if (o->launch.net == LAUNCH_NET_SLIRP4NETNS && strchr(o->ports[i].host_addr, ':')) {
                        log_error("cannot publish on '%s' with --net=slirp4netns: it publishes "
                                  "on IPv4 addresses only (use --net=pasta)",
                                  o->ports[i].host_addr);
                        return -EINVAL;
                }
        return 0;
}

static void report_port_error(const LaunchError *e)
{
        const char *hint = "";

        if (e->error == EADDRINUSE)
                hint = " (another program has it: pick another host port)";
        else if (e->error == EACCES)
                hint = " (host ports below 1024 need root: pick 1024 or above)";
        else if (e->error == EADDRNOTAVAIL)
                hint = " (not an address of this host)";
        log_error("cannot publish port '%s': %s%s", e->detail, ERRSTR(e->error), hint);
}

static void report_clone_error(const RunOptions *o, int err)
{
        _cleanup_close_ int fd = open("/proc/sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        long v = -1;
        bool new_user = !(o->launch.share & (1u << NS_USER));

        /* A limit of a user namespace we are in (an enclosing one's does
         * not show in ours): inside an instance of ns run's, for one. */
        if (new_user && err == ENOSPC && fd >= 0 && !idmap_self_is_identity()) {
                (void)launch_userns_block(fd, err, &v);
                log_error("cannot create a user namespace: this user namespace allows no "
                          "more (user.max_user_namespaces%s)",
                          v == 0 ? " = 0" : ", its own or an enclosing one's");
                fputs("Whoever holds CAP_SYS_RESOURCE in it may raise it: sysctl -w "
                      "user.max_user_namespaces=15000\n"
                      "An instance of 'ns run' started by the host's root allows none: see "
                      "ns-run(1), SECURITY.\n",
                      stderr);
                return;
        }
        switch (new_user && fd >= 0 ? launch_userns_block(fd, err, &v) : USERNS_BLOCK_UNKNOWN) {
        case USERNS_BLOCK_MAX_ZERO:
                log_error("cannot create a user namespace: they are disabled here "
                          "(user.max_user_namespaces = 0)");
                fputs("Enable them as root: sysctl -w user.max_user_namespaces=15000\n", stderr);
                return;
        case USERNS_BLOCK_MAX_REACHED:
                log_error("cannot create a user namespace: the limit of %ld is reached "
                          "(user.max_user_namespaces)",
                          v);
                fputs("Raise it as root: sysctl -w user.max_user_namespaces=15000\n", stderr);
                return;
        case USERNS_BLOCK_DEBIAN_SYSCTL:
                log_error("cannot create a user namespace: unprivileged ones are disabled "
                          "here (kernel.unprivileged_userns_clone = 0)");
                fputs("Enable them as root: sysctl -w kernel.unprivileged_userns_clone=1\n",
                      stderr);
                return;
        case USERNS_BLOCK_APPARMOR:
                log_error("cannot create a user namespace: AppArmor restricts unprivileged "
                          "ones (kernel.apparmor_restrict_unprivileged_userns = 1)");
                fputs("Allow them as root: sysctl -w "
                      "kernel.apparmor_restrict_unprivileged_userns=0, or give ns an AppArmor\n"
                      "profile with the 'userns,' rule.\n",
                      stderr);
                return;
        case USERNS_BLOCK_DEPTH:
                log_error("cannot create a user namespace: nested too deep (Linux allows 32 "
                          "levels)");
                return;
        default:
                break;
        }
        if (err == ENOSYS)
                log_error("cannot create the namespaces: clone3 is missing (ns run needs "
                          "Linux 5.12 or later)");
        else if (err == EPERM && new_user)
                log_error("cannot create the namespaces: operation not permitted (in a "
                          "container whose seccomp filter forbids user namespaces?)");
        else if (err == EPERM)
                log_error("cannot create the namespaces: operation not permitted "
                          "(--share=user needs root)");
        else
                log_error("cannot create the namespaces: %s", ERRSTR(err));
}

#define TUN_PATH "/dev/net/tun"

static void report_tun_error(const RunOptions *o, int err)
{

        log_error("cannot run with --net=%s: cannot open '" TUN_PATH "': %s (%s needs it: "
                  "as root, chmod 0666 " TUN_PATH ", as udev does, or load the tun module)",
                  launch_net_to_string(o->launch.net), ERRSTR(err),
                  launch_net_helper(o->launch.net));
}

/*
 * pasta and slirp4netns open /dev/net/tun as the caller; where they may
 * not (a host without udev leaves it 0600 root), they die with nothing
 * that says why. Checked first, to say so.
 */
static int check_tun(const RunOptions *o)
{
        _cleanup_close_ int fd = -EBADF;

        if (!launch_net_helper(o->launch.net))
                return 0;
        fd = open(TUN_PATH, O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                int err = errno;

                report_tun_error(o, err);
                return -err;
        }
        return 0;
}

/* The root of --image: overlayfs in a user namespace. */
static void report_overlay_error(const LaunchError *e)
{
        if (e->error == ENODEV) {
                log_error("cannot mount the image's root: this kernel has no overlay file system "
                          "(as root: modprobe overlay)");
                return;
        }
        if (e->error == E2BIG) {
                log_error("cannot mount the image's root: too many layers for one mount on this "
                          "kernel (Linux 6.8 or later takes any number)");
                return;
        }
        log_error("cannot mount the image's root (overlayfs): %s%s%s", ERRSTR(e->error),
                  e->detail[0] ? ": " : "", e->detail);
        if (e->error == EPERM || e->error == EINVAL)
                fputs("ns run --image mounts overlayfs inside a user namespace, which needs "
                      "Linux 5.11 or later\n(the 'userxattr' option); the store must be on a "
                      "file system overlayfs can use\n(not another overlayfs, nor NFS).\n",
                      stderr);
}

static void report_error(const RunOptions *o, const LaunchError *e)
{
        const char *msg = ERRSTR(e->error);

        switch (e->step) {
        case LAUNCH_STAGE_CLONE:
                if (streq(e->detail, "time"))
                        log_error("cannot create a time namespace: %s (--time needs Linux 5.8 "
                                  "or later, built with CONFIG_TIME_NS)",
                                  msg);
                else
                        report_clone_error(o, e->error);
                break;
        case LAUNCH_STAGE_USERNS_MAP:
                if (streq(e->detail, "newuidmap")) {
                        log_error("cannot map the subordinate ids through "
                                  "newuidmap/newgidmap: %s (check your entries in /etc/subuid "
                                  "and /etc/subgid, or use --userns=single)",
                                  msg);
                        break;
                }
                log_error("cannot write '%s': %s", e->detail, msg);
                if (e->error == EPERM && geteuid() == 0 && !o->launch.root)
                        fputs("Root without CAP_SETFCAP may not map uid 0: inside an instance of "
                              "the host's root that can write\nto the host (--vol, --build), "
                              "ns run does not nest. See ns-run(1).\n",
                              stderr);
                break;
        case LAUNCH_STAGE_ROOT:
                log_error("cannot set up the root '%s': %s", e->detail, msg);
                break;
        case LAUNCH_STAGE_OVERLAY:
                report_overlay_error(e);
                break;
        case LAUNCH_STAGE_MOUNT:
                log_error("cannot mount '%s': %s", e->detail, msg);
                break;
        case LAUNCH_STAGE_BIND_SOURCE:
                log_error("cannot bind '%s': %s", e->detail, msg);
                break;
        case LAUNCH_STAGE_BIND_TARGET:
                if (e->error == ENOENT)
                        log_error("cannot mount on '%s': no such file or directory (it must "
                                  "exist in the root, or be below /tmp or a --tmpfs)",
                                  e->detail);
                else if (e->error == EXDEV)
                        log_error("cannot mount on '%s': it does not exist, and it would have to "
                                  "be made in the host directory bound there by --vol or --map "
                                  "(make it on the host first)",
                                  e->detail);
                else
                        log_error("cannot mount on '%s': %s", e->detail, msg);
                break;
        case LAUNCH_STAGE_NETWORK:
                if (e->error == ENOENT && !streq(e->detail, "lo"))
                        log_error("cannot set up the network: '%s' is not installed", e->detail);
                else
                        log_error("cannot set up the network ('%s'): %s", e->detail, msg);
                break;
        case LAUNCH_STAGE_PORT:
                report_port_error(e);
                break;
        case LAUNCH_STAGE_HOSTNAME:
                log_error("cannot set the hostname '%s': %s", e->detail, msg);
                break;
        case LAUNCH_STAGE_CGROUP:
                log_error("cannot join the cgroup of the limits: %s", msg);
                break;
        case LAUNCH_STAGE_SECURITY:
                log_error("cannot set up %s: %s", e->detail, msg);
                break;
        case LAUNCH_STAGE_WORKDIR: {
                /* uid 0 inside holds no capability but --cap-add: a
                 * directory of another of the image's users (mapped, with
                 * a map of several ids) stays closed */
                uint64_t dac = (UINT64_C(1) << CAP_DAC_OVERRIDE) | (UINT64_C(1) << CAP_DAC_READ_SEARCH);
                bool root_inside = o->launch.set_ids ? o->launch.uid == 0 : o->launch.root;

                if (e->error == EACCES && root_inside && o->launch.lowerdirs && o->launch.idmap &&
                    !(o->launch.cap_keep & dac))
                        log_error("cannot change directory to '%s': %s (uid 0 inside has no "
                                  "capabilities: --cap-add dac_read_search lets it in)",
                                  e->detail, msg);
                else
                        log_error("cannot change directory to '%s': %s", e->detail, msg);
                break;
        }
        case LAUNCH_STAGE_EXEC:
                log_error("cannot run '%s': %s", e->detail, msg);
                break;
        default:
                log_error("the sandbox failed: %s", msg);
                break;
        }
}

/* Die of the payload's signal, as a shell expects (unshare does the same). */
static int run_limits(const RunOptions *o, Limits **ret)
{
        _cleanup_free_ char *path = NULL;
        int r;

        r = cglimits_create(&o->limits, ret, &path);
        if (r == -EOPNOTSUPP) {
                log_error("cannot apply --memory/--pids/--cpus: no cgroup hierarchy here has "
                          "the controllers");
                return r;
        }
        if (r < 0) {
                log_error("cannot make a cgroup for the limits ('%s'): %s", path ?: "?",
                          ERRSTR(-r));
                if (r == -EACCES || r == -EPERM || r == -EROFS)
                        fputs("Limits need root, or a delegated cgroup v2 subtree (e.g. "
                              "systemd-run --user --scope -p Delegate=yes ns run ...).\n",
                              stderr);
                return r;
        }
        return 0;
}

int cmd_run(int argc, char **argv)
{
        enum {
                OPT_ROOTFS = 0x100,
                OPT_MAP,
                OPT_VOL,
                OPT_TMPFS,
                OPT_BUILD,
                OPT_HOSTNAME,
                OPT_NET,
                OPT_SHARE,
                OPT_CAP_ADD,
                OPT_MEMORY,
                OPT_PIDS,
                OPT_CPUS,
                OPT_IMAGE,
                OPT_READ_ONLY,
                OPT_IMAGE_CACHE,
                OPT_ENTRYPOINT,
                OPT_USERNS,
                OPT_TIME,
        };
        static const struct option options[] = {
                { "rootfs", required_argument, NULL, OPT_ROOTFS },
                { "map", required_argument, NULL, OPT_MAP },
                { "vol", required_argument, NULL, OPT_VOL },
                { "tmpfs", required_argument, NULL, OPT_TMPFS },
                { "build", no_argument, NULL, OPT_BUILD },
                { "root", no_argument, NULL, 'r' },
                { "name", required_argument, NULL, 'n' },
                { "hostname", required_argument, NULL, OPT_HOSTNAME },
                { "workdir", required_argument, NULL, 'w' },
                { "net", required_argument, NULL, OPT_NET },
                { "share", required_argument, NULL, OPT_SHARE },
                { "cap-add", required_argument, NULL, OPT_CAP_ADD },
                { "memory", required_argument, NULL, OPT_MEMORY },
                { "pids", required_argument, NULL, OPT_PIDS },
                { "cpus", required_argument, NULL, OPT_CPUS },
                { "image", required_argument, NULL, OPT_IMAGE },
                { "read-only", no_argument, NULL, OPT_READ_ONLY },
                { "image-cache", required_argument, NULL, OPT_IMAGE_CACHE },
                { "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
                { "env", required_argument, NULL, 'e' },
                { "userns", required_argument, NULL, OPT_USERNS },
                { "time", no_argument, NULL, OPT_TIME },
                { "publish", required_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(run_options_done) RunOptions o = { .launch = { .cgroup_fd = -1 } };
        char *shell_argv[2] = {};
        _cleanup_free_ char *rootfs = NULL;
        Launch *l = NULL;
        Limits *lim = NULL;
        LaunchError err = {};
        int c, r, status = 0, ret = 1;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+:rn:w:e:p:h", options, NULL)) >= 0) {
                switch (c) {
                case OPT_ROOTFS:
                        o.launch.rootfs = optarg;
                        break;
                case OPT_MAP:
                case OPT_VOL:
                        /* Two arguments: the second is the next word. */
                        if (optind >= argc) {
                                log_error("option '--%s' requires two arguments: <src> <dst>",
                                          c == OPT_MAP ? "map" : "vol");
                                goto usage;
                        }
                        if (add_mount(&o, c == OPT_MAP ? LAUNCH_MOUNT_MAP : LAUNCH_MOUNT_VOL,
                                      optarg, argv[optind++]) < 0)
                                goto usage;
                        break;
                case OPT_TMPFS:
                        if (add_mount(&o, LAUNCH_MOUNT_TMPFS, NULL, optarg) < 0)
                                goto usage;
                        break;
                case OPT_BUILD:
                        o.launch.build = true;
                        break;
                case 'r':
                        o.launch.root = true;
                        break;
                case 'n':
                        if (!*optarg || strchr(optarg, '/')) {
                                log_error("invalid name '%s'", optarg);
                                goto usage;
                        }
                        o.launch.name = optarg;
                        break;
                case OPT_HOSTNAME:
                        o.launch.hostname = optarg;
                        break;
                case 'w':
                        o.launch.workdir = optarg;
                        break;
                case OPT_NET:
                        o.net_given = true;
                        o.launch.net = launch_net_from_string(optarg);
                        if (o.launch.net == LAUNCH_NET_INVALID) {
                                log_error("unknown network mode '%s'", optarg);
                                goto usage;
                        }
                        break;
                case OPT_SHARE:
                        if (parse_share(optarg, &o.launch.share) < 0)
                                goto usage;
                        break;
                case OPT_CAP_ADD:
                        if (parse_caps(optarg, &o.launch.cap_keep) < 0)
                                goto usage;
                        break;
                case OPT_MEMORY:
                        if (cglimits_parse_size(optarg, &o.limits.memory) < 0) {
                                log_error("invalid size '%s'", optarg);
                                goto usage;
                        }
                        /* Below this, the kernel kills pid 1 before the
                         * command runs: a bare exit 137. */
                        if (o.limits.memory < RUN_MIN_MEMORY) {
                                log_error("cannot run with --memory '%s': an instance needs at "
                                          "least 1M to start (give a larger size, such as 64M)",
                                          optarg);
                                goto usage;
                        }
                        break;
                case OPT_PIDS:
                        if (cglimits_parse_size(optarg, &o.limits.pids) < 0 ||
                            strpbrk(optarg, ".kKmMgGtT")) {
                                log_error("invalid number of processes '%s'", optarg);
                                goto usage;
                        }
                        /* ns' pid 1 counts: the command could never start. */
                        if (o.limits.pids < 2) {
                                log_error("cannot run with --pids '%s': an instance needs at least "
                                          "2 (ns' pid 1 and the command)",
                                          optarg);
                                goto usage;
                        }
                        break;
                case OPT_CPUS:
                        if (cglimits_parse_cpus(optarg, &o.limits.cpu_millis) < 0) {
                                log_error("invalid number of CPUs '%s'", optarg);
                                goto usage;
                        }
                        break;
                case OPT_IMAGE:
                        o.image.ref = optarg;
                        break;
                case OPT_READ_ONLY:
                        o.image.read_only = true;
                        break;
                case OPT_IMAGE_CACHE:
                        o.image.cache = optarg;
                        break;
                case OPT_ENTRYPOINT:
                        o.image.entrypoint = optarg;
                        break;
                case 'e':
                        if (!*optarg || optarg[0] == '=') {
                                log_error("invalid variable '%s' (give <name>=<value> or <name>)",
                                          optarg);
                                goto usage;
                        }
                        o.env = xreallocarray(o.env, o.image.n_env + 1, sizeof(char *));
                        o.env[o.image.n_env++] = optarg;
                        o.image.env = o.env;
                        break;
                case OPT_USERNS:
                        o.userns = userns_from_string(optarg);
                        if (o.userns == RUN_USERNS_INVALID) {
                                log_error("unknown --userns mode '%s' (single, auto or range)",
                                          optarg);
                                goto usage;
                        }
                        break;
                case OPT_TIME:
                        o.launch.time_ns = true;
                        break;
                case 'p':
                        if (add_port(&o, optarg) < 0)
                                goto usage;
                        break;
                case 'h':
                        run_help();
                        return 0;
                default:
                        return option_error("run", c, argv);
                }
        }
        if (check_ports(&o) < 0)
                goto usage;
        if (o.launch.time_ns && (o.launch.share & (1u << NS_TIME))) {
                log_error("cannot run with --time and --share=time (drop one of them)");
                goto usage;
        }
        if (o.launch.net == LAUNCH_NET_HOST)
                o.launch.share |= 1u << NS_NET;
        if ((o.launch.share & (1u << NS_NET)) && launch_net_helper(o.launch.net)) {
                log_error("--net=%s needs a network namespace of its own (not --share=net)",
                          launch_net_to_string(o.launch.net));
                goto usage;
        }
        if ((o.launch.share & (1u << NS_USER)) && o.launch.cap_keep) {
                log_error("cannot run with --cap-add and --share=user: the capabilities would "
                          "be the host's (drop one of them)");
                goto usage;
        }
        if (o.image.ref && (o.launch.rootfs || o.launch.build)) {
                log_error("cannot run with --image and --%s: the image is the root (its writes "
                          "are kept until the sandbox ends; --read-only refuses them)",
                          o.launch.rootfs ? "rootfs" : "build");
                goto usage;
        }
        /* Without a mount namespace of its own the root cannot be
         * replaced: the command would run on the host's, writable, with
         * an image's Entrypoint for one. */
        if ((o.image.ref || o.launch.rootfs) && (o.launch.share & (1u << NS_MNT))) {
                log_error("cannot run with --%s and --share=mnt: its root needs a mount "
                          "namespace of its own (drop one of them)",
                          o.image.ref ? "image" : "rootfs");
                goto usage;
        }
        /* Nor can anything be mounted without one: it would be on the
         * host, or silently not there. */
        if (o.launch.n_mounts > 0 && (o.launch.share & (1u << NS_MNT))) {
                log_error("cannot run with --%s and --share=mnt: its mounts need a mount "
                          "namespace of its own (drop one of them)",
                          launch_mount_type_to_string(o.mounts[0].type));
                goto usage;
        }
        if (!o.image.ref && (o.image.read_only || o.image.cache || o.image.entrypoint)) {
                log_error("--%s needs --image", o.image.read_only ? "read-only"
                                                : o.image.cache   ? "image-cache"
                                                                  : "entrypoint");
                goto usage;
        }
        if (o.launch.rootfs) {
                struct stat st;
                int bad = stat(o.launch.rootfs, &st) < 0 ? errno
                          : S_ISDIR(st.st_mode)          ? 0
                                                         : ENOTDIR;

                if (bad) {
                        log_error("cannot run with --rootfs '%s': %s", o.launch.rootfs,
                                  ERRSTR(bad));
                        return 1;
                }
                /* The mounts and pivot_root need the directory itself: a
                 * symbolic link (or one on the way) is resolved here, on
                 * the host, where the user named it. */
                rootfs = realpath(o.launch.rootfs, NULL);
                if (!rootfs) {
                        log_error("cannot resolve '%s': %s", o.launch.rootfs,
                                  ERRSTR(errno));
                        return 1;
                }
                o.launch.rootfs = rootfs;
        }
        if (check_tun(&o) < 0)
                return 1;
        /* --root as given, before a subordinate range makes the caller 0
         * inside: with --image, it runs the command as 0 whatever the
         * image's User. */
        o.image.root = o.launch.root;
        if (plan_userns(&o) < 0)
                return 1;

        if (o.image.ref) {
                if (run_image_prepare(&o.image, optind < argc ? argv + optind : NULL, &o.launch,
                                      &o.run_image) < 0)
                        return 1;
        } else if (optind < argc)
                o.launch.argv = argv + optind;
        else {
                /* The caller's shell; in a --rootfs of its own, its sh. */
                const char *sh = getenv("SHELL");
                shell_argv[0] = (char *)(!o.launch.rootfs && sh && *sh ? sh : "/bin/sh");
                o.launch.argv = shell_argv;
        }

        if (!o.image.ref && o.image.n_env > 0) {
                o.envp = run_env_build(environ, false, o.env, o.image.n_env);
                o.launch.envp = o.envp;
        }

        if (!cglimits_empty(&o.limits)) {
                if (run_limits(&o, &lim) < 0)
                        return 1;
                o.launch.cgroup_fd = cglimits_cgroup_fd(lim);
                o.launch.cgroup_procs_fds = cglimits_procs_fds(lim, &o.launch.n_cgroup_procs_fds);
        }

        fflush(NULL);
        r = launch_start(&o.launch, &l, &err);
        if (o.run_image.image)
                /* The instance holds the store's shared lock now (its
                 * copy of the fd) until its layers are mounted and it
                 * execs: a removal cannot take them away midway, and a
                 * pull need not wait for the instance to end. */
                image_unlock(o.run_image.image);
        if (r < 0) {
                report_error(&o, &err);
                goto out;
        }
        r = launch_wait(l, &status, &err);
        if (r < 0) {
                report_error(&o, &err);
                goto out;
        }
        if (err.step == LAUNCH_STAGE_EXEC)
                report_error(&o, &err);
        if (o.limits.memory && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
                log_error("the sandbox was killed (SIGKILL) under --memory %" PRIu64 "K: "
                          "out of memory? (give a larger --memory)",
                          o.limits.memory / 1024);
        if (WIFEXITED(status))
                ret = WEXITSTATUS(status);
        else if (WIFSIGNALED(status))
                ret = 128 + WTERMSIG(status);

out:
        if (l && lim)
                /* the instance must have left the cgroup to remove it */
                launch_reap(l, NULL);
        launch_free(l);
        if (lim) {
                (void)cglimits_remove(lim);
                cglimits_free(lim);
        }
        if (r >= 0 && WIFSIGNALED(status))
                return exit_like(status);
        return ret;

usage:
        return usage_error("run");
}
