#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `ns ps <id>`: the processes of one instance, with their in-namespace PID,
# user, state and command, checked against /proc; and how <id> resolves:
# full ID, ID prefix, NAME, a member's host PID; unknown, ambiguous (by
# name and by prefix) and dead ids fail with exit 1 and a message.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_root
require_tools unshare setpriv jq ps

# An -Urpf instance whose init is a shell with a distinctive name (a
# symlink to bash, so comm is "nsps-PID"), with three sleeps, one stopped.
INIT=nsps-$$
ln -s "$(command -v bash)" "$T_TMP/$INIT" || fatal "symlink $T_TMP/$INIT"
spawn unshare -Urpf --mount-proc "$T_TMP/$INIT" -c 'sleep 1401 & sleep 1402 & sleep 1403 & wait'
p_u=$SPAWNED_PID
wait_tree "$p_u" sleep 3 || fatal "the instance's sleeps did not start"
u_sleeps=("${T_FOUND[@]}")
wait_tree "$p_u" "$INIT" 1 || fatal "the instance's init is not there"
u_init=${T_FOUND[0]}
kill -STOP "${u_sleeps[2]}"
# shellcheck disable=SC2317 # called through wait_for
state_is() { [[ $(proc_state "$1") == "$2" ]]; }
wait_for 10 "pid ${u_sleeps[2]} to stop" state_is "${u_sleeps[2]}" T || fatal "SIGSTOP"

# A root instance (no user namespace) with a member running as nobody.
spawn unshare -m -p -f --mount-proc bash -c \
        'setpriv --reuid=65534 --regid=65534 --clear-groups sleep 1404 & sleep 1405 & wait'
p_r=$SPAWNED_PID
wait_tree "$p_r" sleep 2 || fatal "the root instance's sleeps did not start"
r_sleeps=("${T_FOUND[@]}")
wait_tree "$p_r" bash 1 || fatal "the root instance's shell is not there"
r_init=${T_FOUND[0]}

# Instances that share a name: 16 plain `unshare -Ur sleep`. 16 more
# instances also make two IDs of the test's share a first hex digit.
same=()
for i in $(seq 16); do
        spawn unshare -Ur sleep 1406
        same+=("$SPAWNED_PID")
done
for p in "${same[@]}"; do
        wait_exec "$p" sleep || fatal "unshare -Ur sleep did not start"
done

snapshot_fleet ls || fatal "no stable snapshot"
id_u=$(id_of ls "$u_init")
id_r=$(id_of ls "$r_init")
[[ -n $id_u && -n $id_r ]] || fatal "ns ls does not list the test's instances"

# ps_check LABEL ID KEY: `ns ps ID -J --output-all` lists exactly the
# processes /proc shows in the tuple KEY, each with the right fields.
ps_check() {
        local label=$1 id=$2 key=$3 want got p bad=()
        run ps "$NS" ps -J --output-all "$id"
        if ((RC != 0)) || ! jq -e .processes "$OUT" >/dev/null 2>&1; then
                not_ok "$label: ns ps -J succeeds with valid JSON"
                diag "status $RC"
                diag_file "$ERR"
                return 1
        fi
        want=$(awk -F"$US" -v k="$key" '$1 == k { print $7 }' "$T_TMP/ls.oracle" | tr ',' '\n' | sort -n | tr '\n' ' ')
        got=$(jq -r '.processes[].pid' "$OUT" | sort -n | tr '\n' ' ')
        is "$got" "$want" "$label: ns ps lists every member and only them"
        for p in $got; do
                local row nspid user state cmd ppid uid comm threads
                row=$(jq -c --argjson p "$p" '.processes[] | select(.pid == $p)' "$OUT")
                nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status")
                user=$(ps -o euser= -p "$p" | tr -d ' ')
                uid=$(ps -o euid= -p "$p" | tr -d ' ')
                state=$(proc_state "$p")
                cmd=$(tr '\0' ' ' <"/proc/$p/cmdline" | sed 's/ $//')
                ppid=$(ps -o ppid= -p "$p" | tr -d ' ')
                comm=$(proc_comm "$p")
                threads=$(awk '/^Threads:/ { print $2 }' "/proc/$p/status")
                [[ $(jq -r .nspid <<<"$row") == "$nspid" ]] || bad+=("pid $p: NSPID $(jq -r .nspid <<<"$row"), /proc says $nspid")
                [[ $(jq -r .user <<<"$row") == "$user" ]] || bad+=("pid $p: USER $(jq -r .user <<<"$row"), ps says $user")
                [[ $(jq -r .uid <<<"$row") == "$uid" ]] || bad+=("pid $p: UID $(jq -r .uid <<<"$row"), ps says $uid")
                [[ $(jq -r .state <<<"$row") == "$state" ]] || bad+=("pid $p: STATE $(jq -r .state <<<"$row"), /proc says $state")
                [[ $(jq -r .command <<<"$row") == "$cmd" ]] || bad+=("pid $p: COMMAND '$(jq -r .command <<<"$row")', /proc says '$cmd'")
                [[ $(jq -r .ppid <<<"$row") == "$ppid" ]] || bad+=("pid $p: PPID $(jq -r .ppid <<<"$row"), ps says $ppid")
                [[ $(jq -r .comm <<<"$row") == "$comm" ]] || bad+=("pid $p: COMM $(jq -r .comm <<<"$row"), /proc says $comm")
                [[ $(jq -r .threads <<<"$row") == "$threads" ]] || bad+=("pid $p: THREADS $(jq -r .threads <<<"$row"), /proc says $threads")
                jq -e '(.rss | type) == "number" and .rss > 0 and (.cpu | type) == "number" and (.time | type) == "number"' \
                        <<<"$row" >/dev/null || bad+=("pid $p: RSS/CPU/TIME are not positive numbers: $row")
        done
        if ((${#bad[@]} == 0)); then
                ok "$label: NSPID, USER, UID, STATE, COMMAND, PPID, COMM, THREADS agree with /proc"
        else
                not_ok "$label: NSPID, USER, UID, STATE, COMMAND, PPID, COMM, THREADS agree with /proc"
                diag "${bad[@]}"
        fi
}

ps_check "-Urpf instance" "$id_u" "$(ns_key "$u_init")"
ps_check "root instance with a nobody member" "$id_r" "$(ns_key "$r_init")"

# spot checks written down by hand
run psu "$NS" ps -J -o PID,NSPID,USER,STATE,COMMAND "$id_u"
is "$(jq -r --argjson p "$u_init" '.processes[] | select(.pid == $p) | .nspid' "$OUT")" 1 \
        "the init of the -Urpf instance has NSPID 1"
is "$(jq -r --argjson p "$u_init" '.processes[] | select(.pid == $p) | .command' "$OUT")" \
        "$T_TMP/$INIT -c sleep 1401 & sleep 1402 & sleep 1403 & wait" "its COMMAND is the full command line"
is "$(jq -r --argjson p "${u_sleeps[2]}" '.processes[] | select(.pid == $p) | .state' "$OUT")" T \
        "the stopped sleep has STATE T"
is "$(jq -r '[.processes[].nspid] | sort | map(tostring) | join(" ")' "$OUT")" "1 2 3 4" \
        "the -Urpf instance's NSPIDs are 1 2 3 4"
is "$(jq -r '[.processes[].user] | unique | join(" ")' "$OUT")" root "its processes run as root"
run psr "$NS" ps -J -o PID,USER,UID "$id_r"
nobody_pid=$(for p in "${r_sleeps[@]}"; do [[ $(stat -c %u "/proc/$p") == 65534 ]] && echo "$p"; done)
is "$(jq -r --argjson p "${nobody_pid:-0}" '.processes[] | select(.pid == $p) | "\(.user) \(.uid)"' "$OUT")" \
        "$(id -nu 65534) 65534" "the setpriv'd sleep of the root instance runs as $(id -nu 65534)"

# raw output: one line per member, no heading
run raw "$NS" ps -r -n -o PID,NSPID "$id_u"
is "$(awk '{ print $1 }' "$OUT" | sort -n | tr '\n' ' ')" \
        "$(printf '%s\n' "$u_init" "${u_sleeps[@]}" | sort -n | tr '\n' ' ')" "ns ps -r -n -o PID,NSPID lists the members"

# ---- resolution

pids_of() { jq -r '.processes[].pid' "$1" 2>/dev/null | sort -n | tr '\n' ' '; }
run ref "$NS" ps -J -o PID "$id_u"
ref=$(pids_of "$OUT")

resolves() {
        local label=$1 arg=$2
        run res "$NS" ps -J -o PID "$arg"
        if ((RC == 0)) && [[ $(pids_of "$OUT") == "$ref" ]]; then
                ok "ns ps resolves $label ('$arg')"
        else
                not_ok "ns ps resolves $label ('$arg')"
                diag "status $RC; got pids [$(pids_of "$OUT")], expected [$ref]"
                diag_file "$ERR"
        fi
}

resolves "the full ID" "$id_u"

# the shortest prefix of at least 5 digits no other ID has
all_ids=$(awk -F"$US" '{ print $2 }' "$T_TMP/ls.tsv")
for len in 5 6 7 8 9 10 11; do
        prefix=${id_u:0:len}
        (($(grep -c "^$prefix" <<<"$all_ids") == 1)) && break
done
resolves "a unique ID prefix" "$prefix"

name_u=$(awk -F"$US" -v i="$id_u" '$2 == i { print $10 }' "$T_TMP/ls.tsv")
n_name=$(awk -F"$US" -v n="$name_u" '$10 == n' "$T_TMP/ls.tsv" | wc -l)
if [[ -n $name_u ]] && ((n_name == 1)); then
        resolves "the NAME" "$name_u"
else
        not_ok "ns ps resolves the NAME"
        diag "the instance's NAME '$name_u' is shared by $n_name instances"
fi
resolves "a member's host PID" "${u_sleeps[1]}"
resolves "the leader's host PID" "$u_init"

# the test's own shell is a host process: its PID names the host instance
run host "$NS" ps -J -o PID $$
if ((RC == 0)) && jq -e --argjson p $$ 'any(.processes[]; .pid == $p)' "$OUT" >/dev/null; then
        ok "ns ps <a host PID> lists the host instance"
else
        not_ok "ns ps <a host PID> lists the host instance"
        diag "status $RC"
        diag_file "$ERR"
fi

# unknown
bogus=nosuch-$$
run unknown "$NS" ps "$bogus"
is "$RC" 1 "ns ps of an unknown id exits 1"
check "  ... and says \"no instance '$bogus'\" on stderr" grep -qF "no instance '$bogus'" "$ERR"
check "  ... and prints nothing on stdout" test ! -s "$OUT"

# ambiguous name: the 16 `unshare -Ur sleep` instances
same_ids=()
for p in "${same[@]}"; do same_ids+=("$(id_of ls "$p")"); done
same_name=$(awk -F"$US" -v i="${same_ids[0]}" '$2 == i { print $10 }' "$T_TMP/ls.tsv")
names=$(for i in "${same_ids[@]}"; do awk -F"$US" -v i="$i" '$2 == i { print $10 }' "$T_TMP/ls.tsv"; done | sort -u)
is "$names" "$same_name" "the 16 'unshare -Ur sleep' instances have one NAME ('$same_name')"
run amb "$NS" ps "$same_name"
is "$RC" 1 "ns ps of a NAME 16 instances have exits 1"
check "  ... and says \"'$same_name' is ambiguous\"" grep -qF "'$same_name' is ambiguous" "$ERR"
missing=()
for i in "${same_ids[@]}"; do grep -qF "$i" "$ERR" || missing+=("$i"); done
if ((${#missing[@]} == 0)); then
        ok "  ... and lists all 16 candidates"
else
        not_ok "  ... and lists all 16 candidates"
        diag "missing: ${missing[*]}"
        diag_file "$ERR"
fi

# ambiguous prefix: a prefix two of the test's IDs share. An all-digit
# one that is a live PID names that process instead, so it must have a
# letter, or be no PID. More instances are made until there is one.
shared_prefix() {
        local ids=$1 len p
        for len in 1 2 3 4; do
                for p in $(cut -c1-$len <<<"$ids" | sort | uniq -d); do
                        if [[ $p == *[a-f]* ]] || [[ ! -e /proc/$((10#$p)) ]]; then
                                echo "$p"
                                return 0
                        fi
                done
        done
        return 1
}
snap="ls"
for more in 1 2 3 4 5 6; do
        fleet_ids=$(while IFS=$US read -r key rest; do tsv_field "$T_TMP/$snap.tsv" "$key" 2; done <"$T_TMP/$snap.oracle")
        prefix=$(shared_prefix "$fleet_ids") && break
        for i in 1 2 3 4 5 6 7 8; do
                spawn unshare -Ur sleep 1408
                wait_exec "$SPAWNED_PID" sleep || fatal "unshare -Ur sleep did not start"
        done
        snap=ls$more
        snapshot_fleet "$snap" || fatal "no stable snapshot"
done
[[ -n $prefix ]] || fatal "no two of the test's $(wc -l <<<"$fleet_ids") instances share a usable prefix"
run ambp "$NS" ps "$prefix"
is "$RC" 1 "ns ps of a prefix several IDs share ('$prefix') exits 1"
missing=()
for i in $(grep "^$prefix" <<<"$fleet_ids"); do grep -qF "$i" "$ERR" || missing+=("$i"); done
if grep -qF "'$prefix' is ambiguous" "$ERR" && ((${#missing[@]} == 0)); then
        ok "  ... says it is ambiguous and lists the candidates"
else
        not_ok "  ... says it is ambiguous and lists the candidates"
        diag "missing: ${missing[*]}"
        diag_file "$ERR"
fi

# a dead process
spawn unshare -Ur sleep 1407
dead=$SPAWNED_PID
wait_exec "$dead" sleep || fatal "unshare -Ur sleep did not start"
kill -KILL "$dead"
wait "$dead" 2>/dev/null
# shellcheck disable=SC2317 # called through wait_for
gone() { [[ ! -e /proc/$1 ]]; }
wait_for 10 "pid $dead to be gone" gone "$dead" || fatal "pid $dead did not die"
run dead "$NS" ps "$dead"
is "$RC" 1 "ns ps of a dead process's PID exits 1"
check "  ... and says \"no instance '$dead'\"" grep -qF "no instance '$dead'" "$ERR"

done_testing
