/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-floor: the least work any `ns ls` has to do, the anchor that
 * tests/bench/ls.sh measures `ns ls` against.
 *
 * getdents64 over /proc; for every numeric entry, readlinkat(procfd,
 * "PID/ns/<type>") for the 8 namespace types and the inode parsed out of
 * "type:[inode]"; distinct tuples counted in a trivial hash set. Prints
 * "<distinct tuples> <processes>" on one line.
 *
 * Nothing else: no stat, no cmdline, no names, no output formatting. Plain
 * C and libc, on purpose independent of src/ so that a change to the core
 * cannot move the floor.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define N_TYPES 8

static const char *const ns_links[N_TYPES] = {
        "ns/user", "ns/mnt", "ns/pid", "ns/net", "ns/uts", "ns/ipc", "ns/cgroup", "ns/time",
};

typedef struct Tuple {
        uint64_t ino[N_TYPES];
} Tuple;

typedef struct Set {
        Tuple *slots;
        unsigned char *used;
        size_t size; /* a power of two */
        size_t n;
} Set;

static void *zalloc(size_t n, size_t size)
{
        void *p = calloc(n, size);
        if (!p) {
                fputs("bench-floor: out of memory\n", stderr);
                exit(EXIT_FAILURE);
        }
        return p;
}

static uint64_t tuple_hash(const Tuple *t)
{
        uint64_t h = 0;

        for (int i = 0; i < N_TYPES; i++)
                h = (h ^ t->ino[i]) * 0x9e3779b97f4a7c15ULL;
        return h ^ (h >> 29);
}

static void set_put(Set *s, const Tuple *t);

static void set_grow(Set *s)
{
        Set old = *s;

        s->size = old.size ? old.size * 2 : 1024;
        s->n = 0;
        s->slots = zalloc(s->size, sizeof(Tuple));
        s->used = zalloc(s->size, 1);
        for (size_t i = 0; i < old.size; i++)
                if (old.used[i])
                        set_put(s, &old.slots[i]);
        free(old.slots);
        free(old.used);
}

static void set_put(Set *s, const Tuple *t)
{
        size_t mask, i;

        if ((s->n + 1) * 2 > s->size)
                set_grow(s);
        mask = s->size - 1;
        for (i = tuple_hash(t) & mask; s->used[i]; i = (i + 1) & mask)
                if (memcmp(&s->slots[i], t, sizeof(*t)) == 0)
                        return;
        s->used[i] = 1;
        s->slots[i] = *t;
        s->n++;
}

/* "mnt:[4026531841]" -> 4026531841; 0 when the link is not of that form. */
static uint64_t parse_ino(const char *link, size_t len)
{
        const char *p = memchr(link, '[', len), *end = link + len;
        uint64_t v = 0;

        if (!p)
                return 0;
        for (p++; p < end && *p >= '0' && *p <= '9'; p++)
                v = v * 10 + (uint64_t)(*p - '0');
        return p < end && *p == ']' ? v : 0;
}

/* Read one process's tuple. -1 when it vanished, is a zombie, or is not ours to read. */
static int read_tuple(int proc_fd, const char *pid, const int *present, Tuple *ret)
{
        char path[64], link[64];
        size_t plen = strlen(pid);

        if (plen > 32)
                return -1;
        memcpy(path, pid, plen);
        path[plen] = '/';
        for (int t = 0; t < N_TYPES; t++) {
                ssize_t k;

                ret->ino[t] = 0;
                if (!present[t])
                        continue;
                strcpy(path + plen + 1, ns_links[t]);
                k = readlinkat(proc_fd, path, link, sizeof(link));
                if (k < 0)
                        return -1;
                ret->ino[t] = parse_ino(link, (size_t)k);
        }
        return 0;
}

int main(void)
{
        char buf[32768];
        int present[N_TYPES];
        size_t procs = 0;
        Set set = { 0 };
        Tuple t;
        int proc_fd;

        proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (proc_fd < 0) {
                fprintf(stderr, "bench-floor: cannot open '/proc': %s\n", strerror(errno));
                return EXIT_FAILURE;
        }

        /* A type this kernel lacks (no time namespace before Linux 5.6)
         * would make every process look gone: leave it out, as ns does. */
        for (int i = 0; i < N_TYPES; i++) {
                char path[32], link[64];
                snprintf(path, sizeof(path), "self/%s", ns_links[i]);
                present[i] = readlinkat(proc_fd, path, link, sizeof(link)) >= 0 || errno != ENOENT;
        }

        for (;;) {
                long n = syscall(SYS_getdents64, proc_fd, buf, sizeof(buf));

                if (n < 0) {
                        fprintf(stderr, "bench-floor: cannot read '/proc': %s\n", strerror(errno));
                        return EXIT_FAILURE;
                }
                if (n == 0)
                        break;
                for (long off = 0; off < n;) {
                        struct dirent64 *de = (struct dirent64 *)(buf + off);

                        off += de->d_reclen;
                        if (de->d_name[0] < '1' || de->d_name[0] > '9')
                                continue;
                        if (read_tuple(proc_fd, de->d_name, present, &t) < 0)
                                continue;
                        set_put(&set, &t);
                        procs++;
                }
        }

        printf("%zu %zu\n", set.n, procs);
        return EXIT_SUCCESS;
}
