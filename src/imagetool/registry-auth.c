/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pure parts of talking to a registry: whether its host is loopback
 * (which allows plain HTTP), the Bearer challenge of a 401 and the token
 * endpoint's answer (the distribution project's token specification).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "macro.h"
#include "registry.h"

bool registry_host_is_loopback(const char *host)
{
        _cleanup_free_ char *h = NULL;
        struct in6_addr a6;
        struct in_addr a4;
        char *colon;

        if (host[0] == '[') {
                const char *close = strchr(host, ']');

                if (!close)
                        return false;
                h = xstrndup(host + 1, (size_t)(close - host - 1));
                return inet_pton(AF_INET6, h, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
        }
        h = xstrdup(host);
        colon = strchr(h, ':');
        if (colon)
                *colon = '\0';
        if (strcasecmp(h, "localhost") == 0)
                return true;
        /* 127.0.0.0/8 */
        return inet_pton(AF_INET, h, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

void auth_challenge_done(AuthChallenge *c)
{
        free(c->realm);
        free(c->service);
        free(c->scope);
        *c = (AuthChallenge){};
}

/* auth-param = token "=" ( token / quoted-string ), RFC 7235 */
static int param_next(const char **pp, char **ret_key, char **ret_value)
{
        const char *p = *pp, *k;
        _cleanup_free_ char *key = NULL;
        char *value;
        size_t n = 0;

        while (*p == ' ' || *p == '\t' || *p == ',')
                p++;
        if (!*p)
                return 0;
        k = p;
        while (*p && *p != '=' && *p != ' ' && *p != ',')
                p++;
        if (*p != '=' || p == k)
                return -EINVAL;
        key = xstrndup(k, (size_t)(p - k));
        p++;
        value = xmalloc(strlen(p) + 1);
        if (*p == '"') {
                for (p++; *p && *p != '"'; p++) {
                        if (*p == '\\' && p[1])
                                p++;
                        value[n++] = *p;
                }
                if (*p != '"') {
                        free(value);
                        return -EINVAL;
                }
                p++;
        } else
                while (*p && *p != ',' && *p != ' ' && *p != '\t')
                        value[n++] = *p++;
        value[n] = '\0';
        *pp = p;
        *ret_key = TAKE_PTR(key);
        *ret_value = value;
        return 1;
}

int auth_challenge_parse(const char *header, AuthChallenge *ret)
{
        _cleanup_(auth_challenge_done) AuthChallenge c = {};
        const char *p = header;
        int r;

        while (*p == ' ' || *p == '\t')
                p++;
        if (strncasecmp(p, "Bearer", 6) != 0 || (p[6] != ' ' && p[6] != '\t'))
                return -EOPNOTSUPP;
        p += 6;

        for (;;) {
                _cleanup_free_ char *key = NULL, *value = NULL;

                r = param_next(&p, &key, &value);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                /* parameter names are case-insensitive; the first one wins */
                if (strcasecmp(key, "realm") == 0 && !c.realm)
                        c.realm = TAKE_PTR(value);
                else if (strcasecmp(key, "service") == 0 && !c.service)
                        c.service = TAKE_PTR(value);
                else if (strcasecmp(key, "scope") == 0 && !c.scope)
                        c.scope = TAKE_PTR(value);
        }
        if (!c.realm || !*c.realm)
                return -EINVAL;
        *ret = c;
        c = (AuthChallenge){};
        return 0;
}

int auth_token_parse(const char *json, size_t len, char **ret)
{
        const char *end = json + len;
        char *t = NULL;
        int r;

        if (!json_is(json, end, '{'))
                return -EINVAL;
        /* "token" is the spec's; "access_token" the OAuth 2 name some use */
        r = json_object_get_string(json, end, "token", &t);
        if (r < 0)
                return r;
        if (r == 0 || !*t) {
                free(t);
                t = NULL;
                r = json_object_get_string(json, end, "access_token", &t);
                if (r < 0)
                        return r;
                if (r == 0 || !*t) {
                        free(t);
                        return -ENOENT;
                }
        }
        /* it goes into a header line */
        for (const char *p = t; *p; p++)
                if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f) {
                        free(t);
                        return -EINVAL;
                }
        *ret = t;
        return 0;
}
