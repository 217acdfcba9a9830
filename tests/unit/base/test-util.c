/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* util.c: the message for a bad option, as ns and ns-top print it; opendir_at. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <getopt.h>

#include "macro.h"
#include "util.h"

static void expect_message(int c, int opt, const char *arg, const char *want)
{
        _cleanup_free_ char *m = option_error_message(c, opt, arg);

        cr_expect_str_eq(m, want, "c=%c opt=%d arg=%s", c, opt, arg);
}

Test(option_error, unknown)
{
        expect_message('?', 'x', "-x", "unknown option '-x'");
        /* an unknown long option: getopt_long leaves optopt 0 */
        expect_message('?', 0, "--frobnicate", "unknown option '--frobnicate'");
        /* its value is not part of its name */
        expect_message('?', 0, "--frobnicate=3", "unknown option '--frobnicate'");
        /* the bad one of a cluster, named alone */
        expect_message('?', 'q', "-aq", "unknown option '-q'");
}

Test(option_error, missing_argument)
{
        expect_message(':', 'd', "-d", "option '-d' requires an argument");
        expect_message(':', 'd', "--delay", "option '--delay' requires an argument");
}

Test(option_error, no_argument_taken)
{
        expect_message('?', 'a', "--all=yes", "option '--all' takes no argument");
        /* in a cluster "-a=1", '=' is a short option of its own */
        expect_message('?', '=', "-a=1", "unknown option '-='");
}

/* What getopt_long itself returns and sets, fed to the message. */
Test(option_error, from_getopt_long)
{
        static const struct option longopts[] = {
                { "all", no_argument, NULL, 'a' },
                { "delay", required_argument, NULL, 'd' },
                {},
        };
        struct {
                char *argv[3];
                const char *want;
        } cases[] = {
                { { "prog", "--all=1" }, "option '--all' takes no argument" },
                { { "prog", "--delay" }, "option '--delay' requires an argument" },
                { { "prog", "-d" }, "option '-d' requires an argument" },
                { { "prog", "--bogus" }, "unknown option '--bogus'" },
                { { "prog", "-z" }, "unknown option '-z'" },
                { { "prog", "-=" }, "unknown option '-='" },
        };

        opterr = 0;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int c;

                optind = 0; /* 0: getopt starts over, its state reset */
                c = getopt_long(2, cases[i].argv, ":ad:", longopts, NULL);
                cr_assert(c == '?' || c == ':', "case %zu: getopt_long returned %d", i, c);
                expect_message(c, optopt, cases[i].argv[optind - 1], cases[i].want);
        }
}

Test(opendir_at, opens_and_fails)
{
        char dir[] = "/tmp/ns-test-util-XXXXXX";
        _cleanup_close_ int fd = -EBADF, f = -EBADF;
        struct dirent *de;
        bool seen = false;
        DIR *d = NULL;

        cr_assert_not_null(mkdtemp(dir));
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(fd, 0);
        f = openat(fd, "file", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        cr_assert_geq(f, 0);

        cr_assert_eq(opendir_at(fd, ".", &d), 0);
        while ((de = readdir(d)))
                seen |= streq(de->d_name, "file");
        closedir(d);
        cr_expect(seen, "readdir lists the file");

        d = NULL;
        cr_expect_eq(opendir_at(fd, "file", &d), -ENOTDIR);
        cr_expect_eq(opendir_at(fd, "missing", &d), -ENOENT);
        cr_expect_null(d, "nothing written on failure");

        cr_assert_eq(unlinkat(fd, "file", 0), 0);
        cr_assert_eq(rmdir(dir), 0);
}
