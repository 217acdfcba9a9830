/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pure matchers of naming.c on the real-world samples in
 * tests/fixtures/runtimes (see its INDEX.md for where each came from and
 * what it should give), plus the shapes the samples do not cover.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>

#include "json.h"
#include "macro.h"
#include "naming.h"
#include "util.h"

static char *fixture_len(const char *rel, size_t *ret_len)
{
        _cleanup_free_ char *path = NULL;
        const char *dir = getenv("NS_FIXTURES");
        char *buf = NULL;
        int r;

        cr_assert_not_null(dir, "NS_FIXTURES is not set (the source tree's tests/fixtures)");
        path = xasprintf("%s/runtimes/%s", dir, rel);
        r = read_file_at(AT_FDCWD, path, 0, &buf, ret_len);
        cr_assert_eq(r, 0, "cannot read fixture %s: %s", path, strerror(-r));
        return buf;
}

static char *fixture(const char *rel)
{
        return fixture_len(rel, NULL);
}

/* --- cgroup files and paths, one row of INDEX.md each --- */

/*
 * Plain arrays, no pointers: Criterion copies parameters into the test's
 * own process, where static addresses may differ.
 */
typedef struct CgroupCase {
        char file[80];
        Runtime runtime;
        char id[72];   /* "" when none */
        char name[48]; /* "" when none */
        bool monitor;
} CgroupCase;

static CgroupCase cgroup_cases[] = {
        { "docker-v1-cgroupfs/cgroup", RUNTIME_DOCKER,
          "2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d", "", false },
        { "docker-v1-cgroupfs/cgroup.libdatadog", RUNTIME_DOCKER,
          "9d5b23edb1ba181e8910389a99906598d69ac9a0ead109ee55730cc416d95f7f", "", false },
        { "docker-v1-cgroupfs/cgroup.partial-root-systemd", RUNTIME_DOCKER,
          "5dace3de0735f73d2b5048f12d41a71741a02e49668de921fdae62f7e65dc498", "", false },
        { "docker-v1-cgroupfs/cgroup.ubuntu-name-systemd-12", RUNTIME_DOCKER,
          "31cb02944da7a12196a193cf0e0f6c226d7c453a1db62e65ba98287593a2ee30", "", false },
        /* No runtime marker: an id, runtime unknown (identify.c asks the runtimes' metadata). */
        { "docker-v1-cgroupfs/cgroup.no-docker-prefix", RUNTIME_UNKNOWN,
          "4f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c38428142970", "", false },
        { "docker-v1-systemd/cgroup", RUNTIME_DOCKER,
          "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d", "", false },
        { "docker-v1-systemd/cgroup.init-scope-prefix", RUNTIME_DOCKER,
          "b33dda97580e721a69fa81742190341f858ea809ec4a9d74a8cfd411b0ee7c26", "", false },
        { "docker-v2-systemd/cgroup", RUNTIME_DOCKER,
          "b508e2673897c4f521d858f56dab18e31ddbfc1f83300fb9793c8a4052af8f05", "", false },
        { "docker-v2-systemd/cgroup.seen-from-other-cgroupns", RUNTIME_DOCKER,
          "1f1d6e2d4940ddac13abd421a2617992bf89f0e0f9a902ed58278c5f843e9ae7", "", false },
        { "docker-rootless-v2/cgroup.ASSEMBLED", RUNTIME_DOCKER,
          "b508e2673897c4f521d858f56dab18e31ddbfc1f83300fb9793c8a4052af8f05", "", false },
        { "docker-dind/cgroup", RUNTIME_DOCKER,
          "ec08435e04266c5ba381fccbb829f626d11d8ddf5f8f547263c7a2d79ab4787a", "", false },
        { "docker-dind/cgroup-path.k8s-dind", RUNTIME_DOCKER,
          "fb651068cfbd4bf3d45fb092ec9451f8d1a36b3753687bbaa0a9920617eae5b9", "", false },
        { "docker-dind/cgroup.inner-dockerd-v1", RUNTIME_DOCKER,
          "81950eac55062e5d8e7b5567d1036e4b146dfe212bdc9263c97347e6ce86b904", "", false },
        { "k8s-dockershim-v1-systemd/cgroup", RUNTIME_DOCKER,
          "b5b6f2da8008be266864f896f93789762b2ce50792114a5c5f2cc3315af0bc70", "", false },
        { "k8s-dockershim-v1-systemd/cgroup-path.guaranteed", RUNTIME_DOCKER,
          "523b624a86a2a74c2bedf586d8448c86887ef7858a8dec037d6559e5ad3fccb5", "", false },
        { "k8s-dockershim-v1-systemd/cgroup-path.besteffort", RUNTIME_DOCKER,
          "caa8a5e51cd6610f8f0110b491e8187d23488b9635acccf0355a7975fd3ff158", "", false },
        { "k8s-cgroupfs-ambiguous/cgroup.besteffort-2017", RUNTIME_KUBERNETES,
          "cb1eadb7abe3a6545e9856411207073277838e1bdc003337c2f8685faeedc32c", "", false },
        { "k8s-cgroupfs-ambiguous/cgroup.merged-controllers", RUNTIME_KUBERNETES,
          "da31e536c8d61304a6d5998d163d12400a7a9a1003e1d86369e8fadb022fc17d", "", false },
        { "k8s-cgroupfs-ambiguous/cgroup.subcgroup-below-container", RUNTIME_KUBERNETES,
          "c04e0a88a1de067f25bece337d4dbb897396e0b623c2a65330850fc9823f1903", "", false },
        { "k8s-cgroupfs-ambiguous/cgroup.dd-trace-go-burstable", RUNTIME_KUBERNETES,
          "8c046cb0b72cd4c99f51b5591cd5b095967f58ee003710a45280c28ee1a9c7fa", "", false },
        { "k8s-containerd-v1-cgroupfs/cgroup", RUNTIME_KUBERNETES,
          "5dd96d5394ca930a854a390ea46f7515a8bc930123eb3251ba20f2708a38fc61", "", false },
        { "k8s-containerd-v1-systemd/cgroup", RUNTIME_CONTAINERD,
          "f45298cd514d1930c4fe3afc4412e59547f7e3148fddd22ca33cefce046eb830", "", false },
        { "k8s-containerd-v1-systemd-colon/cgroup", RUNTIME_CONTAINERD,
          "d3d8ccf5cca91931c6285c1d7472c413dd5a7700fddc0aa9f89a9ac7008b003e", "", false },
        { "k8s-containerd-v1-systemd-colon/cgroup.elastic-one-line", RUNTIME_CONTAINERD,
          "0f99ad5f45163ed14ab8eaf92ed34bb4a631d007f8755a7d79be614bcb0df0ef", "", false },
        { "k8s-containerd-v2-systemd/cgroup", RUNTIME_CONTAINERD,
          "25d057a4c6c9555f2a0eb106e8896968c28f1c44aca4754174851aca7f89ad26", "", false },
        { "k8s-containerd-v2-systemd/cgroup-path.kind-nested", RUNTIME_CONTAINERD,
          "a09bc17f5aa29b0dbdec9ede5f46cf1396d2405917ab02e6f1eb1019f388396e", "", false },
        { "k8s-crio-v1-systemd/cgroup", RUNTIME_CRIO,
          "d6d725b909f37c3e232aadfbafa950a58bfe7baa579ba8c47a12be88bb921607", "", false },
        { "k8s-crio-v1-systemd/cgroup.static-pod-uid", RUNTIME_CRIO,
          "7a1fd6fe8cdfbd44dc78c4cc85dad7031eaab4365801684cad0aabdeaf863f9e", "", false },
        { "k8s-crio-v2-systemd/cgroup", RUNTIME_CRIO,
          "f33f47b0db740bb647cb3e7ac62d96c74966dbb99cbfaf4563bfd42d387e8b44", "", false },
        { "k8s-crio-cgroupfs/cgroup-path", RUNTIME_CRIO,
          "81e5c2990803c383229c9680ce964738d5e566d97f5bd436ac34808d2ec75d5f", "", false },
        { "k8s-crio-cgroupfs/cgroup-path.conmon", RUNTIME_CRIO,
          "81e5c2990803c383229c9680ce964738d5e566d97f5bd436ac34808d2ec75d5f", "", true },
        { "k8s-crio-in-docker/cgroup-path.DERIVED", RUNTIME_CRIO,
          "358607a37e7ada357032e7f5729c9ae6a3efdb7962acbcbe47ff6a3c5506cb1c", "", false },
        { "podman-v1-rootful-systemd/cgroup", RUNTIME_PODMAN,
          "2521e906f0a0c758c3a7dc4fd68c197e32e96abb4b36807d0b0ede6d014a7c24", "", false },
        { "podman-v2-rootless/cgroup", RUNTIME_PODMAN,
          "3f084b4c7b789c1a0f174da3fcd339e31125d3096b3ff46a0bef4fad71d09362", "", false },
        { "podman-v2-rootless/cgroup.second-sample", RUNTIME_PODMAN,
          "974a75c8cf45648fcc6e718ba92ee1f2034463674f0d5b0c50f5cab041a4cbd6", "", false },
        { "podman-v2-rootful/cgroup.ASSEMBLED", RUNTIME_PODMAN,
          "2521e906f0a0c758c3a7dc4fd68c197e32e96abb4b36807d0b0ede6d014a7c24", "", false },
        { "podman-v2-root-user-manager/cgroup", RUNTIME_PODMAN,
          "cf21d19260ace8544fe8b769fc2638bf2c0873dfbfff0b6253f0569b26a1d5eb", "", false },
        { "podman-v2-conmon/cgroup", RUNTIME_PODMAN,
          "551ccf517b3394d9b953efeb8296b93451e45c2a8288518e4391d7b1db3cc9ee", "", true },
        { "podman-v1-cgroupfs/cgroup-path", RUNTIME_PODMAN,
          "c3be953da46e015e93a9de37c547a7587a32d609fad3ca721135937833d94a1e", "", false },
        { "podman-cgroups-split/cgroup-path", RUNTIME_PODMAN,
          "9cc35a907a1e4e7ac8c021758b2bb28db60b3a787115f9114a641bf44f8ba99b", "", false },
        { "lxc-v2/cgroup", RUNTIME_LXC, "", "focal", false },
        { "lxc-legacy-v1/cgroup-path", RUNTIME_LXC, "", "mysql-1", false },
        /* Captured on this project's CI machine: LXC 5.0.2 on a v1 hybrid host. */
        { "local/lxc-5.0.2-payload.cgroup", RUNTIME_LXC, "", "lxtest", false },
        { "local/lxc-5.0.2-monitor.cgroup", RUNTIME_LXC, "", "lxtest", true },
        { "nspawn/cgroup.ASSEMBLED", RUNTIME_NSPAWN, "", "TEST-13-NSPAWN.machinectl-bind.7ye",
          false },
        { "nspawn/cgroup.supervisor.ASSEMBLED", RUNTIME_NSPAWN, "",
          "TEST-13-NSPAWN.machinectl-bind.7ye", true },
        { "nspawn/cgroup.simple-name.ASSEMBLED", RUNTIME_NSPAWN, "", "rawhide", false },
        { "flatpak/cgroup", RUNTIME_FLATPAK, "273822986", "org.gnome.Recipes", false },
        { "snap/cgroup.DERIVED", RUNTIME_SNAP, "", "firefox", false },
        { "snap/cgroup-path.service-in-quota-group", RUNTIME_SNAP, "",
          "go-example-webserver.webserver", false },
        { "ecs-ec2/cgroup", RUNTIME_DOCKER,
          "38fac3e99302b3622be089dd41e7ccf38aff368a86cc339972075136ee2710ce", "", false },
        { "ecs-ec2/cgroup.uuid-task-id", RUNTIME_DOCKER,
          "7e9139716d9e5d762d22f9f877b87d1be8b1449ac912c025a984750c5dbff157", "", false },
        { "ecs-fargate/cgroup.platform-1.3", RUNTIME_DOCKER,
          "432624d2150b349fe35ba397284dea788c2bf66b885d14dfc1569b01890ca7da", "", false },
        { "ecs-fargate/cgroup.platform-1.4", RUNTIME_CONTAINERD,
          "8cd79a803caf4d2aa945152e934a5c00-1053176469", "", false },
        { "ecs-fargate/cgroup.elastic-one-line", RUNTIME_CONTAINERD,
          "03752a671e744971a862edcee6195646-4015103728", "", false },
        { "cloudfoundry-garden/cgroup", RUNTIME_GARDEN, "6f265890-5165-7fab-6b52-18d1", "", false },
};

ParameterizedTestParameters(naming, cgroup_fixture)
{
        return cr_make_param_array(CgroupCase, cgroup_cases, ELEMENTSOF(cgroup_cases));
}

ParameterizedTest(CgroupCase *c, naming, cgroup_fixture)
{
        _cleanup_free_ char *content = fixture(c->file);
        CgroupMatch m;

        cr_assert_eq(naming_match_cgroup(content, &m), 1, "%s: no match", c->file);
        cr_expect_eq(m.runtime, c->runtime, "%s: runtime %s, expected %s", c->file,
                     runtime_to_string(m.runtime), runtime_to_string(c->runtime));
        cr_expect_str_eq(m.id, c->id, "%s: id", c->file);
        cr_expect_str_eq(m.name, c->name, "%s: name", c->file);
        cr_expect_eq(m.monitor, c->monitor, "%s: monitor", c->file);

        /* A cgroup-path file is one bare path: the path matcher agrees with the file matcher. */
        if (strstr(c->file, "/cgroup-path")) {
                CgroupMatch p;

                content[strcspn(content, "\n")] = '\0';
                cr_assert_eq(naming_match_cgroup_path(content, &p), 1, "%s", c->file);
                cr_expect_eq(p.runtime, m.runtime);
                cr_expect_str_eq(p.id, m.id);
                cr_expect_str_eq(p.name, m.name);
                cr_expect_eq(p.monitor, m.monitor);
        }
}

/* Files in which nothing names a runtime. */
static const char *const cgroup_negative[] = {
        "cgroupns-inside-view/cgroup.docker-v2",
        "cgroupns-inside-view/cgroup.hybrid-net_cls",
        "cgroupns-inside-view/cgroup.lxc-attach",
        "lxc-inside-v1-hybrid/cgroup",
        "podman-v2-cgroups-disabled/cgroup",
        "podman-v2-cgroups-disabled/cgroup.podman-unshare",
        "containerd-ctr-namespaced/cgroup",
        /* nspawn without a machine scope (--keep-unit): the process tree tells, not the path. */
        "local/nspawn-252-keep-unit-payload.cgroup",
        "local/nspawn-252-keep-unit-supervisor.cgroup",
};

Test(naming, cgroup_negative_fixtures)
{
        for (size_t i = 0; i < ELEMENTSOF(cgroup_negative); i++) {
                _cleanup_free_ char *content = fixture(cgroup_negative[i]);
                CgroupMatch m = { .runtime = RUNTIME_MAX };

                cr_expect_eq(naming_match_cgroup(content, &m), 0, "%s matched %s",
                             cgroup_negative[i], runtime_to_string(m.runtime));
                /* Written only on success. */
                cr_expect_eq(m.runtime, RUNTIME_MAX, "%s", cgroup_negative[i]);
        }
}

static void expect_path(const char *path, Runtime runtime, const char *id, const char *name,
                        bool monitor)
{
        CgroupMatch m;

        cr_assert_eq(naming_match_cgroup_path(path, &m), 1, "%s: no match", path);
        cr_expect_eq(m.runtime, runtime, "%s: runtime %s", path, runtime_to_string(m.runtime));
        cr_expect_str_eq(m.id, id, "%s: id", path);
        cr_expect_str_eq(m.name, name, "%s: name", path);
        cr_expect_eq(m.monitor, monitor, "%s: monitor", path);
}

static void expect_no_match(const char *path)
{
        CgroupMatch m;

        cr_expect_eq(naming_match_cgroup_path(path, &m), 0, "%s matched %s (id '%s', name '%s')",
                     path, runtime_to_string(m.runtime), m.id, m.name);
}

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

Test(naming, cgroup_shapes_without_samples)
{
        /* Rootless podman in a pod (podman#6400 pattern). */
        expect_path("/user.slice/user-1000.slice/user@1000.service/user.slice/"
                    "user-libpod_pod_" HEX64 ".slice/libpod-" HEX64 ".scope/container",
                    RUNTIME_PODMAN, HEX64, "", false);
        /* CRI-O with crun's "container" subgroup on v2. */
        expect_path("/kubepods.slice/kubepods-pod1.slice/crio-" HEX64 ".scope/container",
                    RUNTIME_CRIO, HEX64, "", false);
        expect_path("/kubepods.slice/kubepods-pod1.slice/crio-conmon-" HEX64 ".scope", RUNTIME_CRIO,
                    HEX64, "", true);
        /* The colon form with the other runtimes' prefixes. */
        expect_path("/kubepods-besteffort-pod1.slice:crio:" HEX64, RUNTIME_CRIO, HEX64, "", false);
        expect_path("/kubepods-besteffort-pod1.slice:docker:" HEX64, RUNTIME_DOCKER, HEX64, "",
                    false);
        /* nerdctl on systemd. */
        expect_path("/system.slice/nerdctl-" HEX64 ".scope", RUNTIME_CONTAINERD, HEX64, "", false);
        /* Docker's cgroupfs driver on v2. */
        expect_path("/docker/" HEX64, RUNTIME_DOCKER, HEX64, "", false);
        /* The innermost container wins: docker inside an LXC system container. */
        expect_path("/lxc.payload.c1/system.slice/docker-" HEX64 ".scope", RUNTIME_DOCKER, HEX64,
                    "", false);
        expect_path("/lxc.payload.c1/system.slice/avahi-daemon.service", RUNTIME_LXC, "", "c1",
                    false);
        /* LXD projects and LXC 3.x. */
        expect_path("/lxc.payload.proj_web/init.scope", RUNTIME_LXC, "", "proj_web", false);
        expect_path("/lxc.payload/c2/init.scope", RUNTIME_LXC, "", "c2", false);
        expect_path("/lxc.monitor/c2", RUNTIME_LXC, "", "c2", true);
        /* nspawn names with systemd escapes of other characters. */
        expect_path("/machine.slice/machine-a\\x2db\\x5fc.scope/payload/system.slice/x.service",
                    RUNTIME_NSPAWN, "", "a-b_c", false);
        /* flatpak app ids with '-'; older flatpak put its pid where the instance is. */
        expect_path("/user.slice/user-1000.slice/user@1000.service/app.slice/"
                    "app-flatpak-com.github.tchx84.Flatseal-some-1234.scope",
                    RUNTIME_FLATPAK, "1234", "com.github.tchx84.Flatseal-some", false);
        /* snap: an app named differently from its snap, the old ".<uuid>" form, a hook. */
        expect_path("/user.slice/app.slice/snap.lxd.lxc-0a1b2c3d-0000-4000-8000-00000000abcd.scope",
                    RUNTIME_SNAP, "", "lxd.lxc", false);
        expect_path("/snap.foo.foo.0a1b2c3d-0000-4000-8000-00000000abcd.scope", RUNTIME_SNAP, "",
                    "foo", false);
        expect_path("/snap.foo.hook.configure-0a1b2c3d-0000-4000-8000-00000000abcd.scope",
                    RUNTIME_SNAP, "", "foo.hook.configure", false);
        expect_path("/system.slice/snap.docker.dockerd.service", RUNTIME_SNAP, "", "docker.dockerd",
                    false);
        /* A docker container of the snap docker: the container, not the snap. */
        expect_path("/system.slice/snap.docker.dockerd.service/docker/" HEX64, RUNTIME_DOCKER,
                    HEX64, "", false);
        /* ECS with a cluster component. */
        expect_path("/ecs/cluster/0123456789abcdef0123456789abcdef/" HEX64, RUNTIME_DOCKER, HEX64,
                    "", false);
}

Test(naming, cgroup_negative_shapes)
{
        /* This CI machine's own cgroup: a 32-hex leaf is not a container id. */
        expect_no_match("/process_api/fe13e02a3192aa18d56b61c4c2c10cfd");
        expect_no_match("/");
        expect_no_match("");
        expect_no_match("/..");
        expect_no_match("/system.slice/docker.service");
        expect_no_match("/system.slice/containerd.service");
        expect_no_match("/user.slice/user-1000.slice/session-2.scope");
        expect_no_match("/init.scope");
        /* Ids must be exactly 64 lowercase hex digits. */
        expect_no_match("/system.slice/docker-abc.scope");
        expect_no_match("/system.slice/docker-" HEX64 "0.scope");
        expect_no_match("/system.slice/docker-0123456789ABCDEF0123456789abcdef"
                        "0123456789abcdef0123456789abcdef.scope");
        expect_no_match("/machine.slice/libpod-pod.slice");
        /* libvirt's machines are registered with machined too, but are not nspawn's. */
        expect_no_match("/machine.slice/machine-qemu\\x2d1\\x2dfedora.scope/libvirt/emulator");
        expect_no_match("/machine.slice/machine-lxc\\x2d4242\\x2dweb.scope");
        /* GNOME's own app scopes are not flatpak's. */
        expect_no_match("/user.slice/user-1000.slice/user@1000.service/app.slice/"
                        "app-gnome-firefox-4242.scope");
        expect_no_match("/app.slice/app-flatpak-org.foo.Bar-abc.scope");
        expect_no_match("/app.slice/app-flatpak--42.scope");
        expect_no_match("/snap.foo.slice");
        /* Found by fuzzing: prefix and suffix overlap. */
        expect_no_match("/snap.scope");
        expect_no_match("/snap.service");
        expect_no_match("/machine-.scope");
        expect_no_match("/snapd.service");
        expect_no_match("/.lxc");
        expect_no_match("/lxc.payload.");
        /* "/lxc/<name>" is LXC's only at the top. */
        expect_no_match("/system.slice/lxc/foo");
        expect_no_match("/garden");
        /* podman --cgroups=disabled and podman unshare. */
        expect_no_match(
                "/user.slice/user-1000.slice/user@1000.service/user.slice/podman-6696.scope");
        /* A name too long for CgroupMatch is refused rather than cut. */
        {
                char path[600] = "/lxc.payload.";
                memset(path + strlen(path), 'a', 300);
                path[strlen("/lxc.payload.") + 300] = '\0';
                expect_no_match(path);
        }
}

Test(naming, cgroup_file_lines)
{
        CgroupMatch m;

        /* No trailing newline, a bare path line, empty lines. */
        cr_expect_eq(naming_match_cgroup("0::/system.slice/docker-" HEX64 ".scope", &m), 1);
        cr_expect_eq(m.runtime, RUNTIME_DOCKER);
        cr_expect_eq(naming_match_cgroup("\n\n/docker/" HEX64 "\n", &m), 1);
        cr_expect_str_eq(m.id, HEX64);
        cr_expect_eq(naming_match_cgroup("", &m), 0);
        cr_expect_eq(naming_match_cgroup(NULL, &m), 0);
        cr_expect_eq(naming_match_cgroup("garbage\nmore garbage\n", &m), 0);
        /* A runtime marker beats a bare id on another line; a payload beats a monitor. */
        cr_expect_eq(naming_match_cgroup(
                             "2:cpu:/" HEX64 "\n1:name=systemd:/kubepods/besteffort/pod1/"
                             "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\n"
                             "0::/system.slice/crio-" HEX64 ".scope\n",
                             &m),
                     1);
        cr_expect_eq(m.runtime, RUNTIME_CRIO);
        cr_expect_eq(
                naming_match_cgroup("1:name=systemd:/machine.slice/machine-a.scope/supervisor\n"
                                    "0::/machine.slice/machine-a.scope/payload\n",
                                    &m),
                1);
        cr_expect_eq(m.monitor, false);
        /* A controller that nested docker did not delegate still shows the outer container. */
        cr_expect_eq(naming_match_cgroup(
                             "3:cpu:/docker/" HEX64 "\n"
                             "2:memory:/docker/" HEX64 "/docker/"
                             "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\n",
                             &m),
                     1);
        cr_expect_str_eq(m.id, "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
}

Test(naming, task_candidate)
{
        _cleanup_free_ char *content = fixture("containerd-ctr-namespaced/cgroup");
        _cleanup_free_ char *ns = NULL, *id = NULL;

        cr_assert_eq(naming_cgroup_task_candidate(content, &ns, &id), 1);
        cr_expect_str_eq(ns, "system");
        cr_expect_str_eq(id, "etcd");

        cr_expect_eq(naming_cgroup_task_candidate("0::/kubelet\n", &ns, &id), 0);
        cr_expect_eq(naming_cgroup_task_candidate("0::/system.slice/cron.service\n", &ns, &id), 0);
        cr_expect_eq(naming_cgroup_task_candidate("0::/user.slice/user-1000.slice\n", &ns, &id), 0);
        cr_expect_eq(naming_cgroup_task_candidate("0::/\n", &ns, &id), 0);
        cr_expect_eq(naming_cgroup_task_candidate("0::/a/b/c\n", &ns, &id), 0);
        cr_expect_eq(naming_cgroup_task_candidate("0::/../x\n", &ns, &id), 0);
        cr_expect_eq(naming_cgroup_task_candidate(NULL, &ns, &id), 0);
}

Test(naming, unescape_unit)
{
        const struct {
                const char *in, *out;
        } t[] = {
                { "TEST\\x2d13", "TEST-13" }, { "a\\x2Fb", "a/b" },   { "\\x00", "\\x00" },
                { "trail\\x2", "trail\\x2" }, { "\\xzz", "\\xzz" },   { "", "" },
                { "plain", "plain" },         { "\\x2d\\x2d", "--" },
        };

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                _cleanup_free_ char *s = naming_unescape_unit(t[i].in, strlen(t[i].in));
                cr_expect_str_eq(s, t[i].out, "unescape '%s'", t[i].in);
        }
}

Test(naming, runtime_strings)
{
        for (int r = 0; r < RUNTIME_MAX; r++) {
                const char *s = runtime_to_string((Runtime)r);

                cr_assert_not_null(s);
                cr_expect_eq(runtime_from_string(s), (Runtime)r, "%s", s);
        }
        cr_expect_str_eq(runtime_to_string(RUNTIME_UNKNOWN), "-");
        cr_expect_str_eq(runtime_to_string(RUNTIME_CRIO), "cri-o");
        cr_expect_str_eq(runtime_to_string(RUNTIME_INVALID), "-");
        cr_expect_str_eq(runtime_to_string(RUNTIME_MAX), "-");
        cr_expect_eq(runtime_from_string("nope"), RUNTIME_INVALID);
        cr_expect_eq(runtime_from_string(NULL), RUNTIME_INVALID);
}

/* --- metadata files --- */

static void expect_name(int (*parse)(const char *, char **), const char *file, int r_expected,
                        const char *name_expected)
{
        _cleanup_free_ char *content = fixture(file), *name = NULL;
        int r = parse(content, &name);

        cr_expect_eq(r, r_expected, "%s: %d", file, r);
        if (name_expected)
                cr_expect_str_eq(name ?: "(null)", name_expected, "%s", file);
        else
                cr_expect_null(name, "%s: name '%s'", file, name);
}

Test(naming, docker_config_fixtures)
{
        expect_name(naming_docker_config, "docker-metadata/config.v2.json", 1, "ubuntu");
        /* The decoy "Name" keys in NetworkSettings.Service and MountPoints are not taken. */
        expect_name(naming_docker_config, "docker-metadata/config.v2.json.modern-shape.ASSEMBLED",
                    1, "ubuntu");
        /* hostconfig.json holds RestartPolicy.Name ("no"), and no top-level Name. */
        expect_name(naming_docker_config, "docker-metadata/hostconfig.json", 0, NULL);
}

static void expect_docker(const char *json, int r_expected, const char *name_expected)
{
        _cleanup_free_ char *name = NULL;
        int r = naming_docker_config(json, &name);

        cr_expect_eq(r, r_expected, "%s: %d", json, r);
        if (name_expected)
                cr_expect_str_eq(name ?: "(null)", name_expected, "%s", json);
        else
                cr_expect_null(name, "%s", json);
}

Test(naming, docker_config_json_edges)
{
        /* Nested decoys before the real key, with strings holding brackets and escaped quotes. */
        expect_docker("{\"A\":{\"Name\":\"/decoy\",\"x\":[\"}\",{\"Name\":\"]\\\"{\"}]},"
                      "\"Name\":\"/real\"}",
                      1, "real");
        expect_docker("{\"Config\":{\"Name\":\"/decoy\"}}", 0, NULL);
        /* Escapes in keys and values, a surrogate pair. */
        expect_docker("{\"N\\u0061me\":\"/caf\\u00e9\\ud83d\\ude00\"}", 1,
                      "caf\xc3\xa9\xf0\x9f\x98\x80");
        expect_docker("{\"Name\":\"/a\\/b\\n\"}", 1, "a/b\n");
        expect_docker(" \n{ \"Name\" : \"/spaced\" } ", 1, "spaced");
        expect_docker("{\"Name\":null}", 0, NULL);
        expect_docker("{\"Name\":\"\"}", 0, NULL);
        expect_docker("{\"Name\":\"/\"}", 0, NULL);
        expect_docker("{}", 0, NULL);
        expect_docker("{\"Other\":1,\"Name\":\"plain\"}", 1, "plain");
        /* Not the expected shape. */
        expect_docker("", -EINVAL, NULL);
        expect_docker("[]", -EINVAL, NULL);
        expect_docker("{\"Name\":\"/a\\u0000b\"}", -EINVAL, NULL);
        expect_docker("{\"Name\":\"/unterminated}", -EINVAL, NULL);
        expect_docker("{\"A\":{\"B\":[1,2}},\"Name\":\"/x\"}", -EINVAL, NULL);
        expect_docker("{\"A\":\"raw\ncontrol\",\"Name\":\"/x\"}", -EINVAL, NULL);
        expect_docker("{\"Name\":\"/x\\q\"}", -EINVAL, NULL);
        expect_docker("{\"A\" 1,\"Name\":\"/x\"}", -EINVAL, NULL);
        /* Cut short after the name: what was read is enough. */
        expect_docker("{\"Name\":\"/early\",\"Rest\":{", 1, "early");
}

Test(naming, json_deep_nesting_refused)
{
        char *doc = xmalloc(2 * 1000 + 64);
        size_t n = 0;

        n += (size_t)sprintf(doc, "{\"A\":");
        for (int i = 0; i < 1000; i++)
                doc[n++] = '[';
        for (int i = 0; i < 1000; i++)
                doc[n++] = ']';
        strcpy(doc + n, ",\"Name\":\"/x\"}");
        expect_docker(doc, -EINVAL, NULL);
        free(doc);
}

static const char *end_of(const char *s)
{
        return s + strlen(s);
}

Test(naming, json_primitives)
{
        const char *doc = "[1, -2, \"s\", {\"k\":[]}, true]";
        const char *end = doc + strlen(doc), *e;
        long long v;
        JsonIter it;
        int n = 0;

        cr_assert_eq(json_iter_array(doc, end, &it), 0);
        while (json_iter_next(&it, &e) > 0)
                n++;
        cr_expect_eq(n, 5);
        cr_expect_eq(json_get_integer("-42,", end_of("-42,"), &v), 0);
        cr_expect_eq(v, -42);
        cr_expect_eq(json_get_integer("4.5", end_of("4.5"), &v), -EINVAL);
        cr_expect_eq(json_get_integer("99999999999999999999", end_of("99999999999999999999"), &v),
                     -ERANGE);
        cr_expect_eq(json_iter_array("[1,]", end_of("[1,]"), &it), 0);
        cr_expect_eq(json_iter_next(&it, &e), 1);
        cr_expect_eq(json_iter_next(&it, &e), -EINVAL);
        cr_expect_eq(json_iter_array("[]", end_of("[]"), &it), 0);
        cr_expect_eq(json_iter_next(&it, &e), 0);
        cr_expect_eq(json_iter_array("{}", end_of("{}"), &it), -EINVAL);
}

Test(naming, oci_annotations_fixtures)
{
        expect_name(naming_oci_annotations, "k8s-containerd-v2-systemd/config.json", 1,
                    "test-pod-9240/test-pod-9240");
        expect_name(naming_oci_annotations, "k8s-crio-v2-systemd/config.json.ASSEMBLED-real-values",
                    1, "kube-dns-3097350089-49d91/kubedns");
        /* The cri-o unit-test placeholders hold no kubelet label and no "k8s_" name. */
        expect_name(naming_oci_annotations, "k8s-crio-v2-systemd/config.json", 0, NULL);
        /* config.v2.json is an object without annotations. */
        expect_name(naming_oci_annotations, "docker-metadata/config.v2.json", 0, NULL);
}

static void expect_oci(const char *json, int r_expected, const char *name_expected)
{
        _cleanup_free_ char *name = NULL;
        int r = naming_oci_annotations(json, &name);

        cr_expect_eq(r, r_expected, "%s: %d", json, r);
        if (name_expected)
                cr_expect_str_eq(name ?: "(null)", name_expected, "%s", json);
        else
                cr_expect_null(name, "%s", json);
}

Test(naming, oci_annotations_shapes)
{
        /* A containerd sandbox (pause) carries the pod's name. */
        expect_oci("{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
                   "\"io.kubernetes.cri.sandbox-name\":\"web-7d4\"}}",
                   1, "web-7d4");
        expect_oci("{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
                   "\"io.kubernetes.cri.sandbox-name\":\"web-7d4\","
                   "\"io.kubernetes.cri.container-name\":\"nginx\"}}",
                   1, "web-7d4/nginx");
        /* A CRI-O sandbox: the pod. */
        expect_oci("{\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":\"sandbox\","
                   "\"io.kubernetes.container.name\":\"POD\",\"io.kubernetes.pod.name\":\"dns\"}}",
                   1, "dns");
        /* Only CRI-O's own "k8s_" name. */
        expect_oci("{\"annotations\":{\"io.kubernetes.cri-o.Name\":\"k8s_app_pod-1_ns_uid_0\"}}", 1,
                   "pod-1/app");
        expect_oci("{\"annotations\":{\"io.kubernetes.cri-o.Name\":\"k8s_POD_pod-1_ns_uid_0\"}}", 1,
                   "pod-1");
        expect_oci("{\"annotations\":{\"io.kubernetes.cri-o.Name\":\"k8s__x\"}}", 0, NULL);
        /* A nested annotations object is not the top-level one. */
        expect_oci("{\"process\":{\"annotations\":{\"io.kubernetes.cri.container-name\":\"no\"}}}",
                   0, NULL);
        expect_oci("{\"annotations\":[]}", 0, NULL);
        expect_oci("{\"annotations\":{\"io.kubernetes.cri.container-name\":\"\"}}", 0, NULL);
        expect_oci("{}", 0, NULL);
        expect_oci("null", -EINVAL, NULL);
}

static void expect_kube(const char *file, const char *json, int r_expected,
                        const char *name_expected, const char *ns_expected)
{
        _cleanup_free_ char *content = file ? fixture(file) : xstrdup(json);
        _cleanup_free_ char *name = NULL, *ns = NULL;
        int r = naming_oci_kube(content, &name, &ns);

        cr_expect_eq(r, r_expected, "%s: %d", file ?: json, r);
        cr_expect_str_eq(name ?: "(null)", name_expected ?: "(null)", "%s", file ?: json);
        cr_expect_str_eq(ns ?: "(null)", ns_expected ?: "(null)", "%s: namespace", file ?: json);
}

Test(naming, oci_kube_namespace)
{
        /* containerd's CRI plugin: sandbox-namespace, on containers and sandboxes alike */
        expect_kube("k8s-containerd-v2-systemd/config.json", NULL, 1, "test-pod-9240/test-pod-9240",
                    "default");
        expect_kube("k8s-containerd-v2-systemd/config.json.sandbox.ASSEMBLED", NULL, 1,
                    "coredns-5d78c9869d-7xkqp", "kube-system");
        expect_kube("k8s-containerd-v2-systemd/config.json.container.ASSEMBLED", NULL, 1,
                    "coredns-5d78c9869d-7xkqp/coredns", "kube-system");
        /* CRI-O: the kubelet's labels as annotations */
        expect_kube("k8s-crio-v2-systemd/config.json.ASSEMBLED-real-values", NULL, 1,
                    "kube-dns-3097350089-49d91/kubedns", "kube-system");
        expect_kube(NULL,
                    "{\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":\"sandbox\","
                    "\"io.kubernetes.container.name\":\"POD\",\"io.kubernetes.pod.name\":\"dns\","
                    "\"io.kubernetes.pod.namespace\":\"kube-system\"}}",
                    1, "dns", "kube-system");
        /* only CRI-O's own "k8s_" name: its namespace is the third field */
        expect_kube(NULL, "{\"annotations\":{\"io.kubernetes.cri-o.Name\":\"k8s_app_pod-1_prod_uid_0\"}}",
                    1, "pod-1/app", "prod");
        /* a container name alone (no pod), no namespace */
        expect_kube(NULL,
                    "{\"annotations\":{\"io.kubernetes.cri.container-name\":\"solo\"}}", 1,
                    "solo", NULL);
        /* ctr run: no annotations of Kubernetes' */
        expect_kube(NULL, "{\"annotations\":{\"x\":\"y\"}}", 0, NULL, NULL);
        /* a namespace alone names nothing; a value that is no string is none */
        expect_kube(NULL, "{\"annotations\":{\"io.kubernetes.cri.sandbox-namespace\":1}}", 0,
                    NULL, NULL);
        expect_kube(NULL, "{\"annotations\":{\"io.kubernetes.pod.namespace\":\"x\"}}", 0, NULL,
                    NULL);
}

Test(naming, podman_containers)
{
        _cleanup_free_ char *json = fixture("podman-metadata/containers.json.ASSEMBLED");
        _cleanup_free_ char *name = NULL;
        NamingPair *pairs = NULL;
        size_t n = 0;

        cr_assert_eq(naming_podman_containers(
                             json,
                             "52bcf643b1aeb0f90fd47003eded56560fe27a13b11ed397246225e0f34270db",
                             &name),
                     1);
        cr_expect_str_eq(name, "zapzap");
        cr_expect_eq(naming_podman_containers(json, HEX64, &name), 0);

        cr_assert_eq(naming_podman_containers_all(json, &pairs, &n), 0);
        cr_assert_eq(n, 1);
        cr_expect_str_eq(pairs[0].id,
                         "52bcf643b1aeb0f90fd47003eded56560fe27a13b11ed397246225e0f34270db");
        cr_expect_str_eq(pairs[0].name, "zapzap");
        pairs = naming_pairs_free(pairs, n);

        /* Several entries, one without names, one with nested decoy "id"s. */
        const char *many =
                "[{\"id\":\"a\",\"names\":[]},{\"metadata\":{\"id\":\"b\"},\"id\":\"c\","
                "\"names\":[\"second\",\"alias\"]},{\"id\":\"b\",\"names\":[\"third\"]}]";
        cr_assert_eq(naming_podman_containers_all(many, &pairs, &n), 0);
        cr_expect_eq(n, 2);
        cr_expect_str_eq(pairs[0].id, "c");
        cr_expect_str_eq(pairs[0].name, "second");
        cr_expect_str_eq(pairs[1].id, "b");
        pairs = naming_pairs_free(pairs, n);
        free(name);
        name = NULL;
        cr_expect_eq(naming_podman_containers(many, "b", &name), 1);
        cr_expect_str_eq(name, "third");
        cr_expect_eq(naming_podman_containers(many, "a", &name), 0);
        cr_expect_eq(naming_podman_containers("{}", "a", &name), -EINVAL);
        cr_expect_eq(naming_podman_containers_all("[{\"id\":", &pairs, &n), -EINVAL);
        cr_expect_eq(naming_podman_containers("[]", "a", &name), 0);
}

Test(naming, conmon_cmdline)
{
        size_t len;
        _cleanup_free_ char *cmdline =
                fixture_len("podman-metadata/conmon-cmdline.ASSEMBLED", &len);
        _cleanup_free_ char *id = NULL, *name = NULL;

        cr_assert_eq(naming_conmon_cmdline(cmdline, len, &id, &name), 1);
        cr_expect_str_eq(id, "52bcf643b1aeb0f90fd47003eded56560fe27a13b11ed397246225e0f34270db");
        cr_expect_str_eq(name, "zapzap");
        free(name);
        name = NULL;

        static const char longform[] = "conmon\0--cid=abc\0--name=web";
        cr_expect_eq(naming_conmon_cmdline(longform, sizeof(longform), NULL, &name), 1);
        cr_expect_str_eq(name, "web");
        static const char noname[] = "/usr/bin/conmon\0-c\0abc\0";
        cr_expect_eq(naming_conmon_cmdline(noname, sizeof(noname), NULL, NULL), 0);
        static const char notconmon[] = "/usr/bin/crun\0-n\0x\0";
        cr_expect_eq(naming_conmon_cmdline(notconmon, sizeof(notconmon), NULL, NULL), 0);
        static const char dangling[] = "conmon\0-n";
        cr_expect_eq(naming_conmon_cmdline(dangling, sizeof(dangling), NULL, NULL), 0);
        cr_expect_eq(naming_conmon_cmdline(NULL, 0, NULL, NULL), 0);
}

Test(naming, flatpak_info)
{
        expect_name(naming_flatpak_info, "flatpak/flatpak-info.MINIMAL", 1, "org.gnome.Recipes");

        _cleanup_free_ char *name = NULL;
        cr_expect_eq(naming_flatpak_info(
                             "# c\n[Instance]\nname=no\n[Runtime]\n name = org.Platform \n", &name),
                     1);
        cr_expect_str_eq(name, "org.Platform");
        cr_expect_eq(naming_flatpak_info("[Instance]\ninstance-id=1\n", &name), 0);
        cr_expect_eq(naming_flatpak_info("", &name), 0);
        cr_expect_eq(naming_flatpak_info("name=x\n", &name), -EINVAL);
        cr_expect_eq(naming_flatpak_info("[Application]\njunk\n", &name), -EINVAL);
}

Test(naming, nspawn_machine)
{
        expect_name(naming_nspawn_machine, "nspawn/machines-CONU.grawscsxdw.ASSEMBLED", 1,
                    "CONU.grawscsxdw");

        _cleanup_free_ char *name = NULL;
        cr_expect_eq(naming_nspawn_machine("SCOPE=x\nNAME=\"quoted\"\n", &name), 1);
        cr_expect_str_eq(name, "quoted");
        cr_expect_eq(naming_nspawn_machine("SCOPE=x\n", &name), 0);
        cr_expect_eq(naming_nspawn_machine("NAME=\n", &name), 0);
        /* The key must start a line. */
        cr_expect_eq(naming_nspawn_machine("XNAME=a\n", &name), 0);
}

Test(naming, firejail_name)
{
        expect_name(naming_firejail_name, "firejail/run-firejail-name-1389.ASSEMBLED", 1,
                    "browser");

        _cleanup_free_ char *name = NULL;
        cr_expect_eq(naming_firejail_name("", &name), 0);
        cr_expect_eq(naming_firejail_name("  \n", &name), 0);
        cr_expect_eq(naming_firejail_name("a b\nsecond\n", &name), 1);
        cr_expect_str_eq(name, "a b");
}

static void expect_state(int (*parse)(const char *, pid_t *, unsigned long long *),
                         const char *file, pid_t pid, unsigned long long start)
{
        _cleanup_free_ char *json = fixture(file);
        unsigned long long s = 1;
        pid_t p = 0;

        cr_assert_eq(parse(json, &p, &s), 1, "%s", file);
        cr_expect_eq(p, pid, "%s: pid %d", file, (int)p);
        cr_expect_eq(s, start, "%s: start %llu", file, s);
}

Test(naming, runc_crun_state)
{
        pid_t pid;
        unsigned long long start;

        /* Old libcontainer wrote the start time as a string. */
        expect_state(naming_runc_state, "runc-crun-state/state.json.cadvisor-docker-1.9.1-excerpt",
                     64076, 3211353);
        expect_state(naming_runc_state, "runc-crun-state/state.json.modern-keys.ASSEMBLED", 12345,
                     67890);
        /* A real state.json of runc 1.1.5, captured on this project's CI machine. */
        expect_state(naming_runc_state, "local/runc-1.1.5-state.json", 10268, 62979);
        expect_state(naming_crun_status, "runc-crun-state/crun-status.ASSEMBLED", 12345, 67890);

        _cleanup_free_ char *json = fixture("runc-crun-state/crun-status.ASSEMBLED");
        cr_expect_eq(naming_crun_status_pid(json, &pid), 1);
        cr_expect_eq(pid, 12345);
        free(json);
        json = fixture("local/runc-1.1.5-state.json");
        cr_expect_eq(naming_runc_state_pid(json, &pid), 1);
        cr_expect_eq(pid, 10268);

        /* A stopped container; no pid; not an object; no start time. */
        cr_expect_eq(naming_runc_state("{\"init_process_pid\":0}", &pid, &start), 0);
        cr_expect_eq(naming_runc_state("{\"id\":\"x\"}", &pid, &start), 0);
        cr_expect_eq(naming_runc_state("[1]", &pid, &start), -EINVAL);
        cr_expect_eq(naming_runc_state("{\"init_process_pid\":\"12\"}", &pid, &start), -EINVAL);
        cr_expect_eq(naming_crun_status("{\"pid\":7}", &pid, &start), 1);
        cr_expect_eq(pid, 7);
        cr_expect_eq(start, 0);
        cr_expect_eq(naming_crun_status("{\"pid\":99999999999}", &pid, &start), 0);
}

/* --- command lines --- */

#define CMD(s) s, sizeof(s)

static void expect_cmd(int (*parse)(const char *, size_t, char **), const char *cmdline, size_t len,
                       const char *expected)
{
        _cleanup_free_ char *name = NULL;
        int r = parse(cmdline, len, &name);

        if (expected) {
                cr_expect_eq(r, 1, "'%s' gave nothing", cmdline);
                cr_expect_str_eq(name ?: "(null)", expected);
        } else {
                cr_expect_eq(r, 0, "'%s' gave '%s'", cmdline, name);
        }
}

Test(naming, bwrap_command)
{
        /* As seen on this CI machine: the sandbox's pid 1 is bwrap with the outer argv. */
        expect_cmd(naming_bwrap_command,
                   CMD("bwrap\0--unshare-pid\0--unshare-uts\0--ro-bind\0/\0/\0"
                       "--proc\0/proc\0--dev\0/dev\0"
                       "sleep\00030"),
                   "sleep");
        expect_cmd(naming_bwrap_command,
                   CMD("/usr/bin/bwrap\0--bind\0/a\0/b\0--\0/usr/bin/python3\0x.py"), "python3");
        expect_cmd(naming_bwrap_command, CMD("bwrap\0--overlay\0a\0b\0c\0--setenv\0K\0V\0sh"),
                   "sh");
        /* An option this version does not know: no guess. */
        expect_cmd(naming_bwrap_command, CMD("bwrap\0--future-opt\0x\0sh"), NULL);
        /* The command is in the --args fd. */
        expect_cmd(naming_bwrap_command,
                   CMD("bwrap\0--args\0"
                       "3"),
                   NULL);
        expect_cmd(naming_bwrap_command, CMD("flatpak\0run\0x"), NULL);
        expect_cmd(naming_bwrap_command, NULL, 0, NULL);
}

Test(naming, nspawn_cmdline)
{
        /* As run on this CI machine. */
        expect_cmd(naming_nspawn_cmdline,
                   CMD("systemd-nspawn\0-q\0-D\0/tmp/rb/rootfs\0--register=no\0--keep-unit\0"
                       "-M\0nstest\0"
                       "/bin/sleep\00030"),
                   "nstest");
        expect_cmd(naming_nspawn_cmdline, CMD("systemd-nspawn\0--machine=web\0-b"), "web");
        expect_cmd(naming_nspawn_cmdline, CMD("systemd-nspawn\0-Mweb"), "web");
        expect_cmd(naming_nspawn_cmdline, CMD("systemd-nspawn\0-D\0/var/lib/machines/deb/\0-b"),
                   "deb");
        expect_cmd(naming_nspawn_cmdline, CMD("systemd-nspawn\0--image=/srv/fedora.raw"), "fedora");
        expect_cmd(naming_nspawn_cmdline, CMD("systemd-nspawn\0-D\0/"), NULL);
        expect_cmd(naming_nspawn_cmdline, CMD("systemd-nspawn\0-b"), NULL);
        expect_cmd(naming_nspawn_cmdline, CMD("nspawn-like\0-M\0x"), NULL);
}

Test(naming, command_name)
{
        const struct {
                const char *cmdline;
                size_t len;
                const char *comm, *expected;
        } t[] = {
                { CMD("/usr/bin/sleep\00030"), "sleep", "sleep" },
                { CMD("python3\0x.py"), "python3", "python3" },
                /* Rewritten process titles: comm is the better word. */
                { CMD("nginx: master process /usr/sbin/nginx"), "nginx", "nginx" },
                { CMD("[lxc monitor] /usr/local/var/lib/lxc yyztestttt333321"), "lxc-start",
                  "lxc-start" },
                { CMD("-bash"), "bash", "-bash" },
                { NULL, 0, "kworker/0:1", "kworker/0:1" },
                { CMD(""), "comm", "comm" },
                { CMD("/usr/bin/"), "x", "x" },
        };

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                _cleanup_free_ char *s = naming_command_name(t[i].cmdline, t[i].len, t[i].comm);
                cr_expect_str_eq(s ?: "(null)", t[i].expected, "case %zu", i);
        }
        cr_expect_null(naming_command_name(NULL, 0, ""));
        cr_expect_null(naming_command_name(NULL, 0, NULL));
}

Test(naming, ns_init)
{
        _cleanup_free_ char *name = NULL;

        cr_expect_eq(naming_ns_init("ns-init", CMD("ns-init\0web"), &name), 1);
        cr_expect_str_eq(name, "web");
        free(name);
        name = NULL;
        cr_expect_eq(naming_ns_init("ns-init", "ns-init\0", 8, &name), 1);
        cr_expect_str_eq(name, "");
        free(name);
        name = NULL;
        cr_expect_eq(naming_ns_init("sleep", CMD("ns-init\0web"), &name), 0);
        cr_expect_eq(naming_ns_init("ns-init", CMD("ns-initx\0web"), &name), 0);
        cr_expect_eq(naming_ns_init("ns-init", CMD("/bin/ns-init\0web"), &name), 0);
        cr_expect_eq(naming_ns_init("ns-init", NULL, 0, &name), 0);
        cr_expect_eq(naming_ns_init(NULL, CMD("ns-init\0web"), &name), 0);
        cr_expect_null(name);
}

Test(naming, ns_init_image)
{
        char *image = NULL;

        /* NAME then IMAGE, as pid 1 writes them, padded with NULs */
        cr_expect_eq(naming_ns_init_image("ns-init\0web\0alpine:3.19\0\0\0", 26, &image), 1);
        cr_expect_str_eq(image, "alpine:3.19");
        free(image);
        image = NULL;
        /* unnamed, with an image */
        cr_expect_eq(naming_ns_init_image(CMD("ns-init\0\0/tmp/busybox.tar\0"), &image), 1);
        cr_expect_str_eq(image, "/tmp/busybox.tar");
        free(image);
        image = NULL;
        /* cut at the end of the area: what there is */
        cr_expect_eq(naming_ns_init_image("ns-init\0web\0alp", 15, &image), 1);
        cr_expect_str_eq(image, "alp");
        free(image);
        image = NULL;
        /* none: no field (an older ns), an empty one, not ns-init */
        cr_expect_eq(naming_ns_init_image(CMD("ns-init\0web\0"), &image), 0);
        cr_expect_eq(naming_ns_init_image(CMD("ns-init\0web"), &image), 0);
        cr_expect_eq(naming_ns_init_image(CMD("ns-init\0web\0\0\0"), &image), 0);
        cr_expect_eq(naming_ns_init_image(CMD("nginx\0web\0alpine\0"), &image), 0);
        cr_expect_eq(naming_ns_init_image(NULL, 0, &image), 0);
        cr_expect_null(image);
}
