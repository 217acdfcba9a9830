/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Attach: run a command inside an instance, with the namespaces, cgroup,
 * credentials, capabilities, LSM label, environment, root and working
 * directory of its leader. The order of operations is the one of
 * DESIGN.md "Attach": open everything from the host first (attach_open),
 * then become non-dumpable, join the namespaces and fork (attach_spawn);
 * the child drops to the leader's credentials and execs.
 *
 * Nothing here prints: a failure comes back as -errno with an AttachError
 * that says which step failed and about what, for the command layer to
 * report.
 */

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <termios.h>

#include "nstype.h"
#include "steperror.h"

typedef enum AttachKeep {
        ATTACH_KEEP_CAPS = 1 << 0,   /* ns' own capabilities, bounding set, no_new_privs */
        ATTACH_KEEP_CGROUP = 1 << 1, /* stay in ns' own cgroups */
        ATTACH_KEEP_CREDS = 1 << 2,  /* ns' own uid, gids and groups */
        ATTACH_KEEP_LSM = 1 << 3,    /* ns' own LSM label */
        ATTACH_KEEP_ENV = 1 << 4,    /* ns' own environment */
        /* not the leader's seccomp filters, only those ns runs under */
        ATTACH_KEEP_SECCOMP = 1 << 5,
} AttachKeep;

/* "caps,cgroup,creds,lsm,env,seccomp" into AttachKeep flags; on an unknown word,
 * -EINVAL with *ret_bad pointing at it (length *ret_bad_len). */
int attach_keep_from_string(const char *s, unsigned *ret, const char **ret_bad,
                            size_t *ret_bad_len);

typedef enum AttachStep {
        ATTACH_STEP_OPEN,       /* pidfd_open, /proc/PID */
        ATTACH_STEP_VERIFY,     /* the pid is still the process that was resolved */
        ATTACH_STEP_READ,       /* the leader's status, environ, limits, links */
        ATTACH_STEP_NAMESPACES, /* setns; detail: the namespace */
        ATTACH_STEP_TOOLS,      /* --tools: the private mount namespace; detail: a path */
        ATTACH_STEP_FORK,
        ATTACH_STEP_CGROUP, /* detail: the cgroup */
        ATTACH_STEP_ROOT,
        ATTACH_STEP_CWD,  /* detail: the directory */
        ATTACH_STEP_USER, /* detail: the user or group */
        ATTACH_STEP_RLIMITS,
        ATTACH_STEP_LSM, /* detail: the label */
        ATTACH_STEP_CREDS,
        ATTACH_STEP_CAPS,
        ATTACH_STEP_SECCOMP, /* the leader's filters; detail: see attach-seccomp.h */
        ATTACH_STEP_PTY,
        ATTACH_STEP_STDIO,
        ATTACH_STEP_EXEC,        /* detail: the command */
        ATTACH_STEP_INTERRUPTED, /* a signal came before the command started */
        ATTACH_STEP_KERNEL,      /* the pid is a kernel thread: nothing to enter */
        ATTACH_STEP_RELAY,       /* relaying the terminal or pipes failed */
        ATTACH_STEP_MAX,
        ATTACH_STEP_INVALID = -1,
} AttachStep;

/* step is an AttachStep; detail says what the step was about, "" when nothing */
typedef StepError AttachError;

typedef struct AttachOptions {
        unsigned keep;        /* AttachKeep */
        const char *user;     /* -u USER[:GROUP], or NULL for the leader's */
        const char *workdir;  /* -w, or NULL for the leader's */
        char *const *setenv;  /* -e VAR=VAL or VAR, NULL-terminated, or NULL */
        char *const *argv;    /* the command, or NULL for the user's shell */
        bool tools;           /* every namespace but mnt, container root at tools_at */
        const char *tools_at; /* NULL: /run/ns/root */
        /*
         * A directory fd of the host's root (hostroot.h), where the
         * cgroup file systems are found; borrowed. 0 (not set): ns' own "/".
         */
        int host_root_fd;
} AttachOptions;

#define ATTACH_TOOLS_AT_DEFAULT "/run/ns/root"

typedef struct AttachStdio {
        bool pty;                      /* a new pty inside the instance; else fd[] */
        int fd[3];                     /* no pty: the command's stdin, stdout, stderr */
        const struct termios *termios; /* pty: its initial modes, or NULL */
        const struct winsize *winsize; /* pty: its initial size, or NULL */
        const char *term;              /* TERM to set, or NULL */
} AttachStdio;

typedef struct Attach Attach;

/*
 * Steps 1 to 3: open the leader by pidfd, check that it is still the
 * process that was resolved (starttime, in clock ticks; 0 skips the check),
 * and open or read from the host's /proc everything needed later. proc_fd
 * is the host's /proc. The options must outlive the Attach.
 */
int attach_open(int proc_fd, pid_t pid, unsigned long long starttime, const AttachOptions *o,
                Attach **ret, AttachError *err);
Attach *attach_free(Attach *a);

/* --tools: whether the instance maps our own uid, so that its processes
 * of that uid may signal the tools (though not ptrace them). */
bool attach_tools_signalable(const Attach *a);

/* The instance's cgroup that is frozen (as its path), or NULL. */
const char *attach_frozen(const Attach *a);

/* The namespaces that will be joined, as CLONE_NEW* flags (0: none differ). */
int attach_ns_mask(const Attach *a);

/*
 * Steps 4 to 8: make this process non-dumpable; a child of it (the
 * joiner) joins the namespaces and makes the command, as this process's
 * own child, which takes the leader's cgroup, root, cwd, credentials,
 * capabilities, LSM label and environment, sets up stdio or a pty, closes
 * every other fd and execs. Returns once the command has been exec'd (or
 * failed to be): *ret_pid is the command, *ret_pty_master the pty's
 * master when io->pty. This process (the relay) joins no namespace of the
 * instance, so nothing inside it holds a capability over the relay.
 *
 * Signals: the caller blocks what it wants to handle and passes a
 * signalfd for them (or -1); a SIGINT, SIGTERM, SIGHUP or SIGQUIT that
 * comes before the exec kills the command and fails with
 * ATTACH_STEP_INTERRUPTED. The command starts with every signal unblocked
 * and at its default disposition.
 */
int attach_spawn(Attach *a, const AttachStdio *io, int sigfd, pid_t *ret_pid, int *ret_pty_master,
                 AttachError *err);

/*
 * Everything after attach_open(), end to end: a new pty inside when stdin
 * and stdout are terminals (relayed in raw mode, the terminal put back
 * however it ends), else the fds as they are but for a terminal among
 * them, which goes through a pipe; the signals ns forwards; attach_spawn()
 * and the relay until the command ends. Returns 0 with its wait status, or
 * -errno with err filled (ATTACH_STEP_STDIO with detail "pipe" or
 * "signals", ATTACH_STEP_RELAY, or attach_spawn()'s). Never prints.
 */
int attach_run(Attach *a, int *ret_wstatus, AttachError *err);

/* ---- the pure parts, for the tests ---- */

typedef struct ProcCreds {
        uid_t uid[4]; /* real, effective, saved, fs */
        gid_t gid[4];
        gid_t *groups; /* malloc'd */
        size_t n_groups;
        uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
        bool no_new_privs;
} ProcCreds;

/* Parse the content of /proc/PID/status. */
int attach_parse_status(const char *status, ProcCreds *ret);
void proc_creds_done(ProcCreds *c);

/*
 * Map an id as seen from outside a user namespace to the id inside it,
 * from the content of its uid_map or gid_map as read from outside.
 * Returns 0, or -ENOENT when the id is not mapped.
 */
int attach_map_id(const char *map, uint32_t outside, uint32_t *ret_inside);

/*
 * From the content of /proc/PID/attr/current, the label to write to
 * /proc/self/attr/exec so that the command runs under it: NULL when there
 * is nothing to do (no LSM, "unconfined"). AppArmor's "profile (mode)" is
 * written as "exec profile".
 */
char *attach_lsm_exec_label(const char *current);

/*
 * The environment of the command: base (NUL-separated, as in
 * /proc/PID/environ), then each of set in order ("VAR=VAL" replaces or
 * adds; a bare "VAR" takes VAR from lookup_env, the caller's environment,
 * when it is there). Returns a malloc'd NULL-terminated vector whose
 * strings are malloc'd too.
 */
char **attach_build_env(const char *base, size_t base_len, char *const *set,
                        char *const *lookup_env);
void strv_free(char **v);
