#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns enter on real instances made here (unshare, bwrap, ip netns, ns run):
# the entered process has the leader's 8 namespaces, cgroups (v2 and v1,
# joined when they differ from ns' own), ids, groups, CapEff, CapBnd,
# NoNewPrivs, environment, root and working directory, all read from the
# host; nsenter -t LEADER -a agrees on the namespaces. Then the command
# line: every form of <id>, exit status and signal passthrough, pipes that
# pass binary data untouched, -e, -u, -w, --keep, and the errors.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}
# shellcheck source=tests/integration/enter-lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/enter-lib.sh"

require_ns
require_root
require_tools unshare bwrap ip nsenter jq perl cmp sha256sum

# ------------------------------------------------------------ targets

# The leader's environment has a variable of its own, with a newline.
export NS_ITEST_VAR=$'one\ntwo'

spawn unshare -Urpf --mount-proc sleep 2101
p_u=$SPAWNED_PID
wait_tree "$p_u" sleep 1 || fatal "unshare -Urpf sleep did not start"
s_u=${T_FOUND[0]}

spawn bwrap --unshare-all --die-with-parent --ro-bind / / --proc /proc --dev /dev \
        --tmpfs /tmp --chdir /tmp sleep 2102
p_b=$SPAWNED_PID
wait_tree "$p_b" sleep 1 || fatal "bwrap sleep did not start"
s_b=${T_FOUND[0]}

NETNS=ns-itest-enter-$$
ip netns add "$NETNS" || fatal "ip netns add $NETNS"
on_cleanup "ip netns delete $NETNS"
spawn ip netns exec "$NETNS" sleep 2103
p_n=$SPAWNED_PID
wait_exec "$p_n" sleep || fatal "ip netns exec sleep did not start"
s_n=$p_n

# As root, without a user namespace, in a cgroup of its own (v2, and v1
# pids when this host has it): ns has to join them.
spawn unshare -m -p -u -i -f --mount-proc sh -c 'cd /tmp && exec sleep 2104'
p_r=$SPAWNED_PID
wait_tree "$p_r" sleep 1 || fatal "unshare -mpuif sleep did not start"
s_r=${T_FOUND[0]}
CG_MOVED=()
if [[ -n $T_CG ]]; then
        mkdir -p "$T_CG/target" && echo "$s_r" >"$T_CG/target/cgroup.procs" && CG_MOVED+=("v2")
fi
V1_PIDS=$(awk '$9 == "cgroup" && $NF ~ /(^|,)pids(,|$)/ { print $5; exit }' /proc/self/mountinfo)
if [[ -n $V1_PIDS ]]; then
        V1_CG=$V1_PIDS/ns-itest-enter-$$
        mkdir "$V1_CG" && echo "$s_r" >"$V1_CG/cgroup.procs" && CG_MOVED+=("v1 pids")
        on_cleanup "rmdir $V1_CG"
fi
((${#CG_MOVED[@]})) || fatal "could not give the target a cgroup of its own (no v2 leaf, no v1 pids)"
diag "the root target is in cgroups of its own: ${CG_MOVED[*]}"

# ns run, by its name.
RUN_NAME=itest-enter-$$
spawn "$NS" run --name "$RUN_NAME" sleep 2105
p_run=$SPAWNED_PID
wait_tree "$p_run" sleep 1 || { diag_file "$SPAWNED_LOG"; fatal "ns run --name $RUN_NAME sleep did not start"; }
s_run=${T_FOUND[0]}

# ------------------------------------------------------- the same as

check_target() {
        local label=$1 member=$2 how=$3
        if ! leader_of "$label" "$member"; then
                not_ok "$label: ns ls lists the instance of pid $member"
                return
        fi
        local id=$ID leader=$LEADER arg
        case $how in
        id) arg=$id ;;
        pid) arg=$member ;;
        *) arg=$how ;;
        esac
        diag "$label: instance $id, leader $leader, entered as '$arg'"
        if entered "$label" sleep "$NS" enter "$arg" sleep 2199; then
                same_as_leader "$label" "$E" "$leader"
                local mine=$E ns_pid=$ENTER_PID
                if entered "$label nsenter" sleep nsenter -t "$leader" -a sleep 2198; then
                        if same_namespaces "$mine" "$E"; then
                                ok "$label: nsenter -t $leader -a agrees on the namespaces"
                        else
                                not_ok "$label: nsenter -t $leader -a agrees on the namespaces"
                        fi
                        kill "$E" 2>/dev/null
                else
                        not_ok "$label: nsenter -t $leader -a runs"
                fi
                # only 0, 1, 2 of the command's own: nothing of ns'
                local fds
                fds=$(ls "/proc/$mine/fd" | sort -n | tr '\n' ' ')
                is "$fds" "0 1 2 " "$label: the command has no fd but 0, 1, 2"
                # the command dies, ns follows with its status
                kill "$mine" 2>/dev/null
                wait "$ns_pid" 2>/dev/null
        else
                not_ok "$label: ns enter $arg runs a command"
        fi
}

check_target unshare "$s_u" id
check_target bwrap "$s_b" pid
check_target netns "$s_n" id
check_target root-cgroups "$s_r" pid
check_target ns-run "$s_run" "$RUN_NAME"

# The cgroups were joined for real: the entered process is in the target's
# own, not in ns' (the test's).
leader_of cg "$s_r" || fatal "no instance for pid $s_r"
if entered "cgroup join" sleep "$NS" enter "$ID" sleep 2197; then
        [[ -n $T_CG ]] && is "$(sed -n 's/^0:://p' "/proc/$E/cgroup")" \
                "$(sed -n 's/^0:://p' /proc/self/cgroup | sed 's,/$,,')/ns-itest-$$/target" \
                "the entered process is in the target's v2 cgroup"
        [[ -n ${V1_CG:-} ]] && is "$(sed -n 's/^[0-9]*:pids://p' "/proc/$E/cgroup")" "/ns-itest-enter-$$" \
                "the entered process is in the target's v1 pids cgroup"
        # --keep=cgroup stays in ns' own
        mine=$E
        if entered "keep cgroup" sleep "$NS" enter --keep=cgroup "$ID" sleep 2196; then
                is "$(sed -n 's/^0:://p' "/proc/$E/cgroup")" "$(sed -n 's/^0:://p' "/proc/$ENTER_PID/cgroup")" \
                        "--keep=cgroup: the command stays in ns' cgroup"
                kill "$E" 2>/dev/null
        fi
        kill "$mine" 2>/dev/null
fi

# ------------------------------------------------------------- <id>

leader_of ids "$s_u" || fatal "no instance for pid $s_u"
U_ID=$ID U_LEADER=$LEADER
for arg in "$U_ID" "${U_ID:0:6}" "$s_u" "$U_LEADER"; do
        run id "$NS" enter "$arg" readlink /proc/self/ns/user
        is "$(cat "$OUT")/$RC" "$(readlink "/proc/$U_LEADER/ns/user")/0" "<id> '$arg' enters the instance"
done

# ------------------------------------------------ status and signals

run status "$NS" enter "$U_ID" sh -c 'exit 42'
is "$RC" 42 "the command's exit status is ns' own"
# killed by SIGTERM: ns dies of SIGTERM too (a status of 143 would not do)
got=$(perl -e 'system(@ARGV); print $? & 127' "$NS" enter "$U_ID" sh -c 'kill -TERM $$')
is "$got" 15 "a command killed by SIGTERM kills ns with SIGTERM"
got=$(perl -e 'system(@ARGV); print $? & 127' "$NS" enter "$U_ID" sh -c 'kill -KILL $$')
is "$got" 9 "a command killed by SIGKILL kills ns with SIGKILL"

# ------------------------------------------------------------- pipes

head -c 1048576 /dev/urandom >"$T_TMP/blob"
printf '\0\r\n\x04\x03\xff' >>"$T_TMP/blob"
"$NS" enter "$U_ID" cat <"$T_TMP/blob" >"$T_TMP/blob.out" 2>"$T_TMP/blob.err"
is "$?:$(sha256sum <"$T_TMP/blob.out")" "0:$(sha256sum <"$T_TMP/blob")" \
        "a pipe passes 1 MiB of binary data through untouched"
"$NS" enter "$U_ID" sh -c 'cat >&2' <"$T_TMP/blob" 2>"$T_TMP/blob.err2" >/dev/null
cmp -s "$T_TMP/blob" "$T_TMP/blob.err2" && ok "stderr passes binary data untouched" ||
        not_ok "stderr passes binary data untouched"
is "$("$NS" enter "$U_ID" cat </dev/null | wc -c)" 0 "an empty stdin is an empty stdin"

# ---------------------------------------------------------- options

run env "$NS" enter -e NEW=1 -e NS_ITEST_VAR=replaced -e HOME "$U_ID" sh -c 'printf "%s|%s|%s" "$NEW" "$NS_ITEST_VAR" "$HOME"'
is "$(cat "$OUT")" "1|replaced|$HOME" "-e VAR=VAL sets, replaces, and -e VAR takes ns' own value"

leader_of bw "$s_b" || fatal "no instance for pid $s_b"
B_ID=$ID B_LEADER=$LEADER
run env2 "$NS" enter "$U_ID" sh -c 'printf %s "$NS_ITEST_VAR"'
is "$(cat "$OUT")" $'one\ntwo' "the leader's variables come through, newline and all"
NS_ITEST_MINE=ns-side run env3 "$NS" enter --keep=env "$B_ID" sh -c 'printf %s "$NS_ITEST_MINE"'
is "$(cat "$OUT")" ns-side "--keep=env: the environment is ns' own"

run cwd "$NS" enter "$B_ID" pwd
is "$(cat "$OUT")" /tmp "the working directory is the leader's (bwrap --chdir /tmp)"
run cwd2 "$NS" enter -w /usr/share "$B_ID" pwd
is "$(cat "$OUT")" /usr/share "-w DIR sets the working directory"
run cwd3 "$NS" enter -w /no/such/dir "$B_ID" pwd
is "$RC" 1 "-w of a missing directory fails"
grep -q "^ns: cannot enter '$B_ID': cannot change to '/no/such/dir': no such file or directory" "$ERR" &&
        ok "-w of a missing directory says so" || { not_ok "-w of a missing directory says so"; diag_file "$ERR"; }

leader_of rt "$s_r" || fatal "no instance for pid $s_r"
R_ID=$ID
run user "$NS" enter -u nobody "$R_ID" sh -c 'id -u; id -g; printf "%s %s\n" "$HOME" "$USER"; grep CapEff /proc/self/status'
is "$(sed -n 1p "$OUT")" 65534 "-u nobody: uid from the container's passwd"
is "$(sed -n 2p "$OUT")" "$(awk -F: '$1 == "nobody" { print $4 }' /etc/passwd)" "-u nobody: gid from passwd"
is "$(sed -n 3p "$OUT")" "$(awk -F: '$1 == "nobody" { print $6 }' /etc/passwd) nobody" "-u nobody: HOME and USER"
is "$(sed -n 4p "$OUT" | tr -d ' \t')" "CapEff:0000000000000000" "-u nobody: no capabilities"
run user2 "$NS" enter -u 4321:4322 "$R_ID" sh -c 'echo $(id -u) $(id -g)'
is "$(cat "$OUT")" "4321 4322" "-u UID:GID without a passwd entry"
run user3 "$NS" enter -u no-such-user "$R_ID" true
is "$RC" 1 "-u of an unknown user fails"
grep -q "^ns: cannot enter '$R_ID': no user 'no-such-user' in its /etc/passwd" "$ERR" &&
        ok "-u of an unknown user says so" || { not_ok "-u of an unknown user says so"; diag_file "$ERR"; }

# ------------------------------------------------------------- errors

run unknown "$NS" enter no-such-instance-$$ true
is "$RC" 1 "an unknown id: status 1"
grep -q "^ns: cannot enter 'no-such-instance-$$': no such instance$" "$ERR" &&
        ok "an unknown id: a clear message" || { not_ok "an unknown id: a clear message"; diag_file "$ERR"; }
grep -q "^See 'ns ls'.$" "$ERR" && grep -Eq "^Instances are:$|^There are no instances" "$ERR" &&
        ok "an unknown id: the instances there are" || { not_ok "an unknown id: the instances there are"; diag_file "$ERR"; }

# a process that has exited (a zombie whose parent does not reap it)
spawn perl -e 'if (fork) { sleep 1000 } else { exit 0 }'
wait_for 10 "the zombie" bash -c "pgrep -P $SPAWNED_PID >/dev/null" || fatal "no zombie"
zombie=$(pgrep -P "$SPAWNED_PID")
wait_for 10 "pid $zombie to be a zombie" bash -c "[[ \$(awk '{print \$3}' /proc/$zombie/stat) == Z ]]"
run dead "$NS" enter "$zombie" true
is "$RC" 1 "an exited process: status 1"
grep -q "^ns: cannot enter '$zombie': process $zombie has exited" "$ERR" &&
        ok "an exited process: a clear message" || { not_ok "an exited process: a clear message"; diag_file "$ERR"; }

run cmd "$NS" enter "$U_ID" /no/such/command
is "$RC" 127 "a command that does not exist: status 127"
grep -q "^ns: cannot enter '$U_ID': cannot run '/no/such/command': no such file or directory" "$ERR" &&
        ok "a command that does not exist: a clear message" || { not_ok "a missing command: a clear message"; diag_file "$ERR"; }

run usage "$NS" enter
is "$RC" 1 "no id: usage error, status 1"
grep -q "^Try 'ns enter --help'." "$ERR" && ok "no id: points at --help" || not_ok "no id: points at --help"
run help "$NS" enter --help
is "$RC" 0 "--help: status 0"
grep -q "See ns-enter(1)." "$OUT" && ok "--help: to stdout" || not_ok "--help: to stdout"

# Frozen: cgroup v2 (cgroup.freeze) and v1 (freezer.state), refused
# unless --force, which runs the command once thawed.
freeze_v2() { echo "$1" >"$T_CG/target/cgroup.freeze"; }
frozen_v2() { grep -qx "frozen $1" "$T_CG/target/cgroup.events"; }
if [[ -n $T_CG && -e $T_CG/target/cgroup.freeze ]]; then
        freeze_v2 1
        wait_for 10 "the v2 cgroup to freeze" frozen_v2 1 || not_ok "the v2 cgroup freezes"
        run frozen "$NS" enter "$R_ID" true
        is "$RC" 1 "a frozen instance (v2) is refused"
        grep -q "^ns: cannot enter '$R_ID': its cgroup '.*/target' is frozen (thaw it, or use --force to try anyway)" "$ERR" &&
                ok "a frozen instance (v2): a clear message" || { not_ok "a frozen instance (v2): a clear message"; diag_file "$ERR"; }
        spawn "$NS" enter --force "$R_ID" sh -c 'echo thawed-and-ran'
        forced=$SPAWNED_PID forced_log=$SPAWNED_LOG
        # the child joins the frozen cgroup and stops there, before its exec
        wait_for 10 "the forced child to be in the frozen cgroup" \
                bash -c "grep -qx \"\$(pgrep -P $forced | head -1)\" $T_CG/target/cgroup.procs" &&
                ok "--force: the command waits in the frozen cgroup" || not_ok "--force: the command waits in the frozen cgroup"
        freeze_v2 0
        wait_for 10 "the forced command to finish" bash -c "! kill -0 $forced 2>/dev/null" &&
                grep -q thawed-and-ran "$forced_log" && ok "--force: it runs once thawed" ||
                { not_ok "--force: it runs once thawed"; diag_file "$forced_log"; }
        grep -q "^ns: warning: the cgroup .* is frozen" "$forced_log" && ok "--force: warns" || not_ok "--force: warns"
else
        not_ok "cgroup v2 freezing can be tested (no cgroup.freeze in the test's cgroup)"
fi
V1_FREEZER=$(awk '$9 == "cgroup" && $NF ~ /(^|,)freezer(,|$)/ { print $5; exit }' /proc/self/mountinfo)
if [[ -n $V1_FREEZER ]]; then
        FZ=$V1_FREEZER/ns-itest-enter-$$
        mkdir "$FZ" || fatal "mkdir $FZ"
        on_cleanup "echo THAWED > $FZ/freezer.state; rmdir $FZ"
        echo "$s_u" >"$FZ/cgroup.procs" && echo FROZEN >"$FZ/freezer.state"
        wait_for 10 "the v1 freezer to freeze" grep -qx FROZEN "$FZ/freezer.state"
        run frozen1 "$NS" enter "$U_ID" true
        is "$RC" 1 "a frozen instance (v1 freezer) is refused"
        grep -q "^ns: cannot enter '$U_ID': its cgroup 'freezer:/ns-itest-enter-$$' is frozen" "$ERR" &&
                ok "a frozen instance (v1): a clear message" || { not_ok "a frozen instance (v1): a clear message"; diag_file "$ERR"; }
        echo THAWED >"$FZ/freezer.state"
        run thawed1 "$NS" enter "$U_ID" true
        is "$RC" 0 "a thawed instance is entered again"
fi

done_testing
