/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * -p: published ports. Parsing the docker-style spec, checking the host
 * side is free before anything starts, and handing the forwards to the
 * network helper: pasta takes them on its command line, slirp4netns
 * through its API socket once it runs.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "launch-internal.h"
#include "util.h"

static int parse_port_number(const char *s, size_t len, unsigned *ret)
{
        unsigned v = 0;

        if (len == 0 || len > 5)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned)(s[i] - '0');
        }
        if (v == 0 || v > 65535)
                return -EINVAL;
        *ret = v;
        return 0;
}

static bool is_ipv6(const char *addr)
{
        return strchr(addr, ':') != NULL;
}

int launch_port_parse(const char *spec, LaunchPort *ret)
{
        LaunchPort p = { .host_addr = "127.0.0.1" };
        _cleanup_free_ char *s = xstrdup(spec);
        char *proto, *ports, *colon;
        unsigned char addr[sizeof(struct in6_addr)];

        /* the protocol suffix */
        proto = strrchr(s, '/');
        if (proto) {
                *proto++ = '\0';
                if (streq(proto, "udp"))
                        p.udp = true;
                else if (!streq(proto, "tcp"))
                        return -EINVAL;
        }

        /* [IPv6]:HOSTPORT:PORT, IPv4:HOSTPORT:PORT or HOSTPORT:PORT */
        ports = s;
        if (s[0] == '[') {
                char *end = strchr(s, ']');

                if (!end || end[1] != ':' || end == s + 1 ||
                    (size_t)(end - s - 1) >= sizeof(p.host_addr))
                        return -EINVAL;
                *end = '\0';
                snprintf(p.host_addr, sizeof(p.host_addr), "%s", s + 1);
                if (inet_pton(AF_INET6, p.host_addr, addr) != 1)
                        return -EINVAL;
                ports = end + 2;
        } else {
                colon = strchr(s, ':');
                if (colon && strchr(colon + 1, ':')) {
                        *colon = '\0';
                        if (inet_pton(AF_INET, s, addr) != 1)
                                return -EINVAL;
                        snprintf(p.host_addr, sizeof(p.host_addr), "%s", s);
                        ports = colon + 1;
                }
        }
        colon = strchr(ports, ':');
        if (!colon || strchr(colon + 1, ':'))
                return -EINVAL;
        if (parse_port_number(ports, (size_t)(colon - ports), &p.host_port) < 0 ||
            parse_port_number(colon + 1, strlen(colon + 1), &p.port) < 0)
                return -EINVAL;
        *ret = p;
        return 0;
}

const char *launch_port_to_string(const LaunchPort *p, char *buf, size_t size)
{
        snprintf(buf, size, is_ipv6(p->host_addr) ? "[%s]:%u/%s" : "%s:%u/%s", p->host_addr,
                 p->host_port, p->udp ? "udp" : "tcp");
        return buf;
}

/* A socket bound to the host side of p, as the helper will bind it: -errno when it cannot be. */
static int port_bind(const LaunchPort *p)
{
        union {
                struct sockaddr sa;
                struct sockaddr_in in;
                struct sockaddr_in6 in6;
        } a = {};
        socklen_t len;
        int fd, one = 1;
        bool v6 = is_ipv6(p->host_addr);

        if (v6) {
                a.in6.sin6_family = AF_INET6;
                a.in6.sin6_port = htons((uint16_t)p->host_port);
                if (inet_pton(AF_INET6, p->host_addr, &a.in6.sin6_addr) != 1)
                        return -EINVAL;
                len = sizeof(a.in6);
        } else {
                a.in.sin_family = AF_INET;
                a.in.sin_port = htons((uint16_t)p->host_port);
                if (inet_pton(AF_INET, p->host_addr, &a.in.sin_addr) != 1)
                        return -EINVAL;
                len = sizeof(a.in);
        }
        fd = socket(v6 ? AF_INET6 : AF_INET, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* As the helpers do: a connection of a previous instance in
         * TIME_WAIT does not hold the port, a listener does. */
        if (!p->udp)
                (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, &a.sa, len) < 0 || (!p->udp && listen(fd, 1) < 0)) {
                int err = errno;

                close(fd);
                return -err;
        }
        return fd;
}

int launch_ports_probe(const LaunchPort *p, size_t n, size_t *ret_index)
{
        int *fds = xnew(int, n + 1);
        size_t i;
        int r = 0;

        /* All held at once, so that the same host port given twice is
         * caught too. */
        for (i = 0; i < n; i++) {
                fds[i] = port_bind(&p[i]);
                if (fds[i] < 0) {
                        r = fds[i];
                        *ret_index = i;
                        break;
                }
        }
        for (size_t j = 0; j < i; j++)
                close(fds[j]);
        free(fds);
        return r;
}

char **launch_pasta_port_args(const LaunchPort *p, size_t n)
{
        /* -t/-u per port, and "none" for a protocol with none: pasta's
         * default ("auto") would publish on every host address whatever
         * binds a port inside. -T/-U none: the instance does not reach
         * the host's loopback, as with slirp4netns --disable-host-loopback. */
        char **argv = xnew(char *, 2 * n + 9);
        bool tcp = false, udp = false;
        size_t a = 0;

        for (size_t i = 0; i < n; i++) {
                argv[a++] = xstrdup(p[i].udp ? "-u" : "-t");
                argv[a++] = xasprintf("%s/%u:%u", p[i].host_addr, p[i].host_port, p[i].port);
                if (p[i].udp)
                        udp = true;
                else
                        tcp = true;
        }
        if (!tcp) {
                argv[a++] = xstrdup("-t");
                argv[a++] = xstrdup("none");
        }
        if (!udp) {
                argv[a++] = xstrdup("-u");
                argv[a++] = xstrdup("none");
        }
        argv[a++] = xstrdup("-T");
        argv[a++] = xstrdup("none");
        argv[a++] = xstrdup("-U");
        argv[a++] = xstrdup("none");
        argv[a] = NULL;
        return argv;
}

void launch_strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

/* One request to slirp4netns' API socket: it reads one message, answers and closes. */
static int slirp_request(const char *socket_path, const char *req, char *resp, size_t size)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;
        size_t len = 0, reqlen = strlen(req);

        if (strlen(socket_path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return -errno;
        if (write(fd, req, reqlen) != (ssize_t)reqlen)
                return -errno ?: -EIO;
        (void)shutdown(fd, SHUT_WR);
        while (len + 1 < size) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                ssize_t k;

                /* slirp4netns answers at once; a hung one must not hang us */
                if (poll(&pfd, 1, 5000) <= 0)
                        return -ETIMEDOUT;
                k = read(fd, resp + len, size - len - 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                len += (size_t)k;
        }
        resp[len] = '\0';
        return 0;
}

int launch_slirp_add_ports(const char *socket_path, const LaunchPort *p, size_t n,
                           size_t *ret_index)
{
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *req = NULL;
                char resp[1024];
                int r;

                *ret_index = i;
                /* The guest address defaults to the one --configure gives
                 * (10.0.2.100). */
                req = xasprintf("{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": "
                                "\"%s\", \"host_addr\": \"%s\", \"host_port\": %u, "
                                "\"guest_port\": %u}}",
                                p[i].udp ? "udp" : "tcp", p[i].host_addr, p[i].host_port,
                                p[i].port);
                r = slirp_request(socket_path, req, resp, sizeof(resp));
                if (r < 0)
                        return r;
                /* {"return": {"id": N}} or {"error": {"desc": "..."}} */
                if (!strstr(resp, "\"return\""))
                        return -EIO;
        }
        return 0;
}
