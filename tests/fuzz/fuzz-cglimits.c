/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ns run's cgroup planner, cglimits_plan() (src/launch/cglimits.c), on its
 * /proc/self/cgroup and /proc/self/mountinfo (both written by the kernel),
 * parsed by src/proc/cgroup.c and joined into the plan here. The input is the
 * cgroup file, a NUL, then the mountinfo; the plan is made for a v2 root
 * that has every controller and for a v1 host.
 */
#include "cglimits.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const LimitsConfig all = { .memory = 1 << 20, .pids = 64, .cpu_millis = 500 };
        static const LimitsConfig pids = { .pids = 64 };
        static const char *const v2_controllers[] = { "cpuset cpu io memory hugetlb pids rdma\n",
                                                      NULL };
        _cleanup_free_ char *text = fuzz_text(data, size);
        const char *self_cgroup = text;
        const char *mountinfo = text + strlen(text) + (strlen(text) < size);

        for (size_t v = 0; v < ELEMENTSOF(v2_controllers); v++)
                for (int k = 0; k < 2; k++) {
                        LimitsPlan p;

                        if (cglimits_plan(k ? &pids : &all, self_cgroup, mountinfo,
                                          v2_controllers[v], &p) < 0)
                                continue;
                        for (int c = 0; c < LIMITS_CONTROLLER_MAX; c++)
                                FUZZ_CHECK(!p.v2 || !p.parent[c] || !p.parent[0] ||
                                           streq(p.parent[c], p.parent[0]));
                        cglimits_plan_done(&p);
                }
        return 0;
}
