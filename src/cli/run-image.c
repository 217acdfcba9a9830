/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ns run --image: the image found in the store (or fetched into it by the
 * ns-image program, which links what ns itself must not: libcurl,
 * libarchive, libcrypto), and its config turned into the launch's argv,
 * environment, working directory and ids, as docker run does.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "cmd-run.h"
#include "passwd.h"
#include "util.h"

#ifndef NS_LIBEXECDIR
#define NS_LIBEXECDIR "/usr/local/libexec/ns"
#endif

/* ns-image --image-cache STORE pull REF, in the foreground (its progress
 * and its messages on our stderr). Returns its exit status, or -1
 * when it could not be run (reported). */
static int run_pull(const char *store, const char *ref)
{
        char path[PATH_MAX];
        pid_t pid;
        int st;

        if (libexec_find("ns-image", path, sizeof(path)) < 0) {
                log_error("cannot pull image '%s': ns-image is not installed (looked next to ns "
                          "and in '%s')",
                          ref, NS_LIBEXECDIR);
                return -1;
        }
        fflush(NULL);
        pid = fork();
        if (pid < 0) {
                log_error("cannot run '%s': %s", path, ERRSTR(errno));
                return -1;
        }
        if (pid == 0) {
                char *const argv[] = { (char *)"ns-image",
                                       (char *)"--image-cache",
                                       (char *)store,
                                       (char *)"pull",
                                       (char *)"--",
                                       (char *)ref,
                                       NULL };
                int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

                /* Its stdout (the digest) is not the command's output: only
                 * its progress and its messages, on stderr, are shown. */
                if (devnull < 0 || dup2(devnull, STDOUT_FILENO) < 0)
                        _exit(127);
                execv(path, argv);
                log_error("cannot run '%s': %s", path, ERRSTR(errno));
                _exit(127);
        }
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR) {
                        log_error("cannot wait for '%s': %s", path, ERRSTR(errno));
                        return -1;
                }
        if (WIFSIGNALED(st))
                return 128 + WTERMSIG(st);
        return WEXITSTATUS(st);
}

static void report_image_error(const char *ref, const char *store, int r, const StepError *e)
{
        const char *msg = ERRSTR(-r);

        switch (e->step) {
        case IMAGE_STEP_STORE:
                log_error("cannot open the image store '%s': %s", e->detail[0] ? e->detail : store,
                          msg);
                break;
        case IMAGE_STEP_NOT_FOUND:
                log_error("cannot find image '%s' in the store '%s' (even after pulling it)", ref,
                          store);
                break;
        case IMAGE_STEP_MANIFEST:
                log_error("cannot read the manifest of image '%s' in the store '%s': %s", ref,
                          store, msg);
                break;
        case IMAGE_STEP_CONFIG:
                log_error("cannot read the config of image '%s' in the store '%s': %s", ref, store,
                          msg);
                break;
        case IMAGE_STEP_LAYER:
                log_error("cannot read layer '%s' of image '%s': %s", e->detail, ref, msg);
                break;
        case IMAGE_STEP_REF:
                if (r == -EINVAL)
                        log_error("cannot use image '%s': it is neither a file nor an image "
                                  "reference (such as alpine:3.19 or localhost:5000/app:1)",
                                  ref);
                else if (r == -EMEDIUMTYPE)
                        log_error("cannot use image '%s': a directory, but not an OCI image layout "
                                  "(no index.json) or an unpacked docker save (no manifest.json)",
                                  ref);
                else
                        log_error("cannot use image '%s': %s", ref, msg);
                break;
        default:
                log_error("cannot use image '%s': %s", ref, msg);
                break;
        }
}

/* The image from the store; fetched first by ns-image when the store does
 * not have it. Reports its errors. */
static int open_image(const char *store, const char *ref, Image **ret)
{
        StepError e = {};
        int r, st;

        r = image_open(store, ref, ret, &e);
        if (r >= 0)
                return 0;
        if (r != -ENOENT || e.step != IMAGE_STEP_NOT_FOUND) {
                report_image_error(ref, store, r, &e);
                return r;
        }
        st = run_pull(store, ref);
        if (st < 0)
                return -ENOENT;
        if (st != 0)
                /* ns-image has said why */
                return -EIO;
        e = (StepError){};
        r = image_open(store, ref, ret, &e);
        if (r < 0)
                report_image_error(ref, store, r, &e);
        return r;
}

/* ---------------------------------------------------------------- env */

static size_t strv_len(char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

/* The index of "KEY=..." in v (key of keylen bytes), or -1. */
static ssize_t env_find(char **v, size_t n, const char *key, size_t keylen)
{
        for (size_t i = 0; i < n; i++)
                if (strncmp(v[i], key, keylen) == 0 && v[i][keylen] == '=')
                        return (ssize_t)i;
        return -1;
}

/* Set one "K=V" in v (n entries, room for one more and the NULL). */
static void env_put(char **v, size_t *n, char *kv)
{
        size_t keylen = strcspn(kv, "=");
        ssize_t i = env_find(v, *n, kv, keylen);

        if (i >= 0) {
                free(v[i]);
                v[i] = kv;
                return;
        }
        v[(*n)++] = kv;
        v[*n] = NULL;
}

char **run_env_build(char *const *base, bool term, char *const *sets, size_t n_sets)
{
        size_t nb = strv_len(base), n = 0;
        char **v = xnew(char *, nb + n_sets + 2);
        const char *t;

        for (size_t i = 0; i < nb; i++)
                if (strchr(base[i], '='))
                        env_put(v, &n, xstrdup(base[i]));
        /* TERM from the caller, so that the terminal works; the rest of
         * the caller's environment stays out (docker run does the same). */
        t = getenv("TERM");
        if (term && t)
                env_put(v, &n, xasprintf("TERM=%s", t));
        for (size_t i = 0; i < n_sets; i++) {
                const char *s = sets[i];

                if (strchr(s, '='))
                        env_put(v, &n, xstrdup(s));
                else if ((t = getenv(s)))
                        /* -e KEY: the caller's value, when it has one */
                        env_put(v, &n, xasprintf("%s=%s", s, t));
        }
        return v;
}

/* --------------------------------------------------------------- user */

/*
 * etc/<file> as the image's root shows it: from the topmost layer that has
 * it, unless a layer above deletes it (a whiteout) or hides the lower
 * etc/ (an opaque directory). Read with openat2 RESOLVE_IN_ROOT below the
 * layer (passwd_read_file()): a link in the image cannot lead to a host
 * file. *ret is NULL when the image has no such file.
 */
static int image_read_etc(const Image *img, const char *file, char **ret)
{
        _cleanup_free_ char *rel = xasprintf("etc/%s", file);

        *ret = NULL;
        for (size_t i = img->n_layers; i-- > 0;) {
                _cleanup_close_ int fd = open(img->layers[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
                struct stat st;
                char x[2];

                if (fd < 0)
                        return -errno;
                if (fstatat(fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                        /* a whiteout: a 0:0 character device */
                        if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0))
                                return 0;
                        return passwd_read_file(fd, rel, ret);
                }
                if (errno != ENOENT && errno != ENOTDIR)
                        return -errno;
                /* etc/ itself deleted or opaque here: nothing below counts */
                if (fstatat(fd, "etc", &st, AT_SYMLINK_NOFOLLOW) == 0) {
                        _cleanup_free_ char *etc = xasprintf("%s/etc", img->layers[i]);

                        if (S_ISCHR(st.st_mode))
                                return 0;
                        if (S_ISDIR(st.st_mode) &&
                            lgetxattr(etc, "user.overlay.opaque", x, sizeof(x)) == 1 && x[0] == 'y')
                                return 0;
                }
        }
        return 0;
}

int run_image_user(const Image *img, const char *spec, unsigned *ret_uid, unsigned *ret_gid)
{
        _cleanup_free_ char *user = NULL, *group = NULL, *passwd = NULL, *groups = NULL;
        PasswdEntry pw = {};
        unsigned uid, gid = 0;
        bool numeric, found;
        int r;

        r = user_spec_split(spec, &user, &group);
        if (r < 0 || !user || !*user) {
                log_error("cannot use the image's user '%s': not a user[:group]", spec);
                return -EINVAL;
        }
        numeric = parse_id(user, &uid) >= 0;
        r = image_read_etc(img, "passwd", &passwd);
        if (r < 0 && !numeric) {
                log_error("cannot read the image's /etc/passwd for its user '%s': %s", user,
                          ERRSTR(-r));
                return r;
        }
        found = passwd && passwd_find(passwd, numeric ? NULL : user, numeric ? uid : 0, &pw) >= 0;
        if (!numeric && !found) {
                log_error("cannot find the image's user '%s' in its /etc/passwd", user);
                return -ENOENT;
        }
        if (found) {
                uid = (unsigned)pw.uid;
                /* the user's own primary group, as docker takes it */
                gid = (unsigned)pw.gid;
                passwd_entry_done(&pw);
        }
        if (group && *group && parse_id(group, &gid) < 0) {
                r = image_read_etc(img, "group", &groups);
                if (r < 0 || !groups || group_find_gid(groups, group, &gid) < 0) {
                        log_error("cannot find the image's group '%s' in its /etc/group", group);
                        return -ENOENT;
                }
        }
        *ret_uid = uid;
        *ret_gid = gid;
        return 0;
}

/* ---------------------------------------------------------------- all */

/*
 * argv: the Entrypoint, then the command line's words or else the Cmd. An
 * --entrypoint replaces the image's and, as docker run has it, drops its
 * Cmd too (that Cmd was written as arguments to the other entrypoint).
 */
static char **image_argv(const ImageConfig *cfg, const char *entrypoint, char *const *cmdline)
{
        char *const *cmd = cmdline && cmdline[0] ? cmdline : entrypoint ? NULL : cfg->cmd;
        char *const *ep = cfg->entrypoint;
        char *const override[] = { (char *)entrypoint, NULL };
        size_t ne, nc = strv_len(cmd), n = 0;
        char **v;

        if (entrypoint)
                ep = *entrypoint ? override : NULL;
        ne = strv_len(ep);
        v = xnew(char *, ne + nc + 1);
        for (size_t i = 0; i < ne; i++)
                v[n++] = ep[i];
        for (size_t i = 0; i < nc; i++)
                v[n++] = cmd[i];
        v[n] = NULL;
        return v;
}

/* A --name from the image's, as the instance's names go (no '/'). */
static char *image_default_name(const Image *img)
{
        const char *n = img->name;
        const char *slash;

        if (!n || !*n)
                return NULL;
        slash = strrchr(n, '/');
        if (slash && slash[1])
                n = slash + 1;
        return xstrndup(n, strcspn(n, ":@"));
}

int run_image_prepare(const RunImageOptions *o, char *const *cmdline, LaunchConfig *lc,
                      RunImage *ret)
{
        _cleanup_free_ char *store = NULL;
        const ImageConfig *cfg;
        int r;

        if (o->cache)
                store = xstrdup(o->cache);
        else if (image_store_default_path(&store) < 0) {
                log_error("cannot find a directory for the image store: set XDG_CACHE_HOME or "
                          "HOME, or give --image-cache <dir>");
                return -ENOENT;
        }
        r = open_image(store, o->ref, &ret->image);
        if (r < 0)
                return r;
        cfg = &ret->image->config;

        ret->argv = image_argv(cfg, o->entrypoint, cmdline);
        if (!ret->argv[0]) {
                log_error("cannot run image '%s': it has no command (no Entrypoint or Cmd in its "
                          "config): give one after the options",
                          o->ref);
                return -EINVAL;
        }
        lc->argv = ret->argv;
        ret->envp = run_env_build(cfg->env, true, o->env, o->n_env);
        lc->envp = ret->envp;

        if (!lc->workdir)
                lc->workdir = cfg->workdir && cfg->workdir[0] == '/' ? cfg->workdir : "/";
        if (o->root) {
                /* --root: uid 0 whatever the image says */
                lc->set_ids = true;
                lc->uid = lc->gid = 0;
        } else {
                unsigned uid = 0, gid = 0;

                if (cfg->user && *cfg->user) {
                        r = run_image_user(ret->image, cfg->user, &uid, &gid);
                        if (r < 0)
                                return r;
                }
                lc->set_ids = true;
                lc->uid = uid;
                lc->gid = gid;
        }
        if (!lc->name) {
                ret->name = image_default_name(ret->image);
                lc->name = ret->name;
        }
        lc->lowerdirs = (const char *const *)ret->image->layers;
        lc->n_lowerdirs = ret->image->n_layers;
        lc->read_only = o->read_only;
        /* What ns ls shows: a registry reference as it was typed, as
         * docker ps shows it ("alpine", not "docker.io/library/alpine:
         * latest"), and a short one fits pid 1's title (set_title() in
         * reaper.c has the room of ns run's own arguments); an archive or
         * layout by its full path, which means something from anywhere. */
        lc->image_ref = image_source_of(o->ref) == IMAGE_SOURCE_REGISTRY || !ret->image->ref
                                ? o->ref
                                : ret->image->ref;
        return 0;
}

static void env_free(char **v)
{
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

void run_image_done(RunImage *ri)
{
        free(ri->argv);
        env_free(ri->envp);
        free(ri->name);
        ri->image = image_free(ri->image);
        *ri = (RunImage){};
}
