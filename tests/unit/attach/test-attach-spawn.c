/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * attach_open() and attach_spawn() through the core API, on a real target
 * made here (a child in its own UTS and IPC namespaces). Needs root.
 * attach_spawn() joins namespaces in the calling process, so each attach
 * runs in a forked child; children report through pipes and _exit(),
 * never assert.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "attach.h"
#include "macro.h"
#include "scan.h"
#include "util.h"

static pid_t target = -1;
static int proc_fd = -1;

static void target_setup(void)
{
        int ready[2];
        char c;

        cr_assert_eq(geteuid(), 0, "this test needs root (it makes namespaces)");
        cr_assert_eq(pipe2(ready, O_CLOEXEC), 0);
        target = fork();
        cr_assert_geq(target, 0);
        if (target == 0) {
                /* die with the test worker, even one that crashed */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1)
                        _exit(1);
                if (unshare(CLONE_NEWUTS | CLONE_NEWIPC) < 0 ||
                    sethostname("ns-unit-target", strlen("ns-unit-target")) < 0)
                        _exit(1);
                if (write(ready[1], "x", 1) != 1)
                        _exit(1);
                for (;;)
                        pause();
        }
        close(ready[1]);
        cr_assert_eq(read(ready[0], &c, 1), 1, "the target did not start");
        close(ready[0]);
        proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(proc_fd, 0);
}

static void target_teardown(void)
{
        if (target > 0) {
                kill(target, SIGKILL);
                waitpid(target, NULL, 0);
        }
        if (proc_fd >= 0)
                close(proc_fd);
}

/* Run argv in the target through attach, in a child; its stdout comes back in out. */
static int spawn_and_read(char *const *argv, unsigned long long starttime, char *out, size_t n,
                      AttachError *ret_err)
{
        int outp[2], errp[2], status;
        pid_t pid;
        ssize_t k;
        size_t len = 0;

        cr_assert_eq(pipe2(outp, O_CLOEXEC), 0);
        cr_assert_eq(pipe2(errp, O_CLOEXEC), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                AttachOptions o = { .argv = argv };
                AttachStdio io = { .fd = { -1, outp[1], outp[1] } };
                AttachError e = {};
                Attach *a = NULL;
                pid_t child;
                int master, r, ws;

                io.fd[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
                r = attach_open(proc_fd, target, starttime, &o, &a, &e);
                if (r >= 0)
                        r = attach_spawn(a, &io, -1, &child, &master, &e);
                if (r < 0) {
                        if (write(errp[1], &e, sizeof(e)) != sizeof(e))
                                _exit(98);
                        _exit(99);
                }
                close(outp[1]);
                if (waitpid(child, &ws, 0) != child)
                        _exit(97);
                _exit(WIFEXITED(ws) ? WEXITSTATUS(ws) : 96);
        }
        close(outp[1]);
        close(errp[1]);
        while (len + 1 < n && (k = read(outp[0], out + len, n - 1 - len)) > 0)
                len += (size_t)k;
        out[len] = '\0';
        close(outp[0]);
        if (ret_err && read(errp[0], ret_err, sizeof(*ret_err)) != sizeof(*ret_err))
                memset(ret_err, 0, sizeof(*ret_err));
        close(errp[0]);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static unsigned long long starttime_of(pid_t pid)
{
        char path[32], buf[1024], state, comm[16];
        unsigned long long st;
        pid_t ppid;

        snprintf(path, sizeof(path), "%d/stat", (int)pid);
        cr_assert_geq(read_small_at(proc_fd, path, buf, sizeof(buf)), 0);
        cr_assert_eq(proc_parse_stat(buf, &state, &ppid, &st, comm), 0);
        return st;
}

Test(attach_spawn, runs_in_the_target, .init = target_setup, .fini = target_teardown)
{
        char *argv[] = { "/bin/sh", "-c", "hostname; exit 7", NULL };
        char out[256];

        cr_assert_eq(spawn_and_read(argv, starttime_of(target), out, sizeof(out), NULL), 7);
        cr_assert_str_eq(out, "ns-unit-target\n");
}

Test(attach_spawn, mask_is_what_differs, .init = target_setup, .fini = target_teardown)
{
        AttachOptions o = {};
        AttachError e;
        Attach *a = NULL;

        cr_assert_eq(attach_open(proc_fd, target, 0, &o, &a, &e), 0);
        cr_assert_eq(attach_ns_mask(a), CLONE_NEWUTS | CLONE_NEWIPC);
        cr_assert_null(attach_frozen(a));
        attach_free(a);
}

Test(attach_spawn, recycled_pid_refused, .init = target_setup, .fini = target_teardown)
{
        AttachOptions o = {};
        AttachError e = {};
        Attach *a = NULL;

        cr_assert_eq(attach_open(proc_fd, target, starttime_of(target) + 1, &o, &a, &e), -ESRCH);
        cr_assert_eq(e.step, ATTACH_STEP_VERIFY);
        cr_assert_null(a);
}

Test(attach_spawn, dead_target, .init = target_setup, .fini = target_teardown)
{
        AttachOptions o = {};
        AttachError e = {};
        Attach *a = NULL;

        kill(target, SIGKILL);
        waitpid(target, NULL, 0);
        cr_assert_eq(attach_open(proc_fd, target, 0, &o, &a, &e), -ESRCH);
        cr_assert_eq(e.step, ATTACH_STEP_OPEN);
        target = -1;
}

Test(attach_spawn, exec_failure_reported, .init = target_setup, .fini = target_teardown)
{
        char *argv[] = { "/no/such/command", NULL };
        AttachError e = {};
        char out[64];

        cr_assert_eq(spawn_and_read(argv, 0, out, sizeof(out), &e), 99);
        cr_assert_eq(e.step, ATTACH_STEP_EXEC);
        cr_assert_eq(e.error, ENOENT);
        cr_assert_str_eq(e.detail, "/no/such/command");
}

Test(attach_spawn, workdir_missing, .init = target_setup, .fini = target_teardown)
{
        /* -w of a directory that does not exist: the step and the path come back */
        int errp[2], status;
        AttachError e = {};
        pid_t pid;

        cr_assert_eq(pipe2(errp, O_CLOEXEC), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                char *argv[] = { "/bin/true", NULL };
                AttachOptions o = { .argv = argv, .workdir = "/no/such/dir" };
                AttachStdio io = { .fd = { 0, 1, 2 } };
                AttachError ce = {};
                Attach *a = NULL;
                pid_t child;
                int master;

                if (attach_open(proc_fd, target, 0, &o, &a, &ce) < 0 ||
                    attach_spawn(a, &io, -1, &child, &master, &ce) < 0) {
                        if (write(errp[1], &ce, sizeof(ce)) != sizeof(ce))
                                _exit(98);
                        _exit(0);
                }
                _exit(1);
        }
        close(errp[1]);
        cr_assert_eq(read(errp[0], &e, sizeof(e)), (ssize_t)sizeof(e));
        close(errp[0]);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert_eq(WEXITSTATUS(status), 0);
        cr_assert_eq(e.step, ATTACH_STEP_CWD);
        cr_assert_eq(e.error, ENOENT);
        cr_assert_str_eq(e.detail, "/no/such/dir");
}
