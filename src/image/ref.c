/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Registry references as docker reads them (the grammar of the
 * distribution project's reference package), normalised the way `docker
 * pull` does: "alpine" is docker.io/library/alpine:latest. Validation is
 * strict because the pieces end up in URLs and in file names of the store.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "macro.h"

#define DOCKER_HUB "docker.io"
#define NAME_MAX_TOTAL 255 /* docker's limit on registry/repository */
#define TAG_MAX 128

static bool is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_hex_lower(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* path-component := [a-z0-9]+ (separator [a-z0-9]+)*
 * separator      := [_.] | __ | [-]+ */
static bool path_component_valid(const char *s, size_t n)
{
        size_t i = 0;

        if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
                return false;
        while (i < n) {
                if (is_lower_alnum(s[i])) {
                        i++;
                        continue;
                }
                /* a separator, then alphanumerics again */
                if (s[i] == '.')
                        i++;
                else if (s[i] == '_')
                        i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
                else if (s[i] == '-')
                        while (i < n && s[i] == '-')
                                i++;
                else
                        return false;
                if (i >= n || !is_lower_alnum(s[i]))
                        return false;
        }
        return true;
}

static bool path_valid(const char *s)
{
        for (;;) {
                const char *slash = strchr(s, '/');
                size_t n = slash ? (size_t)(slash - s) : strlen(s);

                if (!path_component_valid(s, n))
                        return false;
                if (!slash)
                        return true;
                s = slash + 1;
        }
}

/* domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static bool domain_component_valid(const char *s, size_t n)
{
        if (n == 0 || n > 63 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '-')
                        return false;
        return true;
}

static bool port_valid(const char *s)
{
        unsigned long v = 0;

        if (!*s || strlen(s) > 5)
                return false;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return false;
                v = v * 10 + (unsigned long)(*p - '0');
        }
        return v >= 1 && v <= 65535;
}

/* host [":" port], where host is dotted domain components or a bracketed
 * IPv6 address ("[::1]:5000"), as newer docker accepts. */
static bool domain_valid(const char *s)
{
        const char *colon;
        size_t hostlen;

        if (s[0] == '[') {
                const char *close = strchr(s, ']');

                if (!close || close == s + 1)
                        return false;
                for (const char *p = s + 1; p < close; p++)
                        if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
                                return false;
                if (close[1] == '\0')
                        return true;
                return close[1] == ':' && port_valid(close + 2);
        }

        colon = strchr(s, ':');
        if (colon && !port_valid(colon + 1))
                return false;
        hostlen = colon ? (size_t)(colon - s) : strlen(s);
        if (hostlen == 0)
                return false;
        for (size_t i = 0; i < hostlen;) {
                const char *dot = memchr(s + i, '.', hostlen - i);
                size_t n = dot ? (size_t)(dot - (s + i)) : hostlen - i;

                if (!domain_component_valid(s + i, n))
                        return false;
                i += n + 1;
                if (dot && i >= hostlen)
                        return false; /* a trailing dot */
        }
        return true;
}

/* tag := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */
static bool tag_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > TAG_MAX || !(isalnum((unsigned char)s[0]) || s[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
                        return false;
        return true;
}

/* Only sha256: it is what the store verifies with, and what registries use. */
static bool digest_valid(const char *s)
{
        if (!startswith(s, "sha256:") || strlen(s) != 7 + 64)
                return false;
        for (const char *p = s + 7; *p; p++)
                if (!is_hex_lower(*p))
                        return false;
        return true;
}

static bool is_hex64(const char *s)
{
        if (strlen(s) != 64)
                return false;
        for (; *s; s++)
                if (!is_hex_lower(*s))
                        return false;
        return true;
}

/*
 * The first component is a registry when it looks like a host: it has a
 * '.' or a ':', is "localhost", or has upper case (which a repository
 * never has). docker's splitDockerDomain() decides the same way, so
 * "foo/bar" is a Docker Hub repository and "foo.io/bar" a registry.
 */
static bool first_component_is_domain(const char *s, size_t n)
{
        if (n == 9 && strncmp(s, "localhost", 9) == 0)
                return true;
        for (size_t i = 0; i < n; i++)
                if (s[i] == '.' || s[i] == ':' || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '[')
                        return true;
        return false;
}

int image_ref_parse(const char *s, ImageRef *ret)
{
        _cleanup_free_ char *copy = NULL, *registry = NULL, *repository = NULL, *tag = NULL,
                            *digest = NULL;
        char *at, *name, *slash, *colon, *last_slash;

        if (!s || !*s || strlen(s) > 1024)
                return -EINVAL;
        for (const char *p = s; *p; p++)
                if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
                        return -EINVAL;
        /* a bare image ID is not a name (docker refuses it the same way) */
        if (is_hex64(s))
                return -EINVAL;

        copy = xstrdup(s);
        at = strchr(copy, '@');
        if (at) {
                *at = '\0';
                if (!digest_valid(at + 1))
                        return -EINVAL;
                digest = xstrdup(at + 1);
        }
        name = copy;

        /* the tag is after the last ':' that follows the last '/', so a
         * registry's port is never taken for one */
        last_slash = strrchr(name, '/');
        colon = strrchr(last_slash ? last_slash : name, ':');
        if (colon) {
                *colon = '\0';
                if (!tag_valid(colon + 1))
                        return -EINVAL;
                tag = xstrdup(colon + 1);
        }

        if (!*name || strlen(name) > NAME_MAX_TOTAL)
                return -EINVAL;

        slash = strchr(name, '/');
        if (slash && first_component_is_domain(name, (size_t)(slash - name))) {
                *slash = '\0';
                if (!domain_valid(name))
                        return -EINVAL;
                registry = xstrdup(name);
                name = slash + 1;
        } else
                registry = xstrdup(DOCKER_HUB);

        if (!path_valid(name))
                return -EINVAL;

        if (streq(registry, "index.docker.io")) {
                free(registry);
                registry = xstrdup(DOCKER_HUB);
        }
        /* Docker Hub's official images live under library/ */
        if (streq(registry, DOCKER_HUB) && !strchr(name, '/'))
                repository = xasprintf("library/%s", name);
        else
                repository = xstrdup(name);

        if (!tag && !digest)
                tag = xstrdup("latest");

        *ret = (ImageRef){
                .registry = TAKE_PTR(registry),
                .repository = TAKE_PTR(repository),
                .tag = TAKE_PTR(tag),
                .digest = TAKE_PTR(digest),
        };
        return 0;
}

void image_ref_done(ImageRef *r)
{
        if (!r)
                return;
        free(r->registry);
        free(r->repository);
        free(r->tag);
        free(r->digest);
        *r = (ImageRef){};
}

char *image_ref_to_string(const ImageRef *r)
{
        return xasprintf("%s/%s%s%s%s%s", r->registry, r->repository, r->tag ? ":" : "",
                         r->tag ?: "", r->digest ? "@" : "", r->digest ?: "");
}

bool image_digest_valid(const char *d)
{
        return d && digest_valid(d);
}

ImageSource image_source_of(const char *ref)
{
        struct stat st;
        ImageRef r = {};

        if (!ref || !*ref)
                return IMAGE_SOURCE_INVALID;
        if (ref[0] == '/' || startswith(ref, "./") || startswith(ref, "../") || streq(ref, ".") ||
            streq(ref, "..") || stat(ref, &st) == 0)
                return IMAGE_SOURCE_PATH;
        if (image_ref_parse(ref, &r) < 0)
                return IMAGE_SOURCE_INVALID;
        image_ref_done(&r);
        return IMAGE_SOURCE_REGISTRY;
}

/* FNV-1a, 64 bits: only to shorten an over-long key into a file name (the
 * ref file holds the whole key, which image_open compares). */
static uint64_t fnv1a(const char *s)
{
        uint64_t h = 0xcbf29ce484222325ULL;

        for (; *s; s++) {
                h ^= (unsigned char)*s;
                h *= 0x100000001b3ULL;
        }
        return h;
}

char *image_ref_escape(const char *key)
{
        size_t n = strlen(key);
        char *out = xmalloc(n * 3 + 1), *o = out;

        for (const char *p = key; *p; p++) {
                unsigned char c = (unsigned char)*p;

                if ((c < 0x80 && isalnum(c)) || strchr("._:@+-", c))
                        *o++ = (char)c;
                else
                        o += sprintf(o, "%%%02X", c);
        }
        *o = '\0';
        /* a leading '.' would hide the entry (and "." or ".." are no names) */
        if (out[0] == '.') {
                char *t = xasprintf("%%2E%s", out + 1);

                free(out);
                out = t;
        }
        if (strlen(out) > IMAGE_REF_NAME_MAX) {
                char *t = xasprintf("%.*s%%%016llx", IMAGE_REF_NAME_MAX - 17, out,
                                    (unsigned long long)fnv1a(key));

                free(out);
                out = t;
        }
        return out;
}

/* The file a path REF names for its identity: an OCI layout directory's
 * index.json (a docker-save directory's manifest.json), which is written
 * anew when the layout changes; an archive itself. */
static int path_identity(const char *real, struct stat *ret)
{
        struct stat st;

        if (stat(real, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode)) {
                _cleanup_free_ char *p = xasprintf("%s/index.json", real);

                if (stat(p, &st) < 0) {
                        free(p);
                        p = xasprintf("%s/manifest.json", real);
                        if (stat(p, &st) < 0)
                                return -errno;
                }
        }
        *ret = st;
        return 0;
}

int image_ref_key(const char *ref, char **ret)
{
        ImageSource src = image_source_of(ref);

        if (src == IMAGE_SOURCE_PATH) {
                _cleanup_free_ char *real = realpath(ref, NULL);
                struct stat st = {};
                int r;

                if (!real)
                        return -errno;
                r = path_identity(real, &st);
                if (r < 0)
                        return r;
                *ret = xasprintf("path:%s:%llx:%llu:%lld:%lld%09ld", real,
                                 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
                                 (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                                 st.st_mtim.tv_nsec);
                return 0;
        }
        if (src == IMAGE_SOURCE_REGISTRY) {
                ImageRef r = {};

                if (image_ref_parse(ref, &r) < 0)
                        return -EINVAL;
                *ret = image_ref_to_string(&r);
                image_ref_done(&r);
                return 0;
        }
        return -EINVAL;
}
