/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/capability.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "caps-names.h"
#include "caps.h"
#include "macro.h"
#include "util.h"

uint64_t caps_all(void)
{
        int lo = 0, hi = 63;

        /* Capabilities are numbered from 0 up, and PR_CAPBSET_READ refuses
         * (EINVAL) every number past the last: look for the last. */
        if (prctl(PR_CAPBSET_READ, 0, 0, 0, 0) < 0)
                /* prctl denied (a seccomp filter): what these headers know,
                 * as libcap does */
                return (1ULL << (CAP_LAST_CAP + 1)) - 1;
        while (lo < hi) {
                int mid = (lo + hi + 1) / 2;

                if (prctl(PR_CAPBSET_READ, mid, 0, 0, 0) < 0)
                        hi = mid - 1;
                else
                        lo = mid;
        }
        return lo == 63 ? UINT64_MAX : (1ULL << (lo + 1)) - 1;
}

int caps_drop_bounding(uint64_t keep)
{
        uint64_t drop = caps_all() & ~keep;

        for (int cap = 0; cap < 64; cap++) {
                if (!(drop & (1ULL << cap)))
                        continue;
                /* Dropped straight away (one syscall each, not two: a
                 * launch drops some forty); without CAP_SETPCAP that
                 * fails, which is fine for one that is gone already. */
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
                        int err = errno;

                        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 0)
                                return -err;
                }
        }
        return 0;
}

int caps_set(uint64_t permitted, uint64_t effective, uint64_t inheritable)
{
        struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

        /* Version 3: two 32-bit words per set, the low one first. */
        for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
                data[i] = (struct __user_cap_data_struct){
                        .effective = (uint32_t)(effective >> (32 * i)),
                        .permitted = (uint32_t)(permitted >> (32 * i)),
                        .inheritable = (uint32_t)(inheritable >> (32 * i)),
                };
        if (syscall(SYS_capset, &head, data) < 0)
                return -errno;
        return 0;
}

int caps_raise_ambient(uint64_t set)
{
        for (int cap = 0; cap < 64; cap++)
                if ((set & (1ULL << cap)) &&
                    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
                        return -errno;
        return 0;
}

int caps_set_ambient(uint64_t set)
{
        /* EINVAL: a kernel before 4.3, which has no ambient set to clear */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -errno;
        return caps_raise_ambient(set);
}

int caps_from_name(const char *name, int *ret)
{
        const char *n = strncasecmp(name, "cap_", 4) == 0 ? name + 4 : name;
        unsigned long v;
        char *end;

        if (*n >= '0' && *n <= '9') {
                errno = 0;
                v = strtoul(n, &end, 10);
                if (errno != 0 || *end || v >= 64)
                        return -EINVAL;
                *ret = (int)v;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(caps_names); i++)
                if (caps_names[i] && strcasecmp(n, caps_names[i]) == 0) {
                        *ret = (int)i;
                        return 0;
                }
        return -EINVAL;
}

const char *caps_to_name(int cap)
{
        if (cap < 0 || (size_t)cap >= ELEMENTSOF(caps_names))
                return NULL;
        return caps_names[cap];
}
