/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Just enough JSON to read a few keys out of runtime metadata files
 * (docker config.v2.json, OCI config.json, containers.json, runc state)
 * without a JSON library. Values are located, not parsed into a tree:
 * a lookup walks the members of one object and steps over every other
 * value whole, so a key of the same name in a nested object (a decoy
 * "Name" inside NetworkSettings) is never seen. Not a validator: it is
 * strict where skipping would go wrong (strings, nesting), lenient in
 * what it skips.
 *
 * Every function takes a [p, end) range; p points at a value (leading
 * white space allowed). Returned value pointers point into the same range.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Skip white space. */
const char *json_skip_ws(const char *p, const char *end);

/* Skip one whole value; returns the first byte after it, or NULL when malformed. */
const char *json_skip_value(const char *p, const char *end);

/*
 * Find a member of the object at p. Returns 1 and the start of its value,
 * 0 when the object has no such member, -EINVAL when p is not an object or
 * it is malformed before the member is found.
 */
int json_object_get(const char *p, const char *end, const char *key, const char **ret_value);

/* Decode the string at p into a malloc'd buffer. -EINVAL when p is not a valid string. */
int json_get_string(const char *p, const char *end, char **ret);

/* The number at p, which must be an integer. -EINVAL otherwise, -ERANGE on overflow. */
int json_get_integer(const char *p, const char *end, long long *ret);

/*
 * json_object_get() followed by json_get_string(): 1 and the decoded value,
 * 0 when the member is absent or not a string, -EINVAL when malformed.
 */
int json_object_get_string(const char *p, const char *end, const char *key, char **ret);

static inline bool json_is(const char *p, const char *end, char c)
{
        p = json_skip_ws(p, end);
        return p < end && *p == c;
}

/* Iterate over the elements of an array. */
typedef struct JsonIter {
        const char *p; /* the current element; before the first call, just past the '[' */
        const char *end;
        bool started;
} JsonIter;

/* Start iterating over the array at p; -EINVAL when p is not an array. */
int json_iter_array(const char *p, const char *end, JsonIter *ret);

/* Returns 1 and the next element, 0 at the end of the array, -EINVAL when malformed. */
int json_iter_next(JsonIter *it, const char **ret_elem);

/*
 * Write s as a JSON string, quotes included: '"', '\\' and control
 * characters escaped, and any byte that is not part of valid UTF-8 (a
 * command line may hold anything) written as U+FFFD, so that the output
 * is always valid JSON. Returns 0 or -errno from the stream.
 */
int json_write_string(FILE *f, const char *s);

/*
 * The length of the valid UTF-8 sequence at s (1-4), or 0 when it is not
 * one: the rule json_write_string() writes by, for other writers of text
 * that must be valid UTF-8.
 */
size_t json_utf8_len(const char *s);
