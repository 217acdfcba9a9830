/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A registry v2 client (the distribution spec) over libcurl: manifests by
 * tag or digest, blobs streamed into the store through BlobWriter and
 * verified there, the anonymous bearer-token dance Docker Hub requires.
 *
 * Transport policy: HTTPS with certificate verification. Plain HTTP only
 * for a loopback registry (localhost, 127.0.0.0/8, ::1) or with
 * --insecure-registry, and then only after HTTPS failed to shake hands,
 * as docker does for its insecure registries. Redirects (registries send
 * blob downloads to storage) are followed by hand so that the bearer token
 * is never sent to another origin and HTTPS is never downgraded.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "steperror.h"
#include "store-write.h"

/* Where a pull failed, for the command layer's message. */
typedef enum RegistryStep {
        REGISTRY_STEP_REF,              /* REF is not a registry reference */
        REGISTRY_STEP_CONNECT,          /* no such host, refused, timed out (detail: host) */
        REGISTRY_STEP_TLS,              /* TLS handshake or certificate (detail: curl's words) */
        REGISTRY_STEP_INSECURE,         /* plain HTTP refused (detail: host) */
        REGISTRY_STEP_AUTH,             /* the token endpoint, or a challenge ns cannot answer */
        REGISTRY_STEP_HTTP,             /* another status (detail: the registry's message) */
        REGISTRY_STEP_MANIFEST_UNKNOWN, /* 404 on the manifest (detail: registry's words) */
        REGISTRY_STEP_MANIFEST,         /* malformed or unsupported (detail: what) */
        REGISTRY_STEP_PLATFORM,         /* the index has no entry for the host (detail: platform) */
        REGISTRY_STEP_DIGEST,           /* digest mismatch (detail: "layer sha256:...") */
        REGISTRY_STEP_SIZE,             /* size mismatch (detail: "layer sha256:...") */
        REGISTRY_STEP_STORE,            /* writing the store (detail: what) */
        REGISTRY_STEP_UNPACK,           /* unpacking a layer (detail: "layer D: entry") */
        REGISTRY_STEP_UNSAFE, /* a layer's entry leaves the layer (detail: "layer D: entry") */
        REGISTRY_STEP_MAX,
        REGISTRY_STEP_INVALID = -1,
} RegistryStep;

typedef struct Registry Registry;

typedef struct RegistryOptions {
        bool insecure; /* --insecure-registry: plain HTTP and unverified TLS allowed */
        /* Called as a blob's bytes arrive (may be NULL). */
        void (*progress)(void *userdata, uint64_t done);
        void *progress_userdata;
} RegistryOptions;

/* A client for the registry of ref (docker.io is registry-1.docker.io). */
int registry_new(const ImageRef *ref, const RegistryOptions *o, Registry **ret, StepError *ret_err);
Registry *registry_free(Registry *r);

/*
 * GET a manifest (tag or "sha256:..."), at most max bytes. Returns the
 * body, the Content-Type (malloc'd, may be NULL) and the digest the
 * registry claims (Docker-Content-Digest, malloc'd, may be NULL). The
 * caller verifies.
 */
int registry_get_manifest(Registry *r, const char *reference, size_t max, char **ret_body,
                          size_t *ret_len, char **ret_content_type, char **ret_digest,
                          StepError *ret_err);

/* GET blob digest into the store, verified against digest and size. what
 * ("config", "layer") is for messages. Progress goes to o->progress. */
int registry_fetch_blob(Registry *r, Store *s, const char *digest, int64_t size, const char *what,
                        StepError *ret_err);

/* The registry step's words for a message ("manifest unknown"). */
const char *registry_step_to_string(RegistryStep s);

/* Pure helpers, exposed for the unit tests. */

/* Whether host (a registry "host[:port]", "[v6]:port") is loopback. */
bool registry_host_is_loopback(const char *host);

typedef struct AuthChallenge {
        char *realm;
        char *service; /* NULL when absent */
        char *scope;   /* NULL when absent */
} AuthChallenge;

/* Parse a WWW-Authenticate value. -EOPNOTSUPP when it is not Bearer (Basic
 * needs credentials, which an anonymous pull has none of), -EINVAL when
 * malformed or without a realm. */
int auth_challenge_parse(const char *header, AuthChallenge *ret);
void auth_challenge_done(AuthChallenge *c);

/* The token of a token endpoint's JSON answer ("token", else "access_token"). */
int auth_token_parse(const char *json, size_t len, char **ret);
