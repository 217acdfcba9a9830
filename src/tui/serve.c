/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ns top --listen (serve.h). libmicrohttpd runs one internal thread that
 * accepts and answers every connection: the model is refreshed and written
 * in that thread only, so it needs no lock, while the main thread waits
 * for SIGINT or SIGTERM. Every libmicrohttpd call goes through the Mhd
 * table serve_load() fills (dlopen()), so ns-top does not link it.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <time.h>

#include "macro.h"
#include "serve.h"
#include "top-prom.h"
#include "util.h"

#define LOOPBACK "127.0.0.1"

int serve_load(Mhd *ret, char **ret_error)
{
#define MHD_SYMBOL(f) { "MHD_" #f, offsetof(Mhd, f) },
        static const DlSymbol syms[] = { MHD_FUNCTIONS(MHD_SYMBOL) };
#undef MHD_SYMBOL

        return dlopen_symbols(MHD_SONAME, syms, ELEMENTSOF(syms), ret, ret_error);
}

static int parse_port(const char *s, const char **ret)
{
        char *end;
        long v;

        if (!(*s >= '0' && *s <= '9'))
                return -EINVAL;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || *end || v < 1 || v > 65535)
                return -EINVAL;
        *ret = s;
        return 0;
}

int serve_parse_address(const char *s, ServeAddress *ret)
{
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
        struct addrinfo *ai = NULL;
        _cleanup_free_ char *host = NULL;
        const char *port, *colon;
        int r;

        if (!s || !*s)
                return -EINVAL;
        if (s[0] == '[') {
                /* [IPV6]:PORT: the brackets keep its colons apart from the port's */
                const char *close = strchr(s, ']');

                if (!close || close[1] != ':' || parse_port(close + 2, &port) < 0)
                        return -EINVAL;
                host = xstrndup(s + 1, (size_t)(close - s - 1));
                hints.ai_family = AF_INET6;
                hints.ai_flags |= AI_NUMERICHOST;
        } else if ((colon = strrchr(s, ':'))) {
                /* a bare IPv6 address would be read wrong: it needs brackets */
                if (colon == s || memchr(s, ':', (size_t)(colon - s)) ||
                    parse_port(colon + 1, &port) < 0)
                        return -EINVAL;
                host = xstrndup(s, (size_t)(colon - s));
        } else {
                if (parse_port(s, &port) < 0)
                        return -EINVAL;
                host = xstrdup(LOOPBACK);
                hints.ai_family = AF_INET;
                hints.ai_flags |= AI_NUMERICHOST;
        }
        if (!*host)
                return -EINVAL;
        r = getaddrinfo(host, port, &hints, &ai);
        if (r != 0)
                return r == EAI_SYSTEM ? -errno : -EINVAL;
        if (ai->ai_addrlen > sizeof(ret->addr)) {
                freeaddrinfo(ai);
                return -EINVAL;
        }
        memset(ret, 0, sizeof(*ret));
        memcpy(&ret->addr, ai->ai_addr, ai->ai_addrlen);
        ret->len = ai->ai_addrlen;
        freeaddrinfo(ai);
        return 0;
}

int serve_listen(const ServeAddress *addr)
{
        _cleanup_close_ int fd = -EBADF;
        int one = 1;

        fd = socket(addr->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        /* a restart may bind while the last run's connections are in TIME_WAIT;
         * a port another process listens on stays refused (no SO_REUSEPORT) */
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
                return -errno;
        if (bind(fd, (const struct sockaddr *)&addr->addr, addr->len) < 0)
                return -errno;
        if (listen(fd, 16) < 0)
                return -errno;
        return TAKE_FD(fd);
}

/* ------------------------------------------------------------ server */

typedef struct Server {
        const Mhd *mhd;
        TopModel *m;
        uint64_t max_age_usec;
        uint64_t taken_usec; /* CLOCK_MONOTONIC of the last refresh */
        int refresh_error;   /* of the last refresh, or 0 */
        char *body;          /* the exposition of the last refresh */
        size_t body_len;
} Server;

static uint64_t now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* The exposition of the model as it is, into s->body. */
static int server_render(Server *s)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        FILE *f;
        int r;

        f = open_memstream(&buf, &len);
        if (!f)
                return -errno;
        r = top_write_prometheus(s->m, f);
        if (fclose(f) != 0 && r >= 0)
                r = -errno;
        if (r < 0)
                return r;
        free(s->body);
        s->body = TAKE_PTR(buf);
        s->body_len = len;
        return 0;
}

/* A fresh sample, unless the last one is younger than the cache allows. */
static void server_update(Server *s)
{
        uint64_t now = now_usec();
        int r;

        if (s->body && s->refresh_error == 0 && now - s->taken_usec < s->max_age_usec)
                return;
        r = top_model_refresh(s->m);
        if (r >= 0)
                r = server_render(s);
        s->refresh_error = r < 0 ? r : 0;
        s->taken_usec = now;
}

static enum MHD_Result reply(const Mhd *mhd, struct MHD_Connection *c, unsigned status,
                             const char *type, const char *body, size_t len, const char *allow)
{
        struct MHD_Response *resp;
        enum MHD_Result ret;

        resp = mhd->create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
        if (!resp)
                return MHD_NO;
        mhd->add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
        if (allow)
                mhd->add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
        ret = mhd->queue_response(c, status, resp);
        mhd->destroy_response(resp);
        return ret;
}

static enum MHD_Result reply_text(const Mhd *mhd, struct MHD_Connection *c, unsigned status,
                                  const char *text, const char *allow)
{
        return reply(mhd, c, status, "text/plain; charset=utf-8", text, strlen(text), allow);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls)
{
        Server *s = cls;
        char msg[256];

        (void)version;
        (void)upload_data;
        (void)upload_data_size;
        (void)req_cls;
        if (!streq(url, "/metrics"))
                return reply_text(s->mhd, c, MHD_HTTP_NOT_FOUND,
                                  "not found: the metrics are at /metrics\n", NULL);
        if (!streq(method, MHD_HTTP_METHOD_GET) && !streq(method, MHD_HTTP_METHOD_HEAD))
                return reply_text(s->mhd, c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n",
                                  "GET, HEAD");
        server_update(s);
        if (s->refresh_error < 0) {
                int n = snprintf(msg, sizeof(msg), "ns top: cannot sample the instances: ");

                snprintf(msg + n, sizeof(msg) - (size_t)n, "%s\n", strerror(-s->refresh_error));
                /* lowercase, as ns' messages are */
                if (msg[n] >= 'A' && msg[n] <= 'Z' && !(msg[n + 1] >= 'A' && msg[n + 1] <= 'Z'))
                        msg[n] = (char)(msg[n] - 'A' + 'a');
                return reply_text(s->mhd, c, MHD_HTTP_INTERNAL_SERVER_ERROR, msg, NULL);
        }
        return reply(s->mhd, c, MHD_HTTP_OK, TOP_PROM_CONTENT_TYPE, s->body, s->body_len, NULL);
}

int serve_run(const Mhd *mhd, TopModel *m, int listen_fd, double max_age)
{
        _cleanup_close_ int fd = listen_fd;
        Server s = {
                .mhd = mhd,
                .m = m,
                .max_age_usec = (uint64_t)(max_age * 1e6),
                .taken_usec = now_usec(),
        };
        struct MHD_Daemon *d;
        sigset_t stop, old;
        int r, sig;

        /* the model was just refreshed: that is the first scrape's sample */
        r = server_render(&s);
        if (r < 0)
                return r;

        /* Blocked before the server's thread starts, so that it inherits the
         * mask and only the main thread, in sigwait(), takes the signals. */
        sigemptyset(&stop);
        sigaddset(&stop, SIGINT);
        sigaddset(&stop, SIGTERM);
        r = -pthread_sigmask(SIG_BLOCK, &stop, &old);
        if (r < 0) {
                free(s.body);
                return r;
        }

        errno = 0;
        d = mhd->start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, handle, &s,
                              MHD_OPTION_LISTEN_SOCKET, fd,
                              /* a client that sends nothing is not waited for long */
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)32, MHD_OPTION_END);
        if (!d) {
                r = errno > 0 ? -errno : -EIO;
                pthread_sigmask(SIG_SETMASK, &old, NULL);
                free(s.body);
                return r;
        }
        /* the daemon owns the socket now and closes it when stopped */
        TAKE_FD(fd);

        while (sigwait(&stop, &sig) != 0)
                ;
        mhd->stop_daemon(d);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        free(s.body);
        return 0;
}
