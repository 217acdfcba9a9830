/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ns-image, the program behind `ns images` and the cold path of
 * `ns run --image`: it fills the image store (import, pull) and tends it
 * (ls, rm, prune). A program of its own so that ns never loads libarchive,
 * libcrypto or libcurl.
 */
#include <errno.h>
#include <getopt.h>
#include <libsmartcols.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gc.h"
#include "image.h"
#include "import.h"
#include "macro.h"
#include "pull.h"
#include "userns.h"
#include "util.h"

#ifndef NS_VERSION
#define NS_VERSION "unknown"
#endif

typedef struct Options {
        const char *store; /* --image-cache */
        bool json, raw, noheadings, bytes;
        bool insecure;        /* pull: --insecure-registry */
        const char *platform; /* pull: --platform */
} Options;

_printf_(1, 2) static void image_error(const char *fmt, ...)
{
        va_list ap;

        fputs("ns: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

/* strerror(), lowercased as ns' messages are. */
static const char *errstr(int err, char buf[static 128])
{
        snprintf(buf, 128, "%s", strerror(err < 0 ? -err : err));
        if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
                buf[0] = (char)(buf[0] - 'A' + 'a');
        return buf;
}
#define ERRSTR(err) errstr((err), (char[128]){ 0 })

static void help(void)
{
        fputs("Usage:\n"
              " ns images [ls] [options]\n"
              " ns images import <path>\n"
              " ns images pull [--insecure-registry] [--platform <os/arch>] <reference|path>\n"
              " ns images rm <image>...\n"
              " ns images prune\n"
              "\n"
              "List, add and remove the container images of ns run --image.\n"
              "\n"
              "Options:\n"
              "     --image-cache <dir>  the image store (default: $XDG_CACHE_HOME/ns)\n"
              " -J, --json               use JSON output format (ls)\n"
              " -r, --raw                use raw output format (ls)\n"
              " -n, --noheadings         don't print headings (ls)\n"
              " -b, --bytes              print sizes in bytes (ls)\n"
              "     --insecure-registry  plain HTTP to a registry off loopback (pull)\n"
              "     --platform <os/arch[/variant]>\n"
              "                          the platform to pull from an index (pull)\n"
              "\n"
              " -h, --help               display this help\n"
              " -V, --version            display version\n"
              "\n"
              "See ns-images(1).\n",
              stdout);
}

static int usage_error(void)
{
        fputs("Try 'ns images --help'.\n", stderr);
        return 1;
}

static int open_store(const Options *o, Store *ret)
{
        _cleanup_free_ char *path = NULL;
        int r;

        if (o->store)
                path = xstrdup(o->store);
        else if ((r = image_store_default_path(&path)) < 0) {
                image_error("cannot find the image store: no home directory (use --image-cache)");
                return r;
        }
        r = store_open(path, ret);
        if (r < 0)
                image_error("cannot open the image store '%s': %s", path, ERRSTR(r));
        return r;
}

static bool store_exists(const Options *o)
{
        _cleanup_free_ char *path = NULL;

        if (o->store)
                return access(o->store, F_OK) == 0;
        if (image_store_default_path(&path) < 0)
                return false;
        return access(path, F_OK) == 0;
}

static const char *import_message(const StepError *e)
{
        switch ((ImportStep)e->step) {
        case IMPORT_STEP_SOURCE:
                return "cannot read it";
        case IMPORT_STEP_FORMAT:
                return "not a docker-save archive or an OCI image layout";
        case IMPORT_STEP_DIGEST:
                return "does not match its digest (corrupted)";
        case IMPORT_STEP_SIZE:
                return "is not the size its manifest says";
        case IMPORT_STEP_STORE:
                return "cannot write the image store";
        case IMPORT_STEP_UNPACK:
                return "cannot unpack";
        case IMPORT_STEP_UNSAFE:
                return "refused: an entry leaves the layer";
        default:
                return "failed";
        }
}

/* What unpacking changed, said once per import or pull, not per file. */
static void unpack_notes(const char *what, unsigned devices_skipped, unsigned setid_dropped,
                         unsigned unmapped, const IdMap *m)
{
        if (devices_skipped)
                image_error("note: '%s': %u device node%s skipped (not made in an image's layers)",
                            what, devices_skipped, devices_skipped == 1 ? "" : "s");
        if (setid_dropped)
                image_error("note: '%s': setuid/setgid dropped from %u file%s that the host's root "
                            "would own",
                            what, setid_dropped, setid_dropped == 1 ? "" : "s");
        if (unmapped && m->n_uid > 0 && !m->ranged)
                image_error("note: '%s': %u file%s owned by the image's other users belong to you: "
                            "add a range for you to /etc/subuid and /etc/subgid for their own ids",
                            what, unmapped, unmapped == 1 ? "" : "s");
}

static int do_import(Store *s, const char *path)
{
        _cleanup_close_ int import_lock = -EBADF;
        StepError e = {};
        ImportResult res = {};
        IdMap m;
        int r;

        r = userns_plan(&m);
        if (r < 0) {
                image_error("cannot import '%s': cannot plan the id map: %s", path, ERRSTR(r));
                return 1;
        }
        import_lock = store_import_lock(s, false);
        if (import_lock < 0) {
                image_error("cannot lock the image store '%s': %s", s->path, ERRSTR(import_lock));
                return 1;
        }
        r = image_import(s, path, &m, &res, &e);
        if (r >= 0)
                unpack_notes(path, res.devices_skipped, res.setid_dropped, res.unmapped, &m);
        if (r >= 0 && res.images > 1)
                image_error("note: '%s' holds %u images: the first was imported ('docker save' "
                            "of one image for another)",
                            path, res.images);
        if (r < 0) {
                if (e.step == IMPORT_STEP_DIGEST || e.step == IMPORT_STEP_SIZE)
                        image_error("cannot import '%s': blob %s %s", path, e.detail,
                                    import_message(&e));
                else if (e.step == IMPORT_STEP_UNSAFE ||
                         (e.step == IMPORT_STEP_FORMAT && e.error == EINVAL))
                        /* what is wrong is in the detail: EINVAL adds nothing */
                        image_error("cannot import '%s': %s: %s", path, import_message(&e),
                                    e.detail);
                else if (e.detail[0])
                        image_error("cannot import '%s': %s: %s: %s", path, import_message(&e),
                                    e.detail, ERRSTR(e.error));
                else
                        image_error("cannot import '%s': %s: %s", path, import_message(&e),
                                    ERRSTR(e.error));
                return 1;
        }
        printf("%s\n", res.manifest_digest);
        return 0;
}

static int cmd_import(const Options *o, int argc, char **argv)
{
        Store s = { .dir_fd = -EBADF, .lock_fd = -EBADF };
        int r;

        if (argc != 1) {
                image_error(argc ? "too many arguments" : "import: a path is required");
                return usage_error();
        }
        if (open_store(o, &s) < 0)
                return 1;
        r = do_import(&s, argv[0]);
        store_close(&s);
        return r;
}

/*
 * pull: a path is imported (so ns run --image has one cold path for
 * both); a registry reference is fetched by the registry client
 * (pull.c).
 */
static int cmd_pull(const Options *o, int argc, char **argv)
{
        Store s = { .dir_fd = -EBADF, .lock_fd = -EBADF };
        int r = 1;

        if (argc != 1) {
                image_error(argc ? "too many arguments" : "pull: a reference is required");
                return usage_error();
        }
        switch (image_source_of(argv[0])) {
        case IMAGE_SOURCE_PATH:
                if (open_store(o, &s) < 0)
                        return 1;
                r = do_import(&s, argv[0]);
                break;
        case IMAGE_SOURCE_REGISTRY: {
                _cleanup_free_ char *msg = NULL;
                _cleanup_close_ int import_lock = -EBADF;
                PullResult res = {};
                StepError e = {};
                IdMap m;

                r = userns_plan(&m);
                if (r < 0) {
                        image_error("cannot pull '%s': cannot plan the id map: %s", argv[0],
                                    ERRSTR(r));
                        return 1;
                }
                r = 1;
                if (open_store(o, &s) < 0)
                        return 1;
                /* shared: no rm or prune between a blob put in place and the ref */
                import_lock = store_import_lock(&s, false);
                if (import_lock < 0) {
                        image_error("cannot lock the image store '%s': %s", s.path,
                                    ERRSTR(import_lock));
                        break;
                }
                if (image_pull(&s, argv[0],
                               &(PullOptions){ .insecure = o->insecure,
                                               .platform = o->platform,
                                               .map = &m,
                                               .progress = stderr },
                               &res, &e) < 0) {
                        msg = pull_error_message(argv[0], &e);
                        image_error("%s", msg);
                        break;
                }
                unpack_notes(argv[0], res.devices_skipped, res.setid_dropped, res.unmapped, &m);
                printf("%s\n", res.manifest_digest);
                r = 0;
                break;
        }
        default:
                image_error("cannot pull '%s': not a path or an image reference", argv[0]);
                return 1;
        }
        store_close(&s);
        return r;
}

static const char *size_str(const Options *o, uint64_t n, char *buf, size_t len)
{
        if (o->bytes || o->json) {
                snprintf(buf, len, "%llu", (unsigned long long)n);
                return buf;
        }
        return format_size(n, buf, len);
}

static int cmd_ls(const Options *o, int argc, char **argv)
{
        Store s = { .dir_fd = -EBADF, .lock_fd = -EBADF };
        struct libscols_table *t = NULL;
        StoreEntry *e = NULL;
        uint64_t total = 0;
        size_t n = 0, n_layers = 0;
        int r;

        (void)argv;
        if (argc > 0) {
                image_error("ls: too many arguments");
                return usage_error();
        }
        /* listing makes nothing: no store yet is an empty one */
        if (!store_exists(o)) {
                n = 0;
        } else {
                if (open_store(o, &s) < 0)
                        return 1;
                r = store_list(&s, &e, &n);
                if (r < 0) {
                        image_error("cannot list the image store '%s': %s", s.path, ERRSTR(r));
                        store_close(&s);
                        return 1;
                }
        }

        t = scols_new_table();
        if (!t)
                oom();
        scols_table_enable_json(t, o->json);
        scols_table_set_name(t, "images");
        scols_table_enable_raw(t, o->raw);
        scols_table_enable_noheadings(t, o->noheadings);
        {
                struct libscols_column *c;

                scols_table_new_column(t, "IMAGE", 0.5, 0);
                scols_table_new_column(t, "DIGEST", 19, 0);
                c = scols_table_new_column(t, "LAYERS", 3, SCOLS_FL_RIGHT);
                scols_column_set_json_type(c, SCOLS_JSON_NUMBER);
                c = scols_table_new_column(t, "SIZE", 6, SCOLS_FL_RIGHT);
                if (o->json)
                        scols_column_set_json_type(c, SCOLS_JSON_NUMBER);
                /* what removing this image alone would give back */
                c = scols_table_new_column(t, "UNIQUE", 6, SCOLS_FL_RIGHT);
                if (o->json)
                        scols_column_set_json_type(c, SCOLS_JSON_NUMBER);
        }
        for (size_t i = 0; i < n; i++) {
                struct libscols_line *l = scols_table_new_line(t, NULL);
                char buf[80], layers[16];
                uint64_t unique = 0;

                if (!l)
                        oom();
                for (size_t j = 0; j < e[i].n_layers; j++) {
                        bool shared = false, seen = false;

                        for (size_t k = 0; k < n && !shared; k++)
                                for (size_t m = 0; k != i && m < e[k].n_layers && !shared; m++)
                                        shared = streq(e[k].layers[m], e[i].layers[j]);
                        if (!shared)
                                unique += e[i].layer_sizes[j];
                        /* the total counts a shared layer once */
                        for (size_t k = 0; k < i && !seen; k++)
                                for (size_t m = 0; m < e[k].n_layers && !seen; m++)
                                        seen = streq(e[k].layers[m], e[i].layers[j]);
                        if (!seen) {
                                total += e[i].layer_sizes[j];
                                n_layers++;
                        }
                }
                scols_line_set_data(l, 0, e[i].display);
                /* the whole digest for scripts, a prefix for people */
                snprintf(buf, sizeof(buf), "%.*s", o->json || o->raw ? 71 : 19, e[i].digest);
                scols_line_set_data(l, 1, buf);
                snprintf(layers, sizeof(layers), "%zu", e[i].n_layers);
                scols_line_set_data(l, 2, layers);
                scols_line_set_data(l, 3, size_str(o, e[i].size, buf, sizeof(buf)));
                scols_line_set_data(l, 4, size_str(o, unique, buf, sizeof(buf)));
        }
        scols_print_table(t);
        if (!o->json && !o->raw && !o->noheadings && n > 0) {
                char buf[64];

                printf("total %s in %zu layer%s (shared layers counted once)\n",
                       size_str(o, total, buf, sizeof(buf)), n_layers, n_layers == 1 ? "" : "s");
        }
        scols_unref_table(t);
        store_entries_free(e, n);
        store_close(&s);
        return 0;
}

/* The refs/ entries that REF names: its key, and for a path, every key
 * of that path (an archive rewritten since, or gone). */
static bool entry_matches(const StoreEntry *e, const char *ref)
{
        _cleanup_free_ char *key = NULL, *real = NULL, *abs = NULL;

        if (image_ref_key(ref, &key) >= 0 && streq(e->key, key))
                return true;
        /* a manifest digest as ls shows it, or a longer prefix of it */
        if (startswith(ref, "sha256:") && strlen(ref) >= strlen("sha256:") + 12 &&
            startswith(e->digest, ref))
                return true;
        if (!startswith(e->key, "path:"))
                return false;
        real = realpath(ref, NULL);
        if (real && streq(e->display, real))
                return true;
        /* a path gone: as written, made absolute */
        if (ref[0] == '/')
                return streq(e->display, ref);
        {
                _cleanup_free_ char *cwd = getcwd(NULL, 0);

                if (!cwd)
                        return false;
                abs = xasprintf("%s/%s", cwd, ref);
                return streq(e->display, abs);
        }
}

static int remove_and_gc(const Options *o, int argc, char **argv, bool prune)
{
        Store s = { .dir_fd = -EBADF, .lock_fd = -EBADF };
        _cleanup_close_ int import_lock = -EBADF;
        StoreEntry *e = NULL;
        GcResult res = {};
        size_t n = 0;
        IdMap m;
        int r, ret = 0;

        if (open_store(o, &s) < 0)
                return 1;
        r = userns_plan(&m);
        if (r < 0) {
                image_error("cannot plan the id map: %s", ERRSTR(r));
                store_close(&s);
                return 1;
        }
        /* no import midway, then no ns run between its image_open() and its mounts */
        import_lock = store_import_lock(&s, true);
        if (import_lock < 0 || store_lock(&s) < 0) {
                image_error("cannot lock the image store '%s': %s", s.path,
                            ERRSTR(import_lock < 0 ? import_lock : errno));
                store_close(&s);
                return 1;
        }
        r = store_list(&s, &e, &n);
        if (r < 0) {
                image_error("cannot list the image store '%s': %s", s.path, ERRSTR(r));
                ret = 1;
                goto finish;
        }
        for (int i = 0; i < argc; i++) {
                bool found = false;

                for (size_t j = 0; j < n; j++) {
                        _cleanup_free_ char *rel = NULL;

                        if (!entry_matches(&e[j], argv[i]))
                                continue;
                        found = true;
                        rel = xasprintf("refs/%s", e[j].file);
                        if (unlinkat(s.dir_fd, rel, 0) < 0 && errno != ENOENT) {
                                image_error("cannot remove '%s': %s", argv[i], ERRSTR(errno));
                                ret = 1;
                        }
                }
                if (!found) {
                        image_error("cannot remove '%s': no such image", argv[i]);
                        ret = 1;
                }
        }
        r = store_gc(&s, &m, prune, &res);
        if (r < 0) {
                image_error("cannot remove unused layers from '%s': %s", s.path, ERRSTR(r));
                ret = 1;
        } else if (prune) {
                char buf[32];

                printf("removed %u stale image%s, %u layer%s (%s), %u blob%s\n", res.refs,
                       res.refs == 1 ? "" : "s", res.layers, res.layers == 1 ? "" : "s",
                       format_size(res.bytes, buf, sizeof(buf)), res.blobs,
                       res.blobs == 1 ? "" : "s");
        }
finish:
        store_entries_free(e, n);
        store_unlock(&s);
        store_close(&s);
        return ret;
}

static int cmd_rm(const Options *o, int argc, char **argv)
{
        if (argc == 0) {
                image_error("rm: an image is required");
                return usage_error();
        }
        return remove_and_gc(o, argc, argv, false);
}

static int cmd_prune(const Options *o, int argc, char **argv)
{
        if (argc > 0) {
                image_error("prune: too many arguments");
                return usage_error();
        }
        return remove_and_gc(o, 0, argv, true);
}

static const struct {
        const char *name;
        int (*fn)(const Options *o, int argc, char **argv);
} commands[] = {
        { "ls", cmd_ls }, { "list", cmd_ls },   { "import", cmd_import }, { "pull", cmd_pull },
        { "rm", cmd_rm }, { "remove", cmd_rm }, { "prune", cmd_prune },
};

int main(int argc, char **argv)
{
        enum {
                OPT_IMAGE_CACHE = 0x100,
                OPT_INSECURE_REGISTRY,
                OPT_PLATFORM,
        };
        static const struct option longopts[] = {
                { "image-cache", required_argument, NULL, OPT_IMAGE_CACHE },
                { "insecure-registry", no_argument, NULL, OPT_INSECURE_REGISTRY },
                { "platform", required_argument, NULL, OPT_PLATFORM },
                { "json", no_argument, NULL, 'J' },
                { "raw", no_argument, NULL, 'r' },
                { "noheadings", no_argument, NULL, 'n' },
                { "bytes", no_argument, NULL, 'b' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        Options o = {};
        const char *cmd = "ls";
        int c;

        /* options may come before or after the subcommand: "ls -J", "-J ls" */
        while ((c = getopt_long(argc, argv, "JrnbhV", longopts, NULL)) != -1) {
                switch (c) {
                case OPT_IMAGE_CACHE:
                        o.store = optarg;
                        break;
                case OPT_INSECURE_REGISTRY:
                        o.insecure = true;
                        break;
                case OPT_PLATFORM:
                        o.platform = optarg;
                        break;
                case 'J':
                        o.json = true;
                        break;
                case 'r':
                        o.raw = true;
                        break;
                case 'n':
                        o.noheadings = true;
                        break;
                case 'b':
                        o.bytes = true;
                        break;
                case 'h':
                        help();
                        return 0;
                case 'V':
                        printf("ns-image %s\n", NS_VERSION);
                        return 0;
                default:
                        return usage_error();
                }
        }
        if (optind < argc)
                cmd = argv[optind++];
        if ((o.insecure || o.platform) && !streq(cmd, "pull")) {
                image_error("%s: --insecure-registry and --platform are options of pull", cmd);
                return usage_error();
        }
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(cmd, commands[i].name))
                        return commands[i].fn(&o, argc - optind, argv + optind);
        image_error("unknown command '%s'", cmd);
        return usage_error();
}
