/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <curses.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "attach.h"
#include "control.h"
#include "macro.h"
#include "tui-internal.h"
#include "util.h"

/*
 * What ns top does to an instance: a shell inside it (e, E), a signal (k)
 * and freezing or thawing its cgroup (p). The work is the lower layers'
 * (attach.h, control.h); here the screen is put aside and back, and the
 * outcome told in the status line.
 */

const int tui_signals[8] = { SIGTERM, SIGINT, SIGHUP, SIGKILL, SIGSTOP, SIGCONT, SIGUSR1, SIGUSR2 };

/* The instance an action is for: the one whose processes are shown, else the selected one. */
static TopRow *action_row(Tui *t, const char *what)
{
        TopRow *r = t->view == TUI_VIEW_PROCS ? top_model_find(t->m, t->procs_id) : tui_selected(t);

        if (!r) {
                tui_status(t, true, "no instance to %s", what);
                return NULL;
        }
        if (r->state == TOP_ROW_GONE) {
                tui_status(t, true, "cannot %s '%s': it has exited", what, tui_row_label(r));
                return NULL;
        }
        return r;
}

static const Instance *model_instance(const TopModel *m, const char *id)
{
        if (!m->instances)
                return NULL;
        for (size_t i = 0; i < m->instances->n; i++)
                if (streq(m->instances->items[i].id, id))
                        return &m->instances->items[i];
        return NULL;
}

/* ---------------------------------------------------------------- e, E */

/* What the child that attached says back through its pipe. */
typedef struct EnterResult {
        int r;          /* attach_open() or attach_run(): 0 or -errno */
        int wstatus;    /* the shell's, when r is 0 */
        bool frozen;    /* not entered: its cgroup is frozen */
        AttachError e;
} EnterResult;

/*
 * In the child: every signal as it was before ns top, then attach_open()
 * and attach_run() end to end, as ns enter does. The child is the process
 * that becomes non-dumpable and relays the terminal; ns top only waits.
 */
_noreturn_ static void enter_child(int proc_fd, int root_fd, pid_t leader,
                                   unsigned long long start, bool tools, int fd)
{
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP, SIGQUIT,
                                    SIGSEGV, SIGBUS,  SIGABRT, SIGFPE,  SIGILL };
        AttachOptions o = { .tools = tools, .host_root_fd = root_fd };
        EnterResult res = {};
        Attach *a = NULL;
        sigset_t none;

        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                signal(sigs[i], SIG_DFL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);

        res.r = attach_open(proc_fd, leader, start, &o, &a, &res.e);
        if (res.r >= 0 && attach_frozen(a)) {
                /* it would hang until thawed: say so instead */
                res.frozen = true;
                snprintf(res.e.detail, sizeof(res.e.detail), "%s", attach_frozen(a));
                res.r = -EAGAIN;
        } else if (res.r >= 0)
                res.r = attach_run(a, &res.wstatus, &res.e);
        attach_free(a);
        (void)!write(fd, &res, sizeof(res));
        _exit(0);
}

static void enter_report(Tui *t, const TopRow *row, bool tools, const EnterResult *res)
{
        const char *label = tui_row_label(row);
        const AttachError *e = &res->e;
        char d[sizeof(e->detail)], eb[64];
        bool perm = e->error == EPERM || e->error == EACCES;

        snprintf(d, sizeof(d), "%s", e->detail);
        str_sanitize(d);
        if (res->r >= 0) {
                if (WIFSIGNALED(res->wstatus))
                        tui_status(t, false, "the shell in '%s' was killed by signal %d", label,
                                   WTERMSIG(res->wstatus));
                else
                        tui_status(t, false, "back from the shell in '%s' (exit status %d)", label,
                                   WEXITSTATUS(res->wstatus));
                return;
        }
        if (res->frozen) {
                tui_status(t, true, "cannot enter '%s': its cgroup '%s' is frozen (press p to thaw it)",
                           label, d);
                return;
        }
        if (e->step == ATTACH_STEP_EXEC && (e->error == ENOENT || e->error == ENOTDIR) && !tools) {
                /* no shell in there: offer the host's tools instead */
                snprintf(t->no_shell, sizeof(t->no_shell), "%.120s", d);
                t->mode = TUI_MODE_NO_SHELL;
                t->dirty = true;
                return;
        }
        if ((e->step == ATTACH_STEP_OPEN || e->step == ATTACH_STEP_VERIFY) && e->error == ESRCH) {
                tui_status(t, true, "cannot enter '%s': the instance is gone (its leader, pid %d, exited)",
                           label, (int)row->leader);
                return;
        }
        if (e->step == ATTACH_STEP_TOOLS && !d[0] && perm) {
                tui_status(t, true,
                           "cannot enter '%s' with --tools: only root can join its namespaces from "
                           "outside its user namespace",
                           label);
                return;
        }
        tui_status(t, true, "cannot enter '%s': %s%s%s%s", label, d, d[0] ? ": " : "",
                   tui_errstr(e->error ? e->error : -res->r, eb),
                   perm && geteuid() != 0 ? " (try as root)" : "");
}

void tui_action_enter(Tui *t, bool tools)
{
        TopRow *row = action_row(t, "enter");
        _cleanup_close_ int rfd = -EBADF, wfd = -EBADF;
        EnterResult res = { .r = -EIO };
        int fds[2], ws;
        pid_t pid;

        if (!row)
                return;
        if (pipe2(fds, O_CLOEXEC) < 0) {
                tui_status(t, true, "cannot enter '%s': cannot make a pipe: %s", tui_row_label(row),
                           tui_errstr(errno, (char[64]){ 0 }));
                return;
        }
        rfd = fds[0];
        wfd = fds[1];

        /* The screen aside: the terminal as it was before ns top. */
        def_prog_mode();
        endwin();
        printf("ns top: %s '%s' (%s); exit the shell to come back\n",
               tools ? "host tools in" : "a shell in", tui_row_label(row), row->id);
        fflush(stdout);

        pid = fork();
        if (pid == 0)
                enter_child(t->proc_fd, t->root_fd, row->leader, row->leader_start, tools, wfd);
        closep(&wfd);
        if (pid > 0) {
                while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
                        ;
                if (read(rfd, &res, sizeof(res)) != (ssize_t)sizeof(res)) {
                        res = (EnterResult){ .r = -EIO };
                        snprintf(res.e.detail, sizeof(res.e.detail), "the attaching process died");
                        res.e.error = EIO;
                }
        } else {
                res.r = -errno;
                res.e.error = errno;
                snprintf(res.e.detail, sizeof(res.e.detail), "fork");
        }

        /* The screen back, redrawn whole: the shell wrote over it. */
        reset_prog_mode();
        clearok(curscr, TRUE);
        tui_layout(t);
        enter_report(t, row, tools, &res);
        /* The selection is by id: the refresh that follows finds it again. */
        t->next_refresh = 0;
}

/* ------------------------------------------------------------------- k */

static const char *signal_name(int sig, char buf[static 16])
{
        const char *s = signame_format(sig, buf);
        return s ? s : "?";
}

/* Whether the leader drops sig (it ignores it, or it is an init without a handler). */
static bool leader_drops(Tui *t, const TopRow *row, int sig)
{
        return control_signal_ignored(t->proc_fd, row->leader, sig) > 0;
}

void tui_action_signal(Tui *t, int sig, bool all)
{
        TopRow *row = action_row(t, "signal");
        const Instance *in;
        ControlKillResult res = {};
        char sn[16], eb[64], fail[160] = "";
        bool dropped;
        int r;

        if (!row)
                return;
        if (row->host) {
                tui_status(t, true, "ns top does not signal the host (use ns kill --force)");
                return;
        }
        in = model_instance(t->m, row->id);
        if (!in) {
                tui_status(t, true, "cannot signal '%s': it has exited", tui_row_label(row));
                return;
        }
        /* asked before sending: after a KILL there is nobody left to ask */
        dropped = !all && leader_drops(t, row, sig);
        r = control_kill(t->proc_fd, t->root_fd, t->m->instances, in, sig, all ? 0 : CONTROL_LEADER_ONLY, &res);
        if (r < 0) {
                tui_status(t, true, "cannot signal '%s': %s", tui_row_label(row), tui_errstr(r, eb));
                return;
        }
        if (res.n_failures > 0) {
                const ControlKillFailure *f = &res.failures[0];
                snprintf(fail, sizeof(fail), "; could not signal %zu (pid %d, %s: %s%s)",
                         res.n_failures, (int)f->pid, f->comm, tui_errstr(f->error, eb),
                         (f->error == -EPERM || f->error == -EACCES) && geteuid() != 0 ? ", try as root" : "");
        }
        tui_status(t, res.n_failures > 0 || dropped, "SIG%s sent to %s of '%s' (%zu process%s%s)%s%s",
                   signal_name(sig, sn), all ? "every member" : "the leader", tui_row_label(row),
                   res.n_signalled, res.n_signalled == 1 ? "" : "es",
                   res.cgroup_kill ? ", by cgroup.kill" : "", fail,
                   dropped ? "; but its pid 1 has no handler for it, so the kernel drops it (try KILL)" : "");
        control_kill_result_done(&res);
        /* show the outcome soon, not at the next refresh */
        t->next_refresh = MIN(t->next_refresh, tui_now() + 300000);
}

/* The signal menu (k) and the "no shell" box (e), over the table. */
void tui_action_menu_draw(Tui *t)
{
        const TopRow *row = t->view == TUI_VIEW_PROCS ? top_model_find(t->m, t->procs_id) : tui_selected(t);
        int w = MIN(t->cols - 4, 76), h, y0 = t->table_y + 1, x0 = 2, y;
        char buf[256], sn[16];

        if (!row || w < 20)
                return;
        h = t->mode == TUI_MODE_SIGNAL ? (int)ELEMENTSOF(tui_signals) + 4 : 7;
        attron(t->attrs[TUI_A_MENU]);
        for (int i = 0; i < h && y0 + i < t->status_y; i++)
                for (int x = 0; x < w; x++)
                        mvaddch(y0 + i, x0 + x, ' ');
        if (t->mode == TUI_MODE_NO_SHELL) {
                snprintf(buf, sizeof(buf), "'%s' has no shell: cannot run '%s'", tui_row_label(row),
                         t->no_shell[0] ? t->no_shell : "its user's shell");
                tui_put(y0 + 1, x0 + 2, buf, w - 4, false);
                tui_put(y0 + 3, x0 + 2, "E: enter with --tools: the host's shell and tools in all of", w - 4, false);
                tui_put(y0 + 4, x0 + 2, "   its namespaces but mnt, its files at /run/ns/root (as root)", w - 4, false);
                tui_put(y0 + 5, x0 + 2, "any other key: back", w - 4, false);
                attroff(t->attrs[TUI_A_MENU]);
                return;
        }
        snprintf(buf, sizeof(buf), "Send a signal to %s of '%s'", t->sig_all ? "every member" : "the leader",
                 tui_row_label(row));
        tui_put(y0, x0 + 1, buf, w - 2, false);
        for (size_t i = 0; i < ELEMENTSOF(tui_signals); i++) {
                int sig = tui_signals[i];

                y = y0 + 1 + (int)i;
                if (y >= t->status_y)
                        break;
                if ((int)i == t->menu_sel)
                        attron(A_REVERSE);
                snprintf(buf, sizeof(buf), "%zu %-5s %2d%s", i + 1, signal_name(sig, sn), sig,
                         leader_drops(t, row, sig) ? "   its pid 1 ignores it: dropped" : "");
                tui_put(y, x0 + 2, buf, w - 4, false);
                if ((int)i == t->menu_sel)
                        attroff(A_REVERSE);
        }
        y = y0 + 1 + (int)ELEMENTSOF(tui_signals);
        if (y + 1 < t->status_y)
                tui_put(y + 1, x0 + 1, "Enter: send   Tab: leader / every member   Esc: cancel", w - 2,
                        false);
        attroff(t->attrs[TUI_A_MENU]);
}

/* ------------------------------------------------------------------- p */

static void freeze_end(Tui *t)
{
        if (t->freeze_pending)
                control_cgroups_done(&t->freeze_cg);
        t->freeze_pending = false;
}

static void freeze_report(Tui *t, ControlFreezeState st)
{
        const TopRow *row = top_model_find(t->m, t->freeze_id);
        const char *label = row ? tui_row_label(row) : t->freeze_id;

        tui_status(t, false, "'%s' is %s", label, control_freeze_state_to_string(st));
        /* the HEALTH column shows it at once */
        t->next_refresh = 0;
}

/* Why an instance's cgroup may not be frozen, from its verdicts. */
static const char *freeze_refusal(const ControlCgroups *cg, char *buf, size_t size)
{
        const ControlCgroup *c = cg->v2.verdict != CONTROL_CGROUP_NONE ? &cg->v2 : &cg->freezer;

        switch (c->verdict) {
        case CONTROL_CGROUP_NONE:
                return "it has no cgroup with a freezer";
        case CONTROL_CGROUP_SHARED:
                snprintf(buf, size, "its cgroup holds pid %d too, which is not one of its processes",
                         (int)c->foreign);
                return buf;
        default:
                snprintf(buf, size, "its cgroup is not its own (%s)",
                         control_cgroup_verdict_to_string(c->verdict));
                return buf;
        }
}

void tui_action_freeze(Tui *t)
{
        TopRow *row = action_row(t, "freeze");
        const Instance *in;
        ControlCgroups cg = {};
        ControlFreezeState st;
        char eb[64], why[160];
        bool freeze;
        int r;

        if (!row)
                return;
        if (t->freeze_pending) {
                tui_status(t, true, "still waiting for '%s'", t->freeze_id);
                return;
        }
        in = model_instance(t->m, row->id);
        if (!in) {
                tui_status(t, true, "cannot freeze '%s': it has exited", tui_row_label(row));
                return;
        }
        r = control_cgroups_load(t->proc_fd, t->root_fd, t->m->instances, in, &cg);
        if (r < 0) {
                tui_status(t, true, "cannot freeze '%s': cannot read its cgroups: %s",
                           tui_row_label(row), tui_errstr(r, eb));
                return;
        }
        r = control_freeze_state(t->root_fd, &cg, &st);
        if (r == -EBUSY) {
                tui_status(t, true, "cannot freeze '%s': %s (freezing a shared cgroup would freeze others)",
                           tui_row_label(row), freeze_refusal(&cg, why, sizeof(why)));
                control_cgroups_done(&cg);
                return;
        }
        if (r < 0) {
                tui_status(t, true, "cannot freeze '%s': %s", tui_row_label(row), tui_errstr(r, eb));
                control_cgroups_done(&cg);
                return;
        }
        freeze = st == CONTROL_THAWED || st == CONTROL_THAWING;
        /* No waiting here: the loop watches it, and the screen stays alive. */
        r = control_freeze(t->root_fd, &cg, freeze, 0, &st);
        snprintf(t->freeze_id, sizeof(t->freeze_id), "%s", row->id);
        if (r == 0) {
                control_cgroups_done(&cg);
                freeze_report(t, st);
                return;
        }
        if (r != -ETIMEDOUT) {
                tui_status(t, true, "cannot %s '%s': %s%s", freeze ? "freeze" : "thaw",
                           tui_row_label(row), tui_errstr(r, eb),
                           (r == -EACCES || r == -EPERM) && geteuid() != 0 ? " (try as root)" : "");
                control_cgroups_done(&cg);
                return;
        }
        t->freeze_cg = cg;
        t->freeze_pending = true;
        t->freeze_target = freeze;
        t->freeze_deadline = tui_now() + TUI_FREEZE_TIMEOUT_USEC;
        tui_status(t, false, "%s '%s'...", freeze ? "freezing" : "thawing", tui_row_label(row));
}

/* From the loop while a freeze or thaw is under way. */
void tui_freeze_poll(Tui *t)
{
        ControlFreezeState st;
        char eb[64];
        int r = control_freeze_state(t->root_fd, &t->freeze_cg, &st);

        if (r < 0) {
                tui_status(t, true, "cannot %s '%s': %s", t->freeze_target ? "freeze" : "thaw",
                           t->freeze_id, tui_errstr(r, eb));
                freeze_end(t);
                return;
        }
        if (st == (t->freeze_target ? CONTROL_FROZEN : CONTROL_THAWED)) {
                freeze_end(t);
                freeze_report(t, st);
                return;
        }
        if (tui_now() >= t->freeze_deadline) {
                tui_status(t, true,
                           "'%s' is still %s after %llu s: a task may be stuck (in D state); press p "
                           "to try again",
                           t->freeze_id, control_freeze_state_to_string(st),
                           TUI_FREEZE_TIMEOUT_USEC / 1000000ULL);
                freeze_end(t);
        }
}

void tui_actions_done(Tui *t)
{
        freeze_end(t);
}
