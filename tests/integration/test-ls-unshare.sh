#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `ns ls` against instances made with unshare(1) in several flag
# combinations, one with many processes, and a nested one: NPROCS, the
# leader PID, the NS letters and PRIVATE/SHARED, checked against both
# hand-written expectations and an oracle computed here from
# readlink /proc/PID/ns/*; and the nesting in -T and PARENT.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_root
require_tools unshare jq readlink

# -U -r alone: only a user namespace; unshare execs sleep in place.
spawn unshare -U -r sleep 1001
p_ur=$SPAWNED_PID
wait_exec "$p_ur" sleep || fatal "unshare -U -r sleep did not start"

# -Urm: user and mount.
spawn unshare -Urm sleep 1002
p_urm=$SPAWNED_PID
wait_exec "$p_urm" sleep || fatal "unshare -Urm sleep did not start"

# -Urpf --mount-proc: unshare stays in user+mnt, its child gets the pid ns.
spawn unshare -Urpf --mount-proc sleep 1003
p_urpf=$SPAWNED_PID
wait_tree "$p_urpf" sleep 1 || fatal "unshare -Urpf --mount-proc sleep did not start"
c_urpf=${T_FOUND[0]}

# -n as root: a network namespace alone.
spawn unshare -n sleep 1004
p_n=$SPAWNED_PID
wait_exec "$p_n" sleep || fatal "unshare -n sleep did not start"

# -m -p -f --mount-proc as root: no user namespace.
spawn unshare -m -p -f --mount-proc sleep 1005
p_mpf=$SPAWNED_PID
wait_tree "$p_mpf" sleep 1 || fatal "unshare -mpf --mount-proc sleep did not start"
c_mpf=${T_FOUND[0]}

# -Uruipnm --fork: everything but cgroup and time.
spawn unshare -Uruipnm --fork sleep 1006
p_all=$SPAWNED_PID
wait_tree "$p_all" sleep 1 || fatal "unshare -Uruipnm --fork sleep did not start"
c_all=${T_FOUND[0]}

# -U -r -C -T -f: cgroup and time namespaces (time applies to the child).
spawn unshare -U -r -C -T -f sleep 1007
p_ct=$SPAWNED_PID
wait_tree "$p_ct" sleep 1 || fatal "unshare -UrCTf sleep did not start"
c_ct=${T_FOUND[0]}

# Many processes in one instance: a shell and 50 sleeps.
spawn unshare -Urpf --mount-proc bash -c 'for i in $(seq 50); do sleep 1008 & done; wait'
p_many=$SPAWNED_PID
wait_tree "$p_many" sleep 50 30 || fatal "the 50 sleeps did not start"
many_sleeps=("${T_FOUND[@]}")
wait_tree "$p_many" bash 1 || fatal "the shell of the 50 sleeps is not there"
c_many=${T_FOUND[0]}

# Nested: a shell with a sleep in an -Urpf instance, and inside it another
# unshare -Urpf with its own sleep.
spawn unshare -Urpf --mount-proc bash -c 'sleep 1009 & unshare -Urpf --mount-proc sleep 1010 & wait'
p_outer=$SPAWNED_PID
wait_tree "$p_outer" sleep 2 || fatal "the nested instances did not start"
nest_sleeps=("${T_FOUND[@]}")
wait_tree "$p_outer" bash 1 || fatal "the outer shell is not there"
c_outer=${T_FOUND[0]}
wait_tree "$p_outer" unshare 2 || fatal "the inner unshare is not there"
# (not by pid order: pids wrap around on a busy host)
p_inner=${T_FOUND[0]}
[[ $p_inner == "$p_outer" ]] && p_inner=${T_FOUND[1]}
# the sleep whose user namespace is not the outer shell's is the inner one
if [[ $(ns_ino "${nest_sleeps[0]}" user) == "$(ns_ino "$c_outer" user)" ]]; then
        s_outer=${nest_sleeps[0]} s_inner=${nest_sleeps[1]}
else
        s_outer=${nest_sleeps[1]} s_inner=${nest_sleeps[0]}
fi
[[ $(ns_ino "$s_inner" user) != "$(ns_ino "$c_outer" user)" ]] ||
        fatal "the inner sleep has no user namespace of its own"
[[ $(ns_ino "$p_inner" user) == "$(ns_ino "$s_inner" user)" ]] ||
        fatal "the inner unshare (pid $p_inner) is not in the inner user namespace"

snapshot_fleet ls || fatal "no stable snapshot"

# Written-down expectations; letters in the order user mnt pid net uts ipc
# cgroup time.
expect ls "unshare -U -r" "$p_ur" "U-------" 1 "$p_ur"
expect ls "unshare -Urm" "$p_urm" "Um------" 1 "$p_urm"
expect ls "unshare -Urpf --mount-proc, the unshare process" "$p_urpf" "**------" 1 "$p_urpf"
expect ls "unshare -Urpf --mount-proc, the child" "$c_urpf" "**p-----" 1 "$c_urpf"
expect ls "unshare -n" "$p_n" "---n----" 1 "$p_n"
expect ls "unshare -mpf --mount-proc, the unshare process" "$p_mpf" "-*------" 1 "$p_mpf"
expect ls "unshare -mpf --mount-proc, the child" "$c_mpf" "-*p-----" 1 "$c_mpf"
expect ls "unshare -Uruipnm --fork, the unshare process" "$p_all" "**-***--" 1 "$p_all"
expect ls "unshare -Uruipnm --fork, the child" "$c_all" "**p***--" 1 "$c_all"
expect ls "unshare -UrCTf, the unshare process" "$p_ct" "*-----*-" 1 "$p_ct"
expect ls "unshare -UrCTf, the child" "$c_ct" "*-----*T" 1 "$c_ct"
expect ls "50 sleeps, the unshare process" "$p_many" "**------" 1 "$p_many"
expect ls "50 sleeps, the shell and its sleeps" "${many_sleeps[7]}" "**p-----" 51 "$c_many"
expect ls "nested, the outer unshare process" "$p_outer" "**------" 1 "$p_outer"
expect ls "nested, the outer shell and sleep" "$s_outer" "***-----" 2 "$c_outer"
expect ls "nested, the inner unshare process" "$p_inner" "***-----" 1 "$p_inner"
expect ls "nested, the inner sleep" "$s_inner" "**p-----" 1 "$s_inner"

# The same for every instance of the test's processes, from /proc.
compare_oracle ls

# Nesting: the inner sleep's instance hangs below an instance that holds
# the parent of its user namespace (the outer user namespace, which the
# outer unshare process and the outer shell share).
id_inner=$(id_of ls "$s_inner")
id_inner_unshare=$(id_of ls "$p_inner")
id_outer=$(id_of ls "$c_outer")
id_outer_unshare=$(id_of ls "$p_outer")
outer_user=$(ns_ino "$c_outer" user)
parent_inner=$(awk -F"$US" -v i="$id_inner" '$2 == i { print $8 }' "$T_TMP/ls.tsv")
parent_user=$(awk -F"$US" -v i="$parent_inner" '$2 == i { split($1, k, ":"); print k[1] }' "$T_TMP/ls.tsv")
if [[ -n $parent_inner && $parent_user == "$outer_user" ]]; then
        ok "PARENT of the inner instance holds the outer user namespace"
else
        not_ok "PARENT of the inner instance holds the outer user namespace"
        diag "inner $id_inner: PARENT '$parent_inner' (user ns '$parent_user')," \
                "expected $id_outer or $id_outer_unshare (user ns $outer_user)"
fi
parent_iu=$(awk -F"$US" -v i="$id_inner_unshare" '$2 == i { print $8 }' "$T_TMP/ls.tsv")
if [[ $parent_iu == "$id_outer" || $parent_iu == "$id_outer_unshare" ]]; then
        ok "PARENT of the inner unshare process is an outer instance"
else
        not_ok "PARENT of the inner unshare process is an outer instance"
        diag "got '$parent_iu', expected $id_outer or $id_outer_unshare"
fi
parent_outer=$(awk -F"$US" -v i="$id_outer" '$2 == i { print $8 }' "$T_TMP/ls.tsv")
if [[ -n $parent_outer && $parent_outer != "$id_inner" && $parent_outer != "$id_inner_unshare" ]]; then
        ok "PARENT of the outer shell's instance is not an inner one"
else
        not_ok "PARENT of the outer shell's instance is not an inner one"
        diag "got '$parent_outer'"
fi

# -T -J: children nest under "children", each below its PARENT.
run tree "$NS" ls -T -J -o ID,PID,NPROCS,NS,PARENT
if ((RC == 0)) && jq -e . "$OUT" >/dev/null 2>&1; then
        ok "ns ls -T -J succeeds with valid JSON"
else
        not_ok "ns ls -T -J succeeds with valid JSON"
        diag "status $RC"
        diag_file "$ERR"
fi
tree=$OUT
# every child's parent field names the node it hangs from
wrong=$(jq -r '.. | objects | select(has("children")) | .id as $p
        | .children[] | select(.parent != $p) | "\(.id) has parent \(.parent) but hangs below \($p)"' "$tree" 2>&1)
if [[ -z $wrong ]]; then
        ok "in -T -J every child hangs below its PARENT"
else
        not_ok "in -T -J every child hangs below its PARENT"
        diag "$wrong"
fi
# the inner instance is below the instance its PARENT column names
under=$(jq -r --arg id "$id_inner" --arg p "$parent_inner" '
        [.. | objects | select(.id? == $p) | .. | objects | select(.id? == $id)] | length' "$tree")
if [[ -n $parent_inner && $under -ge 1 ]]; then
        ok "ns ls -T puts the inner instance under $parent_inner"
else
        not_ok "ns ls -T puts the inner instance under its parent"
        diag "inner $id_inner not found below '$parent_inner'"
        diag_file "$tree" 80
fi
toplevel=$(jq -r --arg id "$id_inner" '[.instances[] | select(.id == $id)] | length' "$tree")
is "$toplevel" 0 "ns ls -T does not list the inner instance at the top level"
# every instance of the test's processes is in the tree exactly once
bad=()
while IFS=$US read -r key rest; do
        id=$(tsv_field "$T_TMP/ls.tsv" "$key" 2)
        n=$(jq -r --arg id "$id" '[.. | objects | select(.id? == $id)] | length' "$tree")
        [[ $n == 1 ]] || bad+=("instance ${id:-of $key} is in the tree $n times")
done <"$T_TMP/ls.oracle"
if ((${#bad[@]} == 0)); then
        ok "ns ls -T lists every instance of the test once"
else
        not_ok "ns ls -T lists every instance of the test once"
        diag "${bad[@]}"
fi

done_testing
