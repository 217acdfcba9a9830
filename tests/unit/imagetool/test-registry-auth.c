/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* registry-auth.c: loopback hosts, Bearer challenges, token answers. */
#include <criterion/criterion.h>

#include "macro.h"
#include "registry.h"

Test(registry_auth, loopback)
{
        cr_assert(registry_host_is_loopback("localhost"));
        cr_assert(registry_host_is_loopback("localhost:5000"));
        cr_assert(registry_host_is_loopback("LocalHost:5000"));
        cr_assert(registry_host_is_loopback("127.0.0.1:5000"));
        cr_assert(registry_host_is_loopback("127.255.3.4"));
        cr_assert(registry_host_is_loopback("[::1]:5000"));
        cr_assert(registry_host_is_loopback("[::1]"));
        cr_assert_not(registry_host_is_loopback("128.0.0.1:5000"));
        cr_assert_not(registry_host_is_loopback("10.0.0.1"));
        cr_assert_not(registry_host_is_loopback("localhost.example.com"));
        cr_assert_not(registry_host_is_loopback("127.0.0.1.nip.io"));
        cr_assert_not(registry_host_is_loopback("[::2]:5000"));
        cr_assert_not(registry_host_is_loopback("docker.io"));
}

Test(registry_auth, docker_hub_challenge)
{
        AuthChallenge c;

        cr_assert_eq(auth_challenge_parse("Bearer realm=\"https://auth.docker.io/token\","
                                          "service=\"registry.docker.io\","
                                          "scope=\"repository:library/alpine:pull\"",
                                          &c),
                     0);
        cr_assert_str_eq(c.realm, "https://auth.docker.io/token");
        cr_assert_str_eq(c.service, "registry.docker.io");
        cr_assert_str_eq(c.scope, "repository:library/alpine:pull");
        auth_challenge_done(&c);
}

Test(registry_auth, challenge_forms)
{
        AuthChallenge c;

        /* case-insensitive scheme and names, spaces, tokens unquoted, escapes, no scope */
        cr_assert_eq(auth_challenge_parse("  bearer Realm=http://127.0.0.1:1/token , "
                                          "service=\"a \\\"b\\\"\", error=\"invalid_token\"",
                                          &c),
                     0);
        cr_assert_str_eq(c.realm, "http://127.0.0.1:1/token");
        cr_assert_str_eq(c.service, "a \"b\"");
        cr_assert_null(c.scope);
        auth_challenge_done(&c);

        cr_assert_eq(auth_challenge_parse("Basic realm=\"Registry\"", &c), -EOPNOTSUPP);
        cr_assert_eq(auth_challenge_parse("Bearerrealm=\"x\"", &c), -EOPNOTSUPP);
        cr_assert_eq(auth_challenge_parse("Bearer service=\"x\"", &c), -EINVAL);
        cr_assert_eq(auth_challenge_parse("Bearer realm=\"unterminated", &c), -EINVAL);
        cr_assert_eq(auth_challenge_parse("Bearer realm", &c), -EINVAL);
}

Test(registry_auth, token)
{
        char *t;
        static const char both[] = "{\"access_token\":\"second\",\"token\":\"first\"}";
        static const char oauth[] = "{\"access_token\":\"abc.def\",\"expires_in\":300}";
        static const char empty[] = "{\"token\":\"\",\"access_token\":\"x\"}";
        static const char none[] = "{\"expires_in\":300}";
        static const char newline[] = "{\"token\":\"a\\r\\nX-Evil: 1\"}";

        cr_assert_eq(auth_token_parse(both, strlen(both), &t), 0);
        cr_assert_str_eq(t, "first");
        free(t);
        cr_assert_eq(auth_token_parse(oauth, strlen(oauth), &t), 0);
        cr_assert_str_eq(t, "abc.def");
        free(t);
        cr_assert_eq(auth_token_parse(empty, strlen(empty), &t), 0);
        cr_assert_str_eq(t, "x");
        free(t);
        cr_assert_eq(auth_token_parse(none, strlen(none), &t), -ENOENT);
        /* a token goes into a header line: no header injection */
        cr_assert_eq(auth_token_parse(newline, strlen(newline), &t), -EINVAL);
        cr_assert_eq(auth_token_parse("nope", 4, &t), -EINVAL);
}
