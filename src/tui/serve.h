/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * ns top --listen: the Prometheus exposition of the top model served on
 * /metrics over HTTP. Never prints; returns -errno.
 *
 * libmicrohttpd (and gnutls, which it pulls in) is loaded with dlopen()
 * by serve_load(), for --listen only: linked, it cost every start of
 * ns-top, the screen's and -b's included, about 2.5 ms of relocation.
 */

#include <microhttpd.h>
#include <sys/socket.h>

#include "top-model.h"

/*
 * The soname Debian 12 ships (package libmicrohttpd12), hard-coded as
 * libsmartcols.so.1 and libproc2.so.0 are: the library has kept major 12
 * since Debian 9's 0.9.51, 1.0 included; a system with another major
 * gets dlopen()'s error from --listen, never a mismatched ABI.
 */
#define MHD_SONAME "libmicrohttpd.so.12"

/* The functions serve.c uses, named without "MHD_"; each pointer has the
 * type of the library's own prototype (MHD_start_daemon's varargs too). */
#define MHD_FUNCTIONS(X)               \
        X(start_daemon)                \
        X(stop_daemon)                 \
        X(create_response_from_buffer) \
        X(add_response_header)         \
        X(queue_response)              \
        X(destroy_response)

typedef struct Mhd {
#define MHD_POINTER(f) typeof(MHD_##f) *f;
        MHD_FUNCTIONS(MHD_POINTER)
#undef MHD_POINTER
} Mhd;

/* Load MHD_SONAME and every function above. Returns 0, or -ELIBACC with
 * the reason in *ret_error (to free). */
int serve_load(Mhd *ret, char **ret_error);

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
 * Serve m's exposition on /metrics at listen_fd (taken over), with the
 * functions serve_load() filled into mhd, until SIGINT or SIGTERM: each
 * scrape refreshes m, unless the last refresh is younger than max_age
 * seconds; other paths are 404. m has been refreshed once already and
 * stays the caller's. Returns 0 once a signal came, or -errno when the
 * server cannot start.
 */
int serve_run(const Mhd *mhd, TopModel *m, int listen_fd, double max_age);
