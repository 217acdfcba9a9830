#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Agreement with lsns(8) on the whole host at one moment. With a small
# fleet of instances running and nothing started meanwhile:
#   - for every namespace lsns lists with processes, the NPROCS of the
#     instances ns gives that inode add up to lsns' NPROCS;
#   - every namespace inode ns reports is known to lsns;
#   - for the fleet's own namespaces, the members `ns ps` lists are exactly
#     the processes /proc shows in them, and the lowest is lsns' PID.
# A zombie has no namespaces left but its user and pid ones, which lsns
# counts; ns leaves zombies out of every instance (they have no tuple), so
# the zombies of the moment are taken off lsns' counts.
# Other processes come and go on a host (kernel workers, other jobs): ns is
# run before and after lsns, and a namespace whose count moved in between
# is left out of that round; rounds are retried until one is still, and
# the fleet's namespaces must be compared in it.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_root
require_tools lsns unshare jq

spawn unshare -Ur sleep 1301
p_ur=$SPAWNED_PID
wait_exec "$p_ur" sleep || fatal "unshare -Ur sleep did not start"

spawn unshare -Urpf --mount-proc bash -c 'for i in 1 2 3 4 5; do sleep 1302 & done; wait'
p_shell=$SPAWNED_PID
wait_tree "$p_shell" sleep 5 || fatal "unshare -Urpf bash did not start its sleeps"

spawn unshare -n -u -i sleep 1303
p_nui=$SPAWNED_PID
wait_exec "$p_nui" sleep || fatal "unshare -nui sleep did not start"

spawn unshare -Urpf --mount-proc bash -c 'sleep 1304 & unshare -Urnpf --mount-proc sleep 1305 & wait'
p_nest=$SPAWNED_PID
wait_tree "$p_nest" sleep 2 || fatal "the nested instances did not start"

spawn unshare -m -p -f --mount-proc -C sleep 1306
p_mpc=$SPAWNED_PID
wait_tree "$p_mpc" sleep 1 || fatal "unshare -mpfC sleep did not start"

# A zombie: the child of a process that never waits. lsns counts it in its
# user and pid namespaces, ns in no instance.
# The child waits until its parent (pid 1 there) has become sleep, so the
# shell cannot reap it first.
spawn unshare -Urpf --mount-proc bash -c \
        'sh -c "while read -r c </proc/1/comm; [ \"\$c\" != sleep ]; do :; done" & exec sleep 1307'
p_zombie=$SPAWNED_PID
# shellcheck disable=SC2317 # called through wait_for
has_zombie() {
        local p
        descendants "$p_zombie"
        for p in "${T_DESC[@]}"; do
                [[ $(proc_state "$p") == Z ]] && return 0
        done
        return 1
}
wait_tree "$p_zombie" sleep 1 || fatal "the zombie's parent did not start"
wait_for 20 "a zombie below pid $p_zombie" has_zombie || fatal "no zombie"

# ns snapshot NAME -> NAME.counts: "type inode nprocs" summed over instances
ns_counts() {
        jq -r '.instances[] | recurse(.children[]?) | . as $i
                | ["user", "mnt", "pid", "net", "uts", "ipc", "cgroup", "time"][]
                | "\(.) \($i[. + "ns"]) \($i.nprocs)"' "$T_TMP/$1.out" |
                awk '{ n[$1 " " $2] += $3 } END { for (k in n) print k, n[k] }' | sort >"$T_TMP/$1.counts"
}

fleet_inodes() {
        # "type inode" of every namespace of the fleet that is not the host's
        local key i host
        host=$(host_key)
        IFS=: read -r -a H <<<"$host"
        while IFS=$US read -r key rest; do
                IFS=: read -r -a K <<<"$key"
                for i in 0 1 2 3 4 5 6 7; do
                        [[ ${K[$i]} == "${H[$i]}" ]] || echo "${NS_TYPES[$i]} ${K[$i]}"
                done
        done <"$T_TMP/fleet.oracle" | sort -u
}

fleet_oracle "$T_TMP/fleet.oracle"
fleet_inodes >"$T_TMP/fleet.inodes"
n_fleet=$(wc -l <"$T_TMP/fleet.inodes")
((n_fleet >= 10)) || fatal "the fleet has only $n_fleet namespaces of its own"

# "type inode" of the user and pid namespaces of every zombie
zombies() {
        local d s
        for d in /proc/[0-9]*; do
                s=
                { read -r s <"$d/stat"; } 2>/dev/null || continue
                s=${s##*) }
                [[ ${s%% *} == Z ]] || continue
                echo "${d#/proc/} user $(ns_ino "${d#/proc/}" user)"
                echo "${d#/proc/} pid $(ns_ino "${d#/proc/}" pid)"
        done | awk 'NF == 3' | sort
}

: >"$T_TMP/joined"
: >"$T_TMP/unstable"
: >"$T_TMP/mismatch"
: >"$T_TMP/z1"
round_ok=0
fleet_unstable=
for round in 1 2 3 4 5 6; do
        zombies >"$T_TMP/z1"
        ns_snapshot a || fatal "ns ls -a -J --output-all failed (status $RC)"
        lsns -J -o NS,TYPE,PID,NPROCS >"$T_TMP/lsns.json" 2>"$T_TMP/lsns.err" ||
                { diag_file "$T_TMP/lsns.err"; fatal "lsns -J failed"; }
        ns_snapshot b || fatal "ns ls -a -J --output-all failed (status $RC)"
        zombies >"$T_TMP/z2"
        if ! cmp -s "$T_TMP/z1" "$T_TMP/z2"; then
                echo "zombies came or went during the round" >"$T_TMP/mismatch"
                continue
        fi
        ns_counts a
        ns_counts b
        jq -r '.namespaces[] | "\(.type) \(.ns) \(.nprocs // 0) \(.pid // 0)"' "$T_TMP/lsns.json" |
                sort >"$T_TMP/lsns.counts"
        # lsns' counts without the zombies
        awk 'FNR == NR { z[$2 " " $3]++; next } { $3 -= z[$1 " " $2]; print }' \
                "$T_TMP/z1" "$T_TMP/lsns.counts" | awk '$3 > 0' >"$T_TMP/lsns.live"

        # type inode A B L: the counts of ns before, ns after and lsns
        join -a1 -a2 -e 0 -o 0,1.2,2.2 \
                <(awk '{ print $1 ":" $2, $3 }' "$T_TMP/a.counts" | sort) \
                <(awk '{ print $1 ":" $2, $3 }' "$T_TMP/b.counts" | sort) |
                join -a1 -a2 -e 0 -o 0,1.2,1.3,2.2 - \
                        <(awk '{ print $1 ":" $2, $3 }' "$T_TMP/lsns.live" | sort) \
                        >"$T_TMP/joined"
        : >"$T_TMP/mismatch"
        : >"$T_TMP/unstable"
        while read -r k a b l; do
                if [[ $a != "$b" ]]; then
                        echo "$k" >>"$T_TMP/unstable"
                elif [[ $a != "$l" ]]; then
                        if [[ $l == 0 ]]; then
                                echo "$k: ns reports $a processes, lsns does not know the namespace" >>"$T_TMP/mismatch"
                        elif [[ $a == 0 ]]; then
                                # a namespace that lived only while lsns ran is
                                # churn; one whose process is still in it is not
                                lpid=$(awk -v t="${k%%:*}" -v i="${k#*:}" '$1 == t && $2 == i { print $4 }' \
                                        "$T_TMP/lsns.counts")
                                if [[ $(ns_ino "$lpid" "${k%%:*}") == "${k#*:}" ]]; then
                                        echo "$k: lsns counts $l processes (pid $lpid), ns has no instance with it" \
                                                >>"$T_TMP/mismatch"
                                else
                                        echo "$k" >>"$T_TMP/unstable"
                                fi
                        else
                                echo "$k: ns counts $a processes, lsns $l" >>"$T_TMP/mismatch"
                        fi
                fi
        done <"$T_TMP/joined"
        fleet_unstable=$(tr ' ' ':' <"$T_TMP/fleet.inodes" | grep -Fxf - "$T_TMP/unstable")
        if [[ ! -s $T_TMP/mismatch && -z $fleet_unstable ]]; then
                round_ok=1
                break
        fi
done
n_compared=$(($(wc -l <"$T_TMP/joined") - $(wc -l <"$T_TMP/unstable")))
if ((round_ok)); then
        ok "NPROCS per namespace agree with lsns ($n_compared namespaces, round $round)"
        [[ -s $T_TMP/z1 ]] && diag "zombies left out of lsns' counts: $(awk '{ print $1 }' "$T_TMP/z1" | sort -un | tr '\n' ' ')"
        [[ -s $T_TMP/unstable ]] && diag "left out, they changed meanwhile: $(tr '\n' ' ' <"$T_TMP/unstable")"
else
        not_ok "NPROCS per namespace agree with lsns"
        diag "after $round rounds; the last one:"
        diag_file "$T_TMP/mismatch" 60
        [[ -n $fleet_unstable ]] && diag "the fleet's namespaces changed: $fleet_unstable"
        diag "unstable: $(tr '\n' ' ' <"$T_TMP/unstable")"
fi

# every inode ns reports (in the still round) is known to lsns
unknown=$(awk '$4 == 0 && $2 == $3 && $2 > 0 { print $1 }' "$T_TMP/joined")
if [[ -z $unknown ]]; then
        ok "every namespace ns reports is known to lsns"
else
        not_ok "every namespace ns reports is known to lsns"
        diag "unknown to lsns: $unknown"
fi

# every namespace lsns counts processes in is in some instance of ns
missing=$(awk '$4 > 0 && $2 == 0 && $3 == 0 { print $1 }' "$T_TMP/joined")
if [[ -z $missing ]]; then
        ok "every namespace lsns lists with processes belongs to an instance"
else
        not_ok "every namespace lsns lists with processes belongs to an instance"
        diag "not in any instance: $missing"
fi

# the fleet's namespaces: lsns agrees, by count and by lowest pid, and the
# members ns ps lists are the processes /proc shows in them
fleet_oracle "$T_TMP/fleet2.oracle"
cmp -s "$T_TMP/fleet.oracle" "$T_TMP/fleet2.oracle" || fatal "the fleet changed during the test"

# members per instance, from ns ps
declare -A members=()
while IFS=$US read -r key rest; do
        id=$(tsv_field "$T_TMP/a.tsv" "$key" 2)
        [[ -n $id ]] || continue
        run ps "$NS" ps -J -o PID "$id"
        if ((RC != 0)); then
                not_ok "ns ps $id succeeds"
                diag_file "$ERR"
                continue
        fi
        members[$key]=$(jq -r '.processes[].pid' "$OUT" | sort -n | tr '\n' ' ')
done <"$T_TMP/fleet.oracle"

bad=()
while read -r type ino; do
        idx=0
        for i in 0 1 2 3 4 5 6 7; do [[ ${NS_TYPES[$i]} == "$type" ]] && idx=$i; done
        # /proc: the fleet's processes in this namespace
        want=$(awk -F"$US" -v i=$((idx + 1)) -v n="$ino" '{ split($1, k, ":") } k[i] == n { print $7 }' \
                "$T_TMP/fleet.oracle" | tr ',' '\n' | sort -n | tr '\n' ' ')
        # ns: the members of the instances holding it
        got=$(for key in "${!members[@]}"; do
                IFS=: read -r -a K <<<"$key"
                [[ ${K[$idx]} == "$ino" ]] && echo "${members[$key]}"
        done | tr ' ' '\n' | sed '/^$/d' | sort -n | tr '\n' ' ')
        read -r _ _ lpid < <(grep "^$type $ino " "$T_TMP/lsns.counts" | cut -d' ' -f1,2,4)
        read -r _ _ lcount _ < <(grep "^$type $ino " "$T_TMP/lsns.live")
        low=${want%% *}
        [[ $got == "$want" ]] || bad+=("$type:$ino: ns ps lists [$got], /proc has [$want]")
        [[ ${lcount:-} == "$(wc -w <<<"$want")" ]] || bad+=("$type:$ino: lsns counts ${lcount:-none}, /proc has $(wc -w <<<"$want")")
        [[ ${lpid:-} == "$low" ]] || bad+=("$type:$ino: lsns PID ${lpid:-none}, lowest member $low")
done <"$T_TMP/fleet.inodes"
if ((${#bad[@]} == 0)); then
        ok "the fleet's $n_fleet namespaces: ns ps members = /proc = lsns (count, lowest PID)"
else
        not_ok "the fleet's namespaces: ns ps members = /proc = lsns (count, lowest PID)"
        diag "${bad[@]}"
fi

done_testing
