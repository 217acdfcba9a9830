/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bounded reads: a file whose read never returns (a FIFO with no writer
 * blocks in open, as a /proc file of a task holding a lock would) costs
 * one deadline and no more, and the reads after it still work.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "macro.h"
#include "reader.h"
#include "util.h"

static char root[] = "/tmp/ns-test-reader-XXXXXX";
static int root_fd = -1;

static void setup(void)
{
        int fd;

        cr_assert_not_null(mkdtemp(root));
        root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(root_fd, 0);
        fd = openat(root_fd, "plain", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, "hello\n", 6), 6);
        close(fd);
        cr_assert_eq(mkfifoat(root_fd, "stuck", 0600), 0);
}

static void teardown(void)
{
        char cmd[128];

        close(root_fd);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        cr_assert_eq(system(cmd), 0);
}

TestSuite(reader, .init = setup, .fini = teardown);

Test(reader, reads_and_errors)
{
        Reader *r;
        char *s = NULL;
        size_t len;

        cr_assert_eq(reader_new(root_fd, 500, 2000, &r), 0);
        cr_assert_eq(reader_read(r, "plain", 0, &s, &len), 0);
        cr_expect_str_eq(s, "hello\n");
        cr_expect_eq(len, 6);
        free(s);
        cr_expect_eq(reader_read(r, "missing", 0, &s, &len), -ENOENT, "the file's own error");
        cr_assert_eq(reader_read(r, "plain", 3, &s, &len), 0);
        cr_expect_eq(len, 3, "max caps the read");
        free(s);
        cr_expect_eq(reader_timeouts(r), 0);
        reader_free(r);
}

Test(reader, deadline_then_recovers)
{
        Reader *r;
        char *s = NULL;
        uint64_t t0, took;

        cr_assert_eq(reader_new(root_fd, 200, 1000, &r), 0);
        t0 = now_usec();
        cr_expect_eq(reader_read(r, "stuck", 0, &s, NULL), -ETIMEDOUT);
        took = now_usec() - t0;
        cr_expect_geq(took, 190000, "waited the deadline (%llu us)", (unsigned long long)took);
        cr_expect_lt(took, 900000, "and not much longer (%llu us)", (unsigned long long)took);
        cr_expect_eq(reader_timeouts(r), 1);
        /* a new helper answers the next read */
        cr_assert_eq(reader_read(r, "plain", 0, &s, NULL), 0);
        cr_expect_str_eq(s, "hello\n");
        free(s);
        reader_free(r);
}

Test(reader, budget_is_spent_once)
{
        Reader *r;
        char *s = NULL;
        uint64_t t0;

        cr_assert_eq(reader_new(root_fd, 200, 300, &r), 0);
        t0 = now_usec();
        cr_expect_eq(reader_read(r, "stuck", 0, &s, NULL), -ETIMEDOUT);
        cr_expect_eq(reader_read(r, "stuck", 0, &s, NULL), -ETIMEDOUT, "what is left of the budget");
        cr_expect_eq(reader_read(r, "stuck", 0, &s, NULL), -ECANCELED, "the budget is spent");
        cr_expect_eq(reader_read(r, "plain", 0, &s, NULL), -ECANCELED);
        cr_expect_lt(now_usec() - t0, 700000, "three stuck reads cost the budget, not three deadlines");
        reader_free(r);
}

/* Two readers at once, the second's helper started after the first's: each
 * helper holds only its own socket, so freeing either does not wait for
 * good (criterion's timeout ends a hang). */
Test(reader, two_readers_free_in_any_order, .timeout = 10)
{
        Reader *a, *b;
        char *s = NULL;

        cr_assert_eq(reader_new(root_fd, 500, 2000, &a), 0);
        cr_assert_eq(reader_new(root_fd, 500, 2000, &b), 0);
        cr_assert_eq(reader_read(a, "plain", 0, &s, NULL), 0);
        free(s);
        cr_assert_eq(reader_read(b, "plain", 0, &s, NULL), 0);
        free(s);
        reader_free(a);
        cr_assert_eq(reader_read(b, "plain", 0, &s, NULL), 0, "b still answers");
        free(s);
        reader_free(b);
}

/* A new budget after the old one was spent: reads are tried again. */
Test(reader, set_budget_gives_a_new_one)
{
        Reader *r;
        char *s = NULL;

        cr_assert_eq(reader_new(root_fd, 100, 100, &r), 0);
        cr_expect_eq(reader_read(r, "stuck", 0, &s, NULL), -ETIMEDOUT);
        cr_expect_eq(reader_read(r, "plain", 0, &s, NULL), -ECANCELED, "the budget is spent");
        reader_set_budget(r, 500);
        cr_assert_eq(reader_read(r, "plain", 0, &s, NULL), 0);
        cr_expect_str_eq(s, "hello\n");
        free(s);
        reader_free(r);
}
