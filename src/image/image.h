/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Container images for ns run --image: the image cache (the store) and
 * what the warm path needs from it. This library is linked into ns itself,
 * so it stays small and free of external libraries: it only reads the
 * store (JSON through base/json.h, directories). Filling the store (a
 * registry pull over HTTPS, importing a docker-save archive or an OCI
 * layout, unpacking layers) is the ns-image program's work (src/imagetool/,
 * linked with libcurl, libarchive and libcrypto), which ns runs when an
 * image is not in the store yet, as ns top runs ns-top.
 *
 * The store, under image_store_default_path() or --image-cache:
 *
 *   blobs/sha256/<hex>        verified blobs: manifests, configs, indexes
 *                             (layer archives are removed once unpacked)
 *   layers/sha256/<hex>/root  a layer unpacked, keyed by the digest of its
 *                             (compressed) blob as the manifest lists it, so
 *                             two images sharing a layer share the directory.
 *                             Whiteouts are 0:0 character devices, opaque
 *                             directories carry user.overlay.opaque="y": the
 *                             directories are overlayfs lower layers as they
 *                             are (mounted with userxattr).
 *   layers/sha256/<hex>/size  bytes unpacked (decimal), written last
 *   refs/<escaped name>       one line: the manifest digest an image name or
 *                             a local archive resolves to (see image_ref_key)
 *   tmp/                      work in progress, renamed into place when whole:
 *                             nothing half-written is ever under blobs/,
 *                             layers/ or refs/
 *   lock                      flock(2)ed exclusively by a writer, shared by
 *                             a reader that must not see a removal midway
 *
 * Ownership: layers are unpacked inside a user namespace with the caller's
 * mapping (src/proc/idmap.h), so an image's uid N is the host id the
 * mapping gives N; with a single-id map every file belongs to the caller.
 * A file whose owner would be the host's real root loses setuid/setgid.
 */

#include <stdbool.h>
#include <stddef.h>

#include "steperror.h"

/* A registry reference, normalised as docker does:
 * "alpine" -> registry "docker.io", repository "library/alpine", tag "latest". */
typedef struct ImageRef {
        char *registry;   /* "docker.io", "localhost:5000" */
        char *repository; /* "library/alpine", "app" */
        char *tag;        /* "3.19"; NULL when only a digest is given */
        char *digest;     /* "sha256:<64 hex>", or NULL */
} ImageRef;

/* Parse a registry reference. -EINVAL when it is not one (bad characters,
 * upper case in the repository, a malformed digest). */
int image_ref_parse(const char *s, ImageRef *ret);
void image_ref_done(ImageRef *r);
/* "docker.io/library/alpine:3.19", "localhost:5000/app@sha256:..." (malloc'd) */
char *image_ref_to_string(const ImageRef *r);

/* What REF of --image is: a path (an archive or an OCI layout directory:
 * anything that exists, or that starts with '/', './' or '../'), or a
 * registry reference. */
typedef enum ImageSource {
        IMAGE_SOURCE_PATH,
        IMAGE_SOURCE_REGISTRY,
        IMAGE_SOURCE_MAX,
        IMAGE_SOURCE_INVALID = -1,
} ImageSource;
ImageSource image_source_of(const char *ref);

/*
 * The name of refs/ entry for REF (malloc'd): for a registry reference its
 * normalised string; for a path "path:" + realpath + ":" + device, inode,
 * size and mtime (ns), so an archive rewritten in place is imported anew
 * while the warm path never hashes it. Escaped for one file name.
 */
int image_ref_key(const char *ref, char **ret);

/* $XDG_CACHE_HOME/ns, ~/.cache/ns, or /var/cache/ns for root (malloc'd). */
int image_store_default_path(char **ret);

/* The image config's fields that ns run honours. */
typedef struct ImageConfig {
        char **entrypoint; /* NULL-terminated; NULL when unset */
        char **cmd;
        char **env;        /* "K=V" */
        char *workdir;     /* NULL when unset */
        char *user;        /* "uid[:gid]" or "name[:group]", NULL when unset */
        char *architecture;
        char *os;
} ImageConfig;

typedef struct Image {
        char *name;            /* a readable name for --name: "alpine", "busybox" */
        char *ref;             /* what ns ls shows: the reference, or the archive path */
        char *manifest_digest; /* "sha256:..." */
        char **layers;         /* absolute paths of the unpacked roots, lowest first */
        size_t n_layers;
        ImageConfig config;
} Image;

/* Image errors: which step, for the command layer's message. */
typedef enum ImageStep {
        IMAGE_STEP_STORE,    /* the store directory (detail: path) */
        IMAGE_STEP_NOT_FOUND, /* REF is not in the store (yet) */
        IMAGE_STEP_MANIFEST, /* a manifest in the store is unreadable or malformed */
        IMAGE_STEP_CONFIG,   /* the config blob */
        IMAGE_STEP_LAYER,    /* a layer directory is missing (detail: digest) */
        IMAGE_STEP_MAX,
        IMAGE_STEP_INVALID = -1,
} ImageStep;

/*
 * The warm path: REF resolved through refs/ to an unpacked image. Returns
 * 0, or -ENOENT with IMAGE_STEP_NOT_FOUND when the store does not have it
 * whole (then ns run asks ns-image to fetch it and calls this again), or
 * another -errno with the step.
 */
int image_open(const char *store, const char *ref, Image **ret, StepError *ret_err);
Image *image_free(Image *i);
void image_config_done(ImageConfig *c);

/* Parse an image config document (the JSON blob). Exposed for the unit
 * tests and ns-image. */
int image_config_parse(const char *json, size_t len, ImageConfig *ret);
