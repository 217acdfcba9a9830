/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ns run's limits: parsing, where the leaf goes (cgroup v2 delegated,
 * v2 root, v1 and hybrid hosts, from real /proc/self/cgroup and mountinfo
 * texts) and the files written, on a fixture cgroup tree made in a
 * temporary directory. The v2 path cannot run on the test machine (its
 * controllers are all on v1), so this is where it is covered.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "cglimits.h"
#include "macro.h"
#include "util.h"

static char root[] = "/tmp/ns-test-cglimits-XXXXXX";
static int root_fd = -1;

static void setup(void)
{
        cr_assert_not_null(mkdtemp(root));
        root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(root_fd, 0);
}

static void teardown(void)
{
        char cmd[128];

        close(root_fd);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        cr_assert_eq(system(cmd), 0);
}

static void mkfile(const char *name, const char *content)
{
        int fd = openat(root_fd, name, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);

        cr_assert_geq(fd, 0, "%s", name);
        cr_assert_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
        close(fd);
}

static char *slurp(const char *name)
{
        char *s = NULL;

        cr_assert_eq(read_file_at(root_fd, name, 0, &s, NULL), 0, "%s", name);
        return s;
}

Test(cglimits, parse_size)
{
        uint64_t v;

        cr_assert_eq(cglimits_parse_size("64M", &v), 0);
        cr_assert_eq(v, 64ULL << 20);
        cr_assert_eq(cglimits_parse_size("1.5G", &v), 0);
        cr_assert_eq(v, 3ULL << 29);
        cr_assert_eq(cglimits_parse_size("512k", &v), 0);
        cr_assert_eq(v, 512ULL << 10);
        cr_assert_eq(cglimits_parse_size("64MiB", &v), 0);
        cr_assert_eq(v, 64ULL << 20);
        cr_assert_eq(cglimits_parse_size("64mb", &v), 0);
        cr_assert_eq(v, 64ULL << 20);
        cr_assert_eq(cglimits_parse_size("1048576", &v), 0);
        cr_assert_eq(v, 1048576);
        cr_assert_eq(cglimits_parse_size("", &v), -EINVAL);
        cr_assert_eq(cglimits_parse_size("abc", &v), -EINVAL);
        cr_assert_eq(cglimits_parse_size("-5M", &v), -EINVAL);
        cr_assert_eq(cglimits_parse_size("10X", &v), -EINVAL);
        cr_assert_eq(cglimits_parse_size("10Mx", &v), -EINVAL);
        cr_assert_eq(cglimits_parse_size("0", &v), -EINVAL);
}

Test(cglimits, parse_cpus)
{
        uint64_t v;

        cr_assert_eq(cglimits_parse_cpus("0.5", &v), 0);
        cr_assert_eq(v, 500);
        cr_assert_eq(cglimits_parse_cpus("2", &v), 0);
        cr_assert_eq(v, 2000);
        cr_assert_eq(cglimits_parse_cpus("0.001", &v), -ERANGE);
        cr_assert_eq(cglimits_parse_cpus("0", &v), -EINVAL);
        cr_assert_eq(cglimits_parse_cpus("two", &v), -EINVAL);
        cr_assert_eq(cglimits_parse_cpus("1.5x", &v), -EINVAL);
}

/* A systemd host on cgroup v2, a terminal in a user's delegated subtree. */
static const char v2_mountinfo[] =
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "25 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n"
        "30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
        "rw,nsdelegate,memory_recursiveprot\n";

Test(cglimits, plan_v2_delegated)
{
        LimitsConfig c = { .memory = 1 << 26, .pids = 20 };
        LimitsPlan p = {};

        cr_assert_eq(cglimits_plan(&c,
                                   "0::/user.slice/user-1000.slice/user@1000.service/app.slice/"
                                   "vte-spawn-1.scope\n",
                                   v2_mountinfo, "cpuset cpu io memory hugetlb pids rdma misc\n",
                                   &p),
                     0);
        cr_assert(p.v2);
        /* a sibling of our own cgroup, which has processes */
        cr_assert_str_eq(p.parent[LIMITS_MEMORY],
                         "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice");
        cr_assert_str_eq(p.parent[LIMITS_PIDS], p.parent[LIMITS_MEMORY]);
        cr_assert_null(p.parent[LIMITS_CPU]);
        cglimits_plan_done(&p);
}

Test(cglimits, plan_v2_root)
{
        LimitsConfig c = { .cpu_millis = 500 };
        LimitsPlan p = {};

        cr_assert_eq(cglimits_plan(&c, "0::/\n", v2_mountinfo, "cpu memory pids", &p), 0);
        cr_assert(p.v2);
        cr_assert_str_eq(p.parent[LIMITS_CPU], "/sys/fs/cgroup");
        cglimits_plan_done(&p);
}

Test(cglimits, plan_v2_missing_controller)
{
        LimitsConfig c = { .memory = 1 << 26 };
        LimitsPlan p = {};

        /* v2 without memory, and no v1 hierarchy either */
        cr_assert_eq(cglimits_plan(&c, "0::/\n", v2_mountinfo, "cpu pids", &p), -EOPNOTSUPP);
}

/* The test machine: v1 controllers, an empty cgroup2 at .../unified. */
static const char hybrid_cgroup[] = "9:name=systemd:/\n"
                                    "8:pids:/\n"
                                    "4:memory:/process_api/783d6dea\n"
                                    "1:cpu,cpuacct:/user/1000\n"
                                    "0::/\n";
static const char hybrid_mountinfo[] =
        "22 1 8:1 / / rw,relatime - ext4 /dev/vda rw\n"
        "30 25 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "31 30 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
        "34 30 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "38 30 0:34 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
        "40 30 0:36 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

Test(cglimits, plan_hybrid_uses_v1)
{
        LimitsConfig c = { .memory = 1 << 26, .pids = 20, .cpu_millis = 500 };
        LimitsPlan p = {};

        cr_assert_eq(cglimits_plan(&c, hybrid_cgroup, hybrid_mountinfo, "", &p), 0);
        cr_assert(!p.v2);
        cr_assert_str_eq(p.parent[LIMITS_MEMORY], "/sys/fs/cgroup/memory/process_api/783d6dea");
        cr_assert_str_eq(p.parent[LIMITS_PIDS], "/sys/fs/cgroup/pids");
        cr_assert_str_eq(p.parent[LIMITS_CPU], "/sys/fs/cgroup/cpu,cpuacct/user/1000");
        cglimits_plan_done(&p);
}

Test(cglimits, plan_v1_in_cgroup_namespace)
{
        /* A mount whose root is not the hierarchy's: paths are relative. */
        static const char mi[] = "34 30 0:30 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup "
                                 "rw,memory\n";
        LimitsConfig c = { .memory = 1 << 26 };
        LimitsPlan p = {};

        cr_assert_eq(cglimits_plan(&c, "4:memory:/docker/abc/inner\n", mi, NULL, &p), 0);
        cr_assert_str_eq(p.parent[LIMITS_MEMORY], "/sys/fs/cgroup/memory/inner");
        cglimits_plan_done(&p);
        /* outside the mount's root: not reachable */
        cr_assert_eq(cglimits_plan(&c, "4:memory:/other\n", mi, NULL, &p), -EOPNOTSUPP);
}

Test(cglimits, plan_mountinfo_escapes)
{
        /* "\040" is a blank; a backslash without three octal digits inside
         * the field is itself (found by tests/fuzz/fuzz-cglimits: the digits
         * were taken unchecked, from past the field, and shifted negative). */
        static const char mi[] =
                "30 25 0:26 / /sys/fs/cgroup\\040a\\1!\\3 rw - cgroup2 cgroup2 rw\n";
        LimitsConfig c = { .pids = 20 };
        LimitsPlan p = {};

        cr_assert_eq(cglimits_plan(&c, "0::/\n", mi, "pids", &p), 0);
        cr_assert_str_eq(p.parent[LIMITS_PIDS], "/sys/fs/cgroup a\\1!\\3");
        cglimits_plan_done(&p);
}

Test(cglimits, v2_enable_controllers, .init = setup, .fini = teardown)
{
        LimitsConfig c = { .memory = 1 << 26, .cpu_millis = 500 };
        _cleanup_free_ char *s = NULL, *t = NULL;

        /* cpu is passed down already, memory is not: only "+memory" */
        mkfile("cgroup.subtree_control", "cpu io\n");
        cr_assert_eq(cglimits_v2_enable(root_fd, &c), 0);
        s = slurp("cgroup.subtree_control");
        cr_assert_str_eq(s, "+memory");

        /* all there: nothing written */
        mkfile("cgroup.subtree_control", "cpu memory pids\n");
        cr_assert_eq(cglimits_v2_enable(root_fd, &c), 0);
        t = slurp("cgroup.subtree_control");
        cr_assert_str_eq(t, "cpu memory pids\n");
}

Test(cglimits, v2_enable_no_file, .init = setup, .fini = teardown)
{
        LimitsConfig c = { .pids = 5 };

        cr_assert_eq(cglimits_v2_enable(root_fd, &c), -ENOENT);
}

Test(cglimits, write_v2, .init = setup, .fini = teardown)
{
        LimitsConfig c = { .memory = 1 << 26, .pids = 20, .cpu_millis = 500 };
        _cleanup_free_ char *mem = NULL, *swap = NULL, *pids = NULL, *cpu = NULL;

        mkfile("memory.max", "max\n");
        mkfile("memory.swap.max", "max\n");
        mkfile("pids.max", "max\n");
        mkfile("cpu.max", "max 100000\n");
        cr_assert_eq(cglimits_write(root_fd, true, &c, LIMITS_CONTROLLER_INVALID), 0);
        mem = slurp("memory.max");
        swap = slurp("memory.swap.max");
        pids = slurp("pids.max");
        cpu = slurp("cpu.max");
        cr_assert_str_eq(mem, "67108864");
        cr_assert_str_eq(swap, "0");
        cr_assert_str_eq(pids, "20");
        cr_assert_str_eq(cpu, "50000 100000");
}

Test(cglimits, write_v2_no_swap_accounting, .init = setup, .fini = teardown)
{
        LimitsConfig c = { .memory = 1 << 20 };
        _cleanup_free_ char *mem = NULL;

        /* memory.swap.max is absent without swap accounting: fine */
        mkfile("memory.max", "max\n");
        cr_assert_eq(cglimits_write(root_fd, true, &c, LIMITS_CONTROLLER_INVALID), 0);
        mem = slurp("memory.max");
        cr_assert_str_eq(mem, "1048576");
}

Test(cglimits, write_v2_controller_missing, .init = setup, .fini = teardown)
{
        LimitsConfig c = { .pids = 20 };

        /* the controller is not enabled in the leaf: its files are missing */
        cr_assert_eq(cglimits_write(root_fd, true, &c, LIMITS_CONTROLLER_INVALID), -ENOENT);
}

Test(cglimits, write_v1_one_hierarchy, .init = setup, .fini = teardown)
{
        LimitsConfig c = { .memory = 1 << 26, .cpu_millis = 1500 };
        _cleanup_free_ char *period = NULL, *quota = NULL;

        /* the cpu hierarchy's leaf gets only the cpu files */
        mkfile("cpu.cfs_period_us", "100000\n");
        mkfile("cpu.cfs_quota_us", "-1\n");
        cr_assert_eq(cglimits_write(root_fd, false, &c, LIMITS_CPU), 0);
        period = slurp("cpu.cfs_period_us");
        quota = slurp("cpu.cfs_quota_us");
        cr_assert_str_eq(period, "100000");
        cr_assert_str_eq(quota, "150000");
        cr_assert_eq(faccessat(root_fd, "memory.limit_in_bytes", F_OK, 0), -1);
}

/* A leaf in the fixture's "cg" made at `made` seconds of the wall clock. */
static void leaf(const char *name, time_t made)
{
        _cleanup_free_ char *path = xasprintf("cg/%s", name);
        struct timespec t[2] = { { made, 0 }, { made, 0 } };

        cr_assert_eq(mkdirat(root_fd, path, 0755), 0, "%s", path);
        cr_assert_eq(utimensat(root_fd, path, t, 0), 0, "%s", path);
}

/* A process of the fixture's /proc ("proc"), started `start` seconds after boot. */
static void proc_stat(pid_t pid, const char *comm, char state, long start)
{
        _cleanup_free_ char *dir = xasprintf("proc/%d", (int)pid);
        _cleanup_free_ char *path = xasprintf("proc/%d/stat", (int)pid);
        _cleanup_free_ char *text = xasprintf(
                "%d (%s) %c 1 %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %lld 0 0\n", (int)pid, comm,
                state, (int)pid, (int)pid, (long long)start * sysconf(_SC_CLK_TCK));

        cr_assert_eq(mkdirat(root_fd, dir, 0755), 0, "%s", dir);
        mkfile(path, text);
}

static bool present(const char *name)
{
        _cleanup_free_ char *path = xasprintf("cg/%s", name);
        struct stat st;

        return fstatat(root_fd, path, &st, 0) == 0;
}

/*
 * The sweep on a fixture: boot at 0 on the wall clock, leaves made at 1000
 * s. Only the leaves of a live ns that started before them stay, and those
 * that still hold something (a real cgroup with tasks is EBUSY; here a
 * directory that is not empty).
 */
Test(cglimits, sweep_stale_leaves, .init = setup, .fini = teardown)
{
        _cleanup_close_ int cg_fd = -EBADF, proc_fd = -EBADF;

        cr_assert_eq(mkdirat(root_fd, "cg", 0755), 0);
        cr_assert_eq(mkdirat(root_fd, "proc", 0755), 0);
        leaf("ns-run-100", 1000);       /* its pid is gone */
        leaf("ns-run-101", 1000);       /* a live ns run, started before it */
        proc_stat(101, "ns", 'S', 990);
        leaf("ns-run-102", 1000);       /* the pid now a sleep */
        proc_stat(102, "sleep", 'S', 990);
        leaf("ns-run-103", 1000);       /* an ns started after: a reused pid */
        proc_stat(103, "ns", 'S', 1500);
        leaf("ns-run-104", 1000);       /* an ns run that has ended, not reaped */
        proc_stat(104, "ns", 'Z', 990);
        leaf("ns-run-105", 1000);       /* gone, but something is still in it */
        leaf("ns-run-105/child", 1000);
        leaf("ns-run-0106", 1000);      /* not a name ns run writes */
        leaf("ns-run-", 1000);
        leaf("other", 1000);
        mkfile("cg/ns-run-107", "");    /* not a directory */

        cg_fd = openat(root_fd, "cg", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        proc_fd = openat(root_fd, "proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(cg_fd, 0);
        cr_assert_geq(proc_fd, 0);
        cr_assert_eq(cglimits_sweep(cg_fd, proc_fd, 0), 4);
        cr_expect_not(present("ns-run-100"));
        cr_expect(present("ns-run-101"));
        cr_expect_not(present("ns-run-102"));
        cr_expect_not(present("ns-run-103"));
        cr_expect_not(present("ns-run-104"));
        cr_expect(present("ns-run-105"));
        cr_expect(present("ns-run-0106"));
        cr_expect(present("ns-run-"));
        cr_expect(present("other"));
        cr_expect(present("ns-run-107"));
        /* nothing more to do the second time */
        cr_expect_eq(cglimits_sweep(cg_fd, proc_fd, 0), 0);
}

/* The boot time on the wall clock: now less the time since boot. */
Test(cglimits, boot_usec)
{
        struct timespec real, boot;
        uint64_t b = cglimits_boot_usec();

        clock_gettime(CLOCK_REALTIME, &real);
        clock_gettime(CLOCK_BOOTTIME, &boot);
        cr_expect_lt(llabs((long long)b - ((long long)(real.tv_sec - boot.tv_sec) * 1000000 +
                                           (real.tv_nsec - boot.tv_nsec) / 1000)),
                     1000000);
}
