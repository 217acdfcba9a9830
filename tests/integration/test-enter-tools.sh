#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns enter --tools: host tools against an instance that has none of its
# own. Every namespace but user and mnt is the instance's; the mount namespace is a
# private copy of the host's with the instance's root at /run/ns/root (or
# --at DIR) and a /proc of the instance's pid namespace; nothing of it is
# left mounted on the host.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}
# shellcheck source=tests/integration/enter-lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/enter-lib.sh"

require_ns
require_root
require_tools bwrap ps ip

# An instance with a root of its own that holds no shell at all: a tmpfs
# root with only the sleep binary and the libraries it needs.
R=$T_TMP/rootfs
mkdir -p "$R" || fatal "mkdir"
cp /bin/sleep "$R/sleep" || fatal "cp sleep"
for lib in $(ldd /bin/sleep | grep -o '/[^ ]*'); do
        mkdir -p "$R$(dirname "$lib")" && cp "$lib" "$R$lib"
done
echo "only-in-the-container" >"$R/marker"
spawn bwrap --unshare-all --die-with-parent --bind "$R" / --proc /proc --dev /dev /sleep 2501
wait_tree "$SPAWNED_PID" sleep 1 || { diag_file "$SPAWNED_LOG"; fatal "the shell-less instance did not start"; }
s=${T_FOUND[0]}
leader_of tools "$s" || fatal "no instance for pid $s"

run noshell "$NS" enter "$ID" true
is "$RC" 127 "without --tools, the instance has no command to run"

mounts_before=$(wc -l </proc/self/mountinfo)
run tools "$NS" enter --tools "$ID" sh -c 'cat /run/ns/root/marker; pwd; ps -e -o pid=,comm= | sort -n | head -3;
        for t in user pid net uts ipc cgroup; do readlink /proc/self/ns/$t; done; readlink /proc/self/ns/mnt'
diag_file "$OUT"
[[ $RC == 0 ]] || diag_file "$ERR"
is "$(sed -n 1p "$OUT")" only-in-the-container "--tools: the instance's root is at /run/ns/root"
is "$(sed -n 2p "$OUT")" /run/ns/root "--tools: the shell starts there"
is "$(sed -n 3p "$OUT" | tr -s ' ')" " 1 bwrap" "--tools: ps shows the instance's processes by their own pids"
is "$(sed -n 6p "$OUT")" "$(readlink /proc/self/ns/user)" "--tools: the user namespace stays the host's"
want=""
for t in pid net uts ipc cgroup; do want+="$(readlink "/proc/$LEADER/ns/$t")"$'\n'; done
is "$(sed -n 7,11p "$OUT")" "${want%$'\n'}" "--tools: every other namespace but mnt is the instance's"
got_mnt=$(sed -n 12p "$OUT")
[[ -n $got_mnt && $got_mnt != "$(readlink "/proc/$LEADER/ns/mnt")" && $got_mnt != "$(readlink /proc/self/ns/mnt)" ]] &&
        ok "--tools: a mount namespace of its own" || not_ok "--tools: a mount namespace of its own"
is "$(wc -l </proc/self/mountinfo)" "$mounts_before" "--tools: nothing is left mounted on the host"
grep -q ' /run/ns' /proc/self/mountinfo && not_ok "--tools: no mount at /run/ns on the host" ||
        ok "--tools: no mount at /run/ns on the host"

AT=$T_TMP/at
mkdir "$AT"
run at "$NS" enter --tools --at "$AT" "$ID" cat "$AT/marker"
is "$RC:$(cat "$OUT")" "0:only-in-the-container" "--tools --at DIR mounts it there"
[[ -e $AT/marker ]] && not_ok "--at: nothing shows in DIR on the host" || ok "--at: nothing shows in DIR on the host"

run atbad "$NS" enter --tools --at relative "$ID" true
is "$RC" 1 "--at needs an absolute path"
run atalone "$NS" enter --at /tmp "$ID" true
is "$RC" 1 "--at alone is a usage error"

done_testing
