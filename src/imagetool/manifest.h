/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Image manifests and indexes as registries serve them (OCI image-spec and
 * Docker's v2 schema 2), parsed into what a pull needs, and the choice of
 * one platform's manifest from an index for this host. Pure: no I/O, so
 * unit-tested on documents.
 */

#include <stddef.h>
#include <stdint.h>

/* What a registry is asked for, in the Accept header of a manifest GET. */
#define MANIFEST_ACCEPT                                               \
        "application/vnd.oci.image.index.v1+json, "                   \
        "application/vnd.oci.image.manifest.v1+json, "                \
        "application/vnd.docker.distribution.manifest.list.v2+json, " \
        "application/vnd.docker.distribution.manifest.v2+json"

typedef enum ManifestKind {
        MANIFEST_IMAGE, /* one image: a config and layers */
        MANIFEST_INDEX, /* an OCI index or a Docker manifest list */
        MANIFEST_KIND_MAX,
        MANIFEST_KIND_INVALID = -1,
} ManifestKind;

typedef struct Descriptor {
        char *media_type;
        char *digest; /* "sha256:<hex>", validated */
        int64_t size;
        /* in an index only */
        char *os;
        char *architecture;
        char *variant;
} Descriptor;

typedef struct Manifest {
        ManifestKind kind;
        Descriptor config;  /* MANIFEST_IMAGE */
        Descriptor *layers; /* MANIFEST_IMAGE: lowest first */
        size_t n_layers;
        Descriptor *manifests; /* MANIFEST_INDEX */
        size_t n_manifests;
} Manifest;

/*
 * Parse a manifest or index. content_type is the response's Content-Type
 * (NULL or "" when unknown: then the document's mediaType decides).
 * -EPROTONOSUPPORT for a kind ns does not pull (Docker schema 1, an
 * artifact), -EINVAL when malformed (a digest that is not sha256:<hex>, a
 * negative size, a layer list missing).
 */
int manifest_parse(const char *json, size_t len, const char *content_type, Manifest *ret);
void manifest_done(Manifest *m);

/* A platform as an index names it: "linux", "arm64", "v8". */
typedef struct Platform {
        const char *os;
        const char *architecture;
        const char *variant; /* NULL when the architecture has none */
} Platform;

/* The host's platform: linux and uname's machine in Go's names
 * (x86_64 -> amd64, aarch64 -> arm64/v8, armv7l -> arm/v7...).
 * -EOPNOTSUPP for a machine with no known name. */
int platform_from_machine(const char *machine, Platform *ret);
int platform_host(Platform *ret);

/* Parse "os/arch[/variant]" (--platform); the strings point into s, which
 * is modified. */
int platform_parse(char *s, Platform *ret);

/*
 * The entry of index m for platform p: an exact variant match first, then
 * an entry without a variant, then (for arm) an older variant the host
 * runs too. Returns its index in m->manifests, or -ENOENT.
 */
int manifest_pick_platform(const Manifest *m, const Platform *p);

/* "linux/arm64/v8" into buf. */
const char *platform_to_string(const Platform *p, char *buf, size_t n);
