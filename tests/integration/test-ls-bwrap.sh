#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `ns ls` against bubblewrap sandboxes: --unshare-all, --unshare-all
# --unshare-user, --as-pid-1 and one started by an unprivileged user. Each
# is listed with runtime "bwrap" (its leader's parent is bwrap), the right
# NPROCS and leader, and NS letters that agree with /proc.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_root
require_tools bwrap setpriv jq

BW=(--ro-bind / / --proc /proc --dev /dev)

# bwrap stays outside; its child is pid 1 of the sandbox (a reaper, also
# named bwrap), which forks the payload: two processes, led by the reaper.
spawn bwrap --unshare-all "${BW[@]}" sleep 1101
b_all=$SPAWNED_PID
wait_tree "$b_all" sleep 1 || { diag_file "$SPAWNED_LOG"; fatal "bwrap --unshare-all did not start"; }
s_all=${T_FOUND[0]}

spawn bwrap --unshare-all --unshare-user "${BW[@]}" sleep 1102
b_user=$SPAWNED_PID
wait_tree "$b_user" sleep 1 || { diag_file "$SPAWNED_LOG"; fatal "bwrap --unshare-user did not start"; }
s_user=${T_FOUND[0]}

# --as-pid-1: no reaper, the payload is pid 1 and the only member.
spawn bwrap --unshare-all --as-pid-1 "${BW[@]}" sleep 1103
b_pid1=$SPAWNED_PID
wait_tree "$b_pid1" sleep 1 || { diag_file "$SPAWNED_LOG"; fatal "bwrap --as-pid-1 did not start"; }
s_pid1=${T_FOUND[0]}

# Rootless: started by nobody.
spawn setpriv --reuid=65534 --regid=65534 --clear-groups bwrap --unshare-all "${BW[@]}" sleep 1104
b_nobody=$SPAWNED_PID
wait_tree "$b_nobody" sleep 1 || { diag_file "$SPAWNED_LOG"; fatal "bwrap as nobody did not start"; }
s_nobody=${T_FOUND[0]}

# the reaper: the sandbox process whose parent is the outer bwrap
reaper_of() {
        local p
        descendants "$1"
        for p in "${T_DESC[@]}"; do
                [[ ${T_PPID[$p]} == "$1" ]] && { echo "$p"; return 0; }
        done
        return 1
}
r_all=$(reaper_of "$b_all")
r_user=$(reaper_of "$b_user")
r_nobody=$(reaper_of "$b_nobody")
[[ $(ns_ino "$b_all" pid) == "$(ns_ino $$ pid)" ]] || fatal "the outer bwrap is not in the host's pid namespace"

snapshot_fleet ls || fatal "no stable snapshot"

expect ls "bwrap --unshare-all" "$s_all" "UmpnuiC-" 2 "$r_all"
expect ls "bwrap --unshare-all --unshare-user" "$s_user" "UmpnuiC-" 2 "$r_user"
expect ls "bwrap --unshare-all --as-pid-1" "$s_pid1" "UmpnuiC-" 1 "$s_pid1"
expect ls "bwrap --unshare-all as nobody" "$s_nobody" "UmpnuiC-" 2 "$r_nobody"
compare_oracle ls

# runtime, name
check_runtime() {
        local label=$1 pid=$2 key runtime name
        key=$(ns_key "$pid")
        runtime=$(tsv_field "$T_TMP/ls.tsv" "$key" 9)
        name=$(tsv_field "$T_TMP/ls.tsv" "$key" 10)
        is "$runtime" bwrap "$label: RUNTIME is bwrap"
        if [[ -n $name ]]; then
                ok "$label: has a NAME ('$name')"
        else
                not_ok "$label: has a NAME"
        fi
}
check_runtime "bwrap --unshare-all" "$s_all"
check_runtime "bwrap --unshare-all --unshare-user" "$s_user"
check_runtime "bwrap --as-pid-1" "$s_pid1"
check_runtime "bwrap as nobody" "$s_nobody"

# The outer bwrap processes are host processes, not instances.
host_id=$(awk -F"$US" -v k="$(host_key)" '$1 == k { print $2 }' "$T_TMP/ls.tsv")
bad=()
for b in "$b_all" "$b_user" "$b_pid1"; do
        [[ $(id_of ls "$b") == "$host_id" ]] || bad+=("outer bwrap $b is not in the host instance")
done
if ((${#bad[@]} == 0)) && [[ -n $host_id ]]; then
        ok "the outer bwrap processes belong to the host instance"
else
        not_ok "the outer bwrap processes belong to the host instance"
        diag "host instance '$host_id'" "${bad[@]}"
fi

# --runtime bwrap lists exactly the sandboxes' instances among the test's
run rt "$NS" ls -J --runtime bwrap -o ID,PID,RUNTIME
if ((RC == 0)); then
        ok "ns ls --runtime bwrap succeeds"
else
        not_ok "ns ls --runtime bwrap succeeds"
        diag_file "$ERR"
fi
bad=()
for s in "$s_all" "$s_user" "$s_pid1" "$s_nobody"; do
        id=$(id_of ls "$s")
        jq -e --arg id "$id" '.instances | any(.id == $id)' "$OUT" >/dev/null 2>&1 ||
                bad+=("instance $id of pid $s is missing")
done
others=$(jq -r '.instances[] | select(.runtime != "bwrap") | .id' "$OUT" 2>/dev/null)
[[ -z $others ]] || bad+=("instances of another runtime listed: $others")
if ((${#bad[@]} == 0)); then
        ok "ns ls --runtime bwrap lists the four sandboxes and only bwrap ones"
else
        not_ok "ns ls --runtime bwrap lists the four sandboxes and only bwrap ones"
        diag "${bad[@]}"
fi

done_testing
