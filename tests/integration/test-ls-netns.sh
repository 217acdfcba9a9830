#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `ns ls` against named network namespaces of iproute2: processes started
# with `ip netns exec` (which also makes a mount namespace, to remount
# /sys) are listed with NETNS equal to the inode of /run/netns/<name>,
# runtime "netns" and that name; two of them share the network namespace
# ('*'), and a process that joined it with nsenter shares it too.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_root
require_tools ip nsenter jq stat

NETNS=nstest-$$
ip netns add "$NETNS" 2>"$T_TMP/netns.err" || {
        diag_file "$T_TMP/netns.err"
        fatal "ip netns add $NETNS"
}
on_cleanup ip netns delete "$NETNS"
ino=$(stat -L -c %i "/run/netns/$NETNS") || fatal "stat /run/netns/$NETNS"

spawn ip netns exec "$NETNS" sleep 1201
p1=$SPAWNED_PID
wait_exec "$p1" sleep || fatal "ip netns exec sleep did not start"
wait_ns "$p1" net || fatal "ip netns exec sleep is not in the network namespace"

spawn ip netns exec "$NETNS" bash -c 'sleep 1202 & sleep 1203 & wait'
p2=$SPAWNED_PID
wait_tree "$p2" sleep 2 || fatal "ip netns exec bash did not start its sleeps"
wait_exec "$p2" bash || fatal "ip netns exec bash did not start"
p2_sleeps=("${T_FOUND[@]}")

spawn nsenter --net="/run/netns/$NETNS" sleep 1204
p3=$SPAWNED_PID
wait_exec "$p3" sleep || fatal "nsenter --net sleep did not start"
wait_ns "$p3" net || fatal "nsenter --net sleep is not in the network namespace"

is "$(ns_ino "$p1" net)" "$ino" "ip netns exec put the sleep in /run/netns/$NETNS (sanity)"

snapshot_fleet ls || fatal "no stable snapshot"

# user mnt pid net uts ipc cgroup time
expect ls "ip netns exec sleep" "$p1" "-m-*----" 1 "$p1"
expect ls "ip netns exec bash with two sleeps" "${p2_sleeps[1]}" "-m-*----" 3 "$p2"
expect ls "nsenter --net sleep" "$p3" "---*----" 1 "$p3"
compare_oracle ls

for p in "$p1" "$p2" "$p3"; do
        key=$(ns_key "$p")
        netns=$(jq -r --arg k "$key" '.instances[]
                | select(([.userns, .mntns, .pidns, .netns, .utsns, .ipcns, .cgroupns, .timens]
                  | map(tostring) | join(":")) == $k) | .netns' "$T_TMP/ls.out")
        is "$netns" "$ino" "NETNS of the instance of pid $p ($(proc_comm "$p")) is the inode of /run/netns/$NETNS"
done

for p in "$p1" "$p2"; do
        key=$(ns_key "$p")
        is "$(tsv_field "$T_TMP/ls.tsv" "$key" 9)" netns "ip netns exec instance of pid $p: RUNTIME netns"
        is "$(tsv_field "$T_TMP/ls.tsv" "$key" 10)" "$NETNS" "ip netns exec instance of pid $p: NAME $NETNS"
done

# the same through the table output, by name
run byname "$NS" ls -r -n -o NAME,NETNS,NPROCS
n=$(awk -v n="$NETNS" -v i="$ino" '$1 == n && $2 == i' "$OUT" | wc -l)
if ((RC == 0)) && ((n >= 2)); then
        ok "ns ls -r -n -o NAME,NETNS shows $NETNS with its inode"
else
        not_ok "ns ls -r -n -o NAME,NETNS shows $NETNS with its inode"
        diag "status $RC, $n matching rows"
        diag_file "$OUT"
fi

done_testing
