/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup.c: /proc/PID/cgroup and mountinfo parsing, on fixture strings and trees. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "macro.h"
#include "util.h"

static char *fixture(const char *name)
{
        const char *dir = getenv("NS_FIXTURES");
        _cleanup_free_ char *path = NULL;
        char *buf = NULL;

        cr_assert_not_null(dir, "NS_FIXTURES is not set");
        path = xasprintf("%s/%s", dir, name);
        cr_assert_eq(read_file_at(AT_FDCWD, path, 0, &buf, NULL), 0, "cannot read %s", path);
        return buf;
}

static const CgroupPath *find(const Cgroups *cg, const char *controllers)
{
        for (size_t i = 0; i < cg->n; i++)
                if (streq(cg->items[i].controllers, controllers))
                        return &cg->items[i];
        return NULL;
}

Test(cgroup, parse_v2)
{
        Cgroups cg;

        cr_assert_eq(cgroup_parse("0::/user.slice/user-1000.slice/session-3.scope\n", &cg), 0);
        cr_assert_eq(cg.n, 1);
        cr_assert_eq(cg.items[0].hierarchy, 0);
        cr_assert_str_eq(cg.items[0].controllers, "");
        cr_assert(cgroup_is_v2(&cg.items[0]));
        cr_assert_str_eq(cg.items[0].path, "/user.slice/user-1000.slice/session-3.scope");
        cgroups_done(&cg);
}

Test(cgroup, parse_v1_real_docker)
{
        _cleanup_free_ char *text = fixture("runtimes/docker-v1-cgroupfs/cgroup");
        const CgroupPath *p;
        Cgroups cg;

        cr_assert_eq(cgroup_parse(text, &cg), 0);
        cr_assert_eq(cg.n, 13);
        p = find(&cg, "cpu,cpuacct");
        cr_assert_not_null(p);
        cr_assert_eq(p->hierarchy, 2);
        cr_assert_str_eq(
                p->path,
                "/docker/2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d");
        p = find(&cg, "name=systemd");
        cr_assert_not_null(p);
        p = find(&cg, "");
        cr_assert_not_null(p);
        cr_assert_str_eq(p->path, "/system.slice/containerd.service");
        cgroups_done(&cg);
}

Test(cgroup, parse_path_with_colons)
{
        /* containerd with the systemd driver misconfigured: the path holds colons */
        Cgroups cg;

        cr_assert_eq(
                cgroup_parse("1:name=systemd:/kubepods-besteffort-pod1.slice:cri-containerd:d3d8\n",
                             &cg),
                0);
        cr_assert_eq(cg.n, 1);
        cr_assert_str_eq(cg.items[0].controllers, "name=systemd");
        cr_assert_str_eq(cg.items[0].path, "/kubepods-besteffort-pod1.slice:cri-containerd:d3d8");
        cgroups_done(&cg);
}

Test(cgroup, parse_rejects_garbage)
{
        Cgroups cg;

        cr_assert_eq(cgroup_parse("", &cg), -EINVAL);
        cr_assert_eq(cgroup_parse("not a cgroup file\nx:y\n", &cg), -EINVAL);
        /* one good line among bad ones is kept */
        cr_assert_eq(cgroup_parse("garbage\n0::/a\nq:memory:/b\n", &cg), 0);
        cr_assert_eq(cg.n, 1);
        cgroups_done(&cg);
}

Test(cgroup, locate_hybrid)
{
        _cleanup_free_ char *mi = fixture("cgroup/mountinfo.hybrid");
        Cgroups cg;

        cr_assert_eq(cgroup_parse("9:name=systemd:/\n6:freezer:/nstest\n4:memory:/process_api/x\n"
                                  "2:cpuacct:/a\n1:cpu:/b\n0::/\n",
                                  &cg),
                     0);
        cgroup_locate(&cg, mi);
        cr_assert_str_eq(find(&cg, "name=systemd")->dir, "sys/fs/cgroup/systemd");
        cr_assert_str_eq(find(&cg, "freezer")->dir, "sys/fs/cgroup/freezer/nstest");
        cr_assert_str_eq(find(&cg, "memory")->dir, "sys/fs/cgroup/memory/process_api/x");
        /* "cpu" must not match the mount whose option is "cpuacct" */
        cr_assert_str_eq(find(&cg, "cpuacct")->dir, "sys/fs/cgroup/cpuacct/a");
        cr_assert_str_eq(find(&cg, "cpu")->dir, "sys/fs/cgroup/cpu/b");
        cr_assert_str_eq(find(&cg, "")->dir, "sys/fs/cgroup/unified");
        cgroups_done(&cg);
}

Test(cgroup, locate_v2)
{
        _cleanup_free_ char *mi = fixture("cgroup/mountinfo.v2");
        Cgroups cg;

        cr_assert_eq(cgroup_parse("0::/system.slice/docker-abc.scope\n", &cg), 0);
        cgroup_locate(&cg, mi);
        cr_assert(cg.items[0].mounted);
        cr_assert_str_eq(cg.items[0].dir, "sys/fs/cgroup/system.slice/docker-abc.scope");
        cgroups_done(&cg);
}

Test(cgroup, locate_comounted_v1)
{
        _cleanup_free_ char *mi = fixture("cgroup/mountinfo.v1-comounted");
        _cleanup_free_ char *text = fixture("runtimes/docker-v1-cgroupfs/cgroup");
        Cgroups cg;

        cr_assert_eq(cgroup_parse(text, &cg), 0);
        cgroup_locate(&cg, mi);
        cr_assert_str_eq(find(&cg, "cpu,cpuacct")->dir,
                         "sys/fs/cgroup/cpu,cpuacct/docker/"
                         "2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d");
        cr_assert_str_eq(find(&cg, "net_cls,net_prio")->dir,
                         "sys/fs/cgroup/net_cls,net_prio/docker/"
                         "2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d");
        cr_assert_str_eq(find(&cg, "name=systemd")->dir,
                         "sys/fs/cgroup/systemd/docker/"
                         "2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d");
        /* rdma, hugetlb, perf_event... are not mounted there: no directory, not "mounted" */
        cr_assert_null(find(&cg, "rdma")->dir);
        cr_assert(!find(&cg, "rdma")->mounted);
        /* no cgroup2 mount at all */
        cr_assert_null(find(&cg, "")->dir);
        cgroups_done(&cg);
}

Test(cgroup, locate_outside_namespace)
{
        _cleanup_free_ char *mi = fixture("cgroup/mountinfo.cgroupns");
        Cgroups cg;

        /* seen from another cgroup namespace: the path starts with "/.." */
        cr_assert_eq(cgroup_parse("0::/../docker-1f1d.scope\n", &cg), 0);
        cgroup_locate(&cg, mi);
        cr_assert(cg.items[0].mounted);
        cr_assert_null(cg.items[0].dir);
        cgroups_done(&cg);

        /* below a mount whose root is not "/", with an escaped mount point */
        cr_assert_eq(cgroup_parse("0::/sub/leaf\n", &cg), 0);
        cgroup_locate(&cg, mi);
        cr_assert_str_eq(cg.items[0].dir, "mnt/with space/leaf");
        cgroups_done(&cg);

        /* "/subway" is not below "/sub" */
        cr_assert_eq(cgroup_parse("0::/subway\n", &cg), 0);
        cgroup_locate(&cg, mi);
        cr_assert_null(cg.items[0].dir);
        cgroups_done(&cg);
}

Test(cgroup, find_hierarchy)
{
        Cgroups a, b;

        cr_assert_eq(cgroup_parse("4:memory:/x\n0::/y\n", &a), 0);
        cr_assert_eq(cgroup_parse("0::/z\n4:memory:/\n3:pids:/\n", &b), 0);
        cr_assert_str_eq(cgroup_find_hierarchy(&b, &a.items[0])->path, "/");
        cr_assert_str_eq(cgroup_find_hierarchy(&b, &a.items[1])->path, "/z");
        cr_assert_null(cgroup_find_hierarchy(&a, &b.items[2]));
        cgroups_done(&a);
        cgroups_done(&b);
}

Test(cgroup, find_controller)
{
        Cgroups cg;

        cr_assert_eq(cgroup_parse("4:cpu,cpuacct:/c\n3:memory:/m\n1:name=systemd:/s\n0::/u\n", &cg),
                     0);
        cr_assert_str_eq(cgroup_find_controller(&cg, "memory")->path, "/m");
        /* a word of the list, not a prefix of one */
        cr_assert_str_eq(cgroup_find_controller(&cg, "cpu")->path, "/c");
        cr_assert_str_eq(cgroup_find_controller(&cg, "cpuacct")->path, "/c");
        cr_assert_null(cgroup_find_controller(&cg, "cpuset"));
        cr_assert_null(cgroup_find_controller(&cg, "systemd"));
        cr_assert_str_eq(cgroup_find_controller(&cg, NULL)->path, "/u");
        cgroups_done(&cg);
}

Test(cgroup, mountinfo_lines)
{
        static const char text[] =
                "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue\n"
                "garbage\n"
                "\n"
                "37 35 0:1 / /no-dash rw ext3 /dev/x rw\n"
                "38 35 0:2 / /a\\040b rw - tmpfs tmpfs\n"
                "39 35 0:3 / /c rw - cgroup2 cgroup rw,nsdelegate";
        const char *pos = text;
        MountinfoLine m;
        _cleanup_free_ char *mnt = NULL;

        /* optional fields skipped up to the lone "-" */
        cr_assert(mountinfo_next(&pos, &m));
        cr_assert_eq(m.root_len, 5);
        cr_assert_eq(strncmp(m.root, "/mnt1", 5), 0);
        cr_assert_eq(strncmp(m.mountpoint, "/mnt2", m.mountpoint_len), 0);
        cr_assert_eq(strncmp(m.fstype, "ext3", m.fstype_len), 0);
        cr_assert_eq(strncmp(m.source, "/dev/root", m.source_len), 0);
        cr_assert_eq(m.options_len, strlen("rw,errors=continue"));
        /* a line without the "-" or without super options: the first skipped,
         * the second kept with none */
        cr_assert(mountinfo_next(&pos, &m));
        mnt = mountinfo_unescape(m.mountpoint, m.mountpoint_len);
        cr_assert_str_eq(mnt, "/a b");
        cr_assert_eq(m.options_len, 0);
        /* the last line needs no newline */
        cr_assert(mountinfo_next(&pos, &m));
        cr_assert_eq(strncmp(m.fstype, "cgroup2", m.fstype_len), 0);
        cr_assert_eq(strncmp(m.options, "rw,nsdelegate", m.options_len), 0);
        cr_assert(!mountinfo_next(&pos, &m));
        cr_assert(!mountinfo_next(&pos, &m), "the end stays the end");
}

Test(cgroup, find_mount)
{
        _cleanup_free_ char *hybrid = fixture("cgroup/mountinfo.hybrid");
        _cleanup_free_ char *ns = fixture("cgroup/mountinfo.cgroupns");
        char *mnt = NULL, *root = NULL;

        cr_assert_eq(cgroup_find_mount(hybrid, "cpu", &mnt, &root), 0);
        cr_assert_str_eq(mnt, "/sys/fs/cgroup/cpu", "not the cpuacct mount");
        cr_assert_str_eq(root, "/");
        free(mnt), free(root);
        cr_assert_eq(cgroup_find_mount(hybrid, NULL, &mnt, &root), 0);
        cr_assert_str_eq(mnt, "/sys/fs/cgroup/unified");
        free(mnt), free(root);
        cr_assert_eq(cgroup_find_mount(hybrid, "rdma", &mnt, &root), -ENOENT);
        /* the first cgroup2 mount, with the root it shows, unescaped */
        cr_assert_eq(cgroup_find_mount(ns, NULL, &mnt, &root), 0);
        cr_assert_str_eq(mnt, "/sys/fs/cgroup");
        cr_assert(startswith(root, "/../docker-1f1d"));
        free(mnt), free(root);
        cr_assert_eq(cgroup_find_mount(ns, "memory", &mnt, &root), -ENOENT, "no v1 mount there");
}

/* A fixture tree: root/sys/fs/cgroup/{unified,freezer}/... */
static char root[] = "/tmp/ns-test-cgroup-XXXXXX";

static void mkfile(const char *rel, const char *content)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", root, rel);
        FILE *f = fopen(path, "we");

        cr_assert_not_null(f, "%s", path);
        fputs(content, f);
        fclose(f);
}

static void mkdirs(const char *rel)
{
        _cleanup_free_ char *cmd = xasprintf("mkdir -p '%s/%s'", root, rel);
        cr_assert_eq(system(cmd), 0);
}

static void tree_setup(void)
{
        cr_assert_not_null(mkdtemp(root));
        mkdirs("sys/fs/cgroup/unified/thawed");
        mkdirs("sys/fs/cgroup/unified/frozen/child");
        mkdirs("sys/fs/cgroup/freezer/ice");
        mkdirs("sys/fs/cgroup/freezer/warm");
        mkdirs("sys/fs/cgroup/freezer/slush");
        mkdirs("sys/fs/cgroup/freezer/garbled");
        mkfile("sys/fs/cgroup/unified/thawed/cgroup.events", "populated 1\nfrozen 0\n");
        mkfile("sys/fs/cgroup/unified/frozen/cgroup.events", "populated 1\nfrozen 1\n");
        /* a child of a frozen cgroup reports the effective state */
        mkfile("sys/fs/cgroup/unified/frozen/child/cgroup.events", "populated 1\nfrozen 1\n");
        mkfile("sys/fs/cgroup/unified/frozen/cgroup.procs", "");
        mkfile("sys/fs/cgroup/freezer/ice/freezer.state", "FROZEN\n");
        mkfile("sys/fs/cgroup/freezer/warm/freezer.state", "THAWED\n");
        mkfile("sys/fs/cgroup/freezer/slush/freezer.state", "FREEZING\n");
        mkfile("sys/fs/cgroup/freezer/garbled/freezer.state", "MELTED\n");
}

static void tree_teardown(void)
{
        _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", root);
        cr_assert_eq(system(cmd), 0);
}

static int frozen_of(const char *proc_cgroup)
{
        _cleanup_free_ char *mi = fixture("cgroup/mountinfo.hybrid");
        _cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        Cgroups cg;
        int r = CGROUP_THAWED;

        cr_assert_geq(fd, 0);
        cr_assert_eq(cgroup_parse(proc_cgroup, &cg), 0);
        cgroup_locate(&cg, mi);
        /* the most frozen state of the set, or the first that cannot be told */
        for (size_t i = 0; i < cg.n && r >= 0; i++) {
                int k = cgroup_path_frozen(fd, &cg.items[i]);
                r = k < 0 ? k : MAX(r, k);
        }
        cr_assert_eq(r > 0, cgroup_frozen(fd, &cg) != NULL);
        cgroups_done(&cg);
        return r;
}

Test(cgroup, frozen_v2, .init = tree_setup, .fini = tree_teardown)
{
        cr_assert_eq(frozen_of("0::/thawed\n"), CGROUP_THAWED);
        cr_assert_eq(frozen_of("0::/frozen\n"), CGROUP_FROZEN);
        cr_assert_eq(frozen_of("0::/frozen/child\n"), CGROUP_FROZEN);
        /* the root cgroup has no cgroup.events and cannot be frozen */
        cr_assert_eq(frozen_of("0::/\n"), CGROUP_THAWED);
}

Test(cgroup, frozen_v1, .init = tree_setup, .fini = tree_teardown)
{
        cr_assert_eq(frozen_of("6:freezer:/warm\n0::/thawed\n"), CGROUP_THAWED);
        cr_assert_eq(frozen_of("6:freezer:/ice\n0::/thawed\n"), CGROUP_FROZEN);
        cr_assert_eq(frozen_of("6:freezer:/slush\n0::/thawed\n"), CGROUP_FREEZING);
        cr_assert_eq(frozen_of("6:freezer:/garbled\n0::/thawed\n"), -EINVAL);
        /* only the freezer hierarchy freezes */
        cr_assert_eq(frozen_of("4:memory:/ice\n"), CGROUP_THAWED);
}

/* The one parser of the freezer's files, used by stats, control and inspect. */
Test(cgroup, parse_freeze)
{
        cr_expect_eq(cgroup_parse_freeze(true, "populated 1\nfrozen 0\n"), CGROUP_THAWED);
        cr_expect_eq(cgroup_parse_freeze(true, "frozen 1\npopulated 1\n"), CGROUP_FROZEN);
        cr_expect_eq(cgroup_parse_freeze(true, "populated 0\nfrozen 1"), CGROUP_FROZEN);
        /* the key at a line start only, its value one digit */
        cr_expect_eq(cgroup_parse_freeze(true, "notfrozen 1\n"), -EINVAL);
        cr_expect_eq(cgroup_parse_freeze(true, "frozen 2\n"), -EINVAL);
        cr_expect_eq(cgroup_parse_freeze(true, "frozen 10\n"), -EINVAL);
        cr_expect_eq(cgroup_parse_freeze(true, "populated 1\n"), -EINVAL);
        cr_expect_eq(cgroup_parse_freeze(true, ""), -EINVAL);

        cr_expect_eq(cgroup_parse_freeze(false, "THAWED\n"), CGROUP_THAWED);
        cr_expect_eq(cgroup_parse_freeze(false, "FREEZING\n"), CGROUP_FREEZING);
        cr_expect_eq(cgroup_parse_freeze(false, "FROZEN"), CGROUP_FROZEN);
        cr_expect_eq(cgroup_parse_freeze(false, "FROZENX\n"), -EINVAL);
        cr_expect_eq(cgroup_parse_freeze(false, "frozen 1\n"), -EINVAL);
        cr_expect_eq(cgroup_parse_freeze(false, ""), -EINVAL);
}

Test(cgroup, open_and_join_file, .init = tree_setup, .fini = tree_teardown)
{
        _cleanup_free_ char *mi = fixture("cgroup/mountinfo.hybrid");
        _cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), procs = -EBADF,
                            dir = -EBADF;
        _cleanup_free_ char *written = NULL, *path = NULL;
        Cgroups cg;

        cr_assert_eq(cgroup_parse("0::/frozen\n", &cg), 0);
        cgroup_locate(&cg, mi);
        procs = cgroup_open_file(fd, &cg.items[0], "cgroup.procs", O_WRONLY);
        cr_assert_geq(procs, 0);
        /* on a plain file the write goes through: "0" means the writer */
        cr_assert_eq(cgroup_join_fd(procs), 0);
        path = xasprintf("%s/sys/fs/cgroup/unified/frozen/cgroup.procs", root);
        cr_assert_eq(read_file_at(AT_FDCWD, path, 0, &written, NULL), 0);
        cr_assert_str_eq(written, "0");
        dir = cgroup_open_dir(fd, &cg.items[0]);
        cr_assert_geq(dir, 0);
        cgroups_done(&cg);

        cr_assert_eq(cgroup_parse("0::/../elsewhere\n", &cg), 0);
        cgroup_locate(&cg, mi);
        cr_assert_eq(cgroup_open_file(fd, &cg.items[0], "cgroup.procs", O_WRONLY), -ENOENT);
        cr_assert_eq(cgroup_open_dir(fd, &cg.items[0]), -ENOENT);
        cgroups_done(&cg);
}

Test(cgroup, load_from_file, .init = tree_setup, .fini = tree_teardown)
{
        _cleanup_free_ char *mi = fixture("cgroup/mountinfo.hybrid");
        _cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        Cgroups cg;

        mkfile("cgroup", "6:freezer:/ice\n0::/thawed\n");
        cr_assert_eq(cgroup_load(fd, "cgroup", mi, &cg), 0);
        cr_assert_eq(cg.n, 2);
        cr_assert_str_eq(cg.items[0].dir, "sys/fs/cgroup/freezer/ice");
        cr_assert_not_null(cgroup_frozen(fd, &cg));
        cr_assert_str_eq(cgroup_frozen(fd, &cg)->controllers, "freezer");
        cgroups_done(&cg);
        cr_assert_eq(cgroup_load(fd, "no-such-file", mi, &cg), -ENOENT);
}
