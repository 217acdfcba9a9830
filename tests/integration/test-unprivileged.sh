#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns run by an unprivileged user (nobody): it lists the rootless instances
# that user made, with the right NPROCS, NS letters and the same IDs root
# sees; it does not crash on the many processes it may not read, and
# counts them on stderr; `ns ps` works on the user's own instance.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
ns_for_nobody
require_root
require_tools setpriv unshare jq

NOBODY_UID=65534
AS_NOBODY=(setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_UID" --clear-groups)

"${AS_NOBODY[@]}" test -x "$NS" ||
        fatal "uid $NOBODY_UID may not execute NS='$NS' (a parent directory is not searchable?)"
require_userns_for "$NOBODY_UID"

# Two rootless instances: a lone sleep, and a shell with two sleeps.
spawn "${AS_NOBODY[@]}" unshare -Urpf --mount-proc sleep 1601
p1=$SPAWNED_PID
wait_tree "$p1" sleep 1 || { diag_file "$SPAWNED_LOG"; fatal "the rootless sleep did not start"; }
c1=${T_FOUND[0]}

spawn "${AS_NOBODY[@]}" unshare -Urpf --mount-proc bash -c 'sleep 1602 & sleep 1603 & wait'
p2=$SPAWNED_PID
wait_tree "$p2" sleep 2 || { diag_file "$SPAWNED_LOG"; fatal "the rootless shell's sleeps did not start"; }
wait_tree "$p2" bash 1 || fatal "the rootless shell is not there"
c2=${T_FOUND[0]}

for p in "$p1" "$c1" "$p2" "$c2"; do
        [[ $(stat -c %u "/proc/$p") == "$NOBODY_UID" ]] || fatal "pid $p does not run as uid $NOBODY_UID"
done

# Root's view, and the oracle.
snapshot_fleet root || fatal "no stable snapshot"

# The unprivileged view. The number of processes nobody may not read is
# counted here before and after ns runs; other processes of the host come
# and go, so a few tries are allowed for ns' count to be within the two.
NB=$T_TMP/nobody
{ mkdir "$NB" && chown "$NOBODY_UID:$NOBODY_UID" "$NB"; } || fatal "mkdir $NB"
cat >"$NB/view.sh" <<'EOF'
# ns reads the user link first, and a process it may not read fails there
# with EACCES, as readlink does: one readlink for every process.
unreadable() {
        readlink -v /proc/[0-9]*/ns/user 2>&1 >/dev/null | grep -c ': Permission denied$'
}
cd "$1" || exit 1
before=$(unreadable)
"$NS" ls -a -J --output-all >ls.out 2>ls.err
echo $? >ls.rc
after=$(unreadable)
echo "$before $after" >count
EOF
# A try where nothing changed around ns must give the exact count; when the
# host never keeps still, a try where it moved by a few processes at most
# must give a count between the two.
count_ok=0 count_near=0
for try in 1 2 3 4 5 6 7 8; do
        rm -f "$NB/ls.out" "$NB/ls.err" "$NB/ls.rc" "$NB/count"
        "${AS_NOBODY[@]}" env NS="$NS" bash "$NB/view.sh" "$NB" >/dev/null 2>&1
        rc=$(cat "$NB/ls.rc" 2>/dev/null)
        [[ $rc == 0 ]] || break
        read -r before after <"$NB/count"
        n=$(sed -n 's/^ns: \([0-9]*\) process\(es\)\? not shown: .*/\1/p' "$NB/ls.err")
        [[ -n $n ]] || break
        if ((before == after && n == before)); then
                count_ok=1
                break
        fi
        lo=$((before < after ? before : after)) hi=$((before > after ? before : after))
        ((lo <= n && n <= hi && hi - lo <= 8)) && count_near=1
done

is "${rc:-none}" 0 "ns ls -a -J --output-all as nobody exits 0 (no crash)"
[[ $rc == 0 ]] || diag_file "$NB/ls.err"
check "  ... and its output is valid JSON" jq -e .instances "$NB/ls.out"
if grep -Eq '^ns: [0-9]+ process(es)? not shown: .*\(try as root\)$' "$NB/ls.err"; then
        ok "  ... it counts the processes it may not read on stderr and suggests root"
else
        not_ok "  ... it counts the processes it may not read on stderr and suggests root"
        diag_file "$NB/ls.err"
fi
if ((count_ok || count_near)); then
        ok "  ... the count ($n) is the number of processes nobody may not read ($before before, $after after)"
else
        not_ok "  ... the count is the number of processes nobody may not read"
        diag "ns says '${n:-nothing}', /proc had ${before:-?} before and ${after:-?} after ($try tries)"
fi
extra=$(grep -v '^ns: [0-9]* process' "$NB/ls.err")
is "$extra" "" "  ... and nothing else on stderr"

# the unprivileged view of the rootless instances, against root's
ns_ls_tsv "$NB/ls.out" "$T_TMP/nb.tsv"
for p in "$p1" "$c1" "$p2" "$c2"; do
        key=$(ns_key "$p")
        want=$(awk -F"$US" -v k="$key" '$1 == k { print $2, $3, $4, $5, $6, $7 }' "$T_TMP/root.tsv")
        got=$(awk -F"$US" -v k="$key" '$1 == k { print $2, $3, $4, $5, $6, $7 }' "$T_TMP/nb.tsv")
        is "$got" "$want" "nobody sees the instance of pid $p ($(proc_comm "$p")) as root does: ID PID NPROCS NS PRIVATE SHARED"
done
expect root "rootless unshare -Urpf, the unshare process (root's view)" "$p1" "**------" 1 "$p1"
expect root "rootless unshare -Urpf, the sleep (root's view)" "$c1" "**p-----" 1 "$c1"
expect root "rootless unshare -Urpf, the shell and two sleeps (root's view)" "$c2" "**p-----" 3 "$c2"
expect nb "rootless unshare -Urpf, the sleep (nobody's view)" "$c1" "**p-----" 1 "$c1"
expect nb "rootless unshare -Urpf, the shell and two sleeps (nobody's view)" "$c2" "**p-----" 3 "$c2"
compare_oracle root

# users and the host instance as nobody sees them
id_c2=$(id_of root "$c2")
is "$(jq -r --arg id "$id_c2" '.instances[] | select(.id == $id) | "\(.user) \(.uid)"' "$NB/ls.out")" \
        "$(id -nu $NOBODY_UID) $NOBODY_UID" "nobody's view: USER and UID of the rootless instance"
host=$(host_key)
is "$(awk -F"$US" -v k="$host" '$1 == k { print $9 }' "$T_TMP/nb.tsv")" host \
        "nobody's view: the host instance has the host's namespaces, runtime host"

# ns ps as nobody on its own instance
"${AS_NOBODY[@]}" "$NS" ps -J --output-all "$id_c2" >"$T_TMP/nb-ps.out" 2>"$T_TMP/nb-ps.err"
is "$?" 0 "ns ps <id> as nobody exits 0"
want=$(for p in $(awk -F"$US" -v k="$(ns_key "$c2")" '$1 == k { print $7 }' "$T_TMP/root.oracle" | tr ',' ' '); do
        echo "$p:$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status"):$(id -nu $NOBODY_UID)"
done | sort | tr '\n' ' ' | sed 's/ $//')
is "$(jq -r '[.processes[] | "\(.pid):\(.nspid):\(.user)"] | sort | join(" ")' "$T_TMP/nb-ps.out" 2>/dev/null)" \
        "$want" "  ... it lists the shell and its sleeps with their NSPID and user"

# nobody may not see root's instances
spawn unshare -Urpf --mount-proc sleep 1604
pr=$SPAWNED_PID
wait_tree "$pr" sleep 1 || fatal "root's unshare -Urpf sleep did not start"
cr=${T_FOUND[0]}
"${AS_NOBODY[@]}" "$NS" ls -J -o ID,PID >"$T_TMP/nb2.out" 2>"$T_TMP/nb2.err"
is "$?" 0 "ns ls as nobody exits 0 with a root instance around"
check "  ... and does not list root's instance (pid $cr)" \
        jq -e --argjson p "$cr" 'all(.instances[]; .pid != $p)' "$T_TMP/nb2.out"
"${AS_NOBODY[@]}" "$NS" ps "$cr" >"$T_TMP/nb3.out" 2>"$T_TMP/nb3.err"
is "$?" 1 "ns ps <root's pid> as nobody exits 1 (it cannot see that instance)"

done_testing
