/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/base/json.c, the reader under every runtime metadata file. The input
 * is one document in an exact [p, end) range with no terminator after it,
 * as json.h promises to stay inside. The walk looks up the keys that the
 * metadata readers use (and a few that stress the key buffer), iterates
 * arrays and decodes what it finds, a bounded number of values per input.
 */
#include "fuzz.h"
#include "json.h"

#define VISITS_MAX 64

static const char *const keys[] = {
        "Name",
        "annotations",
        "id",
        "names",
        "pid",
        "init_process_pid",
        "init_process_start",
        "process-start-time",
        "io.kubernetes.cri.container-name",
        "",
        /* the longest key that fits json.c's key buffer, and one past it */
        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
};

static void walk(const char *p, const char *end, unsigned *visits);

static void walk_object(const char *p, const char *end, unsigned *visits)
{
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                const char *v;
                char *s = NULL;
                int r;

                r = json_object_get(p, end, keys[i], &v);
                FUZZ_CHECK(r == -EINVAL || r == 0 || r == 1);
                if (r < 0)
                        return;
                if (r == 0)
                        continue;
                FUZZ_CHECK(v >= p && v < end);
                walk(v, end, visits);

                r = json_object_get_string(p, end, keys[i], &s);
                FUZZ_CHECK(r == -EINVAL || r == 0 || r == 1);
                if (r > 0)
                        free(s);
        }
}

static void walk(const char *p, const char *end, unsigned *visits)
{
        const char *next;

        if (++*visits > VISITS_MAX)
                return;
        next = json_skip_value(p, end);
        FUZZ_CHECK(!next || (next > p && next <= end));

        if (json_is(p, end, '{')) {
                walk_object(p, end, visits);
        } else if (json_is(p, end, '[')) {
                const char *elem;
                JsonIter it;

                FUZZ_CHECK(json_iter_array(p, end, &it) == 0);
                while (json_iter_next(&it, &elem) > 0) {
                        FUZZ_CHECK(elem > p && elem < end);
                        walk(elem, end, visits);
                        if (*visits > VISITS_MAX)
                                break;
                }
        } else if (json_is(p, end, '"')) {
                char *s;

                if (json_get_string(p, end, &s) == 0) {
                        /* a decoded string never carries a NUL (\u0000 is refused) */
                        FUZZ_CHECK(next && strlen(s) <= (size_t)(next - p));
                        free(s);
                }
        } else {
                long long v;

                (void)json_get_integer(p, end, &v);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *doc = fuzz_bytes(data, size);
        unsigned visits = 0;

        walk(doc, doc + size, &visits);
        return 0;
}
