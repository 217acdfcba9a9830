/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pure helpers of attach: parsers of /proc/PID/status, uid_map and
 * attr/current, --keep, and the environment built for the command. No
 * system calls, so the unit tests run them on strings.
 */
#include <stdlib.h>
#include <string.h>

#include "attach-internal.h"
#include "passwd.h"
#include "util.h"

int attach_keep_from_string(const char *s, unsigned *ret, const char **ret_bad, size_t *ret_bad_len)
{
        static const struct {
                const char *name;
                unsigned flag;
        } words[] = {
                { "caps", ATTACH_KEEP_CAPS },   { "cgroup", ATTACH_KEEP_CGROUP },
                { "creds", ATTACH_KEEP_CREDS }, { "lsm", ATTACH_KEEP_LSM },
                { "env", ATTACH_KEEP_ENV },     { "seccomp", ATTACH_KEEP_SECCOMP },
        };
        unsigned keep = 0;

        for (const char *p = s;;) {
                size_t len = strcspn(p, ",");
                bool found = false;

                for (size_t i = 0; i < ELEMENTSOF(words); i++)
                        if (len == strlen(words[i].name) && strncmp(p, words[i].name, len) == 0) {
                                keep |= words[i].flag;
                                found = true;
                        }
                if (!found) {
                        *ret_bad = p;
                        *ret_bad_len = len;
                        return -EINVAL;
                }
                if (!p[len])
                        break;
                p += len + 1;
        }
        *ret = keep;
        return 0;
}

static int parse_ids4(const char *v, unsigned ret[4])
{
        unsigned long long x[4];
        if (sscanf(v, "%llu %llu %llu %llu", &x[0], &x[1], &x[2], &x[3]) != 4)
                return -EINVAL;
        for (int i = 0; i < 4; i++) {
                if (x[i] > UINT32_MAX)
                        return -ERANGE;
                ret[i] = (unsigned)x[i];
        }
        return 0;
}

int attach_parse_status(const char *status, ProcCreds *ret)
{
        ProcCreds c = {};
        unsigned seen = 0;

        for (const char *line = status; *line;) {
                const char *end = strchrnul(line, '\n');
                _cleanup_free_ char *l = xstrndup(line, (size_t)(end - line));
                char *v = strchr(l, ':');

                line = *end ? end + 1 : end;
                if (!v)
                        continue;
                *v++ = '\0';
                v += strspn(v, " \t");
                if (streq(l, "Uid")) {
                        if (parse_ids4(v, c.uid) < 0)
                                goto bad;
                        seen |= 1;
                } else if (streq(l, "Gid")) {
                        if (parse_ids4(v, c.gid) < 0)
                                goto bad;
                        seen |= 2;
                } else if (streq(l, "Groups")) {
                        for (char *p = v, *save = NULL, *tok; (tok = strtok_r(p, " \t", &save));
                             p = NULL) {
                                unsigned g;
                                if (parse_id(tok, &g) < 0)
                                        goto bad;
                                c.groups = xreallocarray(c.groups, c.n_groups + 1, sizeof(gid_t));
                                c.groups[c.n_groups++] = g;
                        }
                } else if (streq(l, "CapInh") || streq(l, "CapPrm") || streq(l, "CapEff") ||
                           streq(l, "CapBnd") || streq(l, "CapAmb")) {
                        char *e;
                        uint64_t x;

                        errno = 0;
                        x = strtoull(v, &e, 16);
                        if (errno || e == v)
                                goto bad;
                        if (streq(l, "CapInh"))
                                c.cap_inh = x;
                        else if (streq(l, "CapPrm"))
                                c.cap_prm = x;
                        else if (streq(l, "CapEff"))
                                c.cap_eff = x;
                        else if (streq(l, "CapBnd"))
                                c.cap_bnd = x;
                        else
                                c.cap_amb = x;
                        seen |= 4;
                } else if (streq(l, "NoNewPrivs"))
                        c.no_new_privs = v[0] == '1';
        }
        if (seen != 7)
                goto bad;
        *ret = c;
        return 0;
bad:
        free(c.groups);
        return -EINVAL;
}

void proc_creds_done(ProcCreds *c)
{
        free(c->groups);
        c->groups = NULL;
        c->n_groups = 0;
}

int attach_map_id(const char *map, uint32_t outside, uint32_t *ret_inside)
{
        for (const char *line = map; *line;) {
                const char *end = strchrnul(line, '\n');
                unsigned long long in, out, count;

                /* "inside outside count", as read from outside the namespace */
                if (sscanf(line, "%llu %llu %llu", &in, &out, &count) == 3 && outside >= out &&
                    outside - out < count) {
                        *ret_inside = (uint32_t)(in + (outside - out));
                        return 0;
                }
                line = *end ? end + 1 : end;
        }
        return -ENOENT;
}

char *attach_lsm_exec_label(const char *current)
{
        size_t n = strcspn(current, "\n");
        _cleanup_free_ char *label = xstrndup(current, n);
        char *mode;

        /* Drop the trailing NUL bytes some LSMs add. */
        label[strlen(label)] = '\0';
        while (n > 0 && (label[n - 1] == ' ' || label[n - 1] == '\0'))
                label[--n] = '\0';
        if (n == 0 || streq(label, "unconfined") || streq(label, "kernel"))
                return NULL;
        /*
         * AppArmor shows "profile (enforce)"; its exec attribute takes
         * "exec profile". The mode is last and the profile's own name may
         * hold " (" too: split at the last one. An empty profile is no
         * AppArmor label: it goes as it is, for the LSM to refuse.
         */
        mode = NULL;
        for (char *p = strstr(label, " ("); p; p = strstr(p + 1, " ("))
                mode = p;
        if (mode && mode > label && label[n - 1] == ')') {
                *mode = '\0';
                if (streq(label, "unconfined"))
                        return NULL;
                return xasprintf("exec %s", label);
        }
        return TAKE_PTR(label);
}

void strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

static size_t env_name_len(const char *s)
{
        const char *eq = strchr(s, '=');
        return eq ? (size_t)(eq - s) : strlen(s);
}

static void env_put(char ***env, size_t *n, char *assignment)
{
        size_t len = env_name_len(assignment);

        for (size_t i = 0; i < *n; i++)
                if (env_name_len((*env)[i]) == len && strncmp((*env)[i], assignment, len) == 0) {
                        free((*env)[i]);
                        (*env)[i] = assignment;
                        return;
                }
        *env = xreallocarray(*env, *n + 2, sizeof(char *));
        (*env)[(*n)++] = assignment;
        (*env)[*n] = NULL;
}

char **attach_build_env(const char *base, size_t base_len, char *const *set,
                        char *const *lookup_env)
{
        char **env = xnew(char *, 1);
        size_t n = 0;

        for (size_t off = 0; off < base_len;) {
                const char *s = base + off;
                size_t len = strnlen(s, base_len - off);

                /* an entry without '=' is not a variable: leave it out */
                if (len > 0 && memchr(s, '=', len) && s[0] != '=')
                        env_put(&env, &n, xstrndup(s, len));
                off += len + 1;
        }
        for (; set && *set; set++) {
                const char *s = *set;

                if (strchr(s, '=')) {
                        env_put(&env, &n, xstrdup(s));
                        continue;
                }
                for (char *const *e = lookup_env; e && *e; e++)
                        if (env_name_len(*e) == strlen(s) && strncmp(*e, s, strlen(s)) == 0 &&
                            (*e)[strlen(s)] == '=') {
                                env_put(&env, &n, xstrdup(*e));
                                break;
                        }
        }
        return env;
}
