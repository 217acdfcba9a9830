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
 *   layers/sha256/<hex>/size  bytes unpacked (decimal); the directory is
 *                             renamed in whole from tmp/, so its size file
 *                             is there exactly when the layer is
 *   refs/<escaped name>       the manifest digest an image name or a local
 *                             archive resolves to (see image_ref_key), a
 *                             line, then the whole key, a line (the name is
 *                             image_ref_escape(key): shortened with a hash
 *                             when long, so the key tells collisions apart)
 *   tmp/                      work in progress, renamed into place when whole:
 *                             nothing half-written is ever under blobs/,
 *                             layers/ or refs/
 *   lock                      flock(2)ed exclusively by a writer, shared by
 *                             a reader that must not see a removal midway
 *   import.lock               shared by an import or pull throughout,
 *                             exclusive for rm and prune: an import's blobs
 *                             are in place before the ref that uses them
 *
 * Ownership: layers are unpacked inside a user namespace with the caller's
 * mapping (src/proc/idmap.h), so an image's uid N is the host id the
 * mapping gives N; with a single-id map every file belongs to the caller.
 * Root unpacks with no user namespace: the image's ids are the host's (an
 * instance of root's sees them right with an identity map).
 * A file whose owner would be the host's real root loses setuid/setgid;
 * extended attributes other than user.* (file capabilities among them)
 * are not kept.
 */

#include <stdbool.h>
#include <stddef.h>

#include "steperror.h"

/* "sha256:" + 64 hex + NUL */
#define IMAGE_DIGEST_SIZE 72
/* More layers than overlayfs stacks in one mount are refused. */
#define IMAGE_LAYERS_MAX 256
/* The longest refs/ file name image_ref_escape() makes. */
#define IMAGE_REF_NAME_MAX 200

/* "sha256:" and 64 lower-case hex digits: the only digests the store keeps. */
bool image_digest_valid(const char *digest);

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
 * -EMEDIUMTYPE for a directory that has neither an index.json (an OCI
 * layout) nor a manifest.json (an unpacked docker save).
 */
int image_ref_key(const char *ref, char **ret);

/* A key as one file name of refs/ (malloc'd): bytes other than
 * [A-Za-z0-9._:@+-] as %XX, a leading '.' escaped, and one longer than
 * IMAGE_REF_NAME_MAX cut and ended with '%' and a 64-bit hash of the key. */
char *image_ref_escape(const char *key);

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
        int lock_fd;           /* the store's lock, held shared until image_unlock() */
} Image;

/* Image errors: which step, for the command layer's message. */
typedef enum ImageStep {
        IMAGE_STEP_STORE,    /* the store directory (detail: path) */
        IMAGE_STEP_NOT_FOUND, /* REF is not in the store (yet) */
        IMAGE_STEP_MANIFEST, /* a manifest in the store is unreadable or malformed */
        IMAGE_STEP_CONFIG,   /* the config blob */
        IMAGE_STEP_LAYER,    /* a layer directory is unreadable (detail: digest); a
                              * missing one is IMAGE_STEP_NOT_FOUND */
        IMAGE_STEP_REF,      /* REF is no reference, or its path cannot be read */
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
/* Let go of the store's shared lock once the layers are mounted: until
 * then no removal can take them away. image_free() does it too. */
void image_unlock(Image *i);
Image *image_free(Image *i);
void image_config_done(ImageConfig *c);
void image_strv_free(char **v);

/* Parse an image config document (the JSON blob). Exposed for the unit
 * tests and ns-image. */
int image_config_parse(const char *json, size_t len, ImageConfig *ret);

/* What a manifest (OCI image manifest, Docker v2 schema 2) says. */
typedef struct ImageManifest {
        char *config_digest;
        char **layers; /* digests, lowest first, NULL-terminated */
        size_t n_layers;
} ImageManifest;

/* Parse a manifest. -EMEDIUMTYPE for an index (a manifest list), which
 * names manifests rather than layers; -EINVAL when malformed (a digest
 * other than sha256, no layers, more than IMAGE_LAYERS_MAX). */
int image_manifest_parse(const char *json, size_t len, ImageManifest *ret);
void image_manifest_done(ImageManifest *m);

/* The store, read (store_fd: its root directory): the manifest digest of
 * refs/ for key (-ENOENT when absent), and a manifest or config blob whole
 * (up to 4 MiB). */
int image_store_read_ref(int store_fd, const char *key, char ret_digest[IMAGE_DIGEST_SIZE]);
int image_store_read_doc(int store_fd, const char *digest, char **ret, size_t *ret_len);
