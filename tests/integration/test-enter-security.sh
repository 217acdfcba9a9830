#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The security rules of ns enter, each seen for real:
#   - the joining process is not dumpable before its exec: caught while it
#     waits in a frozen cgroup, where its /proc files belong to root
#     although it runs as an unprivileged user;
#   - the container cannot ptrace ns, or open its /proc/PID/mem, fd or
#     environ, while ns relays its pipes or its pty (the instance shares
#     the host's pid namespace, so ns is visible to it), though it can do
#     all that to a process of its own of the same uid (the kernel also
#     makes a process non-dumpable when it joins another user namespace:
#     this pins the outcome, the frozen child above pins ns' own prctl);
#   - no fd of ns reaches the command, in pipe and in pty mode;
#   - the host's terminal is never the command's controlling terminal, and
#     TIOCSTI from inside does not reach it (dev.tty.legacy_tiocsti=1:
#     nsenter, which hands the terminal over, is the control);
#   - a leader whose working directory is outside its root
#     (CVE-2024-21626) is refused, and -w gives one inside.

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
require_tools unshare setpriv nsenter perl tmux script

NOBODY=65534
AS_NOBODY=(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups)
"${AS_NOBODY[@]}" test -x "$NS" || fatal "uid $NOBODY may not execute NS='$NS'"
"${AS_NOBODY[@]}" unshare -Ur true || fatal "uid $NOBODY cannot make a user namespace"
NB=$T_TMP/nobody
mkdir "$NB" && chown $NOBODY:$NOBODY "$NB" || fatal "mkdir $NB"

# --------------------------------------------- not dumpable before exec

# nobody's rootless instance, in a cgroup of its own that nobody may join.
spawn "${AS_NOBODY[@]}" unshare -Urpf --mount-proc sleep 3101
wait_tree "$SPAWNED_PID" sleep 1 || fatal "the rootless sleep did not start"
s_fz=${T_FOUND[0]}
FREEZE= THAW= FROZEN_CHECK=
if [[ -n $T_CG ]]; then
        CG=$T_CG/frz
        mkdir "$CG" || fatal "mkdir $CG"
        # v2 delegation: the cgroup and the common ancestor's cgroup.procs
        chown $NOBODY "$CG/cgroup.procs" "$T_CG/cgroup.procs" || fatal "chown"
        echo "$s_fz" >"$CG/cgroup.procs" || fatal "cannot move pid $s_fz to $CG"
        FREEZE="echo 1 > $CG/cgroup.freeze" THAW="echo 0 > $CG/cgroup.freeze"
        FROZEN_CHECK="grep -qx 'frozen 1' $CG/cgroup.events"
        in_cg() { grep -qx "$1" "$CG/cgroup.procs"; }
else
        V1=$(awk '$9 == "cgroup" && $NF ~ /(^|,)freezer(,|$)/ { print $5; exit }' /proc/self/mountinfo)
        [[ -n $V1 ]] || fatal "no cgroup v2 leaf and no v1 freezer: cannot freeze"
        CG=$V1/ns-itest-sec-$$
        mkdir "$CG" && chown $NOBODY "$CG/cgroup.procs" || fatal "mkdir $CG"
        on_cleanup "echo THAWED > $CG/freezer.state; rmdir $CG"
        echo "$s_fz" >"$CG/cgroup.procs" || fatal "cannot move pid $s_fz to $CG"
        FREEZE="echo FROZEN > $CG/freezer.state" THAW="echo THAWED > $CG/freezer.state"
        FROZEN_CHECK="grep -qx FROZEN $CG/freezer.state"
        in_cg() { grep -qx "$1" "$CG/cgroup.procs"; }
fi
eval "$FREEZE"
wait_for 10 "the cgroup to freeze" bash -c "$FROZEN_CHECK" || fatal "the cgroup did not freeze"

spawn "${AS_NOBODY[@]}" "$NS" enter --force "$s_fz" sleep 3102
ns_fz=$SPAWNED_PID
child_in_cg() {
        local c
        for c in $(pgrep -P "$ns_fz"); do
                in_cg "$c" && FZ_CHILD=$c && return 0
        done
        return 1
}
if wait_for 20 "the joining child to stop in the frozen cgroup" child_in_cg; then
        is "$(status_field "$FZ_CHILD" Uid)" "$NOBODY $NOBODY $NOBODY $NOBODY" \
                "the joining child runs as uid $NOBODY"
        is "$(proc_comm "$FZ_CHILD")" ns "the joining child has not exec'd yet"
        # The kernel gives the /proc files of a non-dumpable process to root.
        is "$(stat -c %u "/proc/$FZ_CHILD/status")" 0 "the joining child is not dumpable before its exec"
        is "$(stat -c %u "/proc/$FZ_CHILD/mem")" 0 "its /proc/PID/mem belongs to root, not to uid $NOBODY"
        is "$(stat -c %u "/proc/$ns_fz/status")" 0 "ns itself is not dumpable"
else
        not_ok "the joining child stops in the frozen cgroup before its exec"
        diag_file "$SPAWNED_LOG"
fi
eval "$THAW"
if wait_exec "$FZ_CHILD" sleep; then
        is "$(stat -c %u "/proc/$FZ_CHILD/status")" "$NOBODY" \
                "control: after its exec the command is dumpable again (its /proc is uid $NOBODY's)"
else
        not_ok "the command runs once thawed"
fi
kill "$FZ_CHILD" 2>/dev/null

# ------------------------------------------ ns is out of the container's reach

# nobody's instance that shares the host's pid namespace: ns is visible.
spawn "${AS_NOBODY[@]}" unshare -Urm sleep 3201
s_vis=$SPAWNED_PID
wait_exec "$s_vis" sleep || fatal "unshare -Urm sleep did not start"

# Run inside: try ns (the parent of the command) and, as the control, a
# child of the command's own with the same uid.
cat >"$NB/probe.sh" <<'EOF'
probe() {
        local p=$1 r=
        cat /proc/$p/environ >/dev/null 2>&1 && r+=environ,
        ls /proc/$p/fd >/dev/null 2>&1 && r+=fd,
        { exec 3</proc/$p/mem; } 2>/dev/null && { r+=mem,; exec 3<&-; }
        # PTRACE_ATTACH (16), then detach (17) when it worked
        # (0 + makes perl pass a number, not a pointer to a string)
        perl -e 'my $p = 0 + $ARGV[0]; if (syscall(101, 16, $p, 0, 0) == 0) { syscall(101, 17, $p, 0, 0); exit 0 } exit 1' "$p" && r+=ptrace,
        printf '%s' "${r:-none}"
}
sleep 100 & own=$!
printf 'ns=%s own=%s\n' "$(probe $PPID)" "$(probe $own)"
kill $own
EOF
chmod 644 "$NB/probe.sh"

run reach in_test_cg "${AS_NOBODY[@]}" "$NS" enter "$s_vis" bash "$NB/probe.sh" </dev/null
diag "pipe mode: $(cat "$OUT")"
[[ $RC == 0 ]] || diag_file "$ERR"
grep -q "own=environ,fd,mem,ptrace," "$OUT" && ok "control: the command can open and ptrace its own child" ||
        not_ok "control: the command can open and ptrace its own child"
grep -q "ns=none " "$OUT" && ok "pipes: the container cannot ptrace ns or open its environ, fd, mem" ||
        not_ok "pipes: the container cannot ptrace ns or open its environ, fd, mem"

# The same with a pty, which ns relays from the host's terminal.
in_test_cg "${AS_NOBODY[@]}" script -qec "$NS enter $s_vis bash $NB/probe.sh" /dev/null </dev/null >"$T_TMP/reach-pty.out" 2>&1
diag "pty mode: $(tr -d '\r' <"$T_TMP/reach-pty.out")"
grep -q "own=environ,fd,mem,ptrace," "$T_TMP/reach-pty.out" && ok "pty control: the command can ptrace its own child" ||
        not_ok "pty control: the command can ptrace its own child"
grep -q "ns=none " "$T_TMP/reach-pty.out" && ok "pty: the container cannot ptrace ns or open its environ, fd, mem" ||
        not_ok "pty: the container cannot ptrace ns or open its environ, fd, mem"

# Every fd the command has, listed by itself: 0, 1, 2 and ls' own
# directory fd, nothing of ns'.
fds_only_own() {
        local f=$1
        tr -d '\r' <"$f" | awk '/ -> / { print $(NF - 2), $NF }' >"$f.fds"
        [[ $(awk '{ print $1 }' "$f.fds" | sort -n | tr '\n' ' ') == "0 1 2 3 " ]] &&
                grep -Eq '^3 /proc/[0-9]+/fd$' "$f.fds"
}
run fds in_test_cg "${AS_NOBODY[@]}" "$NS" enter "$s_vis" ls -l /proc/self/fd </dev/null
fds_only_own "$OUT" && ok "pipes: the command has no fd of ns" ||
        { not_ok "pipes: the command has no fd of ns"; diag_file "$OUT"; }
in_test_cg "${AS_NOBODY[@]}" script -qec "$NS enter $s_vis ls -l /proc/self/fd" /dev/null </dev/null >"$T_TMP/fds-pty.out" 2>&1
fds_only_own "$T_TMP/fds-pty.out" && ok "pty: the command has no fd of ns" ||
        { not_ok "pty: the command has no fd of ns"; diag_file "$T_TMP/fds-pty.out"; }
grep -Eq '^0 /dev/pts/[0-9]+$' "$T_TMP/fds-pty.out.fds" && ok "pty: its stdin is a pty" || not_ok "pty: its stdin is a pty"

# ------------------------------------------------------- the host's tty

SOCK=$T_TMP/tmux.sock
TM=(tmux -S "$SOCK" -f /dev/null)
in_test_cg "${TM[@]}" new-session -d -s sec -x 100 -y 30 "env PS1='HOST\$ ' bash --norc --noprofile" ||
        fatal "cannot start tmux"
on_cleanup "tmux -S $SOCK kill-server"
"${TM[@]}" set -g status off
pane() { "${TM[@]}" capture-pane -p -t sec; }
wait_pane() { wait_for "${2:-20}" "'$1' on the screen" bash -c "tmux -S $SOCK capture-pane -p -t sec | grep -q -- \"\$1\"" _ "$1"; }
wait_pane 'HOST\$' || fatal "the shell in tmux did not start"
HOST_TTY=$("${TM[@]}" display -p -t sec '#{pane_tty}')
HOST_RDEV=$(( $(stat -L -c '0x%t' "$HOST_TTY") * 256 + $(stat -L -c '0x%T' "$HOST_TTY") ))
chmod 777 "$T_TMP"

# A probe that types a command into every terminal it can reach: its
# stdin, stdout, stderr and /dev/tty. Reaching the host's shell would
# create the file.
cat >"$T_TMP/tiocsti.pl" <<'EOF'
my ($file) = @ARGV;
my $n = 0;
my @fhs = (\*STDIN, \*STDOUT, \*STDERR);
my $devtty = open(my $tty, '+<', '/dev/tty');
push @fhs, $tty if $devtty;
for my $fh (@fhs) {
        for my $c (split //, "touch $file\n") { ioctl($fh, 0x5412, $c) and $n++ }
}
my @st = split / /, do { local $/; open my $s, '<', '/proc/self/stat'; <$s> } =~ s/^.*\) //r;
print "injected=$n tty_nr=$st[4] devtty=" . ($devtty ? "yes" : "no") . "\n";
EOF
chmod 644 "$T_TMP/tiocsti.pl"

marker=0
# run_in_pane CMD: type CMD in the host shell, wait for it to end.
run_in_pane() {
        marker=$((marker + 1))
        "${TM[@]}" send-keys -t sec "$1; echo END-$marker-\$?" Enter
        wait_pane "^END-$marker-" 30
}

# As root, into nobody's instance (user namespace, no CAP_SYS_ADMIN of the
# host's): pipes (stdin from /dev/null) and then the pty.
PWN=$T_TMP/pwned
run_in_pane "$NS enter $s_vis perl $T_TMP/tiocsti.pl $PWN.1 </dev/null >$T_TMP/sti.1 2>&1" ||
        not_ok "ns enter with pipes in tmux ran"
run_in_pane "true" # anything injected would have run before this
[[ -e $PWN.1 ]] && not_ok "pipes: TIOCSTI from inside does not reach the host's terminal" ||
        ok "pipes: TIOCSTI from inside does not reach the host's terminal"
diag "pipes: $(cat "$T_TMP/sti.1")"
grep -q "tty_nr=0 devtty=no" "$T_TMP/sti.1" && ok "pipes: the command has no controlling terminal" ||
        not_ok "pipes: the command has no controlling terminal"

run_in_pane "$NS enter $s_vis sh -c 'perl $T_TMP/tiocsti.pl $PWN.3 > $T_TMP/sti.3'" ||
        not_ok "ns enter with a pty in tmux ran"
run_in_pane "true"
[[ -e $PWN.3 ]] && not_ok "pty: TIOCSTI from inside does not reach the host's terminal" ||
        ok "pty: TIOCSTI from inside does not reach the host's terminal"
diag "pty: $(cat "$T_TMP/sti.3")"
nr=$(sed -n 's/.*tty_nr=\([0-9]*\).*/\1/p' "$T_TMP/sti.3")
if [[ -n $nr && $nr != 0 && $nr != "$HOST_RDEV" ]] && grep -q "devtty=yes" "$T_TMP/sti.3"; then
        ok "pty: the controlling terminal is a new pty, not the host's ($HOST_TTY)"
else
        not_ok "pty: the controlling terminal is a new pty, not the host's ($HOST_TTY)"
        diag "tty_nr '$nr', host's $HOST_RDEV"
fi
# the injection went to the new pty, where the command's own shell reads it
grep -q "injected=[1-9]" "$T_TMP/sti.3" && ok "pty: TIOCSTI works, on the container's own pty" ||
        not_ok "pty: TIOCSTI works, on the container's own pty"

# Control: nsenter hands the host's terminal to the same instance, and the
# same probe types into the host's shell. This shows the check is live.
run_in_pane "nsenter -t $s_vis -U -m --preserve-credentials perl $T_TMP/tiocsti.pl $PWN.control" ||
        not_ok "nsenter in tmux ran"
wait_for 10 "the injected command to run in the host's shell" test -e "$PWN.control" &&
        ok "control: through nsenter the same probe reaches the host's terminal" ||
        { not_ok "control: through nsenter the same probe reaches the host's terminal"; diag "$(pane)"; }

# ------------------------------------------- cwd outside the root

CROOT=$T_TMP/croot
mkdir "$CROOT" || fatal "mkdir $CROOT"
spawn unshare -m sh -c "mount --make-rprivate / && mount --bind / $CROOT && cd /tmp &&
        exec perl -e 'chroot(\$ARGV[0]) or die \"chroot: \$!\"; exec \"/bin/sleep\", \"3301\"' $CROOT"
s_cr=$SPAWNED_PID
wait_exec "$s_cr" sleep || { diag_file "$SPAWNED_LOG"; fatal "the chrooted sleep did not start"; }
diag "the leader's cwd: $(readlink /proc/$s_cr/cwd)"
run unreach "$NS" enter "$s_cr" pwd
is "$RC" 1 "a working directory outside the root is refused"
grep -q "^ns: cannot enter '$s_cr': its working directory '(unreachable)/tmp' is outside its root (give one with -w)" "$ERR" &&
        ok "it says why, and what to do" || { not_ok "it says why, and what to do"; diag_file "$ERR"; }
[[ -s $OUT ]] && not_ok "nothing ran" || ok "nothing ran"
run unreach2 "$NS" enter -w / "$s_cr" pwd
is "$RC:$(cat "$OUT")" "0:/" "-w / gives it a working directory inside its root"

done_testing
