#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns in a "pod" on a "node", the way `kubectl debug node` runs it: a
# container that shares the node's pid namespace, with a root of its own
# (its own /etc/passwd, an empty /run) and the node's root mounted at
# /host. The node is a pid namespace of the test's own, whose pid 1 is ours
# to read (the machine's real pid 1 may not be), with the real / as its
# root. On the node the test makes instances that only the node's files
# name: one owned by a user whose name differs in the pod's /etc/passwd,
# one with a runc state file under /run/runc, one with CRI-O's state of a
# Kubernetes container under /run/containers and a kubepods cgroup. Then
# `ns ls -J` in the pod (with /host, and without it through /proc/1/root)
# must list what `ns ls -J` on the node lists, with the same ids, names,
# runtimes, runtime ids and users; the pod's own files give another
# answer (the check that the test can fail); -N filters on the Kubernetes
# namespace; `ns ps` names the host's users; and `ns enter` from the pod
# reaches an instance's namespaces and cgroup.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_root
require_tools unshare nsenter setpriv chroot jq readlink mount
getent passwd 65534 >/dev/null || fatal "uid 65534 has no passwd entry on this host"
HOST_USER=$(getent passwd 65534 | cut -d: -f1)
CPU_CG=/sys/fs/cgroup/cpu
[[ -d $CPU_CG && -w $CPU_CG/cgroup.procs ]] ||
        fatal "no writable cgroup v1 cpu hierarchy at $CPU_CG (this test needs a hybrid or v1 host)"

TAG=ns-itest-hr-$$

# ----------------------------------------------------------- the node

# Its pid 1 is a sleep in a new pid namespace, with a /proc of its own.
spawn unshare -pf --mount-proc --kill-child sleep 100001
wait_tree "$SPAWNED_PID" sleep 1 || fatal "the node's pid 1 did not start"
NODE_INIT=${T_FOUND[0]}

# node CMD...: run CMD on the node (its pid and mount namespaces; the rest
# are the test's, as the node's pid 1 has them).
node() {
        nsenter -t "$NODE_INIT" -m -p -- "$@"
}

# The pid of host pid $1 inside the node's pid namespace (the last NSpid).
node_pid() {
        local l
        l=$(grep '^NSpid:' "/proc/$1/status") || return 1
        printf '%s' "${l##*[[:space:]]}"
}

# start time (field 22 of stat) of host pid $1, in clock ticks
start_time() {
        local s
        s=$(<"/proc/$1/stat") || return 1
        s=${s##*) }
        # shellcheck disable=SC2206 # numbers and a state letter
        local f=($s)
        printf '%s' "${f[19]}"
}

# A: owned by uid 65534, a user namespace of its own.
spawn nsenter -t "$NODE_INIT" -m -p -- setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Ur sleep 100002
wait_tree "$SPAWNED_PID" sleep 1 || fatal "instance A did not start"
A=${T_FOUND[0]}
wait_ns "$A" user || fatal "instance A has no user namespace"

# B: network and UTS namespaces, with a runc state file naming it.
spawn nsenter -t "$NODE_INIT" -m -p -- unshare -n -u sleep 100003
wait_tree "$SPAWNED_PID" sleep 1 || fatal "instance B did not start"
B=${T_FOUND[0]}
wait_ns "$B" net || fatal "instance B has no network namespace"
RUNC_ID=$TAG-runc
mkdir -p "/run/runc/$RUNC_ID" || fatal "cannot make /run/runc/$RUNC_ID"
on_cleanup "rm -rf /run/runc/$RUNC_ID; rmdir /run/runc"
printf '{"id":"%s","init_process_pid":%s,"init_process_start":%s,"status":"running"}\n' \
        "$RUNC_ID" "$(node_pid "$B")" "$(start_time "$B")" >"/run/runc/$RUNC_ID/state.json" ||
        fatal "cannot write the runc state of B"

# C: a Kubernetes container as CRI-O leaves it: a kubepods cgroup (the
# cgroupfs driver) named by the container id, and its config.json.
spawn nsenter -t "$NODE_INIT" -m -p -- unshare -m -u -i -n sleep 100004
wait_tree "$SPAWNED_PID" sleep 1 || fatal "instance C did not start"
C=${T_FOUND[0]}
wait_ns "$C" net || fatal "instance C has no network namespace"
C_ID=$(printf '%s' "$TAG" | sha256sum | cut -c1-64)
POD_UID=0d4e7e0c-1f53-4f47-9a0b-$(printf '%012d' $$)
C_CG=$CPU_CG/kubepods-$TAG/besteffort/pod$POD_UID/$C_ID
mkdir -p "$C_CG" || fatal "cannot make the cgroup $C_CG"
on_cleanup "rmdir '$C_CG' '${C_CG%/*}' '${C_CG%/*/*}' '${C_CG%/*/*/*}'"
echo "$C" >"$C_CG/cgroup.procs" || fatal "cannot move C into $C_CG"
[[ -e /run/containers ]] && fatal "/run/containers exists: this test makes and removes its own"
C_DIR=/run/containers/storage/overlay-containers/$C_ID/userdata
mkdir -p "$C_DIR" || fatal "cannot make $C_DIR"
on_cleanup "rm -rf /run/containers"
cat >"$C_DIR/config.json" <<EOF || fatal "cannot write C's config.json"
{"ociVersion":"1.0.2","annotations":{
 "io.kubernetes.cri-o.ContainerType":"container",
 "io.kubernetes.container.name":"app",
 "io.kubernetes.pod.name":"web-$$",
 "io.kubernetes.pod.namespace":"shop-$$",
 "io.kubernetes.pod.uid":"$POD_UID"}}
EOF

# ------------------------------------------------------------ the pod

POD_ROOT=$T_TMP/pod
mkdir -p "$POD_ROOT" || fatal "mkdir $POD_ROOT"
POD_CG=$CPU_CG/$TAG-pod
mkdir -p "$POD_CG" || fatal "cannot make the cgroup $POD_CG"
on_cleanup "rmdir '$POD_CG'"
NS_DIR=$(cd "${NS%/*}" && pwd -P) || fatal "cannot resolve the directory of NS='$NS'"

# The pod's setup, run on the node in a new mount namespace: a tmpfs root
# with the host's /usr (its programs and libraries), ns' directory, its own
# /etc/passwd in which uid 65534 is "podnobody", an empty /run, and with
# "host" the node's / at /host; in a cgroup of its own and a cgroup
# namespace rooted there, and a UTS namespace with a host name of its own,
# as a pod's container is. Then chroot and run.
cat >"$T_TMP/pod.sh" <<'EOF'
#!/bin/bash
set -e
root=$1 host=$2 cg=$3 mntfile=$4 nsdir=$5
shift 5
mount --make-rprivate /
mount -t tmpfs pod "$root"
mkdir -p "$root"/{usr,etc,run,proc,dev,sys,tmp,var,host} "$root$nsdir"
for l in bin lib lib64 sbin; do ln -s "usr/$l" "$root/$l"; done
mount --rbind /usr "$root/usr"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
mount --bind "$nsdir" "$root$nsdir"
mount -t proc proc "$root/proc"
printf 'root:x:0:0:root:/root:/bin/sh\npodnobody:x:65534:65534::/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
if [[ $host == host ]]; then
        mount --rbind / "$root/host"
fi
readlink /proc/self/ns/mnt | tr -dc 0-9 >"$mntfile"
echo $$ >"$cg/cgroup.procs"
# a host name of its own too, as a pod without hostNetwork has
exec unshare -C -u sh -c 'hostname ns-itest-pod && exec chroot "$0" "$@"' "$root" "$@"
EOF
chmod 755 "$T_TMP/pod.sh"

# pod HOST CMD...: CMD in a pod; HOST "host" mounts the node's / at /host.
# The pod's mount namespace inode is left in $T_TMP/pod.mnt.
pod() {
        local host=$1
        shift
        node unshare -m "$T_TMP/pod.sh" "$POD_ROOT" "$host" "$POD_CG" "$T_TMP/pod.mnt" \
                "$NS_DIR" "$@"
}

COLS=ID,NAME,RUNTIME,RUNTIME_ID,USER,PID,K8SNS,MNTNS

# The instances of `ns ls -J` in file $1 as sorted lines, leaving out the
# pod's own instance (mount namespace $2), which the node sees too but only
# while the pod runs.
norm() {
        jq -S -c --arg podmnt "${2:-0}" '.instances[] | select((.mntns | tostring) != $podmnt)
                | del(.mntns)' "$1" | sort
}

# ------------------------------------------------------- the node's view

if node "$NS" ls -a -J -o "$COLS" >"$T_TMP/node.json" 2>"$T_TMP/node.err"; then
        ok "ns ls -J on the node"
else
        not_ok "ns ls -J on the node"
        diag_file "$T_TMP/node.err"
fi
norm "$T_TMP/node.json" >"$T_TMP/node.lines"

# field FILE PID FIELD: one column of the instance led by PID
field() {
        jq -r --argjson pid "$2" ".instances[] | select(.pid == \$pid) | .$3 // \"\"" "$1"
}
A_N=$(node_pid "$A") B_N=$(node_pid "$B") C_N=$(node_pid "$C")
is "$(field "$T_TMP/node.json" "$A_N" user)" "$HOST_USER" "node: A's owner is the host's name for uid 65534"
is "$(field "$T_TMP/node.json" "$B_N" runtime)/$(field "$T_TMP/node.json" "$B_N" runtime_id)" \
        "runc/$RUNC_ID" "node: B is runc's, from /run/runc"
is "$(field "$T_TMP/node.json" "$C_N" runtime)/$(field "$T_TMP/node.json" "$C_N" runtime_id)" \
        "cri-o/$C_ID" "node: C is CRI-O's, by its kubepods cgroup and state"
is "$(field "$T_TMP/node.json" "$C_N" name)" "web-$$/app" "node: C is named pod/container"
is "$(field "$T_TMP/node.json" "$C_N" k8sns)" "shop-$$" "node: C's Kubernetes namespace"
is "$(field "$T_TMP/node.json" 1 name)" "$(hostname)" "node: the host instance is named by the host name"

# --------------------------------------------------------- the pod's view

# pod_ls NAME HOST [ENV...]: ns ls -J in a pod, into $T_TMP/NAME.json and
# its instances, without the pod's own, into $T_TMP/NAME.lines.
pod_ls() {
        local name=$1 host=$2
        shift 2
        if pod "$host" env "$@" "$NS" ls -a -J -o "$COLS" >"$T_TMP/$name.json" \
                2>"$T_TMP/$name.err"; then
                ok "$name: ns ls -J in the pod"
        else
                not_ok "$name: ns ls -J in the pod"
                diag_file "$T_TMP/$name.err"
        fi
        norm "$T_TMP/$name.json" "$(<"$T_TMP/pod.mnt")" >"$T_TMP/$name.lines"
}

# same_view NAME: the pod's instances are the node's, field for field.
same_view() {
        if diff "$T_TMP/node.lines" "$T_TMP/$1.lines" >"$T_TMP/$1.diff"; then
                ok "$1: the pod lists the node's instances with the same ids, names, runtimes, runtime ids and users"
        else
                not_ok "$1: the pod lists the node's instances with the same ids, names, runtimes, runtime ids and users"
                diag "diff node pod:"
                diag_file "$T_TMP/$1.diff"
        fi
}

# With /host, found by itself.
pod_ls mounted host
same_view mounted
check "mounted: C is in the pod's list" grep -q "\"pid\":$C_N," "$T_TMP/mounted.lines"

# Without /host: through /proc/1/root.
pod_ls pid1 nohost
same_view pid1

# Given: --host-root's variable, and the pod's own root given (the control:
# the pod's own files name the instances otherwise, so the checks above
# can fail).
pod_ls given host NS_HOST_ROOT=/host
same_view given
pod_ls own host NS_HOST_ROOT=/
is "$(field "$T_TMP/own.json" "$A_N" user)" "podnobody" "own root: A's owner by the pod's /etc/passwd"
is "$(field "$T_TMP/mounted.json" 1 name)" "$(hostname)" \
        "the pod names the host instance by the node's host name, not its own"
[[ $(field "$T_TMP/own.json" "$B_N" runtime) != runc ]] &&
        ok "own root: B is not named by the pod's empty /run" ||
        not_ok "own root: B is not named by the pod's empty /run"
if diff -q "$T_TMP/node.lines" "$T_TMP/own.lines" >/dev/null; then
        not_ok "own root: the pod's own files give another view than the node's"
else
        ok "own root: the pod's own files give another view than the node's"
fi

# -N: only the pods of one Kubernetes namespace.
if pod host "$NS" ls -J -N "shop-$$" -o ID,PID >"$T_TMP/filter.json" 2>"$T_TMP/filter.err"; then
        is "$(jq -r '[.instances[].pid] | map(tostring) | join(",")' "$T_TMP/filter.json")" "$C_N" \
                "ns ls -N lists the pods of that Kubernetes namespace only"
else
        not_ok "ns ls -N in the pod"
        diag_file "$T_TMP/filter.err"
fi

# ps -N: the <id> among the pods of one Kubernetes namespace
if pod host "$NS" ps -J -N "shop-$$" -o PID "web-$$/app" >"$T_TMP/psn.json" 2>"$T_TMP/psn.err"; then
        is "$(jq -r '.processes[0].pid' "$T_TMP/psn.json")" "$C_N" "ns ps -N NS pod/container"
else
        not_ok "ns ps -N NS pod/container"
        diag_file "$T_TMP/psn.err"
fi
if pod host "$NS" ps -N "other-$$" "web-$$/app" >/dev/null 2>"$T_TMP/psn2.err"; then
        not_ok "ns ps -N with another namespace does not find the pod"
else
        check "ns ps -N with another namespace does not find the pod" \
                grep -q "no instance 'web-$$/app' in Kubernetes namespace 'other-$$'" "$T_TMP/psn2.err"
fi

# ns ps: the host's user names too (libproc2 would name them through NSS,
# from the pod's /etc/passwd).
A_ID=$(field "$T_TMP/node.json" "$A_N" id)
if pod host "$NS" ps -J -o PID,USER "$A_ID" >"$T_TMP/ps.json" 2>"$T_TMP/ps.err"; then
        is "$(jq -r '.processes[0].user' "$T_TMP/ps.json")" "$HOST_USER" \
                "ns ps in the pod names the host's user"
else
        not_ok "ns ps in the pod"
        diag_file "$T_TMP/ps.err"
fi

# ns enter from the pod: the instance's namespaces, and its cgroup (found
# below the host root with pid 1's mount table).
C_KEY=$(ns_key "$C")
C_NAME=web-$$/app
if pod host "$NS" enter "$C_NAME" sh -c 'readlink /proc/self/ns/user /proc/self/ns/mnt \
        /proc/self/ns/pid /proc/self/ns/net /proc/self/ns/uts /proc/self/ns/ipc \
        /proc/self/ns/cgroup /proc/self/ns/time; grep :cpu: /proc/self/cgroup' \
        >"$T_TMP/enter.out" 2>"$T_TMP/enter.err"; then
        ok "ns enter '$C_NAME' from the pod"
else
        not_ok "ns enter '$C_NAME' from the pod"
        diag_file "$T_TMP/enter.err"
fi
got=$(head -n 8 "$T_TMP/enter.out" | sed 's/.*\[\(.*\)\]/\1/' | paste -sd:)
is "$got" "$C_KEY" "ns enter from the pod reaches the instance's eight namespaces"
is "$(sed -n 9p "$T_TMP/enter.out" | cut -d: -f3)" "${C_CG#"$CPU_CG"}" \
        "ns enter from the pod joins the instance's cgroup"

done_testing
