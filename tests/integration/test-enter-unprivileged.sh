#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns enter run by an unprivileged user (nobody) into that user's own
# rootless instances (unshare -Urpf, bwrap): the entered process has the
# leader's namespaces, cgroups, ids, groups, capabilities, NoNewPrivs,
# environment, root and cwd, as root sees them from the host, and
# nsenter -a run by the same user agrees on the namespaces. An instance of
# root's is refused with a clear message.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}
# shellcheck source=tests/integration/enter-lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/enter-lib.sh"

require_ns
ns_for_nobody
require_root
require_tools setpriv unshare bwrap nsenter

NOBODY=65534
AS_NOBODY=(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups)
"${AS_NOBODY[@]}" test -x "$NS" || fatal "uid $NOBODY may not execute NS='$NS'"
"${AS_NOBODY[@]}" unshare -Ur true || fatal "uid $NOBODY cannot make a user namespace"

spawn "${AS_NOBODY[@]}" env NOBODY_VAR=rootless unshare -Urpf --mount-proc sleep 2401
wait_tree "$SPAWNED_PID" sleep 1 || fatal "nobody's unshare sleep did not start"
s_u=${T_FOUND[0]}

spawn "${AS_NOBODY[@]}" bwrap --unshare-all --die-with-parent --ro-bind / / --proc /proc \
        --dev /dev --tmpfs /tmp --chdir / sleep 2402
wait_tree "$SPAWNED_PID" sleep 1 || { diag_file "$SPAWNED_LOG"; fatal "nobody's bwrap sleep did not start"; }
s_b=${T_FOUND[0]}

for label in unshare bwrap; do
        [[ $label == unshare ]] && member=$s_u || member=$s_b
        [[ $(stat -c %u "/proc/$member") == "$NOBODY" ]] || fatal "pid $member does not run as uid $NOBODY"
        leader_of "$label" "$member" || fatal "no instance for pid $member"
        leader=$LEADER id=$ID
        diag "$label: instance $id, leader $leader"
        if entered "$label" sleep "${AS_NOBODY[@]}" "$NS" enter "$id" sleep 2498; then
                same_as_leader "nobody into $label" "$E" "$leader"
                mine=$E ns_pid=$ENTER_PID
                is "$(stat -c %u "/proc/$ns_pid/status")" 0 "nobody into $label: ns is not dumpable"
                # The oracle is root's nsenter -a: nsenter (2.38), run by an
                # unprivileged user, joins one namespace at a time and
                # cannot join those owned by bwrap's outer user namespace
                # once it is in the inner one. ns joins them in one setns.
                if entered "$label nsenter" sleep nsenter -t "$leader" -a --preserve-credentials sleep 2497; then
                        same_namespaces "$mine" "$E" && ok "nobody into $label: nsenter -t LEADER -a agrees on the namespaces" ||
                                not_ok "nobody into $label: nsenter -t LEADER -a agrees on the namespaces"
                        kill "$E"
                else
                        not_ok "nobody into $label: nsenter -a runs"
                fi
                kill "$mine"
                wait "$ns_pid" 2>/dev/null
        else
                not_ok "nobody into $label: ns enter runs a command"
        fi
done

# The same through a PID, and the exit status.
run bypid in_test_cg "${AS_NOBODY[@]}" "$NS" enter "$s_u" sh -c 'printf "%s %s" "$(id -u)" "$NOBODY_VAR"; exit 3'
is "$RC:$(cat "$OUT")" "3:0 rootless" "nobody by PID: root inside, the leader's environment, the status back"

# root's instance: refused
spawn unshare -Urpf --mount-proc sleep 2403
wait_tree "$SPAWNED_PID" sleep 1 || fatal "root's sleep did not start"
s_root=${T_FOUND[0]}
run refused in_test_cg "${AS_NOBODY[@]}" "$NS" enter "$s_root" true
is "$RC" 1 "root's instance: nobody is refused, status 1"
grep -q "^ns: cannot enter '$s_root': may not .* (try as root)$" "$ERR" &&
        ok "root's instance: a clear message" || { not_ok "root's instance: a clear message"; diag_file "$ERR"; }

done_testing
