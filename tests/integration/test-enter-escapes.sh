#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Attacks on ns enter from inside an instance, each performed for real,
# and the bad inputs a user may give it:
#   - root inside a user-namespaced instance that shares the host's pid
#     namespace tries to stop the relay (the ns process on the host side);
#   - root inside a user-namespaced instance looks for a --tools process
#     and writes the host's file system through its /proc/PID/root: as
#     root with --at, and as the unprivileged owner of the instance;
#   - a live PID that ns may not read is that PID, not an instance that an
#     unprivileged user named after it;
#   - --tools on a terminal ends with the command's status (not Hangup),
#     and works for root into an instance with its own user namespace;
#   - cgroups named '..x', nested deeper than PATH_MAX, or with escape
#     sequences in their name;
#   - clear errors: -w '', -u 4294967295, a huge etc/passwd, a leader with
#     nofile=4, a kernel thread, '00000000001', --at /nonexistent, and one
#     wording for unknown options across commands;
#   - the owner of an instance stops every ns process it may signal (the
#     joiner, the command before its exec): ns enter still ends on ^C;
#   - with fs.suid_dumpable=1, root inside steals fds from the command
#     before its exec (pidfd_getfd) to write the host;
#   - a foreground process group that died inside, whose number a host
#     process then has: the relay's signals never reach that process;
#   - -u in a rootless instance (setgroups denied).

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_root
require_tools unshare setpriv nsenter script truncate tmux
[[ -x ${HOSTILE:-} ]] || fatal "HOSTILE (tests/helpers/hostile) is not set"

NOBODY=65534
AS_NOBODY=(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups)
# The checkout may be where nobody cannot go (/root is 0700): its own copy.
NSN=$T_TMP/ns-for-nobody
cp "$NS" "$NSN" && chmod 755 "$NSN" || fatal "cannot copy NS for uid $NOBODY"
"${AS_NOBODY[@]}" "$NSN" --version >/dev/null || fatal "uid $NOBODY cannot run $NSN"
HOST=$T_TMP/hostile
cp "$HOSTILE" "$HOST" && chmod 755 "$HOST" || fatal "cannot copy HOSTILE"
"${AS_NOBODY[@]}" unshare -Ur true || fatal "uid $NOBODY cannot make a user namespace"
NB=$T_TMP/nobody
mkdir "$NB" && chown $NOBODY:$NOBODY "$NB" || fatal "mkdir $NB"

poll_gone() { ! alive "$1"; }
not_stopped() { [[ $(proc_state "$1") != [tT] ]]; }

# ------------------------------------------ the relay is out of reach

# nobody's instance: its own user namespace, the host's pid namespace, so
# the relay is visible to it and root inside holds CAP_KILL in its namespace.
spawn "${AS_NOBODY[@]}" unshare -Ur sleep 3201
wait_tree "$SPAWNED_PID" sleep 1 || fatal "nobody's user namespace did not start"
s_pidshared=${T_FOUND[0]}
GO=$T_TMP/relay-go
spawn "$NS" enter "$s_pidshared" sh -c "while [ ! -e $GO ]; do sleep 0.02; done; echo released"
relay=$SPAWNED_PID relay_log=$SPAWNED_LOG
wait_tree "$relay" sh 1 || { diag_file "$relay_log"; fatal "ns enter did not start its command"; }
same=1
for t in user mnt pid net uts ipc cgroup; do
        [[ $(readlink "/proc/$relay/ns/$t") == "$(readlink /proc/self/ns/$t)" ]] || {
                same=0
                diag "the relay's $t namespace is $(readlink "/proc/$relay/ns/$t")"
        }
done
((same)) && ok "relay: joins no namespace of the instance" || not_ok "relay: joins no namespace of the instance"
# (nsenter keeps nobody's uid, which is root inside, with every capability there)
run stop "${AS_NOBODY[@]}" nsenter --preserve-credentials -t "$s_pidshared" -U sh -c "kill -STOP $relay"
[[ $RC != 0 ]] && not_stopped "$relay" &&
        ok "relay: root inside cannot stop it" ||
        { not_ok "relay: root inside cannot stop it"; diag "kill -STOP status $RC, relay state $(proc_state "$relay")"; }
run kill "${AS_NOBODY[@]}" nsenter --preserve-credentials -t "$s_pidshared" -U sh -c "kill -KILL $relay"
[[ $RC != 0 ]] && alive "$relay" && ok "relay: root inside cannot kill it" || not_ok "relay: root inside cannot kill it"
kill -CONT "$relay" 2>/dev/null
touch "$GO"
wait_for 20 "the relay to end" poll_gone "$relay" || not_ok "relay: ends once its command does"
wait "$relay" 2>/dev/null
relay_rc=$?
is "$relay_rc" 0 "relay: the command's status is ns' own"
grep -qx released "$relay_log" && ok "relay: the command ran" || { not_ok "relay: the command ran"; diag_file "$relay_log"; }

# -------------------------------------- --tools is out of the instance's reach

# The instance hides $HID under a tmpfs; the host's $HID holds a secret.
# Root inside looks through every /proc/PID/root it can open for the
# secret and writes next to it: only a process that holds the host's file
# system shows it.
HID=$T_TMP/hidden
mkdir "$HID" && echo host-secret >"$HID/secret" || fatal "mkdir $HID"
attacker() { # DIR: sync files and the log of one attack
        printf '%s' "mount -t tmpfs none $HID || exit 1
                while [ ! -e $1/ready ]; do sleep 0.02; done
                for d in /proc/[0-9]*; do
                        if cat \$d/root$HID/secret 2>/dev/null; then
                                echo reached \$d
                                echo pwned >\$d/root$HID/pwned
                        fi
                done >$1/attack.log 2>&1
                touch $1/done
                exec sleep 3202"
}
# root's own user namespace (uid 0 maps to 0): the tools run as uid 0 too
A0=$T_TMP/attack-rootns
mkdir "$A0" || fatal "mkdir $A0"
spawn unshare -Urpfm --mount-proc sh -c "$(attacker "$A0")"
wait_tree "$SPAWNED_PID" sh 1 || { diag_file "$SPAWNED_LOG"; fatal "root's attacking instance did not start"; }
s_box0=${T_FOUND[0]}
run tools_rootns timeout 30 "$NS" enter --tools "$s_box0" \
        sh -c "touch $A0/ready && while [ ! -e $A0/done ]; do sleep 0.02; done"
is "$RC" 0 "--tools as root into root's user namespace: runs" || diag_file "$ERR"
[[ -e $A0/done ]] && ok "--tools, root's user namespace: the attack ran while the tools lived" ||
        not_ok "--tools, root's user namespace: the attack ran while the tools lived"
[[ ! -e $HID/pwned ]] && ! grep -q reached "$A0/attack.log" 2>/dev/null &&
        ok "--tools, root's user namespace: root inside cannot reach the host through /proc/PID/root" ||
        { not_ok "--tools, root's user namespace: root inside cannot reach the host through /proc/PID/root"; diag_file "$A0/attack.log"; }
rm -f "$HID/pwned"

# nobody's user namespace, where uid 0 is not mapped: --at an existing directory
A1=$NB/attack-root
mkdir "$A1" && chown $NOBODY "$A1" || fatal "mkdir $A1"
spawn "${AS_NOBODY[@]}" unshare -Urpfm --mount-proc sh -c "$(attacker "$A1")"
box1=$SPAWNED_PID
wait_tree "$box1" sh 1 || { diag_file "$SPAWNED_LOG"; fatal "the attacking instance did not start"; }
s_box1=${T_FOUND[0]}
AT=$T_TMP/at
mkdir "$AT" || fatal "mkdir $AT"
run tools_root timeout 30 "$NS" enter --tools --at "$AT" "$s_box1" \
        sh -c "test -e $AT/bin && touch $A1/ready && while [ ! -e $A1/done ]; do sleep 0.02; done"
is "$RC" 0 "--tools as root into nobody's user namespace: runs" || diag_file "$ERR"
[[ -e $A1/done ]] && ok "--tools as root: the attack ran while the tools lived" || not_ok "--tools as root: the attack ran while the tools lived"
[[ ! -e $HID/pwned ]] && ! grep -q reached "$A1/attack.log" 2>/dev/null &&
        ok "--tools as root: root inside cannot reach the host through /proc/PID/root" ||
        { not_ok "--tools as root: root inside cannot reach the host through /proc/PID/root"; diag_file "$A1/attack.log"; }
rm -f "$HID/pwned"

# without --at, as root, into the same user-namespaced instance
run tools_default timeout 30 "$NS" enter --tools "$s_box1" sh -c 'test -e /run/ns/root/bin'
is "$RC" 0 "--tools as root into a user namespace: the root at /run/ns/root" || diag_file "$ERR"

# nobody, against its own instance: refused, so nothing to attack
A2=$NB/attack-nobody
mkdir "$A2" && chown $NOBODY "$A2" || fatal "mkdir $A2"
spawn "${AS_NOBODY[@]}" unshare -Urpfm --mount-proc sh -c "$(attacker "$A2")"
wait_tree "$SPAWNED_PID" sh 1 || fatal "nobody's attacking instance did not start"
s_box2=${T_FOUND[0]}
run tools_nobody timeout 30 "${AS_NOBODY[@]}" "$NSN" enter --tools --at "$NB" "$s_box2" \
        sh -c "touch $A2/ready && while [ ! -e $A2/done ]; do sleep 0.02; done"
is "$RC" 1 "--tools as nobody into its own user namespace: refused"
grep -q "^ns: cannot enter '$s_box2' with --tools: it has a user namespace of its own.*(try as root" "$ERR" &&
        ok "--tools as nobody: a clear message" || { not_ok "--tools as nobody: a clear message"; diag_file "$ERR"; }
[[ ! -e $HID/pwned ]] && ok "--tools as nobody: the host is not written" || not_ok "--tools as nobody: the host is not written"

# ------------------------------------------------------- --tools on a tty

spawn unshare -pf --mount-proc sleep 3203
wait_tree "$SPAWNED_PID" sleep 1 || fatal "the pid namespace did not start"
s_plain=${T_FOUND[0]}
run tools_tty script -qec "$NS enter --tools $s_plain sh -c 'exit 7'" /dev/null
is "$RC" 7 "--tools on a terminal: the command's status, not Hangup"
run tools_at "$NS" enter --tools --at /nonexistent "$s_plain" true
is "$RC" 1 "--tools --at /nonexistent: status 1"
grep -q "^ns: cannot enter '$s_plain': cannot mount its root at '/nonexistent': no such directory (give an existing directory with --at)" "$ERR" &&
        ok "--tools --at /nonexistent: a clear message" || { not_ok "--tools --at /nonexistent: a clear message"; diag_file "$ERR"; }

# ---------------------------------------------- a live PID is that PID

# nobody names its sandbox after a root process it may not read.
spawn "${AS_NOBODY[@]}" "$NSN" run --name "$$" sleep 3204
wait_tree "$SPAWNED_PID" sleep 1 || { diag_file "$SPAWNED_LOG"; fatal "nobody's ns run did not start"; }
run bypid "${AS_NOBODY[@]}" "$NSN" enter "$$" hostname
is "$RC" 1 "a PID nobody may not read: an error, not the instance named like it"
grep -q "^ns: cannot enter '$$': may not read the namespaces of pid $$ (try as root)" "$ERR" &&
        ok "a PID nobody may not read: a clear message" || { not_ok "a PID nobody may not read: a clear message"; diag_file "$OUT"; diag_file "$ERR"; }
run byname "${AS_NOBODY[@]}" "$NSN" enter "$(printf '%s' "$$")x" true
is "$RC" 1 "a name that is not there: status 1"

run zeros "$NS" enter 00000000001 true
is "$RC" 1 "'00000000001': status 1"
grep -q "^ns: cannot enter '00000000001': no such instance" "$ERR" &&
        ok "'00000000001' is an ID prefix, not pid 1" || { not_ok "'00000000001' is an ID prefix, not pid 1"; diag_file "$ERR"; }

run kthread "$NS" enter 2 true
is "$RC" 1 "a kernel thread: status 1"
grep -q "^ns: cannot enter '2': pid 2 is a kernel thread" "$ERR" &&
        ok "a kernel thread: a clear message" || { not_ok "a kernel thread: a clear message"; diag_file "$ERR"; }

# -------------------------------------------------------- bad options

run w_empty "$NS" enter -w "" "$s_plain" true
is "$RC" 1 "-w '': status 1"
grep -q "^ns: -w needs a directory" "$ERR" && ok "-w '': a clear message" || { not_ok "-w '': a clear message"; diag_file "$ERR"; }
run u_max "$NS" enter -u 4294967295 "$s_plain" id
is "$RC" 1 "-u 4294967295: status 1"
grep -q "^ns: invalid id '4294967295' for -u (ids go from 0 to 4294967294)" "$ERR" &&
        ok "-u 4294967295: a clear message" || { not_ok "-u 4294967295: a clear message"; diag_file "$ERR"; }
for cmd in ls ps enter run; do
        run "opt_$cmd" "$NS" "$cmd" --no-such-option
        is "$RC" 1 "ns $cmd --no-such-option: status 1"
        [[ $(head -1 "$ERR") == "ns: unknown option '--no-such-option'" &&
                $(sed -n 2p "$ERR") == "Try 'ns $cmd --help'." ]] &&
                ok "ns $cmd: unknown options are worded as everywhere" ||
                { not_ok "ns $cmd: unknown options are worded as everywhere"; diag_file "$ERR"; }
done

# ------------------------------------------- a huge etc/passwd, nofile=4

BIG=$T_TMP/passwd.big
truncate -s 17M "$BIG" || fatal "truncate"
spawn unshare -mpf --mount-proc sh -c "mount --bind $BIG /etc/passwd && exec sleep 3205"
wait_tree "$SPAWNED_PID" sleep 1 || { diag_file "$SPAWNED_LOG"; fatal "the huge-passwd instance did not start"; }
s_big=${T_FOUND[0]}
run bigpw "$NS" enter -u daemon "$s_big" true
is "$RC" 1 "-u NAME with an etc/passwd over the size cap: status 1"
grep -q "^ns: cannot enter '$s_big': its /etc/passwd is larger than ns reads (16 MiB) (give -u as UID\[:GID\])" "$ERR" &&
        ok "a huge etc/passwd: a clear message" || { not_ok "a huge etc/passwd: a clear message"; diag_file "$ERR"; }

spawn unshare -pf --mount-proc prlimit --nofile=4:4 sleep 3206
wait_tree "$SPAWNED_PID" sleep 1 || fatal "the nofile=4 instance did not start"
s_nofile=${T_FOUND[0]}
run nofile "$NS" enter "$s_nofile" sh -c 'ulimit -n; ulimit -Hn'
is "$RC" 0 "a leader with nofile=4: entered" || diag_file "$ERR"
is "$(tr '\n' ' ' <"$OUT")" "4 4 " "a leader with nofile=4: the command has its limit"
run nofile_tty script -qec "$NS enter $s_nofile sh -c 'ulimit -n'" /dev/null
is "$RC" 0 "a leader with nofile=4, on a terminal: entered" || diag_file "$OUT"

# ------------------------------------------------------------- cgroups

# cgroup v2 when the test has a leaf of its own, else v1's freezer.
if [[ -n $T_CG ]]; then
        CGB=$T_CG
        freeze() { echo 1 >"$1/cgroup.freeze"; }
        is_frozen() { grep -qx 'frozen 1' "$1/cgroup.events"; }
else
        V1=$(awk '$9 == "cgroup" && $NF ~ /(^|,)freezer(,|$)/ { print $5; exit }' /proc/self/mountinfo)
        [[ -n $V1 ]] || fatal "no cgroup v2 leaf and no v1 freezer"
        CGB=$V1/ns-itest-esc-$$
        mkdir "$CGB" || fatal "mkdir $CGB"
        on_cleanup "find '$CGB' -depth -type d -execdir rmdir {} +"
        freeze() { echo FROZEN >"$1/freezer.state"; }
        is_frozen() { grep -qx FROZEN "$1/freezer.state"; }
fi
in_cgroup() { # PID DIR: move PID there
        mkdir -p "$2" && echo "$1" >"$2/cgroup.procs"
}

spawn unshare -pf --mount-proc sleep 3207
wait_tree "$SPAWNED_PID" sleep 1 || fatal "the ..x instance did not start"
s_dots=${T_FOUND[0]}
in_cgroup "$s_dots" "$CGB/..x" || fatal "cannot move $s_dots to $CGB/..x"
run dots "$NS" enter "$s_dots" cat /proc/self/cgroup
is "$RC" 0 "a cgroup named '..x': entered" || diag_file "$ERR"
grep -q '/\.\.x$' "$OUT" && ok "a cgroup named '..x': the command is in it" || { not_ok "a cgroup named '..x': the command is in it"; diag_file "$OUT"; }

# A cgroup PATH (relative to CGB) made one directory at a time, whose
# path as /proc/PID/cgroup shows it is LEN characters long; PID moved in.
CGB_MNT=$(awk -v d="$CGB" '($9 == "cgroup2" || $9 == "cgroup") && index(d, $5 "/") == 1 { print $5 }' /proc/self/mountinfo | tail -1)
[[ -n $CGB_MNT ]] || fatal "no cgroup mount above $CGB"
make_deep() { # PID LEN NAME
        local rel=${CGB#"$CGB_MNT"}/$3 left seg
        (cd "$CGB" && mkdir "$3" && cd "$3" || exit 1
                left=$(($2 - ${#rel}))
                while ((left > 0)); do
                        seg=$(printf 'd%.0s' $(seq 1 $((left > 201 ? 200 : left - 1))))
                        mkdir "$seg" && cd "$seg" || exit 1
                        left=$((left - ${#seg} - 1))
                done
                echo "$1" >cgroup.procs)
}
cgroup_len() { sed -n 's/^[0-9]*:[^:]*:\(.*\)$/\1/p' "/proc/$1/cgroup" | awk '{ print length }' | sort -n | tail -1; }

# Below the kernel's cut, but with the mount point longer than PATH_MAX.
spawn unshare -pf --mount-proc sleep 3208
wait_tree "$SPAWNED_PID" sleep 1 || fatal "the deep-cgroup instance did not start"
s_deep=${T_FOUND[0]}
make_deep "$s_deep" 4090 deep || fatal "cannot make a cgroup 4090 characters deep"
run deep "$NS" enter "$s_deep" sh -c 'cat /proc/self/cgroup'
is "$RC" 0 "a cgroup of $(cgroup_len "$s_deep") characters, over PATH_MAX with its mount point: entered" || diag_file "$ERR"
longest() { awk '{ print length, $0 }' "$1" | sort -n | tail -1; }
[[ $(longest "$OUT") == "$(longest "/proc/$s_deep/cgroup")" ]] && ok "a cgroup over PATH_MAX with its mount point: the command is in it" ||
        not_ok "a cgroup over PATH_MAX with its mount point: the command is in it"

# Deeper than /proc/PID/cgroup shows: a clear error, with what to do.
spawn unshare -pf --mount-proc sleep 3210
wait_tree "$SPAWNED_PID" sleep 1 || fatal "the deeper-cgroup instance did not start"
s_deeper=${T_FOUND[0]}
make_deep "$s_deeper" 4600 deeper || fatal "cannot make a cgroup 4600 characters deep"
run deeper "$NS" enter "$s_deeper" true
is "$RC" 1 "a cgroup deeper than /proc/PID/cgroup shows: status 1"
grep -q "^ns: cannot enter '$s_deeper': its cgroup is nested deeper than the kernel shows in /proc/$s_deeper/cgroup (4095 characters), so ns cannot find it (use --keep=cgroup to stay in yours)$" "$ERR" &&
        ok "a cgroup deeper than /proc/PID/cgroup shows: a clear message" || { not_ok "a cgroup deeper than /proc/PID/cgroup shows: a clear message"; diag "$(cut -c1-300 "$ERR")"; }
run deeper_keep "$NS" enter --keep=cgroup "$s_deeper" true
is "$RC" 0 "a cgroup deeper than /proc/PID/cgroup shows: --keep=cgroup enters"

spawn unshare -pf --mount-proc sleep 3209
wait_tree "$SPAWNED_PID" sleep 1 || fatal "the escape-named instance did not start"
s_esc=${T_FOUND[0]}
ESC_CG="$CGB/esc"$'\e'"[31mred"
in_cgroup "$s_esc" "$ESC_CG" || fatal "cannot make a cgroup with an escape in its name"
freeze "$ESC_CG"
wait_for 10 "the escape-named cgroup to freeze" is_frozen "$ESC_CG" || not_ok "the escape-named cgroup freezes"
run esc "$NS" enter "$s_esc" true
is "$RC" 1 "a frozen cgroup with an escape in its name: refused"
! grep -q $'\e' "$ERR" && grep -q 'esc?\[31mred' "$ERR" &&
        ok "a cgroup's escape sequence never reaches the terminal" ||
        { not_ok "a cgroup's escape sequence never reaches the terminal"; diag "$(od -c "$ERR" | head -5)"; }

# ------------------------------------------------- -u in a rootless instance

spawn "${AS_NOBODY[@]}" unshare -Ur sleep 3211
wait_tree "$SPAWNED_PID" sleep 1 || fatal "nobody's rootless instance did not start"
s_rootless=${T_FOUND[0]}
run u_rootless "$NS" enter -u root "$s_rootless" id -u
is "$RC" 0 "-u root in a rootless instance (setgroups denied): entered" || diag_file "$ERR"
is "$(cat "$OUT")" 0 "-u root in a rootless instance: uid 0 inside"
run u_unmapped "$NS" enter -u 4321:4321 "$s_rootless" id -u
is "$RC:$(cat "$ERR")" "1:ns: cannot enter '$s_rootless': its user namespace maps no gid 4321 (see /proc/$s_rootless/gid_map for the ids it has)" \
        "-u with an id the instance does not map: says so"

# --------------------------- the owner stops every ns process it may signal

spawn "${AS_NOBODY[@]}" unshare -Urpf --mount-proc sleep 3212
wait_tree "$SPAWNED_PID" sleep 1 || fatal "nobody's instance for the stopper did not start"
s_stop=${T_FOUND[0]}
# only below this test: another suite's ns on the same machine is left alone
spawn "${AS_NOBODY[@]}" "$HOST" stop 60 "$NB/stop.log" $$
stopper=$SPAWNED_PID
hung=0 stopped=0
enter_done() { ! alive "$1"; }
for i in $(seq 1 4); do
        "$NS" enter "$s_stop" true >/dev/null 2>&1 &
        r=$!
        if ! wait_for 1 "try $i" enter_done "$r" >/dev/null; then
                stopped=$((stopped + 1))
                kill -INT "$r" 2>/dev/null
                if ! wait_for 3 "ns enter to end on SIGINT" enter_done "$r"; then
                        hung=$((hung + 1))
                        diag "try $i: ns enter (pid $r) ignores SIGINT: $(ps -o stat=,wchan= -p "$r")"
                        kill -KILL "$r" 2>/dev/null
                fi
        fi
        wait "$r" 2>/dev/null
done
kill "$stopper" 2>/dev/null
diag "the owner stopped $(grep -c hit "$NB/stop.log" 2>/dev/null) processes; $stopped of 4 entries waited"
is "$hung" 0 "an owner that stops ns' processes: ns enter still ends on SIGINT"
while read -r _ p; do [[ $(proc_comm "$p") == ns ]] && kill -KILL "$p" 2>/dev/null; done <"$NB/stop.log"

# ------------------ fs.suid_dumpable=1: no host fd to steal before the exec

old_dumpable=$(cat /proc/sys/fs/suid_dumpable)
on_cleanup "echo $old_dumpable >/proc/sys/fs/suid_dumpable"
STOLEN=var/tmp/ns-itest-stolen-$$
rm -f "/$STOLEN"
# the instance's own /var/tmp is a tmpfs: through its own root or cwd the
# thief writes there; only a host fd reaches the host's /var/tmp
spawn "${AS_NOBODY[@]}" unshare -Urpfm --mount-proc sh -c \
        "mount -t tmpfs none /var/tmp && cd / && { $HOST steal 40 $STOLEN & exec sleep 3213; }"
wait_tree "$SPAWNED_PID" sleep 1 || { diag_file "$SPAWNED_LOG"; fatal "the thief's instance did not start"; }
s_thief=${T_FOUND[0]}
echo 1 >/proc/sys/fs/suid_dumpable
for i in $(seq 1 30); do
        [[ -e /$STOLEN ]] && break
        timeout -s KILL 5 "$NS" enter -u root "$s_thief" true >/dev/null 2>&1
        timeout -s KILL 5 "$NS" enter "$s_thief" true >/dev/null 2>&1
done
echo "$old_dumpable" >/proc/sys/fs/suid_dumpable
[[ ! -e /$STOLEN ]] && ok "suid_dumpable=1: root inside takes no host fd from the command" ||
        { not_ok "suid_dumpable=1: root inside takes no host fd from the command"; diag "$(cat "/$STOLEN")"; }
rm -f "/$STOLEN"

# ------------------- a dead foreground group whose number a host process has

spawn unshare -Urpf --mount-proc sleep 3214
wait_tree "$SPAWNED_PID" sleep 1 || fatal "root's instance for the stale group did not start"
s_fg=${T_FOUND[0]}
TM=(tmux -L "ns-itest-$$")
on_cleanup "tmux -L ns-itest-$$ kill-server"
held=0 tried=0
for attempt in 1 2 3 4 5; do
        FG=$T_TMP/fg.$attempt
        "${TM[@]}" new-session -d -s "fg$attempt" -x 80 -y 20 "$NS enter $s_fg $HOST fgstale $FG"
        wait_for 10 "the dead foreground group" test -s "$FG" || break
        pane=$("${TM[@]}" list-panes -t "fg$attempt" -F '#{pane_pid}')
        relay=$pane
        [[ $(proc_comm "$relay") == ns ]] || relay=$(pgrep -P "$pane" -x ns)
        master=$(ls -l "/proc/$relay/fd" | awk '/ptmx/ { print $9 }' | tail -1)
        stale=$("$HOST" getpg "$relay" "$master") || { diag "no foreground group read"; break; }
        # a host process group takes that number
        echo $((stale - 1)) >/proc/sys/kernel/ns_last_pid
        setsid sleep 3215 &
        victim=$!
        if [[ $victim != "$stale" ]]; then
                kill "$victim"
                "${TM[@]}" kill-session -t "fg$attempt"
                continue
        fi
        tried=1
        diag "relay $relay, its pty's foreground group $stale, now a host process's: $(ps -o pid=,pgid=,comm= -p "$victim")"
        kill -HUP "$relay"
        wait_for 10 "the relay to end on SIGHUP" enter_done "$relay"
        alive "$victim" && held=1
        kill "$victim" 2>/dev/null
        break
done
is "$tried" 1 "a host process took the dead group's number"
is "$held" 1 "the relay's SIGHUP never reaches a host process with a dead group's number"

done_testing
