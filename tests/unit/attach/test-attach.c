/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* attach.c's pure parts: status, id maps, LSM labels, environment, --keep. */
#include <criterion/criterion.h>

#include "attach.h"
#include "lookup.h"
#include "macro.h"

/* A real /proc/PID/status of a process in a user namespace (Linux 6.1),
 * cut to the lines around the ones attach reads. */
static const char status_rootless[] = "Name:\tsleep\n"
                                      "Umask:\t0022\n"
                                      "State:\tS (sleeping)\n"
                                      "Tgid:\t4711\n"
                                      "Uid:\t1000\t1000\t1000\t1000\n"
                                      "Gid:\t1000\t1000\t1000\t1000\n"
                                      "FDSize:\t64\n"
                                      "Groups:\t4 24 27 1000 \n"
                                      "NStgid:\t4711\t1\n"
                                      "CapInh:\t0000000000000000\n"
                                      "CapPrm:\t000001ffffffffff\n"
                                      "CapEff:\t000001ffffffffff\n"
                                      "CapBnd:\t000001ffffffffff\n"
                                      "CapAmb:\t0000000000000000\n"
                                      "NoNewPrivs:\t0\n"
                                      "Seccomp:\t0\n";

static const char status_docker[] = "Name:\tnginx\n"
                                    "Uid:\t101\t102\t103\t104\n"
                                    "Gid:\t201\t202\t203\t204\n"
                                    "Groups:\t\n"
                                    "CapInh:\t0000000000000000\n"
                                    "CapPrm:\t00000000a80425fb\n"
                                    "CapEff:\t00000000a80425fb\n"
                                    "CapBnd:\t00000000a80425fb\n"
                                    "CapAmb:\t0000000000000400\n"
                                    "NoNewPrivs:\t1\n";

Test(attach, parse_status)
{
        ProcCreds c;

        cr_assert_eq(attach_parse_status(status_rootless, &c), 0);
        for (int i = 0; i < 4; i++) {
                cr_assert_eq(c.uid[i], 1000);
                cr_assert_eq(c.gid[i], 1000);
        }
        cr_assert_eq(c.n_groups, 4);
        cr_assert_eq(c.groups[0], 4);
        cr_assert_eq(c.groups[3], 1000);
        cr_assert_eq(c.cap_prm, 0x1ffffffffffULL);
        cr_assert_eq(c.cap_bnd, 0x1ffffffffffULL);
        cr_assert_eq(c.cap_inh, 0);
        cr_assert(!c.no_new_privs);
        proc_creds_done(&c);

        cr_assert_eq(attach_parse_status(status_docker, &c), 0);
        cr_assert_eq(c.uid[0], 101);
        cr_assert_eq(c.uid[1], 102);
        cr_assert_eq(c.uid[2], 103);
        cr_assert_eq(c.uid[3], 104);
        cr_assert_eq(c.gid[3], 204);
        cr_assert_eq(c.n_groups, 0);
        cr_assert_eq(c.cap_eff, 0xa80425fbULL);
        cr_assert_eq(c.cap_amb, 0x400ULL);
        cr_assert(c.no_new_privs);
        proc_creds_done(&c);
}

Test(attach, parse_status_rejects)
{
        ProcCreds c;

        cr_assert_eq(attach_parse_status("", &c), -EINVAL);
        /* no capability lines: not something to take credentials from */
        cr_assert_eq(attach_parse_status("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n", &c), -EINVAL);
        cr_assert_eq(attach_parse_status("Uid:\t0\t0\n"
                                         "Gid:\t0\t0\t0\t0\nCapEff:\t0\n",
                                         &c),
                     -EINVAL);
        cr_assert_eq(attach_parse_status(
                             "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t1 x\nCapEff:\t0\n", &c),
                     -EINVAL);
        cr_assert_eq(attach_parse_status("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapEff:\tzz\n", &c),
                     -EINVAL);
}

Test(attach, map_id)
{
        /* rootless podman: root is the user, 1..65536 from /etc/subuid */
        static const char map[] = "         0       1000          1\n"
                                  "         1     100000      65536\n";
        uint32_t v;

        cr_assert_eq(attach_map_id(map, 1000, &v), 0);
        cr_assert_eq(v, 0);
        cr_assert_eq(attach_map_id(map, 100000, &v), 0);
        cr_assert_eq(v, 1);
        cr_assert_eq(attach_map_id(map, 165535, &v), 0);
        cr_assert_eq(v, 65536);
        cr_assert_eq(attach_map_id(map, 165536, &v), -ENOENT);
        cr_assert_eq(attach_map_id(map, 0, &v), -ENOENT);
        cr_assert_eq(attach_map_id(map, 999, &v), -ENOENT);
        /* the initial namespace maps everything to itself */
        cr_assert_eq(attach_map_id("         0          0 4294967295\n", 4242, &v), 0);
        cr_assert_eq(v, 4242);
        cr_assert_eq(attach_map_id("", 0, &v), -ENOENT);
}

Test(attach, lsm_label)
{
        char *l;

        cr_assert_null(attach_lsm_exec_label(""));
        cr_assert_null(attach_lsm_exec_label("unconfined\n"));
        cr_assert_null(attach_lsm_exec_label("unconfined (unconfined)\n"));
        cr_assert_null(attach_lsm_exec_label("kernel"));

        l = attach_lsm_exec_label("docker-default (enforce)\n");
        cr_assert_str_eq(l, "exec docker-default");
        free(l);
        l = attach_lsm_exec_label("lxc-container-default-cgns (complain)");
        cr_assert_str_eq(l, "exec lxc-container-default-cgns");
        free(l);

        /* the mode is the last parenthesis: the profile's name may hold one
         * (found by fuzz-lsm-label) */
        l = attach_lsm_exec_label("doct (enforceklt (enforce)\n");
        cr_assert_str_eq(l, "exec doct (enforceklt");
        free(l);
        /* no profile before the mode: not AppArmor's shape, left for the LSM to refuse */
        l = attach_lsm_exec_label(" (enforce)\n");
        cr_assert_str_eq(l, " (enforce)");
        free(l);

        /* SELinux contexts go as they are, without the trailing NUL */
        l = attach_lsm_exec_label("system_u:system_r:container_t:s0:c57,c1002");
        cr_assert_str_eq(l, "system_u:system_r:container_t:s0:c57,c1002");
        free(l);
}

Test(attach, build_env)
{
        static const char base[] = "PATH=/usr/bin:/bin\0HOME=/root\0NOEQUALS\0=bad\0TERM=dumb\0";
        char *set[] = {
                "TERM=xterm-256color", "NEW=1", "FROMHOST", "MISSING", "HOME=/home/x", NULL
        };
        char *host[] = { "FROMHOST=yes", "FROMHOSTX=no", NULL };
        char **env = attach_build_env(base, sizeof(base) - 1, set, host);
        size_t n = 0;

        for (char **p = env; *p; p++)
                n++;
        cr_assert_eq(n, 5);
        /* base order kept, replaced in place, additions at the end */
        cr_assert_str_eq(env[0], "PATH=/usr/bin:/bin");
        cr_assert_str_eq(env[1], "HOME=/home/x");
        cr_assert_str_eq(env[2], "TERM=xterm-256color");
        cr_assert_str_eq(env[3], "NEW=1");
        cr_assert_str_eq(env[4], "FROMHOST=yes");
        strv_free(env);

        env = attach_build_env(NULL, 0, NULL, NULL);
        cr_assert_null(env[0]);
        strv_free(env);
}

Test(attach, build_env_binary_safe)
{
        /* values with newlines, '=' and UTF-8 pass unchanged */
        static const char base[] = "A=x\ny=z\0B=\xc3\xa9t\xc3\xa9\0C=\0";
        char **env = attach_build_env(base, sizeof(base) - 1, NULL, NULL);

        cr_assert_str_eq(env[0], "A=x\ny=z");
        cr_assert_str_eq(env[1], "B=\xc3\xa9t\xc3\xa9");
        cr_assert_str_eq(env[2], "C=");
        cr_assert_null(env[3]);
        strv_free(env);
}

Test(attach, keep)
{
        const char *bad;
        size_t bad_len;
        unsigned k;

        cr_assert_eq(attach_keep_from_string("caps", &k, &bad, &bad_len), 0);
        cr_assert_eq(k, ATTACH_KEEP_CAPS);
        cr_assert_eq(attach_keep_from_string("caps,cgroup,creds,lsm,env", &k, &bad, &bad_len), 0);
        cr_assert_eq(k, ATTACH_KEEP_CAPS | ATTACH_KEEP_CGROUP | ATTACH_KEEP_CREDS |
                                ATTACH_KEEP_LSM | ATTACH_KEEP_ENV);
        cr_assert_eq(attach_keep_from_string("seccomp,env", &k, &bad, &bad_len), 0);
        cr_assert_eq(k, ATTACH_KEEP_SECCOMP | ATTACH_KEEP_ENV);
        cr_assert_eq(attach_keep_from_string("env,bogus,caps", &k, &bad, &bad_len), -EINVAL);
        cr_assert_eq(bad_len, 5);
        cr_assert_eq(strncmp(bad, "bogus", 5), 0);
        cr_assert_eq(attach_keep_from_string("", &k, &bad, &bad_len), -EINVAL);
        cr_assert_eq(attach_keep_from_string("caps,", &k, &bad, &bad_len), -EINVAL);
}

Test(attach, full_id_shape)
{
        cr_assert(lookup_is_full_id("0123456789ab"));
        cr_assert(!lookup_is_full_id("0123456789a"));
        cr_assert(!lookup_is_full_id("0123456789abc"));
        cr_assert(!lookup_is_full_id("0123456789aB"));
        cr_assert(!lookup_is_full_id("0123456789ag"));
}
