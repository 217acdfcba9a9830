/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scanning and grouping on a fixture /proc tree built in a temporary directory. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "group.h"
#include "nest.h"
#include "resolve.h"
#include "macro.h"
#include "util.h"

static char root[] = "/tmp/ns-test-group-XXXXXX";
static int proc_fd = -1;

/* A host tuple and a container tuple that shares net with a sidecar. */
enum { H = 4026531000, C = 4026532000, S = 4026533000 };

static void mkfile(const char *path, const char *content)
{
        FILE *f = fopen(path, "we");
        cr_assert_not_null(f, "%s", path);
        fputs(content, f);
        fclose(f);
}

static void add_proc(int pid, int ppid, const char *comm, const NsIno ns[NS_TYPE_MAX])
{
        char path[512], link[64], stat[256];

        snprintf(path, sizeof(path), "%s/%d", root, pid);
        cr_assert_eq(mkdir(path, 0755), 0);
        snprintf(path, sizeof(path), "%s/%d/ns", root, pid);
        cr_assert_eq(mkdir(path, 0755), 0);
        for (int t = 0; t < NS_TYPE_MAX; t++) {
                if (ns[t] == 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%d/%s", root, pid, ns_info[t].proc);
                snprintf(link, sizeof(link), "%s:[%llu]", ns_info[t].name, (unsigned long long)ns[t]);
                cr_assert_eq(symlink(link, path), 0);
        }
        snprintf(path, sizeof(path), "%s/%d/stat", root, pid);
        snprintf(stat, sizeof(stat),
                 "%d (%s) S %d 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 %d 1000 100\n", pid,
                 comm, ppid, 1000 + pid);
        mkfile(path, stat);
        snprintf(path, sizeof(path), "%s/%d/cmdline", root, pid);
        mkfile(path, comm);
}

static void tuple(NsIno ret[NS_TYPE_MAX], NsIno base, NsIno net_base)
{
        for (int t = 0; t < NS_TYPE_MAX; t++)
                ret[t] = base + (NsIno)t;
        ret[NS_NET] = net_base + NS_NET;
}

static void setup(void)
{
        NsIno host[NS_TYPE_MAX], ctr[NS_TYPE_MAX], side[NS_TYPE_MAX], mntonly[NS_TYPE_MAX];

        cr_assert_not_null(mkdtemp(root));
        tuple(host, H, H);
        tuple(ctr, C, C);
        tuple(side, S, C); /* its own namespaces, but the container's net */
        tuple(mntonly, H, H);
        mntonly[NS_MNT] = 4026539999;

        add_proc(1, 0, "init", host);
        add_proc(2, 0, "kthreadd", host);
        add_proc(100, 1, "shim", host);
        /* Container: pid 101 is the leader (parent 100 is outside); 102-104 are its children. */
        add_proc(101, 100, "nginx", ctr);
        add_proc(102, 101, "worker", ctr);
        add_proc(103, 101, "worker", ctr);
        /* 104 joined later through setns from the host: parent outside too,
         * but 101 has the lower pid and wins. */
        add_proc(104, 100, "sh", ctr);
        add_proc(200, 1, "sidecar", side);
        /* An instance whose lowest pid has its parent inside: 300's parent is 301. */
        add_proc(300, 301, "child", mntonly);
        add_proc(301, 1, "parent", mntonly);

        proc_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(proc_fd, 0);
}

static void teardown(void)
{
        char cmd[600];

        close(proc_fd);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        cr_assert_eq(system(cmd), 0);
}

TestSuite(group, .init = setup, .fini = teardown);

static const Instance *find_by_leader(const Instances *is, pid_t pid)
{
        for (size_t i = 0; i < is->n; i++)
                if (instance_leader(is, &is->items[i])->pid == pid)
                        return &is->items[i];
        return NULL;
}

Test(group, scan_reads_every_process)
{
        Scan *s = NULL;

        cr_assert_eq(scan_proc(proc_fd, &s), 0);
        cr_assert_eq(s->n_procs, 10);
        cr_assert_eq(s->procs[0].pid, 1);
        cr_assert_eq(s->procs[0].ns[NS_NET], H + NS_NET);
        cr_assert_eq(s->host_ns[NS_USER], H + NS_USER, "host is pid 1's tuple");
        scan_free(s);
}

Test(group, groups_by_tuple)
{
        Scan *s = NULL;
        Instances *is;
        const Instance *host, *ctr, *side, *mnt;

        cr_assert_eq(scan_proc(proc_fd, &s), 0);
        is = instances_build(s);
        cr_assert_eq(is->n, 4);

        host = find_by_leader(is, 1);
        cr_assert_not_null(host);
        cr_assert(host->host);
        cr_assert_eq(host->n_members, 3);
        cr_assert_eq(is->host, host - is->items);

        ctr = find_by_leader(is, 101);
        cr_assert_not_null(ctr, "the leader is the lowest pid whose parent is outside");
        cr_assert_eq(ctr->n_members, 4);
        cr_assert_eq(instance_member(is, ctr, 3)->pid, 104);

        mnt = find_by_leader(is, 301);
        cr_assert_not_null(mnt, "300's parent is inside, so 301 leads");
        cr_assert_eq(mnt->n_members, 2);

        side = find_by_leader(is, 200);
        cr_assert_not_null(side);
        cr_assert_eq(side->share[NS_NET], NS_SHARE_OTHER);
        cr_assert_eq(ctr->share[NS_NET], NS_SHARE_OTHER);
        cr_assert_eq(ctr->share[NS_PID], NS_SHARE_PRIVATE);
        cr_assert_eq(mnt->share[NS_MNT], NS_SHARE_PRIVATE);
        cr_assert_eq(mnt->share[NS_NET], NS_SHARE_HOST);
        cr_assert_eq(host->share[NS_USER], NS_SHARE_HOST);

        /* Nesting is computed on demand. No NS_GET_PARENT on a fixture
         * tree: the parent comes from the leader's parent process. */
        cr_assert_eq(ctr->parent, -1);
        instances_find_parents(is);
        cr_assert_eq(ctr->parent, host - is->items);
        cr_assert_eq(mnt->parent, host - is->items);
        cr_assert_eq(host->parent, -1);

        instances_free(is);
        scan_free(s);
}

Test(group, ids_are_stable_and_distinct)
{
        Scan *s = NULL;
        Instances *a, *b;

        cr_assert_eq(scan_proc(proc_fd, &s), 0);
        a = instances_build(s);
        b = instances_build(s);
        for (size_t i = 0; i < a->n; i++) {
                cr_assert_str_eq(a->items[i].id, b->items[i].id);
                cr_assert_eq(strlen(a->items[i].id), INSTANCE_ID_LEN);
                cr_assert_eq(strspn(a->items[i].id, "0123456789abcdef"), INSTANCE_ID_LEN);
                for (size_t j = 0; j < i; j++)
                        cr_assert_str_neq(a->items[i].id, a->items[j].id);
        }
        instances_free(a);
        instances_free(b);
        scan_free(s);
}

Test(group, id_from_tuple_is_fixed)
{
        NsIno t[NS_TYPE_MAX];
        char id1[INSTANCE_ID_LEN + 1], id2[INSTANCE_ID_LEN + 1];

        tuple(t, C, C);
        instance_id_from_tuple(t, id1);
        t[NS_TIME]++;
        instance_id_from_tuple(t, id2);
        cr_assert_str_neq(id1, id2, "one inode changes the ID");
        t[NS_TIME]--;
        instance_id_from_tuple(t, id2);
        cr_assert_str_eq(id1, id2);
}

Test(group, vanished_and_unreadable_processes)
{
        char path[512];
        Scan *s = NULL;

        /* A pid directory with no ns links: it exited mid-scan. */
        snprintf(path, sizeof(path), "%s/555", root);
        cr_assert_eq(mkdir(path, 0755), 0);
        /* Names that are not pids are ignored. */
        snprintf(path, sizeof(path), "%s/self", root);
        cr_assert_eq(mkdir(path, 0755), 0);
        rmdir(path);
        snprintf(path, sizeof(path), "%s/sys", root);
        cr_assert_eq(mkdir(path, 0755), 0);

        cr_assert_eq(scan_proc(proc_fd, &s), 0);
        cr_assert_eq(s->n_procs, 10);
        cr_assert_null(scan_find(s, 555));
        scan_free(s);
}

Test(group, resolve)
{
        Scan *s = NULL;
        Instances *is;
        const Instance *ctr;
        _cleanup_free_ size_t *cand = NULL;
        size_t n_cand = 0;
        char prefix[8];

        cr_assert_eq(scan_proc(proc_fd, &s), 0);
        is = instances_build(s);
        ctr = find_by_leader(is, 101);
        for (size_t i = 0; i < is->n; i++) {
                is->items[i].ident.name = xstrdup(i == (size_t)(ctr - is->items) ? "web" : "other");
                is->items[i].identified = true;
        }
        is->items[ctr - is->items].ident.runtime_id =
                xstrdup("d59df5276e7b219d510fe70565e0404bc06350e0d4b43fe961f22f339980170e");

        cr_assert_eq(instances_resolve(is, ctr->id, NULL, NULL), ctr - is->items);
        cr_assert_eq(instances_resolve(is, "web", NULL, NULL), ctr - is->items);
        cr_assert_eq(instances_resolve(is, "103", NULL, NULL), ctr - is->items, "a member pid");
        cr_assert_eq(instances_resolve(is, "d59df52", NULL, NULL), ctr - is->items,
                     "a runtime id prefix");
        memcpy(prefix, ctr->id, 6);
        prefix[6] = '\0';
        cr_assert_eq(instances_resolve(is, prefix, NULL, NULL), ctr - is->items);
        cr_assert_eq(instances_resolve(is, "nope", NULL, NULL), -ENOENT);
        cr_assert_eq(instances_resolve(is, "", NULL, NULL), -ENOENT);
        cr_assert_eq(instances_resolve(is, "other", &cand, &n_cand), -ENOTUNIQ);
        cr_assert_eq(n_cand, 3);

        instances_free(is);
        scan_free(s);
}

Test(stat, parse)
{
        char state, comm[16];
        pid_t ppid;
        unsigned long long start;

        cr_assert_eq(proc_parse_stat("42 (a (b) c) S 7 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 987 0 0",
                                     &state, &ppid, &start, comm),
                     0);
        cr_assert_eq(state, 'S');
        cr_assert_eq(ppid, 7);
        cr_assert_eq(start, 987);
        cr_assert_str_eq(comm, "a (b) c");
        cr_assert_lt(proc_parse_stat("42 no parens", &state, &ppid, &start, comm), 0);
        cr_assert_lt(proc_parse_stat("42 (x) S", &state, &ppid, &start, comm), 0);
}

Test(nstype, parse_link)
{
        NsIno ino = 0;

        cr_assert_eq(ns_parse_link("net:[4026531840]", 16, &ino), 0);
        cr_assert_eq(ino, 4026531840ULL);
        cr_assert_lt(ns_parse_link("net:[]", 6, &ino), 0);
        cr_assert_lt(ns_parse_link("net:[12a]", 9, &ino), 0);
        cr_assert_lt(ns_parse_link("garbage", 7, &ino), 0);
        cr_assert_lt(ns_parse_link("net:[99999999999999999999999]", 29, &ino), 0);
        cr_assert_eq(ns_type_from_string("cgroup"), NS_CGROUP);
        cr_assert_eq(ns_type_from_string("bogus"), NS_TYPE_INVALID);
}

Test(util, format_size)
{
        char buf[16];

        cr_assert_str_eq(format_size(512, buf, sizeof(buf)), "512B");
        cr_assert_str_eq(format_size(2048, buf, sizeof(buf)), "2.0K");
        cr_assert_str_eq(format_size(15ULL << 20, buf, sizeof(buf)), "15M");
        cr_assert_str_eq(format_size(3ULL << 30, buf, sizeof(buf)), "3.0G");
}

Test(util, cmdline_to_string)
{
        _cleanup_free_ char *s = cmdline_to_string("sleep\0" "100\0\0", 10);

        cr_assert_str_eq(s, "sleep 100");
}
