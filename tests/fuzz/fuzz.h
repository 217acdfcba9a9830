/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What the libFuzzer targets share. Each fuzz-<parser>.c hands its input to
 * one parser the way the real callers do: most of them read a file with
 * read_file_at(), which gives a NUL-terminated copy (that may hold NULs of
 * its own); the (pointer, length) parsers get exactly the input's bytes, so
 * that AddressSanitizer sees any read past the end.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as read_file_at() returns a file: a malloc'd copy, NUL-terminated. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
        char *s = xmalloc(size + 1);

        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

/* The input's bytes and nothing after them, for parsers of [p, p + size). */
static inline char *fuzz_bytes(const uint8_t *data, size_t size)
{
        /* malloc(0) may return NULL; one spare byte that is never read is fine. */
        char *s = xmalloc(size ? size : 1);

        memcpy(s, data, size);
        return s;
}

/*
 * What a parser promises its callers (an id that is safe in a path, a
 * string that ends where it should). A broken promise aborts, so libFuzzer
 * keeps the input like any crash.
 */
#define FUZZ_CHECK(x)                                                                           \
        do {                                                                                    \
                if (!(x)) {                                                                     \
                        fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #x); \
                        abort();                                                                \
                }                                                                               \
        } while (0)

/* A name or id that goes into a path below a runtime's state directory. */
static inline bool fuzz_path_component_ok(const char *s)
{
        return s[0] != '\0' && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}
