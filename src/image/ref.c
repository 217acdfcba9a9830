/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Image references: registry references normalised as docker's
 * distribution/reference package does, what kind of source an --image
 * argument is, and the refs/ key of either.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "macro.h"

#define DEFAULT_REGISTRY "docker.io"
#define NAME_MAX_TOTAL 255 /* docker's limit for registry + repository */
#define TAG_MAX 128

static bool is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
        return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

bool image_digest_valid(const char *d)
{
        if (!d || !startswith(d, "sha256:"))
                return false;
        d += strlen("sha256:");
        for (size_t i = 0; i < 64; i++)
                if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
                        return false;
        return d[64] == '\0';
}

/* One path component: lower-case alphanumerics joined by '.', '_', "__"
 * or runs of '-'. */
static bool component_valid(const char *s, size_t n)
{
        size_t i = 0;

        if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
                return false;
        while (i < n) {
                if (is_lower_alnum(s[i])) {
                        i++;
                        continue;
                }
                /* a separator, followed by an alphanumeric (the last one is, see above) */
                if (s[i] == '.' || (s[i] == '_' && s[i + 1] != '_'))
                        i++;
                else if (s[i] == '_')
                        i += 2;
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

static bool repository_valid(const char *s)
{
        const char *p = s;

        for (;;) {
                const char *slash = strchr(p, '/');
                size_t n = slash ? (size_t)(slash - p) : strlen(p);

                if (!component_valid(p, n))
                        return false;
                if (!slash)
                        return true;
                p = slash + 1;
        }
}

/* host[:port]: labels of alphanumerics and inner '-', or a bracketed IPv6
 * address; the port is decimal. */
static bool registry_valid(const char *s)
{
        const char *p = s, *colon;

        if (*p == '[') {
                const char *close = strchr(p, ']');

                if (!close || close == p + 1)
                        return false;
                for (const char *q = p + 1; q < close; q++)
                        if (!is_alnum(*q) && *q != ':' && *q != '.')
                                return false;
                colon = close + 1;
                if (*colon == '\0')
                        return true;
                if (*colon != ':')
                        return false;
        } else {
                colon = strchr(p, ':');
                size_t n = colon ? (size_t)(colon - p) : strlen(p);
                size_t label = 0;

                if (n == 0)
                        return false;
                for (size_t i = 0; i < n; i++) {
                        if (p[i] == '.') {
                                if (label == 0 || p[i - 1] == '-')
                                        return false;
                                label = 0;
                        } else if (is_alnum(p[i]) || (p[i] == '-' && label > 0)) {
                                label++;
                        } else {
                                return false;
                        }
                }
                if (label == 0 || p[n - 1] == '-')
                        return false;
                if (!colon)
                        return true;
        }
        /* the port */
        if (colon[1] == '\0' || strlen(colon + 1) > 5)
                return false;
        for (const char *q = colon + 1; *q; q++)
                if (*q < '0' || *q > '9')
                        return false;
        /* a TCP port: 1 to 65535 */
        return atoi(colon + 1) >= 1 && atoi(colon + 1) <= 65535;
}

static bool tag_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > TAG_MAX || !(is_alnum(s[0]) || s[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!(is_alnum(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
                        return false;
        return true;
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

int image_ref_parse(const char *s, ImageRef *ret)
{
        _cleanup_free_ char *name = NULL, *tag = NULL, *digest = NULL, *registry = NULL,
                            *repository = NULL;
        const char *at, *slash, *colon, *rest;

        if (!s || !*s || strlen(s) > 4096)
                return -EINVAL;
        /* 64 hex digits alone are an image ID, never a name: docker refuses
         * it the same way, so that an ID pasted as a name is not pulled */
        if (strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64)
                return -EINVAL;

        at = strchr(s, '@');
        if (at) {
                if (!image_digest_valid(at + 1))
                        return -EINVAL;
                digest = xstrdup(at + 1);
                name = xstrndup(s, (size_t)(at - s));
        } else {
                name = xstrdup(s);
        }

        /* a tag is after the last ':' that follows the last '/' (so not a port) */
        slash = strrchr(name, '/');
        colon = strrchr(name, ':');
        if (colon && (!slash || colon > slash)) {
                tag = xstrdup(colon + 1);
                name[colon - name] = '\0';
                if (!tag_valid(tag))
                        return -EINVAL;
        }

        /* the first component is a registry when it looks like a host:
         * a '.', a ':' or "localhost", as docker decides */
        slash = strchr(name, '/');
        if (slash) {
                size_t n = (size_t)(slash - name);
                const char *first = name;

                if (memchr(first, '.', n) || memchr(first, ':', n) ||
                    (n == strlen("localhost") && strncmp(first, "localhost", n) == 0) ||
                    (first[0] == '[')) {
                        registry = xstrndup(first, n);
                        rest = slash + 1;
                } else {
                        rest = name;
                }
        } else {
                rest = name;
        }
        if (!registry || streq(registry, "index.docker.io") ||
            streq(registry, "registry-1.docker.io")) {
                free(registry);
                registry = xstrdup(DEFAULT_REGISTRY);
        }
        if (!registry_valid(registry))
                return -EINVAL;

        /* docker.io's official images live under library/ */
        if (streq(registry, DEFAULT_REGISTRY) && !strchr(rest, '/'))
                repository = xasprintf("library/%s", rest);
        else
                repository = xstrdup(rest);
        if (!repository_valid(repository))
                return -EINVAL;
        if (strlen(registry) + 1 + strlen(repository) > NAME_MAX_TOTAL)
                return -EINVAL;

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

char *image_ref_to_string(const ImageRef *r)
{
        return xasprintf("%s/%s%s%s%s%s", r->registry, r->repository, r->tag ? ":" : "",
                         r->tag ?: "", r->digest ? "@" : "", r->digest ?: "");
}

ImageSource image_source_of(const char *ref)
{
        struct stat st;
        ImageRef r = {};

        if (!ref || !*ref)
                return IMAGE_SOURCE_INVALID;
        if (ref[0] == '/' || startswith(ref, "./") || startswith(ref, "../") ||
            streq(ref, ".") || streq(ref, "..") || stat(ref, &st) == 0)
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

                if (is_alnum((char)c) || strchr("._:@+-", c))
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
                                /* a directory, but not an image's */
                                return errno == ENOENT ? -EMEDIUMTYPE : -errno;
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
