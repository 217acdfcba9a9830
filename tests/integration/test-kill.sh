#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `ns kill`, `ns freeze` and `ns thaw` on real instances: every member of a
# multi-process instance gets the signal, --leader only the leader; an
# instance in a v2 cgroup of its own is emptied by SIGKILL through
# cgroup.kill, one in a shared cgroup member by member; freezing through
# the v1 freezer and the v2 cgroup.freeze, refused without a cgroup of the
# instance's own; the host refused without --force; unknown ids and bad
# signals; a member that exits between the scan and the signal; a signal
# the kernel refuses (EPERM) reported per process; nobody and a root
# instance; the warning when a pid-namespace init ignores the signal.
#
# The instances are `sigrec` process groups (tests/helpers/sigrec.c) as
# the init of an -Upf instance: each process logs the signals it handles.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_root
require_tools unshare setpriv strace awk pgrep
[[ -x ${SIGREC:-} ]] || fatal "SIGREC is not set to the sigrec helper"
[[ -n $T_CG ]] || fatal "no cgroup v2 for the test (the own-cgroup cases need one)"
FREEZER=/sys/fs/cgroup/freezer
[[ -w $FREEZER/cgroup.procs ]] || fatal "no cgroup v1 freezer at $FREEZER"

# LeakSanitizer cannot run under ptrace: an ASan build of ns run by strace
# would fail at exit for that alone.
STRACE=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace)

# shellcheck disable=SC2317 # called through wait_for
log_count() { [[ -f $1 ]] && (($(grep -c -- "$2" "$1") >= $3)); }

# instance NAME N: an -Upf instance of N sigrec processes logging to
# $T_TMP/NAME.log. Sets INIT (the init's host pid), MEMBERS (host pids,
# init first) and NSPIDS (pid -> its pid inside).
declare -A NSPIDS=()
instance() {
        local name=$1 n=$2 p
        : >"$T_TMP/$name.log"
        spawn unshare -Upf --mount-proc "$SIGREC" "$T_TMP/$name.log" "$n"
        wait_for 20 "$n sigrec processes of '$name' to be ready" \
                log_count "$T_TMP/$name.log" ready "$n" || fatal "instance '$name' did not start"
        wait_tree "$SPAWNED_PID" sigrec "$n" || fatal "instance '$name': not $n processes"
        MEMBERS=("${T_FOUND[@]}")
        INIT=${MEMBERS[0]}
        for p in "${MEMBERS[@]}"; do
                NSPIDS[$p]=$(awk '$1 == "NSpid:" { print $NF }' "/proc/$p/status")
        done
}

# got NAME PID SIG: the member PID of instance NAME logged signal SIG.
got() {
        grep -qx -- "${NSPIDS[$2]} $3" "$T_TMP/$1.log"
}

# into_cgroup DIR PID...: move the processes into the cgroup DIR.
into_cgroup() {
        local dir=$1 p
        shift
        for p in "$@"; do
                echo "$p" >"$dir/cgroup.procs" || fatal "cannot move pid $p into $dir"
        done
}

# shellcheck disable=SC2317 # called through wait_for
# (a cgroup file's size is 0 whatever it holds: read it)
cgroup_empty() { [[ -z $(cat "$1/cgroup.procs") ]]; }
# shellcheck disable=SC2317
all_gone() {
        local p
        for p in "$@"; do
                alive "$p" && return 1
        done
        return 0
}
# shellcheck disable=SC2317
states_are() {
        local want=$1 p
        shift
        for p in "$@"; do
                [[ $(proc_state "$p") == "$want" ]] || return 1
        done
}
# shellcheck disable=SC2317
file_is() { [[ $(cat "$1" 2>/dev/null) == "$2" ]]; }

# ----------------------------------------------------------- every member

instance all 4
run all "$NS" kill -v -s USR1 "$INIT"
is "$RC" 0 "ns kill -s USR1 <pid> exits 0"
is "$(cat "$OUT")" "sent SIGUSR1 to 4 processes of '$INIT'" "  ... and says it signalled 4 processes"
if wait_for 10 "4 USR1 records" log_count "$T_TMP/all.log" ' 10$' 4; then
        ok "  ... every member handled SIGUSR1"
else
        not_ok "  ... every member handled SIGUSR1"
        diag_file "$T_TMP/all.log"
fi
n=0
for p in "${MEMBERS[@]}"; do
        got all "$p" 10 && n=$((n + 1))
done
is "$n" 4 "  ... once each, by the pids inside (1 to 4)"
is "$(grep -c ' 10$' "$T_TMP/all.log")" 4 "  ... and no member twice"

# ----------------------------------------------------------------- --leader

: >"$T_TMP/all.log"
ID=$("$NS" ls -n -r -o ID,PID | awk -v p="$INIT" '$2 == p { print $1 }')
[[ -n $ID ]] || fatal "ns ls does not list the instance of pid $INIT"
run leader "$NS" kill --leader -s USR1 "$ID"
is "$RC" 0 "ns kill --leader -s USR1 <id> exits 0"
# A barrier: TERM to every member after ns is done. A USR1 from ns would
# be pending already, and the lower number is handled first.
kill -TERM "${MEMBERS[@]}"
wait_for 10 "4 TERM records" log_count "$T_TMP/all.log" ' 15$' 4 || diag_file "$T_TMP/all.log"
check "  ... the leader handled SIGUSR1" got all "$INIT" 10
is "$(grep -c ' 10$' "$T_TMP/all.log")" 1 "  ... and no other member did"

# ------------------------------------------------------- an own v2 cgroup

instance own 3
own_members=("${MEMBERS[@]}")
own_cg=$T_CG/kill-own
mkdir "$own_cg" || fatal "mkdir $own_cg"
into_cgroup "$own_cg" "${own_members[@]}"
cgroup_empty "$own_cg" && fatal "the members are not in $own_cg"
run ownkill "${STRACE[@]}" -f -o "$T_TMP/ownkill.strace" -e trace=openat,write,pidfd_send_signal \
        "$NS" kill -v -s KILL "$INIT"
is "$RC" 0 "ns kill -s KILL on an instance in a v2 cgroup of its own exits 0"
if wait_for 10 "$own_cg to be empty" cgroup_empty "$own_cg"; then
        ok "  ... its cgroup is emptied"
else
        not_ok "  ... its cgroup is emptied"
        diag_file "$own_cg/cgroup.procs"
fi
check "  ... every member is gone" wait_for 10 "the members to die" all_gone "${own_members[@]}"
is "$(cat "$OUT")" "killed 3 processes of '$INIT' through cgroup.kill of '${own_cg#/sys/fs/cgroup/unified}'" \
        "  ... through cgroup.kill, it says"
check "  ... cgroup.kill was written (strace)" grep -q 'cgroup.kill", O_WRONLY' "$T_TMP/ownkill.strace"
is "$(grep -c 'pidfd_send_signal(' "$T_TMP/ownkill.strace")" 0 "  ... and no member was signalled one by one"

# A cgroup shared with other processes is not killed wholesale: the test's
# own cgroup holds every process it spawned.
instance shared 3
shared_members=("${MEMBERS[@]}")
run sharedkill "${STRACE[@]}" -f -o "$T_TMP/sharedkill.strace" -e trace=openat,pidfd_send_signal \
        "$NS" kill -v -s KILL "$INIT"
is "$RC" 0 "ns kill -s KILL on an instance in a shared cgroup exits 0"
is "$(cat "$OUT")" "sent SIGKILL to 3 processes of '$INIT'" "  ... one pidfd per member"
check "  ... every member is gone" wait_for 10 "the members to die" all_gone "${shared_members[@]}"
check "  ... cgroup.kill was not touched" bash -c "! grep -q cgroup.kill '$T_TMP/sharedkill.strace'"
check "  ... the test's cgroup still holds its other processes" bash -c "[[ -n \$(cat '$T_CG/cgroup.procs') ]]"

# ------------------------------------------------------------------ freeze

# v1: the instance in a freezer cgroup of its own (the v2 one is the root here)
instance v1 3
v1_members=("${MEMBERS[@]}")
v1_cg=$FREEZER/ns-itest-$$
mkdir "$v1_cg" || fatal "mkdir $v1_cg"
on_cleanup "echo THAWED >'$v1_cg/freezer.state'; rmdir '$v1_cg'"
into_cgroup "$v1_cg" "${v1_members[@]}"
run v1freeze "$NS" freeze "$INIT"
is "$RC" 0 "ns freeze on a v1 freezer cgroup of its own exits 0"
is "$(cat "$v1_cg/freezer.state")" FROZEN "  ... freezer.state is FROZEN when it returns"
check "  ... every task is frozen (state D)" states_are D "${v1_members[@]}"
kill -USR1 "$INIT"
run v1thaw "$NS" thaw "$INIT"
is "$RC" 0 "ns thaw exits 0"
is "$(cat "$v1_cg/freezer.state")" THAWED "  ... freezer.state is THAWED when it returns"
check "  ... the signal sent while frozen is handled now" \
        wait_for 10 "the USR1 sent while frozen" log_count "$T_TMP/v1.log" ' 10$' 1

# v2: cgroup.freeze, and the freezer of v1 left alone
instance v2 3
v2_members=("${MEMBERS[@]}")
v2_cg=$T_CG/freeze-own
mkdir "$v2_cg" || fatal "mkdir $v2_cg"
on_cleanup "echo 0 >'$v2_cg/cgroup.freeze'"
into_cgroup "$v2_cg" "${v2_members[@]}"
run v2freeze "$NS" freeze --timeout 5 "$INIT"
is "$RC" 0 "ns freeze on a v2 cgroup of its own exits 0"
check "  ... cgroup.events says frozen 1 when it returns" grep -qx 'frozen 1' "$v2_cg/cgroup.events"
run v2thaw "$NS" thaw "$INIT"
is "$RC" 0 "ns thaw exits 0"
check "  ... cgroup.events says frozen 0 when it returns" grep -qx 'frozen 0' "$v2_cg/cgroup.events"
kill -USR2 "${v2_members[@]}"
check "  ... every member runs again" wait_for 10 "3 USR2 records" log_count "$T_TMP/v2.log" ' 12$' 3

# refused: the instance of "all" is in the test's shared cgroup (and the
# freezer's root)
run shfreeze "$NS" freeze "$ID"
is "$RC" 1 "ns freeze on an instance without a cgroup of its own exits 1"
check "  ... and says why" grep -q "cannot freeze '$ID': it has no cgroup of its own: its cgroup '.*' also holds pid [0-9]*" "$ERR"
diag_file "$ERR" 3

# A hybrid host's cgroup v2 is empty: the message is the v1 freezer's, of a
# freezer cgroup the instance shares with the unshare that made it
if mountpoint -q /sys/fs/cgroup/freezer; then
        FZ=/sys/fs/cgroup/freezer/ns-itest-fz-$$
        mkdir "$FZ" || fatal "cannot make $FZ"
        on_cleanup "for i in \$(seq 100); do rmdir $FZ 2>/dev/null && break; sleep 0.05; done"
        # not spawn: in the test's own cgroup v2, the v2 verdict would tell
        sh -c "echo \$\$ >$FZ/cgroup.procs && exec unshare -Upf --mount-proc sleep 1438" \
                </dev/null >/dev/null 2>&1 &
        SPAWNED_PID=$!
        T_SPAWNED+=("$SPAWNED_PID")
        wait_tree "$SPAWNED_PID" sleep 1 || fatal "the freezer-shared instance did not start"
        fz_sleep=${T_FOUND[0]}
        run fzshared "$NS" freeze "$fz_sleep"
        check "a v1 freezer cgroup shared with the unshare: said so, by its hierarchy and path" \
                grep -q "cannot freeze '$fz_sleep': it has no cgroup of its own: its cgroup 'freezer:/ns-itest-fz-$$' also holds pid $SPAWNED_PID (unshare)" "$ERR"
        diag_file "$ERR" 3
        kill -KILL "$SPAWNED_PID" "$fz_sleep" 2>/dev/null
fi

# --------------------------------------------------------- host and errors

run host "$NS" kill -s CONT $$
is "$RC" 1 "ns kill on the host instance exits 1"
check "  ... and asks for --force" grep -q "cannot signal '$$': it is the host instance.*--force" "$ERR"
run hostf "$NS" kill --force --leader -s CONT $$
is "$RC" 0 "ns kill --force --leader -s CONT on the host exits 0"

run unknown "$NS" kill -s USR1 no-such-instance-$$
is "$RC" 1 "ns kill on an unknown id exits 1"
check "  ... no instance" grep -q "^ns: no instance 'no-such-instance-$$'" "$ERR"
run badsig "$NS" kill -s NOSUCH "$ID"
is "$RC" 1 "ns kill -s NOSUCH exits 1"
is "$(head -n1 "$ERR")" "ns: unknown signal 'NOSUCH' for -s (see 'ns kill -l')" "  ... and names it"
run zero "$NS" kill -s 0 "$ID"
is "$RC" 1 "ns kill -s 0 exits 1 (not a signal to send)"
run noid "$NS" kill
is "$RC" 1 "ns kill without an id exits 1"
check "  ... with the usage hint" grep -qx "Try 'ns kill --help'." "$ERR"

run list "$NS" kill -l
is "$RC" 0 "ns kill -l exits 0"
for w in HUP KILL TERM RTMIN RTMIN+1 RTMAX; do
        check "  ... lists $w" grep -qw -- "$w" "$OUT"
done
is "$("$NS" kill -l 9) $("$NS" kill -l SIGKILL) $("$NS" kill -l rtmin+1) $("$NS" kill -l 143)" \
        "KILL 9 $(($(kill -l RTMIN) + 1)) TERM" "ns kill -l converts both ways, as kill -l does"
run help "$NS" kill --help
is "$RC" 0 "ns kill --help exits 0"
check "  ... in the usage format" grep -qx ' ns kill \[options\] <id>' "$OUT"

# ------------------------------------- a member exits between scan and signal

# ns stops at its first pidfd_open (strace injects SIGSTOP), the last
# member is killed and reaped meanwhile, and ns goes on.
instance race 3
victim=${MEMBERS[2]}
"${STRACE[@]}" -f -o "$T_TMP/race.strace" -e trace=pidfd_open -e inject=pidfd_open:signal=SIGSTOP:when=1 \
        "$NS" kill -v -s USR1 "$INIT" >"$T_TMP/race.out" 2>"$T_TMP/race.err" &
tracer=$!
# (strace logs the group stop; the state letter alone cannot tell it from
# the stops of tracing every system call)
wait_for 20 "ns to stop at its first pidfd_open" grep -q 'stopped by SIGSTOP' "$T_TMP/race.strace" ||
        fatal "ns did not stop under strace"
racer=$(pgrep -P "$tracer") || fatal "no ns below strace (pid $tracer)"
kill -KILL "$victim"
wait_for 10 "pid $victim to be reaped" bash -c "! test -e /proc/$victim" || fatal "victim not reaped"
kill -CONT "$racer"
wait "$tracer"
is "$?" 0 "ns kill exits 0 when a member exited after the scan"
is "$(cat "$T_TMP/race.out")" "sent SIGUSR1 to 2 processes of '$INIT'
1 process had exited" "  ... signals the others and counts the one gone"
is "$(cat "$T_TMP/race.err")" "" "  ... without an error"

# --------------------------------------------- a signal the kernel refuses

# pidfd_send_signal fails with EPERM for the second process signalled
# (strace's fault injection; ns goes in pid order and the leader last, so
# that is the third member): that one is reported, the others signalled.
instance eperm 3
run eperm "${STRACE[@]}" -f -o /dev/null -e trace=pidfd_send_signal \
        -e inject=pidfd_send_signal:error=EPERM:when=2 "$NS" kill -s USR1 "$INIT"
is "$RC" 1 "ns kill exits 1 when a process could not be signalled"
is "$(cat "$ERR")" "ns: cannot signal ${MEMBERS[2]} (sigrec) in '$INIT': operation not permitted" \
        "  ... and names it, with the reason"
check "  ... the others got it" wait_for 10 "2 USR1 records" log_count "$T_TMP/eperm.log" ' 10$' 2

# ----------------------------------------------------- nobody, root instance

# An unprivileged user may not read a root instance's namespaces, so it
# cannot find it (and could not signal it: the kernel allows signals
# wherever it allows reading them).
ns_for_nobody
run nobody setpriv --reuid=65534 --regid=65534 --clear-groups "$NS" kill -s USR1 "$INIT"
is "$RC" 1 "ns kill as nobody on a root instance exits 1"
check "  ... it may not read that pid's namespaces, and says so" \
        grep -qx "ns: may not read the namespaces of pid $INIT (try as root)" "$ERR"
for c in ps freeze inspect; do
        run "nobody-$c" setpriv --reuid=65534 --regid=65534 --clear-groups "$NS" "$c" "$INIT"
        check "  ... ns $c says the same" grep -q "may not read the namespaces of pid $INIT (try as root)\$" "$ERR"
done
kill -TERM "$INIT"
wait_for 10 "the TERM barrier" log_count "$T_TMP/eperm.log" "^1 15$" 1
is "$(grep -c ' 10$' "$T_TMP/eperm.log")" 2 "  ... and nothing was signalled"

# ------------------------------------------------ an init ignoring SIGTERM

spawn unshare -Upf --mount-proc sleep 1411
wait_tree "$SPAWNED_PID" sleep 1 || fatal "the sleep instance did not start"
sleeper=${T_FOUND[0]}
run ign "$NS" kill "$sleeper"
is "$RC" 0 "ns kill (TERM) on an instance whose init ignores it exits 0"
is "$(cat "$ERR")" "ns: warning: pid $sleeper (sleep), the init of '$sleeper', ignores SIGTERM: the kernel gives an init only the signals it handles (use -s KILL to end it)" \
        "  ... with the warning"
check "  ... and the init lives on" alive "$sleeper"
run ign2 "$NS" kill -s KILL "$sleeper"
is "$(cat "$ERR")" "" "ns kill -s KILL on it warns of nothing"
check "  ... and ends it" wait_for 10 "the sleep to die" all_gone "$sleeper"
run noign "$NS" kill -s TERM "${MEMBERS[0]}"
is "$(cat "$ERR")" "" "no warning for an init with a TERM handler"

# An init that blocks its signals and waits for them (ns run's, tini,
# catatonit) has no handler, and gets them: no warning.
spawn "$NS" run --name "kw$$" sleep 1412
nsrun=$SPAWNED_PID
wait_tree "$nsrun" sleep 1 || fatal "the ns run instance did not start"
wait_for 10 "ns-init to wait for signals" bash -c \
        "grep -q '^128 ' /proc/\$(pgrep -x -P $nsrun ns-init)/syscall" || true
run sigwait "$NS" kill --leader "kw$$"
is "$RC:$(cat "$ERR")" "0:" "ns kill on ns run's instance (its init waits in sigwaitinfo) warns of nothing"
wait "$nsrun"
is "$?" 143 "  ... and the TERM reached it: ns run ends with it"

done_testing
