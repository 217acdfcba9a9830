/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * ns top --listen: the Prometheus exposition of the top model served on
 * /metrics over HTTP (libmicrohttpd, linked into ns-top only). Never
 * prints; returns -errno.
 */

#include <sys/socket.h>

#include "top-model.h"

typedef struct ServeAddress {
        struct sockaddr_storage addr;
        socklen_t len;
} ServeAddress;

/*
 * "PORT" (127.0.0.1), "ADDR:PORT" (a numeric IPv4 address or a host name)
 * or "[IPV6]:PORT". -EINVAL for anything else, ":PORT" included: every
 * address is said as 0.0.0.0 or [::], never by leaving it out.
 */
int serve_parse_address(const char *s, ServeAddress *ret);

/* A listening TCP socket on addr: the fd, or -errno (-EADDRINUSE). */
int serve_listen(const ServeAddress *addr);

/*
 * Serve m's exposition on /metrics at listen_fd (taken over) until
 * SIGINT or SIGTERM: each scrape refreshes m, unless the last refresh is
 * younger than max_age seconds; other paths are 404. m has been refreshed
 * once already and stays the caller's. Returns 0 once a signal came, or
 * -errno when the server cannot start.
 */
int serve_run(TopModel *m, int listen_fd, double max_age);
