/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Nesting: which instance each one hangs below (ns ls -T, the PARENT
 * column), from NS_GET_PARENT on the leader's user or pid namespace and,
 * failing that, the leader's parent process.
 */
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "macro.h"
#include "nest.h"
#include "util.h"

/* The inode of the parent of the namespace behind fd, via NS_GET_PARENT
 * (Linux 4.9). Consumes fd. Returns a new fd for the parent, or -errno. */
static int ns_parent_fd(int fd, NsIno *ret_ino)
{
        _cleanup_close_ int pfd = -EBADF;
        struct stat st;

        pfd = ioctl(fd, NS_GET_PARENT);
        close(fd);
        if (pfd < 0)
                return -errno;
        if (fstat(pfd, &st) < 0)
                return -errno;
        *ret_ino = st.st_ino;
        return TAKE_FD(pfd);
}

/* Among instances whose namespace of this type is ino, pick the one holding
 * the leader's parent process, else the one listed first. */
static ssize_t pick_holder(const Instances *is, NsType type, NsIno ino, ssize_t self,
                           ssize_t parent_proc_instance)
{
        ssize_t first = -1;

        if (parent_proc_instance >= 0 && parent_proc_instance != self &&
            is->items[parent_proc_instance].ns[type] == ino)
                return parent_proc_instance;
        for (size_t i = 0; i < is->n; i++)
                if ((ssize_t)i != self && is->items[i].ns[type] == ino) {
                        first = (ssize_t)i;
                        break;
                }
        return first;
}

/*
 * Nesting. An instance with its own user namespace hangs below the instance
 * that holds the parent user namespace (NS_GET_PARENT); else one with its
 * own pid namespace below the holder of the parent pid namespace. When the
 * parent namespace has no live process (an intermediate bwrap or unshare
 * that exited), go one level further up. Instances that differ only in
 * unowned namespaces (net, mnt, ... made by root) hang below the instance of
 * the leader's parent process.
 */
static void find_parent(Instances *is, ssize_t self)
{
        Instance *in = &is->items[self];
        const Proc *leader = instance_leader(is, in);
        const Proc *pp = leader->stat_ok && leader->ppid > 0 ? scan_find(is->scan, leader->ppid) : NULL;
        ssize_t ppi = pp ? pp->instance : -1;
        NsType type = NS_TYPE_INVALID;

        in->parent = -1;
        if (in->host)
                return;

        if (in->share[NS_USER] != NS_SHARE_HOST && in->ns[NS_USER] != 0)
                type = NS_USER;
        else if (in->share[NS_PID] != NS_SHARE_HOST && in->ns[NS_PID] != 0)
                type = NS_PID;

        if (type != NS_TYPE_INVALID) {
                char path[48];
                int fd;

                snprintf(path, sizeof(path), "%d/%s", (int)leader->pid, ns_info[type].proc);
                fd = openat(is->scan->proc_fd, path, O_RDONLY | O_CLOEXEC);
                /* Walk up at most 32 levels: the kernel's nesting limit. */
                for (int depth = 0; fd >= 0 && depth < 32; depth++) {
                        NsIno ino = 0;
                        ssize_t holder;

                        fd = ns_parent_fd(fd, &ino);
                        if (fd < 0)
                                break;
                        if (ino == is->scan->host_ns[type])
                                break;
                        holder = pick_holder(is, type, ino, self, ppi);
                        if (holder >= 0) {
                                close(fd);
                                in->parent = holder;
                                return;
                        }
                }
                if (fd >= 0)
                        close(fd);
        }

        if (ppi >= 0 && ppi != self)
                in->parent = ppi;
        else
                in->parent = is->host;
        if (in->parent == self)
                in->parent = -1;
}

/* The parent links come from two sources; make sure they form a forest. */
static void break_cycles(Instances *is)
{
        for (size_t i = 0; i < is->n; i++) {
                ssize_t p = is->items[i].parent;
                for (size_t steps = 0; p >= 0; steps++) {
                        if ((size_t)p == i || steps > is->n) {
                                is->items[i].parent = is->host != (ssize_t)i ? is->host : -1;
                                break;
                        }
                        p = is->items[p].parent;
                }
        }
}

void instances_find_parents(Instances *is)
{
        if (is->have_parents)
                return;
        for (size_t i = 0; i < is->n; i++)
                find_parent(is, (ssize_t)i);
        break_cycles(is);
        is->have_parents = true;
}
