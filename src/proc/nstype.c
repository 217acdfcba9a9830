/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sched.h>

#include <fcntl.h>

#include "macro.h"
#include "nstype.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080 /* Linux 5.6 */
#endif

const NsInfo ns_info[NS_TYPE_MAX] = {
        [NS_USER] = { "user", "ns/user", CLONE_NEWUSER, 'U' },
        [NS_CGROUP] = { "cgroup", "ns/cgroup", CLONE_NEWCGROUP, 'C' },
        [NS_IPC] = { "ipc", "ns/ipc", CLONE_NEWIPC, 'i' },
        [NS_UTS] = { "uts", "ns/uts", CLONE_NEWUTS, 'u' },
        [NS_NET] = { "net", "ns/net", CLONE_NEWNET, 'n' },
        [NS_PID] = { "pid", "ns/pid", CLONE_NEWPID, 'p' },
        [NS_TIME] = { "time", "ns/time", CLONE_NEWTIME, 'T' },
        [NS_MNT] = { "mnt", "ns/mnt", CLONE_NEWNS, 'm' },
};

const NsType ns_display_order[NS_TYPE_MAX] = {
        NS_USER, NS_MNT, NS_PID, NS_NET, NS_UTS, NS_IPC, NS_CGROUP, NS_TIME,
};

NsType ns_type_from_string(const char *s)
{
        for (int t = 0; t < NS_TYPE_MAX; t++)
                if (streq(ns_info[t].name, s))
                        return (NsType)t;
        return NS_TYPE_INVALID;
}

int ns_parse_link(const char *s, size_t n, NsIno *ret)
{
        const char *p = memchr(s, '[', n);
        NsIno v = 0;

        if (!p || n < 3 || s[n - 1] != ']')
                return -EINVAL;
        for (p++; p < s + n - 1; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                if (v > (UINT64_MAX - 9) / 10)
                        return -ERANGE;
                v = v * 10 + (NsIno)(*p - '0');
        }
        if (v == 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int ns_link_path(const char *prefix, NsType t, char path[static 64])
{
        size_t plen = strlen(prefix), tlen = strlen(ns_info[t].proc);

        if (plen + tlen + 1 > 64)
                return -ENAMETOOLONG;
        /* memcpy, not snprintf: ns ls reads eight of these per process */
        memcpy(path, prefix, plen);
        memcpy(path + plen, ns_info[t].proc, tlen + 1);
        return 0;
}

int ns_read_link(int dirfd, const char *prefix, NsType t, NsIno *ret)
{
        char path[64], link[64];
        ssize_t k;
        int r;

        r = ns_link_path(prefix, t, path);
        if (r < 0)
                return r;
        k = readlinkat(dirfd, path, link, sizeof(link));
        if (k < 0)
                return -errno;
        return ns_parse_link(link, (size_t)k, ret) < 0 ? -EIO : 0;
}

int ns_open_link(int dirfd, const char *prefix, NsType t)
{
        char path[64];
        int r, fd;

        r = ns_link_path(prefix, t, path);
        if (r < 0)
                return r;
        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}
