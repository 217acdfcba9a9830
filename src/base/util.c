/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "macro.h"
#include "util.h"

void oom(void)
{
        static const char msg[] = "ns: out of memory\n";
        ssize_t _unused_ r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        abort();
}

void *xmalloc(size_t n)
{
        void *p = malloc(n ?: 1);
        if (!p)
                oom();
        return p;
}

void *xcalloc(size_t n, size_t m)
{
        void *p = calloc(n ?: 1, m ?: 1);
        if (!p)
                oom();
        return p;
}

void *xrealloc(void *p, size_t n)
{
        p = realloc(p, n ?: 1);
        if (!p)
                oom();
        return p;
}

void *xreallocarray(void *p, size_t n, size_t m)
{
        if (m && n > SIZE_MAX / m)
                oom();
        return xrealloc(p, n * m);
}

char *xstrdup(const char *s)
{
        char *p = strdup(s);
        if (!p)
                oom();
        return p;
}

char *xstrndup(const char *s, size_t n)
{
        char *p = strndup(s, n);
        if (!p)
                oom();
        return p;
}

char *xasprintf(const char *fmt, ...)
{
        va_list ap;
        char *p;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&p, fmt, ap);
        va_end(ap);
        if (r < 0)
                oom();
        return p;
}

int read_fd(int fd, size_t max, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, size = 4096;

        buf = xmalloc(size);
        for (;;) {
                ssize_t k;

                if (len + 1 >= size) {
                        if (max && size > max)
                                break;
                        size *= 2;
                        buf = xrealloc(buf, size);
                }
                k = read(fd, buf + len, size - len - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                len += (size_t)k;
        }
        if (max && len > max)
                len = max;
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = -EBADF;

        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_fd(fd, max, ret, ret_len);
}

ssize_t read_small_at(int dirfd, const char *path, char *buf, size_t n)
{
        _cleanup_close_ int fd = -EBADF;
        ssize_t k;

        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        do
                k = read(fd, buf, n - 1);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return -errno;
        buf[k] = '\0';
        return k;
}

int parse_pid(const char *s, pid_t *ret)
{
        long v = 0;

        if (!*s)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (*p - '0');
                if (v > 0x3fffffff) /* PID_MAX_LIMIT is 2^22; leave room, refuse overflow */
                        return -ERANGE;
        }
        if (v <= 0)
                return -EINVAL;
        *ret = (pid_t)v;
        return 0;
}

char *cmdline_to_string(const char *buf, size_t len)
{
        char *s;

        while (len > 0 && buf[len - 1] == '\0')
                len--;
        s = xmalloc(len + 1);
        memcpy(s, buf, len);
        s[len] = '\0';
        for (size_t i = 0; i < len; i++)
                if (s[i] == '\0' || s[i] == '\n' || s[i] == '\t')
                        s[i] = ' ';
        return s;
}

const char *format_size(unsigned long long bytes, char *buf, size_t n)
{
        static const char suffix[] = "KMGTPE";
        double v = (double)bytes;
        int i = -1;

        if (bytes < 1024) {
                snprintf(buf, n, "%lluB", bytes);
                return buf;
        }
        while (v >= 1024 && i < (int)sizeof(suffix) - 2) {
                v /= 1024;
                i++;
        }
        if (v < 10)
                snprintf(buf, n, "%.1f%c", v, suffix[i]);
        else
                snprintf(buf, n, "%.0f%c", v, suffix[i]);
        return buf;
}

int opendir_at(int dirfd, const char *path, DIR **ret)
{
        int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d;

        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                return r;
        }
        *ret = d;
        return 0;
}

char *option_error_message(int c, int opt, const char *arg)
{
        char short_opt[3] = { '-', (char)opt, '\0' };
        bool is_long = startswith(arg, "--");
        /* a short option may stand in a cluster ("-xq"): name it alone */
        const char *name = is_long ? arg : short_opt;
        /* "--delay=3" is the option "--delay"; "-=" is the option '=' */
        int len = is_long ? (int)strcspn(name, "=") : 2;

        if (c == ':')
                return xasprintf("option '%.*s' requires an argument", len, name);
        /* getopt_long sets optopt for a known long option given a value it does not take */
        if (is_long && opt && name[len] == '=')
                return xasprintf("option '%.*s' takes no argument", len, name);
        return xasprintf("unknown option '%.*s'", len, name);
}

bool is_canonical_pid(const char *s)
{
        pid_t pid;

        return s[0] != '0' && parse_pid(s, &pid) >= 0;
}

bool path_has_dotdot(const char *path)
{
        for (const char *p = path; *p;) {
                size_t n = strcspn(p, "/");

                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return true;
                p += n;
                p += strspn(p, "/");
        }
        return false;
}

int openat_long(int dirfd, const char *path, int flags)
{
        _cleanup_close_ int dir = -EBADF;
        size_t len = strlen(path);
        int fd;

        while (len >= PATH_MAX) {
                /* the longest piece that ends at a '/' and fits */
                size_t cut = PATH_MAX - 1;
                _cleanup_free_ char *piece = NULL;
                int next;

                while (cut > 0 && path[cut] != '/')
                        cut--;
                if (cut == 0)
                        return -ENAMETOOLONG; /* one component over PATH_MAX */
                piece = xstrndup(path, cut);
                next = openat(dir >= 0 ? dir : dirfd, piece, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (next < 0)
                        return -errno;
                closep(&dir);
                dir = next;
                path += cut;
                path += strspn(path, "/");
                len = strlen(path);
        }
        fd = openat(dir >= 0 ? dir : dirfd, path, flags | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

char *str_sanitize(char *s)
{
        for (char *p = s; p && *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        *p = '?';
        return s;
}
