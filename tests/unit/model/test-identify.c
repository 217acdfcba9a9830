/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * identify_instance() on the fixture tree in tests/fixtures/identify: a
 * fake /proc ("proc/<pid>/cgroup", "cmdline", "stat", "root/") and a fake
 * "/" ("root/var/lib/docker/...", "root/run/runc/...") holding the files
 * each runtime leaves. The tree's README says which pid is what. Then a
 * few checks against real processes: bwrap, unshare and, as root, a UTS
 * namespace with its own hostname.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "identify.h"
#include "macro.h"
#include "util.h"

#define HOST_NS 4026531000ULL

static int proc_fd = -EBADF, root_fd = -EBADF;
static IdentifyContext *ctx;
static NsIno host_ns[NS_TYPE_MAX], inst_ns[NS_TYPE_MAX];

static void setup(void)
{
        const char *dir = getenv("NS_FIXTURES");
        _cleanup_free_ char *p = NULL, *r = NULL;

        cr_assert_not_null(dir, "NS_FIXTURES is not set (the source tree's tests/fixtures)");
        p = xasprintf("%s/identify/proc", dir);
        r = xasprintf("%s/identify/root", dir);
        proc_fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(proc_fd, 0, "%s: %m", p);
        root_fd = open(r, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(root_fd, 0, "%s: %m", r);
        ctx = identify_context_new(proc_fd, root_fd);
        cr_assert_not_null(ctx);

        /* An instance with private mnt and pid, everything else the host's. */
        for (int t = 0; t < NS_TYPE_MAX; t++)
                host_ns[t] = inst_ns[t] = HOST_NS + (NsIno)t;
        inst_ns[NS_MNT] += 1000;
        inst_ns[NS_PID] += 1000;
}

static void teardown(void)
{
        ctx = identify_context_free(ctx);
        closep(&proc_fd);
        closep(&root_fd);
}

TestSuite(identify, .init = setup, .fini = teardown);

typedef struct Expect {
        Runtime runtime;
        const char *id; /* NULL: none */
        const char *name;
        const char *k8s_ns; /* NULL: none */
} Expect;

static void check(pid_t leader, pid_t ppid, const char *comm, const char *parent_comm,
                  const char *cmdline, size_t cmdline_len, const NsIno *ns, Expect e)
{
        IdentifyInput in = {
                .leader = leader,
                .leader_ppid = ppid,
                .leader_comm = comm,
                .parent_comm = parent_comm,
                .cmdline = cmdline,
                .cmdline_len = cmdline_len,
                .ns = ns ?: inst_ns,
                .host_ns = host_ns,
        };
        Identity id = { .runtime = RUNTIME_INVALID };

        identify_instance(ctx, &in, &id);
        cr_expect_eq(id.runtime, e.runtime, "pid %d: runtime %s, expected %s", (int)leader,
                     runtime_to_string(id.runtime), runtime_to_string(e.runtime));
        cr_assert_not_null(id.name, "pid %d: name is NULL", (int)leader);
        cr_expect_str_eq(id.name, e.name, "pid %d: name '%s', expected '%s'", (int)leader, id.name,
                         e.name);
        if (e.id)
                cr_expect_str_eq(id.runtime_id ?: "(null)", e.id, "pid %d: id", (int)leader);
        else
                cr_expect_null(id.runtime_id, "pid %d: id '%s'", (int)leader, id.runtime_id);
        cr_expect_str_eq(id.k8s_namespace ?: "(null)", e.k8s_ns ?: "(null)",
                         "pid %d: Kubernetes namespace", (int)leader);
        identity_done(&id);
        cr_expect_null(id.name);
}

/* A command line from a string literal with embedded NULs. */
#define CMD(s) s, sizeof(s)
#define NOCMD NULL, 0

#define HEX(c)                                                                                    \
        c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
                c c c c c c c c c c c c c c c c c c c

Test(identify, host)
{
        IdentifyInput in = { .host = true,
                             .leader = 1,
                             .leader_comm = "init",
                             .parent_comm = "",
                             .ns = host_ns,
                             .host_ns = host_ns };
        Identity id;
        struct utsname u;

        cr_assert_eq(uname(&u), 0);
        identify_instance(ctx, &in, &id);
        cr_expect_eq(id.runtime, RUNTIME_HOST);
        cr_expect_str_eq(id.name, u.nodename);
        cr_expect_null(id.runtime_id);
        identity_done(&id);
}

Test(identify, docker)
{
        /* The top-level "Name", not NetworkSettings.Service.Name. */
        check(100, 99, "nginx", "containerd-shim", CMD("nginx\0"), NULL,
              (Expect){ RUNTIME_DOCKER, HEX("a"), "web" });
        /* No metadata (not root, or removed): the id, and the command for a name. */
        check(320, 319, "nginx", "containerd-shim", CMD("nginx: master process\0"), NULL,
              (Expect){ RUNTIME_DOCKER, HEX("f"), "nginx" });
        /* A custom cgroup parent leaves a bare id: docker's metadata tells whose it is. */
        check(290, 289, "sh", "containerd-shim", CMD("sh\0"), NULL,
              (Expect){ RUNTIME_DOCKER, HEX("4"), "custom-parent" });
}

Test(identify, podman)
{
        /* conmon, the parent, names it on its command line (rootless too). */
        check(110, 109, "sh", "conmon", CMD("sh\0"), NULL,
              (Expect){ RUNTIME_PODMAN, HEX("b"), "zapzap" });
        /* Otherwise containers.json, read once. */
        check(111, 0, "sh", "", CMD("sh\0"), NULL, (Expect){ RUNTIME_PODMAN, HEX("c"), "db" });
        /* conmon leading an instance (rootless podman's namespaces) is not the container. */
        check(260, 1, "conmon", "systemd", CMD("/usr/bin/conmon\0-c\0x\0"), NULL,
              (Expect){ RUNTIME_PODMAN, NULL, "conmon" });
}

Test(identify, kubernetes)
{
        /* cgroupfs paths do not say which runtime: the metadata found for the id does. */
        check(120, 119, "nginx", "containerd-shim", CMD("nginx\0"), NULL,
              (Expect){ RUNTIME_CONTAINERD, HEX("d"), "web-7d4/nginx", "shop" });
        check(121, 120, "kubedns", "conmon", CMD("/kube-dns\0"), NULL,
              (Expect){ RUNTIME_CRIO, HEX("e"), "kube-dns-1/kubedns", "kube-system" });
        check(122, 121, "pause", "containerd-shim", CMD("/pause\0"), NULL,
              (Expect){ RUNTIME_KUBERNETES, HEX("f"), "pause" });
        /* A CRI-O sandbox (under /var/lib) and a containerd one: the pod's name. */
        check(130, 129, "pause", "conmon", CMD("/pause\0"), NULL,
              (Expect){ RUNTIME_CRIO, HEX("1"), "dns-pod" });
        check(131, 130, "pause", "containerd-shim", CMD("/pause\0"), NULL,
              (Expect){ RUNTIME_CONTAINERD, HEX("2"), "web-7d4", "shop" });
}

Test(identify, containerd_without_cri)
{
        /* "ctr run": "/<namespace>/<id>" with a task directory of that name. */
        check(230, 229, "etcd", "containerd-shim", CMD("etcd\0"), NULL,
              (Expect){ RUNTIME_CONTAINERD, "etcd", "etcd" });
}

Test(identify, lxc)
{
        check(140, 139, "systemd", "lxc-start", CMD("/sbin/init\0"), NULL,
              (Expect){ RUNTIME_LXC, NULL, "c1" });
        /* A PrivateTmp= service in it inherits the container's cgroup: not the container. */
        check(141, 140, "foo", "systemd", CMD("/usr/sbin/foo\0-d\0"), NULL,
              (Expect){ RUNTIME_UNKNOWN, NULL, "foo" });
}

Test(identify, nspawn)
{
        check(150, 149, "systemd", "systemd-nspawn", CMD("/sbin/init\0"), NULL,
              (Expect){ RUNTIME_NSPAWN, NULL, "web-1" });
        /* The supervisor is a monitor. */
        check(151, 1, "systemd-nspawn", "systemd",
              CMD("systemd-nspawn\0-bD\0/var/lib/machines/web-1\0"), NULL,
              (Expect){ RUNTIME_NSPAWN, NULL, "systemd-nspawn" });
        /* --keep-unit: no machine scope, the parent's -M. */
        check(310, 309, "sleep", "systemd-nspawn", CMD("/bin/sleep\00030\0"), NULL,
              (Expect){ RUNTIME_NSPAWN, NULL, "nstest" });
}

Test(identify, runc_crun)
{
        check(160, 1, "sleep", "systemd", CMD("/bin/sleep\00060\0"), NULL,
              (Expect){ RUNTIME_RUNC, "rtest", "rtest" });
        /* The state of a stopped container names a pid that now belongs to another process. */
        check(161, 1, "bash", "systemd", CMD("bash\0"), NULL,
              (Expect){ RUNTIME_UNKNOWN, NULL, "bash" });
        check(162, 1, "sleep", "systemd", CMD("sleep\0"), NULL,
              (Expect){ RUNTIME_CRUN, "cruntest", "cruntest" });
}

Test(identify, firejail)
{
        /* Seen here: firejail -> firejail (the leader) -> command; the outer owns the name file. */
        check(170, 169, "firejail", "firejail", CMD("firejail\0--name=browser\0firefox\0"), NULL,
              (Expect){ RUNTIME_FIREJAIL, NULL, "browser" });
        /* Without --name there is no name file. */
        check(170, 168, "firejail", "firejail", CMD("firejail\0firefox\0"), NULL,
              (Expect){ RUNTIME_FIREJAIL, NULL, "firejail" });
}

Test(identify, bwrap_and_flatpak)
{
        check(180, 179, "sleep", "bwrap", CMD("sleep\00030\0"), NULL,
              (Expect){ RUNTIME_BWRAP, NULL, "sleep" });
        /* --unshare-pid: the sandbox's pid 1 is bwrap itself, with bwrap's command line. */
        check(181, 179, "bwrap", "bwrap",
              CMD("bwrap\0--unshare-pid\0--ro-bind\0/\0/\0--proc\0/proc\0python3\0app.py\0"), NULL,
              (Expect){ RUNTIME_BWRAP, NULL, "python3" });
        /* flatpak runs bwrap; .flatpak-info in the sandbox's root says so. */
        check(182, 181, "bwrap", "bwrap",
              CMD("bwrap\0--args\0"
                  "40\0gnome-recipes\0"),
              NULL, (Expect){ RUNTIME_FLATPAK, NULL, "org.gnome.Recipes" });
        /* The app's scope names it, although its bwrap parent shares the scope. */
        check(183, 184, "gnome-maps", "bwrap", CMD("gnome-maps\0"), NULL,
              (Expect){ RUNTIME_FLATPAK, "42", "org.gnome.Maps" });
        /* A symlinked .flatpak-info is not followed. */
        check(330, 179, "sh", "bwrap", CMD("sh\0"), NULL, (Expect){ RUNTIME_BWRAP, NULL, "sh" });
}

Test(identify, nested_in_docker)
{
        /* A bwrap sandbox in a docker container: the cgroup is the container's, inherited. */
        check(250, 249, "sh", "bwrap", CMD("sh\0"), NULL, (Expect){ RUNTIME_BWRAP, NULL, "sh" });
}

Test(identify, unshare_netns_nsrun)
{
        NsIno ns[NS_TYPE_MAX];
        struct stat st;

        check(190, 189, "sleep", "unshare", CMD("sleep\00030\0"), NULL,
              (Expect){ RUNTIME_UNSHARE, NULL, "sleep" });
        check(189, 188, "unshare", "bash", CMD("unshare\0-mpf\0sleep\00030\0"), NULL,
              (Expect){ RUNTIME_UNSHARE, NULL, "unshare" });

        /* "ip netns": the namespace's inode is the bind mount's in /run/netns. */
        cr_assert_eq(fstatat(root_fd, "run/netns/blue", &st, 0), 0);
        memcpy(ns, inst_ns, sizeof(ns));
        ns[NS_NET] = st.st_ino;
        check(200, 199, "sleep", "bash", CMD("sleep\0"), ns,
              (Expect){ RUNTIME_NETNS, NULL, "blue" });
        /* The host's net namespace is never looked up. */
        check(200, 199, "sleep", "bash", CMD("sleep\0"), NULL,
              (Expect){ RUNTIME_UNKNOWN, NULL, "sleep" });

        check(210, 209, "ns-init", "ns", CMD("ns-init\0web\0"), NULL,
              (Expect){ RUNTIME_NS, NULL, "web" });
        /* Unnamed: the command. */
        check(211, 209, "ns-init", "ns", CMD("ns-init\0\0"), NULL,
              (Expect){ RUNTIME_NS, NULL, "ns-init" });
}

Test(identify, fallbacks)
{
        check(240, 1, "python3", "systemd", CMD("/usr/bin/python3\0x.py\0"), NULL,
              (Expect){ RUNTIME_UNKNOWN, NULL, "python3" });
        /* A process that is gone: no cgroup, no command line. */
        check(999, 0, "kworker", "", NOCMD, NULL, (Expect){ RUNTIME_UNKNOWN, NULL, "kworker" });
        check(999, 0, "", "", NOCMD, NULL, (Expect){ RUNTIME_UNKNOWN, NULL, "-" });
        /* Control characters a container put in its name never reach the terminal. */
        check(270, 269, "sh", "containerd-shim", CMD("sh\0"), NULL,
              (Expect){ RUNTIME_DOCKER, HEX("3"), "evil?[31m?" });
        /* snap, from the path alone. */
        check(300, 299, "firefox", "bash", CMD("/snap/firefox/123/usr/lib/firefox/firefox\0"), NULL,
              (Expect){ RUNTIME_SNAP, NULL, "firefox" });
}

Test(identify, fifo_flatpak_info_does_not_block)
{
        char dir[] = "/tmp/ns-test-identify-XXXXXX";
        _cleanup_free_ char *p = NULL;
        IdentifyContext *c;
        Identity id;
        int fd;

        cr_assert_not_null(mkdtemp(dir));
        p = xasprintf("%s/5", dir);
        cr_assert_eq(mkdir(p, 0755), 0);
        free(p);
        p = xasprintf("%s/5/root", dir);
        cr_assert_eq(mkdir(p, 0755), 0);
        free(p);
        p = xasprintf("%s/5/root/.flatpak-info", dir);
        cr_assert_eq(mkfifo(p, 0644), 0);

        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(fd, 0);
        c = identify_context_new(fd, fd);
        IdentifyInput in = { .leader = 5,
                             .leader_ppid = 4,
                             .leader_comm = "sh",
                             .parent_comm = "bwrap",
                             .cmdline = "sh",
                             .cmdline_len = 3,
                             .ns = inst_ns,
                             .host_ns = host_ns };
        identify_instance(c, &in, &id);
        cr_expect_eq(id.runtime, RUNTIME_BWRAP);
        cr_expect_str_eq(id.name, "sh");
        identity_done(&id);
        identify_context_free(c);
        close(fd);
        unlink(p);
        free(p);
        p = xasprintf("%s/5/root", dir);
        rmdir(p);
        free(p);
        p = xasprintf("%s/5", dir);
        rmdir(p);
        rmdir(dir);
}

/* --- real processes --- */

static void sleep_ms(long ms)
{
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
}

static pid_t spawn(char *const argv[])
{
        pid_t pid = fork();

        cr_assert_geq(pid, 0);
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0) {
                        dup2(null, STDOUT_FILENO);
                        dup2(null, STDERR_FILENO);
                }
                execvp(argv[0], argv);
                _exit(127);
        }
        return pid;
}

static bool read_comm(pid_t pid, char *buf, size_t n)
{
        char path[64];
        ssize_t k;

        snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
        k = read_small_at(AT_FDCWD, path, buf, n);
        if (k <= 0)
                return false;
        buf[strcspn(buf, "\n")] = '\0';
        return true;
}

/* The first child of pid whose comm is comm, waiting up to 5 s for it. */
static pid_t wait_child(pid_t pid, const char *comm)
{
        char path[96], buf[256], c[64];

        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
        for (int i = 0; i < 500; i++) {
                pid_t child = 0;

                if (read_small_at(AT_FDCWD, path, buf, sizeof(buf)) > 0 &&
                    parse_pid(strtok(buf, " \n") ?: "", &child) == 0 &&
                    read_comm(child, c, sizeof(c)) && streq(c, comm))
                        return child;
                sleep_ms(10);
        }
        return 0;
}

static NsIno real_ns(pid_t pid, NsType t)
{
        char path[64], buf[64];
        NsIno ino = 0;
        ssize_t k;

        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, ns_info[t].proc);
        k = readlink(path, buf, sizeof(buf) - 1);
        if (k > 0)
                (void)ns_parse_link(buf, (size_t)k, &ino);
        return ino;
}

static void identify_real(pid_t leader, pid_t ppid, Identity *ret)
{
        _cleanup_free_ char *cmdline = NULL;
        NsIno ns[NS_TYPE_MAX], hns[NS_TYPE_MAX];
        char comm[64], pcomm[64], path[64];
        int real_proc;
        size_t len = 0;

        for (int t = 0; t < NS_TYPE_MAX; t++) {
                ns[t] = real_ns(leader, (NsType)t);
                hns[t] = real_ns(getpid(), (NsType)t);
        }
        cr_assert(read_comm(leader, comm, sizeof(comm)));
        cr_assert(read_comm(ppid, pcomm, sizeof(pcomm)));
        snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)leader);
        cr_assert_eq(read_file_at(AT_FDCWD, path, 0, &cmdline, &len), 0);

        real_proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(real_proc, 0);
        /* The fixture "/": this machine's own runtime state must not decide the test. */
        IdentifyContext *c = identify_context_new(real_proc, root_fd);
        IdentifyInput in = { .leader = leader,
                             .leader_ppid = ppid,
                             .leader_comm = comm,
                             .parent_comm = pcomm,
                             .cmdline = cmdline,
                             .cmdline_len = len,
                             .ns = ns,
                             .host_ns = hns };
        identify_instance(c, &in, ret);
        identify_context_free(c);
        close(real_proc);
}

static void stop(pid_t pid)
{
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

Test(identify, real_bwrap)
{
        char *argv_root[] = { "bwrap",
                              "--unshare-pid",
                              "--unshare-uts",
                              "--ro-bind",
                              "/",
                              "/",
                              "--proc",
                              "/proc",
                              "--dev",
                              "/dev",
                              "--die-with-parent",
                              "sleep",
                              "30",
                              NULL };
        char *argv_user[] = { "bwrap",
                              "--unshare-user",
                              "--unshare-pid",
                              "--unshare-uts",
                              "--ro-bind",
                              "/",
                              "/",
                              "--proc",
                              "/proc",
                              "--dev",
                              "/dev",
                              "--die-with-parent",
                              "sleep",
                              "30",
                              NULL };
        pid_t outer = spawn(geteuid() == 0 ? argv_root : argv_user), leader;
        Identity id = {};

        /* With --unshare-pid the sandbox's pid 1 is bwrap, and the command is its child. */
        leader = wait_child(outer, "bwrap");
        if (leader > 0 && wait_child(leader, "sleep") > 0)
                identify_real(leader, outer, &id);
        stop(outer);
        cr_assert_gt(leader, 0, "bwrap did not start its sandbox (is bubblewrap installed?)");
        cr_expect_eq(id.runtime, RUNTIME_BWRAP, "runtime %s", runtime_to_string(id.runtime));
        cr_expect_str_eq(id.name ?: "(null)", "sleep");
        identity_done(&id);
}

Test(identify, real_unshare)
{
        char *argv_root[] = { "unshare",      "--mount", "--pid", "--fork",
                              "--kill-child", "sleep",   "30",    NULL };
        char *argv_user[] = { "unshare", "--user",       "--map-root-user", "--mount", "--pid",
                              "--fork",  "--kill-child", "sleep",           "30",      NULL };
        pid_t outer = spawn(geteuid() == 0 ? argv_root : argv_user), leader;
        Identity id = {};

        leader = wait_child(outer, "sleep");
        if (leader > 0)
                identify_real(leader, outer, &id);
        stop(outer);
        cr_assert_gt(leader, 0, "unshare did not start its child");
        cr_expect_eq(id.runtime, RUNTIME_UNSHARE, "runtime %s", runtime_to_string(id.runtime));
        cr_expect_str_eq(id.name ?: "(null)", "sleep");
        identity_done(&id);
}

Test(identify, real_uts_hostname)
{
        struct utsname before, after;
        int pipefd[2];
        Identity id = {};
        pid_t child;
        char c = 0;

        /* Not a skip: a test that cannot run here is a failure. */
        cr_assert_eq(geteuid(), 0, "reading another UTS namespace's hostname needs root");
        cr_assert_eq(uname(&before), 0);
        cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
        child = fork();
        cr_assert_geq(child, 0);
        if (child == 0) {
                /* The child only reports; it never asserts. */
                char ok = unshare(CLONE_NEWUTS) == 0 && sethostname("ns-test-uts", 11) == 0 ? 'y'
                                                                                            : 'n';
                (void)!write(pipefd[1], &ok, 1);
                for (;;)
                        pause();
        }
        close(pipefd[1]);
        cr_assert_eq(read(pipefd[0], &c, 1), 1);
        close(pipefd[0]);
        if (c == 'y')
                identify_real(child, getpid(), &id);
        stop(child);
        cr_assert_eq(c, 'y', "cannot make a UTS namespace");

        cr_expect_str_eq(id.name ?: "(null)", "ns-test-uts");
        /* And this thread is back in its own namespace. */
        cr_assert_eq(uname(&after), 0);
        cr_expect_str_eq(after.nodename, before.nodename);
        identity_done(&id);
}
