/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup section of a report: what stats.h does not read. The figures
 * that stats samples (memory, OOM kills, pids, refused forks, CPU
 * throttling) come with its sample; here are the freezer's exact state
 * (FREEZING is not FROZEN), pressure, and the v1 memory controller's
 * failcnt and under_oom, plus where each controller's files are, so that
 * a hint can name the file that proves it.
 */
#include <fcntl.h>

#include "inspect-internal.h"
#include "hostroot.h"
#include "macro.h"
#include "util.h"

#define CGFILE_MAX (64 * 1024)

static const char *const pressure_files[PRESSURE_MAX] = {
        [PRESSURE_CPU] = "cpu.pressure",
        [PRESSURE_MEMORY] = "memory.pressure",
        [PRESSURE_IO] = "io.pressure",
};

/* A cgroup file's content, or -errno. */
static int read_cgfile(int root_fd, const CgroupPath *p, const char *file, char **ret)
{
        _cleanup_close_ int fd = -EBADF;

        fd = cgroup_open_file(root_fd, p, file, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return fd;
        return read_fd(fd, CGFILE_MAX, ret, NULL);
}

static char *abs_dir(const CgroupPath *p)
{
        if (!p || !p->dir)
                return NULL;
        return streq(p->dir, ".") ? xstrdup("/") : xasprintf("/%s", p->dir);
}

static bool has_controller(const CgroupPath *p, const char *ctl)
{
        const char *c = p->controllers;
        size_t n = strlen(ctl);

        while (*c) {
                size_t len = strcspn(c, ",");
                if (len == n && strncmp(c, ctl, n) == 0)
                        return true;
                c += len;
                if (*c == ',')
                        c++;
        }
        return false;
}

static const CgroupPath *find_v1(const Cgroups *cg, const char *ctl)
{
        for (size_t i = 0; i < cg->n; i++)
                if (!cgroup_is_v2(&cg->items[i]) && has_controller(&cg->items[i], ctl))
                        return &cg->items[i];
        return NULL;
}

static const CgroupPath *find_v2(const Cgroups *cg)
{
        for (size_t i = 0; i < cg->n; i++)
                if (cgroup_is_v2(&cg->items[i]))
                        return &cg->items[i];
        return NULL;
}

/* The freezer, v1 and v2: the most frozen answer wins (either freezes it). */
static void read_freeze(int root_fd, InspectCgroup *ic)
{
        const CgroupPath *v1 = find_v1(&ic->cg, "freezer"), *v2 = find_v2(&ic->cg);
        _cleanup_free_ char *state = NULL, *events = NULL, *freeze = NULL;
        FreezeState s;

        if (v1 && v1->dir && read_cgfile(root_fd, v1, "freezer.state", &state) >= 0 &&
            inspect_parse_freezer_state(state, &s) >= 0) {
                _cleanup_free_ char *d = abs_dir(v1);
                ic->have_freeze = true;
                ic->freeze = s;
                ic->freeze_file = xasprintf("%s%sfreezer.state", d, streq(d, "/") ? "" : "/");
        }
        /* The root cgroup has no cgroup.freeze; cgroup.events says enough there. */
        if (v2 && v2->dir && read_cgfile(root_fd, v2, "cgroup.events", &events) >= 0) {
                (void)read_cgfile(root_fd, v2, "cgroup.freeze", &freeze);
                if (inspect_parse_cgroup_freeze(freeze, events, &s) >= 0 &&
                    (!ic->have_freeze || s > ic->freeze)) {
                        _cleanup_free_ char *d = abs_dir(v2);
                        ic->have_freeze = true;
                        ic->freeze = s;
                        free(ic->freeze_file);
                        ic->freeze_file = xasprintf("%s%s%s", d, streq(d, "/") ? "" : "/",
                                                    s == FREEZE_FREEZING ? "cgroup.freeze"
                                                                         : "cgroup.events");
                }
        }
}

void inspect_read_cgroup(int proc_fd, int root_fd, InspectReport *r)
{
        InspectCgroup *ic = &r->cgroup;
        _cleanup_free_ char *mountinfo = NULL, *buf = NULL;
        const CgroupPath *v2, *mem;
        char path[64];
        int k;

        k = host_root_read_mountinfo(proc_fd, root_fd, &mountinfo);
        snprintf(path, sizeof(path), "%d/cgroup", (int)r->leader);
        if (k >= 0)
                k = cgroup_load(proc_fd, path, mountinfo, &ic->cg);
        if (k < 0) {
                ic->err_cgroup = k;
                return;
        }
        read_freeze(root_fd, ic);

        /* Stats says whether the cgroup is the instance's own, and which one. */
        ic->own = r->have_sample && (r->sample.have & STATS_HAVE_CGROUP) && r->sample.cgroup;
        v2 = find_v2(&ic->cg);
        ic->v2 = ic->own && v2 && v2->dir && streq(v2->path, r->sample.cgroup);
        if (ic->own) {
                ic->dir = abs_dir(ic->v2 ? v2 : find_v1(&ic->cg, "memory") ?: find_v1(&ic->cg, "cpu"));
                ic->memory_dir = abs_dir(ic->v2 ? v2 : find_v1(&ic->cg, "memory"));
                ic->pids_dir = abs_dir(ic->v2 ? v2 : find_v1(&ic->cg, "pids"));
                ic->cpu_dir = abs_dir(ic->v2 ? v2 : find_v1(&ic->cg, "cpu"));
        }

        /* Pressure: the cgroup's own (v2), else the whole system's. */
        ic->pressure_system = !ic->v2;
        for (int i = 0; i < PRESSURE_MAX; i++) {
                _cleanup_free_ char *p = NULL;
                char sys[32];

                if (ic->v2)
                        k = read_cgfile(root_fd, v2, pressure_files[i], &p);
                else {
                        snprintf(sys, sizeof(sys), "pressure/%.*s", (int)strcspn(pressure_files[i], "."),
                                 pressure_files[i]);
                        k = read_file_at(proc_fd, sys, CGFILE_MAX, &p, NULL);
                }
                if (k >= 0 && inspect_parse_pressure(p, &ic->pressure[i]) >= 0)
                        ic->have_pressure[i] = true;
        }

        /* v1 memory: how often the limit was hit, and whether it is stuck at it now. */
        mem = find_v1(&ic->cg, "memory");
        if (ic->own && !ic->v2 && mem && mem->dir && !streq(mem->path, "/")) {
                if (read_cgfile(root_fd, mem, "memory.failcnt", &buf) >= 0 &&
                    inspect_parse_u64(buf, &ic->failcnt) >= 0)
                        ic->have_failcnt = true;
                free(buf);
                buf = NULL;
                if (read_cgfile(root_fd, mem, "memory.oom_control", &buf) >= 0 &&
                    inspect_parse_oom_control(buf, &ic->oom_control) >= 0)
                        ic->have_oom_control = true;
        }
}

void inspect_cgroup_done(InspectCgroup *ic)
{
        cgroups_done(&ic->cg);
        free(ic->dir);
        free(ic->freeze_file);
        free(ic->memory_dir);
        free(ic->pids_dir);
        free(ic->cpu_dir);
}
