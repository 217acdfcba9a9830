/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/proc/cgroup.c on the content of /proc/self/mountinfo: where each
 * cgroup hierarchy of a process is mounted (cgroup_locate()), for a v2, a
 * hybrid and a cgroup-namespaced process, as attach does for the target and
 * for itself.
 */
#include "cgroup.h"
#include "fuzz.h"

static const char *const cgroup_files[] = {
        "0::/system.slice/docker-4a3f1c2b7d9e8f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c.scope\n",
        "12:freezer:/docker/4a3f1c2b\n"
        "11:memory:/docker/4a3f1c2b\n"
        "4:cpu,cpuacct:/docker/4a3f1c2b\n"
        "1:name=systemd:/docker/4a3f1c2b\n"
        "0::/system.slice/containerd.service\n",
        "0::/\n",
        "0::/../../user.slice\n",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *mountinfo = fuzz_text(data, size);

        for (size_t f = 0; f < ELEMENTSOF(cgroup_files); f++) {
                Cgroups cg;

                FUZZ_CHECK(cgroup_parse(cgroup_files[f], &cg) == 0);
                cgroup_locate(&cg, mountinfo);
                for (size_t i = 0; i < cg.n; i++) {
                        const CgroupPath *p = &cg.items[i];

                        FUZZ_CHECK(!p->dir || p->mounted);
                        FUZZ_CHECK(!p->dir || p->dir[0] != '/');
                }
                cgroups_done(&cg);
        }
        return 0;
}
