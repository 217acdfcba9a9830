/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ns top: runs the ns-top program with the same arguments. The screen
 * links ncurses, which ns itself never loads (DESIGN.md "Start-up cost").
 * ns-top is looked for next to this binary first (a build tree, or a
 * prefix that installs both in one directory), then where the build
 * installs it.
 */
#include <limits.h>

#include "commands.h"
#include "util.h"

#ifndef NS_LIBEXECDIR
#define NS_LIBEXECDIR "/usr/local/libexec/ns"
#endif

int cmd_top(int argc, char **argv)
{
        char self[PATH_MAX], here[PATH_MAX + 8];
        const char *installed = NS_LIBEXECDIR "/ns-top";
        ssize_t k;

        (void)argc;
        k = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (k > 0) {
                char *slash;

                self[k] = '\0';
                slash = strrchr(self, '/');
                if (slash) {
                        *slash = '\0';
                        snprintf(here, sizeof(here), "%s/ns-top", self);
                        /* argv[0] stays "ns top": ns-top's messages say so anyway */
                        if (access(here, X_OK) == 0) {
                                execv(here, argv);
                                log_error("cannot run '%s': %s", here, ERRSTR(errno));
                                return 1;
                        }
                }
        }
        execv(installed, argv);
        if (errno == ENOENT)
                log_error("cannot run 'ns top': ns-top is not installed (looked for '%s'%s%s)",
                          installed, k > 0 ? " and next to ns in " : "", k > 0 ? self : "");
        else
                log_error("cannot run '%s': %s", installed, ERRSTR(errno));
        return 1;
}
