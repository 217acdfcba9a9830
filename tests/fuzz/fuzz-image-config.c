/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An image config blob (the image's author writes it) through
 * image_config_parse() (src/image/config.c): what ns run --image gives the
 * payload as its command, environment, directory and user.
 */
#include <string.h>

#include "fuzz.h"
#include "image.h"

static void check_strv(char **v)
{
        for (; v && *v; v++)
                FUZZ_CHECK(strlen(*v) < 1u << 30);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *json = fuzz_bytes(data, size);
        ImageConfig c = {};
        int r;

        r = image_config_parse(json, size, &c);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
        if (r < 0)
                return 0;
        check_strv(c.entrypoint);
        check_strv(c.cmd);
        for (char **e = c.env; e && *e; e++)
                FUZZ_CHECK((*e)[0] != '=' && strchr(*e, '='));
        FUZZ_CHECK(!c.workdir || c.workdir[0] == '/');
        FUZZ_CHECK(!c.user || c.user[0] != '\0');
        image_config_done(&c);
        return 0;
}
