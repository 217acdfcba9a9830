/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ns images [ls|import|pull|rm|prune]: the image store of ns run --image,
 * tended by the ns-image program, which this executes with the same
 * arguments (as ns top runs ns-top): ns itself never links libarchive,
 * libcrypto or libcurl (DESIGN.md "Start-up cost").
 */
#include <limits.h>

#include "commands.h"
#include "util.h"

#ifndef NS_LIBEXECDIR
#define NS_LIBEXECDIR "/usr/local/libexec/ns"
#endif

int libexec_find(const char *prog, char *buf, size_t size)
{
        char self[PATH_MAX];
        ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);

        /* next to ns first: a build tree, or a prefix with both in one directory */
        if (k > 0) {
                char *slash;

                self[k] = '\0';
                slash = strrchr(self, '/');
                if (slash) {
                        *slash = '\0';
                        if ((size_t)snprintf(buf, size, "%s/%s", self, prog) < size &&
                            access(buf, X_OK) == 0)
                                return 0;
                }
        }
        if ((size_t)snprintf(buf, size, "%s/%s", NS_LIBEXECDIR, prog) >= size)
                return -ENAMETOOLONG;
        return access(buf, X_OK) == 0 ? 0 : -errno;
}

int exec_helper(const char *prog, const char *cmd, char **argv)
{
        char path[PATH_MAX + 16];

        if (libexec_find(prog, path, sizeof(path)) < 0) {
                log_error("cannot run 'ns %s': %s is not installed (looked next to ns and in '%s')",
                          cmd, prog, NS_LIBEXECDIR);
                return 1;
        }
        execv(path, argv);
        log_error("cannot run '%s': %s", path, ERRSTR(errno));
        return 1;
}

/* The subcommands ns-image has; ls without one. */
static const char *const subcommands[] = {
        "ls",
        "list",
        "import",
        "rm",
        "remove",
        "prune",
        /* from a registry (or a path, imported): the registry client's */
        "pull",
};

int cmd_images(int argc, char **argv)
{
        /* the first word that is not an option is the subcommand: check it
         * here, so that a typo is a usage error of ns, not of a helper */
        for (int i = 1; i < argc; i++) {
                bool known = false;

                if (argv[i][0] == '-') {
                        /* the options with a separate value */
                        if (streq(argv[i], "--image-cache") || streq(argv[i], "--platform"))
                                i++;
                        continue;
                }
                for (size_t j = 0; j < ELEMENTSOF(subcommands); j++)
                        known = known || streq(argv[i], subcommands[j]);
                if (!known) {
                        log_error("images: unknown command '%s'", argv[i]);
                        return usage_error("images");
                }
                break;
        }

        return exec_helper("ns-image", "images", argv);
}
