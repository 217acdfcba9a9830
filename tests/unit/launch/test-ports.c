/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ports.c: the -p spec, its display, the host-side probe on real sockets,
 * and the arguments pasta gets.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "launch-internal.h"
#include "launch.h"
#include "macro.h"

Test(ports, parse)
{
        LaunchPort p;
        char buf[96];

        cr_assert_eq(launch_port_parse("8080:80", &p), 0);
        cr_assert_str_eq(p.host_addr, "127.0.0.1");
        cr_assert_eq(p.host_port, 8080);
        cr_assert_eq(p.port, 80);
        cr_assert_not(p.udp);
        cr_assert_str_eq(launch_port_to_string(&p, buf, sizeof(buf)), "127.0.0.1:8080/tcp");

        cr_assert_eq(launch_port_parse("0.0.0.0:53:5353/udp", &p), 0);
        cr_assert_str_eq(p.host_addr, "0.0.0.0");
        cr_assert_eq(p.host_port, 53);
        cr_assert_eq(p.port, 5353);
        cr_assert(p.udp);
        cr_assert_str_eq(launch_port_to_string(&p, buf, sizeof(buf)), "0.0.0.0:53/udp");

        cr_assert_eq(launch_port_parse("[::1]:65535:1/tcp", &p), 0);
        cr_assert_str_eq(p.host_addr, "::1");
        cr_assert_eq(p.host_port, 65535);
        cr_assert_eq(p.port, 1);
        cr_assert_str_eq(launch_port_to_string(&p, buf, sizeof(buf)), "[::1]:65535/tcp");
}

Test(ports, parse_refuses)
{
        static const char *const bad[] = {
                "",
                "80",
                ":80",
                "80:",
                "0:80",
                "80:0",
                "65536:80",
                "80:123456",
                "8080:80/sctp",
                "8080:80/",
                "1.2.3:80:80",
                "host:80:80",
                "::1:80:80",
                "[::1]80:80",
                "[::1:80:80",
                "[]:80:80",
                "[1.2.3.4]:80:80",
                "a:b",
                "80:80:80:80",
                "-1:80",
                "+80:80",
                "80 :80",
        };
        LaunchPort p = { .host_port = 7 };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                cr_assert_eq(launch_port_parse(bad[i], &p), -EINVAL, "'%s'", bad[i]);
        /* nothing written on failure */
        cr_assert_eq(p.host_port, 7);
}

/* A TCP listener on 127.0.0.1 at a port the kernel picks. */
static int listener(unsigned *ret_port)
{
        struct sockaddr_in a = { .sin_family = AF_INET };
        socklen_t len = sizeof(a);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        cr_assert_geq(fd, 0);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        cr_assert_eq(listen(fd, 1), 0);
        cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
        *ret_port = ntohs(a.sin_port);
        return fd;
}

Test(ports, probe)
{
        LaunchPort p[2];
        size_t bad = 99;
        unsigned port;
        int fd = listener(&port);

        cr_assert_eq(launch_port_parse("1:1", &p[0]), 0);
        p[0].host_port = port;
        /* the taken one, second in the list */
        p[1] = p[0];
        p[0].host_port = port == 65535 ? port - 1 : port + 1;
        cr_assert_eq(launch_ports_probe(p, 2, &bad), -EADDRINUSE);
        cr_assert_eq(bad, 1);

        /* UDP on the same number is another port */
        p[1].udp = true;
        close(fd);
        fd = listener(&port);
        p[1].host_port = port;
        p[0] = p[1];
        p[0].udp = false;
        p[0].host_port = port == 65535 ? port - 1 : port + 1;
        cr_assert_eq(launch_ports_probe(p, 2, &bad), 0);

        /* free once the listener is gone; the same port twice is caught */
        close(fd);
        p[0] = p[1];
        p[0].udp = false;
        p[1].udp = false;
        cr_assert_eq(launch_ports_probe(p, 1, &bad), 0);
        cr_assert_eq(launch_ports_probe(p, 2, &bad), -EADDRINUSE);
        cr_assert_eq(bad, 1);

        /* an address that is not the host's */
        snprintf(p[0].host_addr, sizeof(p[0].host_addr), "192.0.2.1");
        cr_assert_eq(launch_ports_probe(p, 1, &bad), -EADDRNOTAVAIL);
        cr_assert_eq(bad, 0);
}

static char *joined(char **argv)
{
        size_t len = 1;
        char *s;

        for (char **a = argv; *a; a++)
                len += strlen(*a) + 1;
        s = xnew(char, len);
        for (char **a = argv; *a; a++) {
                strcat(s, *a);
                strcat(s, a[1] ? " " : "");
        }
        return s;
}

Test(ports, pasta_args)
{
        LaunchPort p[3];
        _cleanup_free_ char *none = NULL, *some = NULL, *udp = NULL;
        char **argv;

        argv = launch_pasta_port_args(NULL, 0);
        none = joined(argv);
        launch_strv_free(argv);
        cr_assert_str_eq(none, "-t none -u none -T none -U none");

        cr_assert_eq(launch_port_parse("8080:80", &p[0]), 0);
        cr_assert_eq(launch_port_parse("[::1]:8443:443", &p[1]), 0);
        argv = launch_pasta_port_args(p, 2);
        some = joined(argv);
        launch_strv_free(argv);
        cr_assert_str_eq(some, "-t 127.0.0.1/8080:80 -t ::1/8443:443 -u none -T none -U none");

        cr_assert_eq(launch_port_parse("10.0.0.1:53:53/udp", &p[2]), 0);
        argv = launch_pasta_port_args(&p[2], 1);
        udp = joined(argv);
        launch_strv_free(argv);
        cr_assert_str_eq(udp, "-u 10.0.0.1/53:53 -t none -T none -U none");
}
