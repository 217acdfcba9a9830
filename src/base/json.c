/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <sys/types.h>

#include "json.h"
#include "macro.h"

/* Deeper nesting than this is refused rather than walked: no metadata file needs it. */
#define JSON_DEPTH_MAX 256

/* Not <limits.h>: src/ has a limits.h of its own that the include path finds first. */
#define JSON_LLONG_MAX ((long long)(~0ULL >> 1))

const char *json_skip_ws(const char *p, const char *end)
{
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
                p++;
        return p;
}

static int hex4(const char *p, const char *end, uint32_t *ret)
{
        uint32_t v = 0;

        if (end - p < 4)
                return -EINVAL;
        for (int i = 0; i < 4; i++) {
                char c = p[i];

                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (uint32_t)(c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (uint32_t)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (uint32_t)(c - 'A' + 10);
                else
                        return -EINVAL;
        }
        *ret = v;
        return 0;
}

static inline void emit(char *out, size_t size, size_t *n, char c)
{
        if (out && *n < size)
                out[*n] = c;
        (*n)++;
}

static void emit_utf8(char *out, size_t size, size_t *n, uint32_t cp)
{
        if (cp < 0x80) {
                emit(out, size, n, (char)cp);
        } else if (cp < 0x800) {
                emit(out, size, n, (char)(0xc0 | (cp >> 6)));
                emit(out, size, n, (char)(0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
                emit(out, size, n, (char)(0xe0 | (cp >> 12)));
                emit(out, size, n, (char)(0x80 | ((cp >> 6) & 0x3f)));
                emit(out, size, n, (char)(0x80 | (cp & 0x3f)));
        } else {
                emit(out, size, n, (char)(0xf0 | (cp >> 18)));
                emit(out, size, n, (char)(0x80 | ((cp >> 12) & 0x3f)));
                emit(out, size, n, (char)(0x80 | ((cp >> 6) & 0x3f)));
                emit(out, size, n, (char)(0x80 | (cp & 0x3f)));
        }
}

/*
 * Decode the string at p (at its opening quote). Writes at most size bytes
 * to out when out is not NULL, and returns the full decoded length, so a
 * first call with out == NULL sizes the buffer. *ret_next is the byte after
 * the closing quote.
 */
static ssize_t string_decode(const char *p, const char *end, char *out, size_t size,
                             const char **ret_next)
{
        size_t n = 0;

        if (p >= end || *p != '"')
                return -EINVAL;
        p++;
        while (p < end) {
                unsigned char c = (unsigned char)*p++;
                uint32_t cp, lo;

                if (c == '"') {
                        *ret_next = p;
                        return (ssize_t)n;
                }
                /* Raw control characters are not allowed in JSON strings. */
                if (c < 0x20)
                        return -EINVAL;
                if (c != '\\') {
                        emit(out, size, &n, (char)c);
                        continue;
                }
                if (p >= end)
                        return -EINVAL;
                c = (unsigned char)*p++;
                switch (c) {
                case '"':
                case '\\':
                case '/':
                        emit(out, size, &n, (char)c);
                        break;
                case 'b':
                        emit(out, size, &n, '\b');
                        break;
                case 'f':
                        emit(out, size, &n, '\f');
                        break;
                case 'n':
                        emit(out, size, &n, '\n');
                        break;
                case 'r':
                        emit(out, size, &n, '\r');
                        break;
                case 't':
                        emit(out, size, &n, '\t');
                        break;
                case 'u':
                        if (hex4(p, end, &cp) < 0)
                                return -EINVAL;
                        p += 4;
                        if (cp >= 0xd800 && cp <= 0xdbff) {
                                if (end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
                                    hex4(p + 2, end, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
                                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                        p += 6;
                                } else {
                                        cp = 0xfffd; /* a lone surrogate */
                                }
                        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                                cp = 0xfffd;
                        }
                        /* A NUL cannot be carried in a C string: refuse rather than cut. */
                        if (cp == 0)
                                return -EINVAL;
                        emit_utf8(out, size, &n, cp);
                        break;
                default:
                        return -EINVAL;
                }
        }
        return -EINVAL;
}

const char *json_skip_value(const char *p, const char *end)
{
        char stack[JSON_DEPTH_MAX];
        size_t depth = 0;
        const char *q;

        p = json_skip_ws(p, end);
        if (p >= end)
                return NULL;

        if (*p == '"')
                return string_decode(p, end, NULL, 0, &q) < 0 ? NULL : q;

        if (*p != '{' && *p != '[') {
                /* A number or a literal: runs to the next delimiter. */
                for (q = p; q < end && !strchr(",:}] \t\r\n", *q); q++)
                        ;
                return q == p ? NULL : q;
        }

        /* Only brackets and strings matter while stepping over a container. */
        while (p < end) {
                switch (*p) {
                case '"':
                        if (string_decode(p, end, NULL, 0, &p) < 0)
                                return NULL;
                        continue;
                case '{':
                case '[':
                        if (depth >= JSON_DEPTH_MAX)
                                return NULL;
                        stack[depth++] = *p == '{' ? '}' : ']';
                        break;
                case '}':
                case ']':
                        if (depth == 0 || stack[depth - 1] != *p)
                                return NULL;
                        if (--depth == 0)
                                return p + 1;
                        break;
                default:
                        break;
                }
                p++;
        }
        return NULL;
}

int json_object_get(const char *p, const char *end, const char *key, const char **ret_value)
{
        size_t klen = strlen(key);

        p = json_skip_ws(p, end);
        if (p >= end || *p != '{')
                return -EINVAL;
        p = json_skip_ws(p + 1, end);
        if (p < end && *p == '}')
                return 0;

        for (;;) {
                char kbuf[128];
                ssize_t kn;

                kn = string_decode(p, end, kbuf, sizeof(kbuf), &p);
                if (kn < 0)
                        return -EINVAL;
                p = json_skip_ws(p, end);
                if (p >= end || *p != ':')
                        return -EINVAL;
                p = json_skip_ws(p + 1, end);
                /* The first member of that name wins; metadata files never repeat one. */
                if ((size_t)kn == klen && klen <= sizeof(kbuf) && memcmp(kbuf, key, klen) == 0) {
                        if (p >= end)
                                return -EINVAL;
                        *ret_value = p;
                        return 1;
                }
                p = json_skip_value(p, end);
                if (!p)
                        return -EINVAL;
                p = json_skip_ws(p, end);
                if (p >= end)
                        return -EINVAL;
                if (*p == '}')
                        return 0;
                if (*p != ',')
                        return -EINVAL;
                p = json_skip_ws(p + 1, end);
        }
}

int json_get_string(const char *p, const char *end, char **ret)
{
        const char *next;
        ssize_t n;
        char *s;

        p = json_skip_ws(p, end);
        n = string_decode(p, end, NULL, 0, &next);
        if (n < 0)
                return (int)n;
        s = xmalloc((size_t)n + 1);
        (void)string_decode(p, end, s, (size_t)n, &next);
        s[n] = '\0';
        *ret = s;
        return 0;
}

int json_get_integer(const char *p, const char *end, long long *ret)
{
        bool neg = false;
        long long v = 0;
        const char *start;

        p = json_skip_ws(p, end);
        if (p < end && *p == '-') {
                neg = true;
                p++;
        }
        start = p;
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
                int d = *p - '0';

                if (v > (JSON_LLONG_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        if (p == start)
                return -EINVAL;
        /* A fraction or an exponent is not an integer. */
        if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
                return -EINVAL;
        *ret = neg ? -v : v;
        return 0;
}

int json_object_get_string(const char *p, const char *end, const char *key, char **ret)
{
        const char *v;
        int r;

        r = json_object_get(p, end, key, &v);
        if (r <= 0)
                return r;
        if (*v != '"')
                return 0;
        r = json_get_string(v, end, ret);
        return r < 0 ? r : 1;
}

int json_iter_array(const char *p, const char *end, JsonIter *ret)
{
        p = json_skip_ws(p, end);
        if (p >= end || *p != '[')
                return -EINVAL;
        *ret = (JsonIter){ .p = p + 1, .end = end, .started = false };
        return 0;
}

int json_iter_next(JsonIter *it, const char **ret_elem)
{
        const char *p = it->p;

        if (it->started) {
                p = json_skip_value(p, it->end);
                if (!p)
                        return -EINVAL;
                p = json_skip_ws(p, it->end);
                if (p >= it->end)
                        return -EINVAL;
                if (*p == ']')
                        return 0;
                if (*p != ',')
                        return -EINVAL;
                p = json_skip_ws(p + 1, it->end);
                if (p >= it->end || *p == ']')
                        return -EINVAL;
        } else {
                p = json_skip_ws(p, it->end);
                if (p >= it->end)
                        return -EINVAL;
                if (*p == ']')
                        return 0;
        }
        it->p = p;
        it->started = true;
        *ret_elem = p;
        return 1;
}

size_t json_utf8_len(const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        uint32_t cp;
        size_t n;

        if (p[0] < 0x80)
                return 1;
        if (p[0] >= 0xc2 && p[0] <= 0xdf)
                n = 2, cp = p[0] & 0x1f;
        else if (p[0] >= 0xe0 && p[0] <= 0xef)
                n = 3, cp = p[0] & 0x0f;
        else if (p[0] >= 0xf0 && p[0] <= 0xf4)
                n = 4, cp = p[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0; /* a NUL ends it here too */
                cp = (cp << 6) | (p[i] & 0x3f);
        }
        /* overlong forms, surrogates and what is past U+10FFFF are invalid */
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

int json_write_string(FILE *f, const char *s)
{
        const unsigned char *p = (const unsigned char *)s;

        fputc('"', f);
        while (*p) {
                size_t n = json_utf8_len((const char *)p);

                if (n == 0) {
                        fputs("\\ufffd", f);
                        p++;
                } else if (*p == '"' || *p == '\\') {
                        fputc('\\', f);
                        fputc(*p++, f);
                } else if (*p < 0x20 || *p == 0x7f) {
                        fprintf(f, "\\u%04x", *p++);
                } else {
                        fwrite(p, 1, n, f);
                        p += n;
                }
        }
        fputc('"', f);
        return ferror(f) ? -EIO : 0;
}
