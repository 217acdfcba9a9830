/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "macro.h"
#include "util.h"

/* How often v1's freezer.state is read again while it says FREEZING: it
 * has no notification; v2's cgroup.events has one, and is re-read at
 * this pace too in case a notification is missed. */
#define POLL_STEP_MS 20

static const char *const state_names[CONTROL_FREEZE_STATE_MAX] = {
        [CONTROL_THAWED] = "thawed",
        [CONTROL_FREEZING] = "freezing",
        [CONTROL_FROZEN] = "frozen",
        [CONTROL_THAWING] = "thawing",
};

const char *control_freeze_state_to_string(ControlFreezeState s)
{
        return s >= 0 && s < CONTROL_FREEZE_STATE_MAX ? state_names[s] : NULL;
}

int control_parse_v2_freeze(const char *freeze, const char *events, ControlFreezeState *ret)
{
        bool want;
        int frozen;

        if ((freeze[0] != '0' && freeze[0] != '1') || (freeze[1] != '\0' && freeze[1] != '\n'))
                return -EINVAL;
        want = freeze[0] == '1';
        frozen = cgroup_parse_freeze(true, events);
        if (frozen < 0)
                return frozen;
        /* "frozen" counts a frozen ancestor too: asked to thaw and still
         * frozen is thawing, or held by a parent. */
        if (want)
                *ret = frozen == CGROUP_FROZEN ? CONTROL_FROZEN : CONTROL_FREEZING;
        else
                *ret = frozen == CGROUP_FROZEN ? CONTROL_THAWING : CONTROL_THAWED;
        return 0;
}

int control_parse_v1_freeze(const char *state, ControlFreezeState *ret)
{
        static const ControlFreezeState states[CGROUP_FREEZE_MAX] = {
                [CGROUP_THAWED] = CONTROL_THAWED,
                [CGROUP_FREEZING] = CONTROL_FREEZING,
                [CGROUP_FROZEN] = CONTROL_FROZEN,
        };
        int s = cgroup_parse_freeze(false, state);

        if (s < 0)
                return s;
        *ret = states[s];
        return 0;
}

static ssize_t pread_all(int fd, char *buf, size_t n)
{
        ssize_t k;

        do
                k = pread(fd, buf, n - 1, 0);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return -errno;
        buf[k] = '\0';
        return k;
}

/* Read a small cgroup file of p. */
static int read_cg(int root_fd, const CgroupPath *p, const char *file, char *buf, size_t n)
{
        _cleanup_close_ int fd = cgroup_open_file(root_fd, p, file, O_RDONLY | O_CLOEXEC);
        ssize_t k;

        if (fd < 0)
                return fd;
        k = pread_all(fd, buf, n);
        return k < 0 ? (int)k : 0;
}

static int write_cg(int root_fd, const CgroupPath *p, const char *file, const char *value)
{
        /* O_TRUNC is nothing to a cgroup file, and keeps a fixture's whole */
        _cleanup_close_ int fd = cgroup_open_file(root_fd, p, file, O_WRONLY | O_TRUNC | O_CLOEXEC);
        size_t n = strlen(value);
        ssize_t k;

        if (fd < 0)
                return fd;
        do
                k = write(fd, value, n);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return -errno;
        return (size_t)k == n ? 0 : -EIO;
}

/* The state of t; v2's cgroup.events through events_fd when it is open
 * (reading it there also re-arms its POLLPRI). */
static int state_of(int root_fd, const ControlCgroup *t, int events_fd, ControlFreezeState *ret)
{
        char freeze[16], events[512];
        int r;

        if (cgroup_is_v2(t->path)) {
                r = read_cg(root_fd, t->path, "cgroup.freeze", freeze, sizeof(freeze));
                if (r >= 0 && events_fd >= 0)
                        r = (int)MIN(pread_all(events_fd, events, sizeof(events)), 0);
                else if (r >= 0)
                        r = read_cg(root_fd, t->path, "cgroup.events", events, sizeof(events));
                return r < 0 ? r : control_parse_v2_freeze(freeze, events, ret);
        }
        r = read_cg(root_fd, t->path, "freezer.state", events, sizeof(events));
        return r < 0 ? r : control_parse_v1_freeze(events, ret);
}

const ControlCgroup *control_freeze_target(int root_fd, const ControlCgroups *c)
{
        if (c->v2.verdict == CONTROL_CGROUP_OWN) {
                _cleanup_close_ int fd = cgroup_open_file(root_fd, c->v2.path, "cgroup.freeze",
                                                          O_RDONLY | O_CLOEXEC);
                /* cgroup.freeze needs Linux 5.2; before it, the v1 freezer */
                if (fd >= 0)
                        return &c->v2;
        }
        if (c->freezer.verdict == CONTROL_CGROUP_OWN)
                return &c->freezer;
        return NULL;
}

int control_freeze_state(int root_fd, const ControlCgroups *c, ControlFreezeState *ret)
{
        const ControlCgroup *t = control_freeze_target(root_fd, c);

        if (!t)
                return -EBUSY;
        return state_of(root_fd, t, -EBADF, ret);
}

static long long now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int control_freeze(int root_fd, const ControlCgroups *c, bool freeze, int timeout_ms,
                   ControlFreezeState *ret_state)
{
        const ControlCgroup *t = control_freeze_target(root_fd, c);
        ControlFreezeState want = freeze ? CONTROL_FROZEN : CONTROL_THAWED, st;
        _cleanup_close_ int events = -EBADF;
        long long deadline;
        bool v2;
        int r;

        if (!t)
                return -EBUSY;
        v2 = cgroup_is_v2(t->path);
        /* Opened before the write, so that no change is missed: kernfs
         * wakes POLLPRI on it when "frozen" flips. */
        if (v2)
                events = cgroup_open_file(root_fd, t->path, "cgroup.events", O_RDONLY | O_CLOEXEC);
        r = v2 ? write_cg(root_fd, t->path, "cgroup.freeze", freeze ? "1" : "0")
               : write_cg(root_fd, t->path, "freezer.state", freeze ? "FROZEN" : "THAWED");
        if (r < 0)
                return r;

        deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
        for (;;) {
                long long left;

                r = state_of(root_fd, t, events, &st);
                if (r < 0)
                        return r;
                if (st == want)
                        break;
                left = deadline - now_ms();
                if (left <= 0) {
                        if (ret_state)
                                *ret_state = st;
                        return -ETIMEDOUT;
                }
                if (events >= 0) {
                        struct pollfd pfd = { .fd = events, .events = POLLPRI };
                        (void)poll(&pfd, 1, (int)MIN(left, POLL_STEP_MS));
                } else {
                        struct timespec ts = { 0, MIN(left, POLL_STEP_MS) * 1000000L };
                        (void)nanosleep(&ts, NULL);
                }
        }
        if (ret_state)
                *ret_state = st;
        return 0;
}
