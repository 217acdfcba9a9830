#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns inspect on conditions made for real, each checked in the report and
# in its hint: zombies under a pid 1 that never reaps; a task in D state (a
# vfork parent waiting on its stopped child), which ns inspect reports
# within 2 seconds; a frozen instance (the v1 freezer here); an OOM kill,
# refused forks and CPU throttling under ns run's v1 limits; a pid 1 that
# ignores SIGTERM. Also --watch, -J, an unknown id, a non-root run and the
# HEALTH column of ns ls. Cgroup v2 is covered by the fixture trees of
# tests/unit/inspect/test-report.c.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
ns_for_nobody
require_root
require_tools unshare perl jq setpriv
[[ -x ${VFORK_STOP:-} ]] || fatal "VFORK_STOP is not set (the vfork-stop helper)"

# inspect NAME PID [args]: `ns inspect -J ARGS PID` into $T_TMP/NAME.out; RC.
inspect() {
        local name=$1 pid=$2
        shift 2
        run "$name" "$NS" inspect -J "$@" "$pid"
        ((RC == 0)) && jq -e . "$OUT" >/dev/null 2>&1
}

# hint_in FILE REGEX: the report in FILE has a hint matching REGEX.
hint_in() {
        jq -e --arg re "$2" '[.hints[] | select(.text | test($re))] | length > 0' "$1" >/dev/null 2>&1
}

# until_hint NAME PID REGEX [SECONDS]: inspect until the hint shows.
hint_now() {
        inspect "$1" "$2" && hint_in "$T_TMP/$1.out" "$3"
}
until_hint() {
        wait_for "${4:-20}" "hint /$3/ for pid $2" hint_now "$1" "$2" "$3"
}

# check_hint NAME PID REGEX DESC: one check, with the report on failure.
check_hint() {
        if until_hint "$1" "$2" "$3"; then
                ok "$4"
        else
                not_ok "$4"
                diag_file "$T_TMP/$1.out" 5
                diag_file "$T_TMP/$1.err" 5
        fi
}

# ---------------------------------------------------------------- zombies

spawn unshare -fp perl -e 'for (1..5) { fork or exit } sleep 3591'
wait_tree "$SPAWNED_PID" perl 6 || fatal "the zombie maker did not start"
zpid=${T_FOUND[0]}
check_hint zombies "$zpid" '^pid 1 \(perl\) does not reap: 5 zombies, oldest [0-9.]+ s$' \
        "zombies: the hint says pid 1 does not reap 5 zombies"
is "$(jq -r '[.pid1.zombies, .pid1.own_pidns, .pid1.oldest_zombie_exact] | map(tostring) | join(" ")' "$T_TMP/zombies.out")" \
        "5 true true" "zombies: pid1 has 5 zombies, in its own pid namespace, aged from their last run"
is "$(jq -r '[.processes[] | select(.zombie)] | length' "$T_TMP/zombies.out")" 5 \
        "zombies: the 5 zombies are listed as processes"
is "$(jq -r '[.hints[] | select(.text | test("does not reap")) | .file][0]' "$T_TMP/zombies.out")" \
        "/proc/$zpid/task/$zpid/children" "zombies: the hint names the children file"
run zombies-text "$NS" inspect "$zpid"
grep -q "^  reaping    5 zombie children, oldest .* (since it last ran: when it exited)$" "$OUT" &&
        ok "zombies: the text report's pid 1 section says how long" ||
        { not_ok "zombies: the text report's pid 1 section says how long"; diag_file "$OUT" 40; }
# the text and JSON reports give the same hints, in the same order
# (durations and shares masked: the two reports were taken moments apart,
# and host pressure moves between them)
mask() { sed 's/[0-9.]\+ \(s\|min\|h\)\b/N \1/g; s/[0-9.]\+%/N%/g'; }
if diff <(sed -n 's/^  [0-9]*\. [a-z]*: //p' "$OUT" | mask) <(jq -r '.hints[].text' "$T_TMP/zombies.out" | mask) >"$T_TMP/hints.diff"; then
        ok "zombies: text and JSON give the same hints in the same order"
else
        not_ok "zombies: text and JSON give the same hints in the same order"
        diag_file "$T_TMP/hints.diff" 20
fi
run ls-health "$NS" ls -o ID,PID,NPROCS,HEALTH -J
is "$(jq -r --arg p "$zpid" '.instances[] | select(.pid == ($p | tonumber)) | .health' "$OUT")" "5Z" \
        "ns ls -o HEALTH: 5Z for the zombies"
# One scan serves both columns: NPROCS still counts what it counts without
# HEALTH (lsns' way, test-ls-lsns.sh): the zombies, which have no namespace
# links of their own, left out.
with_health=$(jq -r --arg p "$zpid" '.instances[] | select(.pid == ($p | tonumber)) | .nprocs' "$OUT")
run ls-nprocs "$NS" ls -o PID,NPROCS -J
is "$(jq -r --arg p "$zpid" '.instances[] | select(.pid == ($p | tonumber)) | .nprocs' "$OUT")" "1" \
        "ns ls -o NPROCS: pid 1 alone, its zombies left out"
is "$with_health" "1" "ns ls -o NPROCS,HEALTH: the same count with HEALTH"

# ---------------------------------------------------------------- --watch

spawn unshare -fp perl -e 'while (1) { fork or exit; select(undef, undef, undef, 0.3) }'
wait_for 20 "the zombie stream's pid 1" pgrep -P "$SPAWNED_PID" -x perl >/dev/null ||
        fatal "the zombie stream did not start"
wpid=$(pgrep -P "$SPAWNED_PID" -x perl)
run watch "$NS" inspect --watch 1 --iterations 3 "$wpid"
if ((RC == 0)) && (($(grep -c '^after [0-9.]* s:' "$OUT") == 2)) && grep -q '^  new zombie: pid [0-9]* (perl), child of '"$wpid"'$' "$OUT"; then
        ok "--watch: two more samples, each with the new zombies"
else
        not_ok "--watch: two more samples, each with the new zombies"
        diag_file "$OUT" 10
        diag_file "$ERR" 5
fi
run watch-json "$NS" inspect -J -w 0.5 -n 2 "$wpid"
if ((RC == 0)) && (($(wc -l <"$OUT") == 2)) && jq -se '.[1].changes | length > 0' "$OUT" >/dev/null 2>&1; then
        ok "--watch -J: one JSON document per sample, the later with its changes"
else
        not_ok "--watch -J: one JSON document per sample, the later with its changes"
        diag_file "$OUT" 4
fi

# ---------------------------------------------------------------- D state

spawn unshare -fp "$VFORK_STOP"
wait_tree "$SPAWNED_PID" vfork-stop 2 || fatal "the vfork helper did not start"
dparent=${T_FOUND[0]}
dchild=${T_FOUND[1]}
wait_for 10 "the vfork parent in D" bash -c "[[ \$(awk '{print \$3}' /proc/$dparent/stat) == D ]]" ||
        fatal "the vfork parent is not in D state"
t0=$(now_us)
inspect dstate "$dparent"
took=$(($(now_us) - t0))
((RC == 0)) && ok "D state: ns inspect succeeds" || { not_ok "D state: ns inspect succeeds"; diag_file "$ERR"; }
((took < 2000000)) && ok "D state: ns inspect returns within 2 s (took ${took} us)" ||
        not_ok "D state: ns inspect returns within 2 s (took ${took} us)"
is "$(jq -r --arg t "$dparent" '.processes[].tasks[] | select(.tid == ($t | tonumber)) | [.state, .waits_in] | join(" ")' "$OUT")" \
        "D __do_sys_vfork" "D state: the parent is in D in vfork"
is "$(jq -r --arg t "$dchild" '.processes[].tasks[] | select(.tid == ($t | tonumber)) | .state' "$OUT")" \
        "T" "D state: its child is stopped"
check_hint dstate "$dparent" '^1 task in D state for [0-9.]+ s in `__do_sys_vfork`: a vfork parent waits' \
        "D state: the hint names the wait and what it means"
hint_in "$T_TMP/dstate.out" '^1 task stopped \(SIGSTOP or SIGTSTP\)' &&
        ok "D state: the stopped child has its hint too" || not_ok "D state: the stopped child has its hint too"
is "$(jq -r '.hints[0].severity' "$T_TMP/dstate.out")" critical "D state: its hint ranks first, critical"
is "$(jq -r --arg t "$dparent" '.processes[].tasks[] | select(.tid == ($t | tonumber)) | .syscall | split("(")[0]' "$T_TMP/dstate.out")" \
        vfork "D state: the syscall is decoded (vfork)"
kill -KILL "$dchild" 2>/dev/null

# ---------------------------------------------------------------- frozen

FZ=/sys/fs/cgroup/freezer/ns-itest-inspect-$$
[[ -d /sys/fs/cgroup/freezer ]] || fatal "no v1 freezer hierarchy at /sys/fs/cgroup/freezer"
mkdir "$FZ" || fatal "cannot make $FZ"
on_cleanup "echo THAWED > $FZ/freezer.state; sleep 0.2; rmdir $FZ"
spawn unshare -fp sh -c 'sleep 3594 & wait'
wait_tree "$SPAWNED_PID" sleep 1 || fatal "the instance to freeze did not start"
fleader=$(pgrep -P "$SPAWNED_PID" -x sh)
for p in "$fleader" "${T_FOUND[0]}"; do
        echo "$p" >"$FZ/cgroup.procs" || fatal "cannot move $p into $FZ"
done
echo FROZEN >"$FZ/freezer.state"
wait_for 10 "the freezer to freeze" grep -qx FROZEN "$FZ/freezer.state" || fatal "$FZ does not freeze"
t0=$(now_us)
inspect frozen "$fleader"
took=$(($(now_us) - t0))
((RC == 0 && took < 2000000)) && ok "frozen: ns inspect works on a frozen instance within 2 s (${took} us)" ||
        { not_ok "frozen: ns inspect works on a frozen instance within 2 s (${took} us)"; diag_file "$ERR"; }
is "$(jq -r '[.cgroup.freezer, .cgroup.freezer_file] | join(" ")' "$OUT")" "frozen $FZ/freezer.state" \
        "frozen: the freezer state and its file"
hint_in "$OUT" "^frozen: the stack shows \`__refrigerator\`; thaw with 'ns thaw [0-9a-f]{12}' or 'echo THAWED > $FZ/freezer.state'$" &&
        ok "frozen: the hint shows __refrigerator and how to thaw" ||
        { not_ok "frozen: the hint shows __refrigerator and how to thaw"; diag "$(jq -c .hints "$OUT")"; }
# a task that froze while asleep stays in place; one that was woken sits in __refrigerator
is "$(jq -r '[.processes[].tasks[].state] | unique | join(",")' "$OUT")" "D" "frozen: every task shows as D"
is "$(jq -r '[.hints[] | select(.text | test("D state"))] | length' "$OUT")" 0 \
        "frozen: its D tasks are said once, by the frozen hint"
run ls-frozen "$NS" ls -o PID,HEALTH -J
jq -e --arg p "$fleader" '.instances[] | select(.pid == ($p | tonumber)) | .health | test("^frozen 2D$")' "$OUT" >/dev/null &&
        ok "ns ls -o HEALTH: frozen 2D" ||
        { not_ok "ns ls -o HEALTH: frozen 2D"; diag_file "$OUT"; }
echo THAWED >"$FZ/freezer.state"

# ---------------------------------------------------------------- pid 1 ignores SIGTERM

spawn unshare -fp perl -e '$SIG{TERM} = "IGNORE"; sleep 3593'
wait_tree "$SPAWNED_PID" perl 1 || fatal "the SIGTERM ignorer did not start"
check_hint sigterm "${T_FOUND[0]}" '^pid 1 \(perl\) ignores SIGTERM: a stop will wait for its timeout$' \
        "SIGTERM: the hint says pid 1 ignores it"
is "$(jq -r '.pid1.sigterm' "$T_TMP/sigterm.out")" ignored "SIGTERM: pid1.sigterm is 'ignored'"

# ---------------------------------------------------------------- ns run's limits (v1 here)

# instance_of NSPID: the instance leader (ns-init) of an ns run started as NSPID
init_of() {
        pgrep -P "$1" -x ns-init | head -1
}

spawn "$NS" run --memory 32M -- sh -c 'perl -e "\$x = q(a) x (256 * 1024 * 1024)"; exec sleep 3595'
wait_tree "$SPAWNED_PID" sleep 1 30 || { diag_file "$SPAWNED_LOG"; fatal "the OOM instance did not start"; }
oinit=$(init_of "$SPAWNED_PID")
check_hint oom "$oinit" '^the OOM killer killed 1 process \(memory.oom_control\)$' \
        "OOM: the hint counts the kill under the v1 memory limit"
is "$(jq -r '[.cgroup.oom_kills, .cgroup.memory_limit] | map(tostring) | join(" ")' "$T_TMP/oom.out")" \
        "1 33554432" "OOM: 1 kill under a 32 MiB limit in the cgroup section"
jq -r '.hints[] | select(.text | test("OOM")) | .file' "$T_TMP/oom.out" | grep -q '/ns-run-[0-9]*/memory.oom_control$' &&
        ok "OOM: the hint names the leaf's memory.oom_control" || not_ok "OOM: the hint names the leaf's memory.oom_control"
is "$(jq -r '.pid1.init' "$T_TMP/oom.out")" "ns run's reaper" "OOM: pid 1 is known as ns run's reaper"

spawn "$NS" run --pids 6 -- perl -e 'my $n = 0; for (1..12) { my $p = fork; if (!defined $p) { $n++; next } if (!$p) { sleep 3596; exit } } sleep 3596'
wait_tree "$SPAWNED_PID" perl 5 30 || { diag_file "$SPAWNED_LOG"; fatal "the pids instance did not start"; }
pinit=$(init_of "$SPAWNED_PID")
check_hint pids "$pinit" '^pids.max reached: [0-9]+ forks refused \(pids.max is 6\)$' \
        "pids: the hint counts refused forks at pids.max"
n=$(jq -r '.cgroup.forks_refused' "$T_TMP/pids.out")
((n >= 7)) && ok "pids: at least 7 of 12 forks refused ($n)" || not_ok "pids: at least 7 of 12 forks refused ($n)"

spawn "$NS" run --cpus 0.2 -- perl -e '1 while 1'
wait_tree "$SPAWNED_PID" perl 1 30 || { diag_file "$SPAWNED_LOG"; fatal "the CPU instance did not start"; }
cinit=$(init_of "$SPAWNED_PID")
check_hint cpu "$cinit" '^throttled in [0-9]+% of CPU periods: cpu.cfs_quota_us is 0.2 CPU$' \
        "CPU: the hint gives the throttled share and the quota"
run cpu-watch "$NS" inspect -w 1 -n 2 "$cinit"
grep -qE '^  throttled in [0-9]+ of [0-9]+ CPU periods' "$OUT" && ok "--watch: throttling shows as it happens" ||
        { not_ok "--watch: throttling shows as it happens"; diag_file "$OUT" 5; }

# ---------------------------------------------------------------- errors and non-root

run unknown "$NS" inspect no-such-instance-here
is "$RC" 1 "an unknown id: exit status 1"
is "$(head -1 "$ERR")" "ns: cannot inspect 'no-such-instance-here': no such instance" "an unknown id: ns enter's message"

# an instance of nobody's own, as nobody: the kernel stacks are root's only
spawn setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urfp perl -e 'for (1..2) { fork or exit } sleep 3597'
wait_for 20 "nobody's instance" pgrep -P "$SPAWNED_PID" -x perl >/dev/null || fatal "nobody's instance did not start"
npid=$(pgrep -P "$SPAWNED_PID" -x perl)
run nobody setpriv --reuid=65534 --regid=65534 --clear-groups "$NS" inspect -J "$npid"
if ((RC == 0)) && jq -e '(.processes[0].tasks[0].unread.stack | test("permission denied \\(try as root\\)")) and .pid1.zombies == 2' "$OUT" >/dev/null 2>&1; then
        ok "non-root: the report is made, saying what it could not read"
else
        not_ok "non-root: the report is made, saying what it could not read"
        diag_file "$ERR"
        diag "$(head -c 600 "$OUT")"
fi

done_testing
