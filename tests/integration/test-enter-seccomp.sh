#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns enter keeps the leader's seccomp filters: the entered command has
# the same mode and count of filters as the leader, in the same order
# (the newest filter's errno wins a tie, so a reversed stack shows), and
# what they forbid fails inside, while it works with --keep=seccomp. The
# instances: processes under filters made by tests/helpers/seccomp-box
# (one filter under no_new_privs, two stacked without), ns run boxes of
# root and of nobody (nobody enters their own box without ptrace), and
# the refusals, each with a clear message: a user-notification filter,
# strict mode, nobody's non-ns instance (filters only root can read), a
# leader traced by strace. After every ns enter, failed or not, the
# leader is neither stopped nor traced (one stopped by SIGSTOP stays so).

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}
# shellcheck source=tests/integration/enter-lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/enter-lib.sh"

require_ns
require_root
require_tools unshare setpriv strace
[[ -n ${SECCOMP_BOX:-} && -x ${SECCOMP_BOX:-} ]] ||
        fatal "SECCOMP_BOX is not the path of tests/helpers/seccomp-box (meson test sets it)"
# The build may be where nobody cannot go (/root is 0700): copies, in
# /var/tmp, which an ns run box sees (its /tmp is a tmpfs of its own).
var_tmp_ns ns-itest-seccomp || fatal "cannot copy ns to /var/tmp"
on_cleanup "rm -rf '$VAR_TMP'"
SB=$VAR_TMP/seccomp-box
cp "$SECCOMP_BOX" "$SB" && chmod 755 "$SB" || fatal "cannot copy SECCOMP_BOX for uid 65534"

NOBODY=65534
AS_NOBODY=(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups)
"${AS_NOBODY[@]}" test -x "$NS" || fatal "uid $NOBODY may not execute NS='$NS'"
"${AS_NOBODY[@]}" test -x "$SB" || fatal "uid $NOBODY may not execute SECCOMP_BOX='$SB'"

# What the entered command reports: its mode and count of filters, then
# what each probe gave ("ok" or an errno name), on one line.
REPORT='printf "%s %s" "$(sed -n "s/^Seccomp:[[:space:]]*//p" /proc/self/status)" "$(sed -n "s/^Seccomp_filters:[[:space:]]*//p" /proc/self/status)"; for p in "$@"; do printf " %s" "$("$SB" probe $p)"; done'

# entered_report NAME [ns enter options] ID PROBES...: run REPORT in ID
# through ns enter; output in OUT, status in RC.
entered_report() {
        local name=$1
        shift
        local opts=()
        while [[ $1 == -* ]]; do
                opts+=("$1")
                shift
        done
        local id=$1
        shift
        # -e: the command has the leader's environment, not ours
        run "$name" "${ENTER_AS[@]}" "$NS" enter "${opts[@]}" -e "SB=$SB" "$id" \
                sh -c "$REPORT" sh "$@"
}
ENTER_AS=()

# untouched LABEL PID: the leader runs on, not stopped and not traced.
untouched() {
        local state tracer
        state=$(status_field "$2" State) tracer=$(status_field "$2" TracerPid)
        if [[ $state != [tT]* && $tracer == 0 ]]; then
                ok "$1: the leader is not left stopped or traced"
        else
                not_ok "$1: the leader is not left stopped or traced"
                diag "State: $state, TracerPid: $tracer"
        fi
}

leader_filters() {
        printf '%s %s' "$(status_field "$1" Seccomp)" "$(status_field "$1" Seccomp_filters)"
}

# start_box LABEL CMD...: spawn CMD, whose process running 'sleep' is the
# instance's leader (pid 1 of its own pid namespace), into LEADER.
start_box() {
        local label=$1
        shift
        spawn "$@"
        wait_tree "$SPAWNED_PID" sleep 1 || { diag_file "$SPAWNED_LOG"; fatal "$label: sleep did not start"; }
        LEADER=${T_FOUND[0]}
        [[ $(status_field "$LEADER" Seccomp) == 2 ]] || fatal "$label: the leader has no seccomp filter"
}

# ------------------------------------------- one filter, no_new_privs

start_box "one filter" unshare -mpuif --mount-proc "$SB" -n userns -- sleep 2601
L1=$LEADER
is "$(leader_filters "$L1")" "2 1" "one filter: the leader has mode 2, 1 filter"
entered_report one "$L1" userns
is "$RC:$(cat "$OUT")" "0:2 1 EPERM" "one filter: the command has mode 2, 1 filter, and unshare(CLONE_NEWUSER) fails"
[[ $RC == 0 ]] || diag_file "$ERR"
untouched "one filter" "$L1"
run one-unshare "$NS" enter "$L1" unshare -U true
[[ $RC != 0 ]] && ok "one filter: 'unshare -U true' fails inside" || not_ok "one filter: 'unshare -U true' fails inside"
if entered "one filter, from the host" sleep "$NS" enter "$L1" sleep 2699; then
        is "$(leader_filters "$E")" "2 1" "one filter: the entered process has mode 2 and 1 filter, as the host sees it"
        is "$(status_field "$E" NoNewPrivs)" 1 "one filter: the entered process has no_new_privs, as the leader"
        kill "$E"
        wait "$ENTER_PID" 2>/dev/null
else
        not_ok "one filter: ns enter runs sleep"
fi
untouched "one filter, sleep" "$L1"
entered_report one-keep --keep=seccomp "$L1" userns
is "$RC:$(cat "$OUT")" "0:0 0 ok" "one filter: --keep=seccomp enters without it"
run one-keep-unshare "$NS" enter --keep=seccomp "$L1" unshare -U true
is "$RC" 0 "one filter: 'unshare -U true' works with --keep=seccomp"

# A leader stopped by SIGSTOP: read all the same, and left stopped, not
# traced; SIGCONT resumes it.
kill -STOP "$L1"
wait_for 10 "pid $L1 to stop" bash -c "[[ \$(sed -n 's/^State:[[:space:]]*//p' /proc/$L1/status) == T* ]]" ||
        fatal "one filter: the leader does not stop"
entered_report one-stopped "$L1" userns
is "$RC:$(cat "$OUT")" "0:2 1 EPERM" "one filter, stopped leader: the command has its filter"
is "$(status_field "$L1" State | cut -c1):$(status_field "$L1" TracerPid)" "T:0" \
        "one filter, stopped leader: still stopped, not traced"
kill -CONT "$L1"
wait_for 10 "pid $L1 to run again" bash -c "[[ \$(sed -n 's/^State:[[:space:]]*//p' /proc/$L1/status) != [tT]* ]]" &&
        ok "one filter, stopped leader: SIGCONT resumes it" || not_ok "one filter, stopped leader: SIGCONT resumes it"

# A leader that another process traces: refused, that tracer left alone.
spawn strace -qq -o /dev/null -p "$L1"
STRACE=$SPAWNED_PID
wait_for 10 "strace to attach to pid $L1" bash -c "[[ \$(sed -n 's/^TracerPid:[[:space:]]*//p' /proc/$L1/status) == $STRACE ]]" ||
        fatal "strace does not attach to pid $L1"
run traced "$NS" enter "$L1" true
is "$RC" 1 "one filter, traced leader: refused, status 1"
grep -q "^ns: cannot enter '$L1': its leader is traced by pid $STRACE, so its seccomp filters cannot be read (use --keep=seccomp to enter without them)$" "$ERR" &&
        ok "one filter, traced leader: a clear message" || { not_ok "one filter, traced leader: a clear message"; diag_file "$ERR"; }
is "$(status_field "$L1" TracerPid)" "$STRACE" "one filter, traced leader: still traced by strace only"
kill "$STRACE"
wait "$STRACE" 2>/dev/null
wait_for 10 "strace to detach" bash -c "[[ \$(sed -n 's/^TracerPid:[[:space:]]*//p' /proc/$L1/status) == 0 ]]" ||
        fatal "strace does not detach from pid $L1"

# --------------------------------- two stacked, without no_new_privs

# The first filter denies unshare(CLONE_NEWUSER) and mkdir with EPERM,
# the second mkdir with EROFS: the newest wins, so EROFS means the order
# was kept (reversed, mkdir would fail with EPERM).
start_box "two filters" unshare -mpuif --mount-proc "$SB" userns,mkdir-eperm mkdir-erofs -- sleep 2602
L2=$LEADER
is "$(leader_filters "$L2")" "2 2" "two filters: the leader has mode 2, 2 filters"
is "$(status_field "$L2" NoNewPrivs)" 0 "two filters: the leader has no no_new_privs"
MKDIR_AT=$T_TMP/mkdir-probe
entered_report two "$L2" userns "mkdir $MKDIR_AT"
is "$RC:$(cat "$OUT")" "0:2 2 EPERM EROFS" "two filters: mode 2, 2 filters, both act, in their order"
[[ $RC == 0 ]] || diag_file "$ERR"
untouched "two filters" "$L2"
entered_report two-keep --keep=seccomp "$L2" userns "mkdir $MKDIR_AT"
is "$RC:$(cat "$OUT")" "0:0 0 ok ok" "two filters: --keep=seccomp enters without them"

# ------------------------------------------------------- ns run boxes

# ns run's filter denies keyctl with ENOSYS and allows user namespaces;
# an instance of the host's root may make none (its limit is 0: ENOSPC).
RUN_ROOT=itest-seccomp-root-$$
spawn "$NS" run --name "$RUN_ROOT" sleep 2603
wait_tree "$SPAWNED_PID" sleep 1 || { diag_file "$SPAWNED_LOG"; fatal "ns run (root) did not start"; }
R_INIT=$(pgrep -P "$SPAWNED_PID" -x ns-init | head -1)
[[ -n $R_INIT ]] || fatal "root's ns run box has no ns-init"
is "$(leader_filters "$R_INIT")" "2 1" "root's ns run box: its pid 1 has mode 2, 1 filter"
entered_report run-root "$RUN_ROOT" keyctl userns
is "$RC:$(cat "$OUT")" "0:2 1 ENOSYS ENOSPC" "root's ns run box: the command has ns' filter (keyctl ENOSYS) and its limit (no user namespace)"
[[ $RC == 0 ]] || diag_file "$ERR"
untouched "root's ns run box" "$R_INIT"
entered_report run-root-keep --keep=seccomp "$RUN_ROOT" keyctl
is "$RC:$(cat "$OUT")" "0:0 0 ok" "root's ns run box: --keep=seccomp enters without it"

RUN_NOBODY=itest-seccomp-nobody-$$
spawn "${AS_NOBODY[@]}" "$NS" run --name "$RUN_NOBODY" sleep 2604
wait_tree "$SPAWNED_PID" sleep 1 || { diag_file "$SPAWNED_LOG"; fatal "ns run (nobody) did not start"; }
N_INIT=$(pgrep -P "$SPAWNED_PID" -x ns-init | head -1)
[[ -n $N_INIT ]] || fatal "nobody's ns run box has no ns-init"
ENTER_AS=(in_test_cg "${AS_NOBODY[@]}")
entered_report run-nobody "$RUN_NOBODY" keyctl userns
is "$RC:$(cat "$OUT")" "0:2 1 ENOSYS ok" "nobody into their ns run box: the command has ns' filter, and may make a user namespace"
[[ $RC == 0 ]] || diag_file "$ERR"
untouched "nobody's ns run box" "$N_INIT"
entered_report run-nobody-keep --keep=seccomp "$RUN_NOBODY" keyctl
is "$RC:$(cat "$OUT")" "0:0 0 ok" "nobody into their ns run box: --keep=seccomp enters without it"
ENTER_AS=()

# ------------------------------------------------------------ refusals

# nobody's own instance under a filter that is not ns': only root may
# read it. Refused, without stopping the leader; root enters with it.
start_box "nobody's filter" "${AS_NOBODY[@]}" unshare -Urpf --mount-proc "$SB" -n userns -- sleep 2605
L3=$LEADER
run nobody-refused in_test_cg "${AS_NOBODY[@]}" "$NS" enter "$L3" true
is "$RC" 1 "nobody's filtered instance: nobody is refused, status 1"
grep -q "^ns: cannot enter '$L3': its seccomp filters can be read only by root (run as root, or use --keep=seccomp to enter without them)$" "$ERR" &&
        ok "nobody's filtered instance: a clear message" || { not_ok "nobody's filtered instance: a clear message"; diag_file "$ERR"; }
untouched "nobody's filtered instance, refused" "$L3"
run nobody-keep in_test_cg "${AS_NOBODY[@]}" "$NS" enter --keep=seccomp "$L3" true
is "$RC" 0 "nobody's filtered instance: nobody enters with --keep=seccomp"
entered_report nobody-root "$L3" userns
is "$RC:$(cat "$OUT")" "0:2 1 EPERM" "nobody's filtered instance: root enters it with its filter"
untouched "nobody's filtered instance, root" "$L3"

# A filter that hands calls to a supervisor cannot be copied.
start_box "user notification" unshare -mpuif --mount-proc "$SB" -n userns notif -- sleep 2606
L4=$LEADER
run notif "$NS" enter "$L4" true
is "$RC" 1 "user notification: refused, status 1"
grep -q "^ns: cannot enter '$L4': its seccomp filter 2 can hand system calls to a supervisor (SECCOMP_RET_USER_NOTIF), which ns cannot copy (use --keep=seccomp to enter without them)$" "$ERR" &&
        ok "user notification: a clear message" || { not_ok "user notification: a clear message"; diag_file "$ERR"; }
untouched "user notification, refused" "$L4"
run notif-keep "$NS" enter --keep=seccomp "$L4" true
is "$RC" 0 "user notification: --keep=seccomp enters"

# Strict mode: nothing could run under it.
spawn unshare -mpuif --mount-proc "$SB" strict
wait_tree "$SPAWNED_PID" seccomp-box 1 || { diag_file "$SPAWNED_LOG"; fatal "strict: the process did not start"; }
L5=${T_FOUND[0]}
wait_for 10 "strict mode" bash -c "grep -q '^Seccomp:[[:space:]]*1' /proc/$L5/status" || fatal "strict: not in strict mode"
run strict "$NS" enter "$L5" true
is "$RC" 1 "strict mode: refused, status 1"
grep -q "^ns: cannot enter '$L5': its leader runs in seccomp strict mode" "$ERR" &&
        ok "strict mode: a clear message" || { not_ok "strict mode: a clear message"; diag_file "$ERR"; }
untouched "strict mode" "$L5"

done_testing
