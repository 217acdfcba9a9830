#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns run --time: the instance has a time namespace of its own whose
# CLOCK_BOOTTIME (the uptime) and CLOCK_MONOTONIC start from zero, as root
# and as nobody, on a host that has been up longer; ns ls still lists pid 1
# and the payload as one instance (pid 1 is in the new clock too), and
# ns enter into it sees the instance's uptime, not the host's.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
ns_for_nobody
require_root
require_tools setpriv jq python3

require_nobody

# seconds (a decimal) below LIMIT?
below() {
        awk -v v="$1" -v l="$2" 'BEGIN { exit !(v != "" && v + 0 < l + 0) }'
}

read -r host_up _ </proc/uptime
below "$host_up" 2 && fatal "the host has been up for ${host_up}s only: the test needs 2s or more"

# The uptime read by the shell itself first thing (no exec: under load a
# program's start alone may take a second), then CLOCK_MONOTONIC and
# CLOCK_BOOTTIME as python reads them (vDSO, which follows the time
# namespace), then the uptime again: the clocks must fall between the two.
CLOCKS='read -r a _ </proc/uptime; echo "$a"; python3 -c "import time; print(time.clock_gettime(time.CLOCK_MONOTONIC), time.clock_gettime(time.CLOCK_BOOTTIME))"; read -r b _ </proc/uptime; echo "$b"'

# between LOW V HIGH: LOW - 0.01 <= V <= HIGH + 0.01 (uptime has 2 decimals)
between() {
        awk -v l="$1" -v v="$2" -v h="$3" 'BEGIN { exit !(v != "" && v + 0 >= l - 0.01 && v + 0 <= h + 0.01) }'
}

for who in root nobody; do
        as=()
        [[ $who == nobody ]] && as=("${AS_NOBODY[@]}")
        run clocks "${as[@]}" "$NS" run --time sh -c "$CLOCKS"
        up=$(sed -n 1p "$OUT")
        read -r mono boot < <(sed -n 2p "$OUT")
        up2=$(sed -n 3p "$OUT")
        if [[ $RC == 0 ]] && below "$up" 1 && between "$up" "$mono" "$up2" && between "$up" "$boot" "$up2"; then
                ok "$who: --time: /proc/uptime below 1 s; CLOCK_MONOTONIC and CLOCK_BOOTTIME run from the same zero"
        else
                not_ok "$who: --time: /proc/uptime below 1 s; CLOCK_MONOTONIC and CLOCK_BOOTTIME run from the same zero"
                diag "status $RC; uptime '$up', monotonic '$mono', boottime '$boot', uptime '$up2' (host ${host_up}s)"
                diag_file "$ERR"
        fi

        run noclock "${as[@]}" "$NS" run cut -d" " -f1 /proc/uptime
        if [[ $RC == 0 ]] && ! below "$(cat "$OUT")" "$host_up"; then
                ok "$who: without --time, the host's uptime"
        else
                not_ok "$who: without --time, the host's uptime"
                diag "status $RC, uptime '$(cat "$OUT")', host ${host_up}s"
        fi
done

# ns ls: pid 1 and the payload are one instance, with a time namespace of
# its own; ns enter joins it.
name=ns-time-$$
spawn "$NS" run --time --name "$name" sleep 3581
nspid=$SPAWNED_PID
if wait_tree "$nspid" sleep 1; then
        payload=${T_FOUND[0]}
        init=$(awk '{ print $4 }' "/proc/$payload/stat")
        is "$(ns_ino "$init" time)" "$(ns_ino "$payload" time)" "pid 1 and the payload share the time namespace"
        check "the time namespace is not the host's" ns_differs "$payload" time

        run ls "$NS" ls -J --output-all
        line=$(jq -r --arg n "$name" '.instances[] | recurse(.children[]?) | select(.name == $n) |
                "\(.pid) \(.nprocs) \(.timens)"' "$OUT")
        is "$line" "$init 2 $(ns_ino "$payload" time)" \
                "ns ls: one instance, led by pid 1, of 2 processes, with the instance's time namespace"

        run enter "$NS" enter "$name" cut -d" " -f1 /proc/uptime
        if [[ $RC == 0 ]] && below "$(cat "$OUT")" 60; then
                ok "ns enter into it sees the instance's uptime ($(cat "$OUT") s)"
        else
                not_ok "ns enter into it sees the instance's uptime"
                diag "status $RC, uptime '$(cat "$OUT")', host ${host_up}s"
                diag_file "$ERR"
        fi
else
        not_ok "the --time instance runs"
        diag_file "$SPAWNED_LOG"
fi

run both "$NS" run --time --share=time true
if [[ $RC == 1 ]] && grep -q "cannot run with --time and --share=time" "$ERR"; then
        ok "--time with --share=time is a usage error"
else
        not_ok "--time with --share=time is a usage error"
        diag_file "$ERR"
fi

done_testing
