/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dlopen_symbols(), alone in its object: a static ns (meson option
 * static) does not link it, as it loads no library, and a static program
 * that calls dlopen() needs the shared glibc it was built with anyway.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "util.h"

int dlopen_symbols(const char *soname, const DlSymbol *syms, size_t n, void *ret, char **ret_error)
{
        _cleanup_free_ void **fns = xnew(void *, n);
        void *dl;

        dl = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
        if (!dl) {
                *ret_error = xstrdup(dlerror() ?: "unknown error");
                return -ELIBACC;
        }
        for (size_t i = 0; i < n; i++) {
                fns[i] = dlsym(dl, syms[i].name);
                if (!fns[i]) {
                        *ret_error = xstrdup(dlerror() ?: "unknown error");
                        dlclose(dl);
                        return -ELIBACC;
                }
        }
        /* POSIX: a function pointer has the representation of a void *. */
        for (size_t i = 0; i < n; i++)
                memcpy((char *)ret + syms[i].offset, &fns[i], sizeof(fns[i]));
        return 0;
}
