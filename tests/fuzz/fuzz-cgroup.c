/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/proc/cgroup.c on the content of /proc/PID/cgroup, which the kernel
 * writes but whose paths a container with a delegated cgroup names itself.
 * As in cgroup_load(): parse, then locate each hierarchy in the mountinfo of
 * a v2, a hybrid and a cgroup-namespaced host. A located directory is
 * opened below the host's root (cgroup.procs, freezer files), so it must
 * never climb out of it.
 */
#include "cgroup.h"
#include "fuzz.h"
#include "util.h"

static const char *const mountinfos[] = {
        /* cgroup v2 only */
        "24 30 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
        "26 24 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
        "rw,nsdelegate,memory_recursiveprot\n",
        /* hybrid: v1 controllers, name=systemd and the unified tree */
        "25 24 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755\n"
        "26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:5 - cgroup2 "
        "cgroup2 rw,nsdelegate\n"
        "27 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:6 - cgroup "
        "cgroup rw,xattr,name=systemd\n"
        "30 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:10 - "
        "cgroup cgroup rw,cpu,cpuacct\n"
        "31 25 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:11 - cgroup "
        "cgroup rw,memory\n"
        "32 25 0:30 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:12 - cgroup "
        "cgroup rw,freezer\n",
        /* inside a cgroup namespace: the mount's root is a cgroup, with an escaped blank */
        "1040 1039 0:26 /docker/ab\\040c /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - "
        "cgroup2 cgroup rw\n"
        "1041 1040 0:26 / /sys/fs/cgroup/all rw - cgroup2 cgroup rw\n",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *content = fuzz_text(data, size);

        for (size_t m = 0; m < ELEMENTSOF(mountinfos); m++) {
                Cgroups cg;

                if (cgroup_parse(content, &cg) < 0)
                        return 0;
                FUZZ_CHECK(cg.n > 0);
                cgroup_locate(&cg, mountinfos[m]);
                for (size_t i = 0; i < cg.n; i++) {
                        const CgroupPath *p = &cg.items[i];

                        FUZZ_CHECK(cgroup_find_hierarchy(&cg, p) != NULL);
                        if (!p->dir)
                                continue;
                        FUZZ_CHECK(p->mounted);
                        FUZZ_CHECK(p->dir[0] != '/' && p->dir[0] != '\0');
                        FUZZ_CHECK(!path_has_dotdot(p->dir));
                }
                cgroups_done(&cg);
        }
        return 0;
}
