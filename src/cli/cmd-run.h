/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* ns run's --image half (run-image.c), used by cmd-run.c. Reports its
 * own errors, as the command layer does. */

#include <stdbool.h>
#include <stddef.h>

#include "commands.h"
#include "image.h"
#include "launch.h"

typedef struct RunImageOptions {
        const char *ref;   /* --image */
        const char *cache; /* --image-cache, or NULL for the default store */
        const char *entrypoint; /* --entrypoint: replaces the image's ("" clears it), or NULL */
        bool read_only;    /* --read-only */
        bool root;         /* --root: the command runs as 0:0, not as the image's User */
        char *const *env;  /* -e: "K=V", or "K" for the caller's value */
        size_t n_env;
} RunImageOptions;

/* What the launch config points into: freed by run_image_done(). */
typedef struct RunImage {
        Image *image;
        char **argv; /* borrowed strings: the config's and the command line's */
        char **envp;
        char *name;
} RunImage;

/*
 * Find REF in the store (fetching it with ns-image when the store does not
 * have it) and fill the launch config from its config: argv (the
 * Entrypoint, then cmdline or else the Cmd), environment, working
 * directory, ids, name and layers. Reports and returns -errno on failure.
 */
int run_image_prepare(const RunImageOptions *o, char *const *cmdline, LaunchConfig *lc,
                      RunImage *ret);
void run_image_done(RunImage *ri);

/*
 * An environment: base's "K=V" entries, the caller's TERM when term is
 * set, then sets ("K=V", or "K" for the caller's value of K, left out when
 * it has none); a later one replaces an earlier one of the same key.
 * NULL-terminated, each string malloc'd.
 */
char **run_env_build(char *const *base, bool term, char *const *sets, size_t n_sets);

/* The ids of an image's User ("uid", "name", "uid:gid", "name:group"),
 * names looked up in the image's own etc/passwd and etc/group. */
int run_image_user(const Image *img, const char *spec, unsigned *ret_uid, unsigned *ret_gid);
