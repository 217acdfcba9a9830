#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns enter on a terminal, driven in tmux as a person would: the instance
# user's shell starts and shows its prompt, a command runs, `stty size`
# inside follows the window (right from the start and after a resize),
# Ctrl-C reaches the command inside and not ns, the exit status comes
# back, and the terminal's modes (stty -a) are the same afterwards: after
# a normal exit, after the shell is killed, and after ns itself is killed
# by SIGHUP.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_root
require_tools tmux unshare

# The target: a rootless-style instance whose leader works in /tmp, with
# an empty HOME (no rc files of root's). The instance user's shell comes
# from its etc/passwd: root's is bash, whose prompt (Debian's
# /etc/bash.bashrc) ends in "user@host:cwd# ": the leader's cwd shows.
mkdir "$T_TMP/home" || fatal "mkdir"
spawn env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$T_TMP/home" PS1='INSIDE\$ ' \
        sh -c 'cd /tmp && exec unshare -Urpf --mount-proc sleep 2301'
wait_tree "$SPAWNED_PID" sleep 1 || fatal "the target did not start"
target=${T_FOUND[0]}
[[ $(awk -F: '$1 == "root" { print $7 }' /etc/passwd) == */bash ]] || fatal "root's shell here is not bash"
PROMPT='^[^ ]*root@[^ ]*:/tmp# '

SOCK=$T_TMP/tmux.sock
TM=(tmux -S "$SOCK" -f /dev/null)
"${TM[@]}" new-session -d -x 80 -y 24 -s t \
        "env -i PATH=$PATH TERM=screen HOME=/root PS1='HOST$ ' bash --norc --noprofile -i" ||
        fatal "cannot start tmux"
on_cleanup "${TM[*]} kill-server"
"${TM[@]}" set -g status off

pane() { "${TM[@]}" capture-pane -p -J -t t -S - | awk -v m="MARK-$T_MARK" 'f || m == "MARK-0" { print } $0 == m { f = 1 }'; }
pane_has() { grep -q -- "$1" <<<"$(pane)"; }
send() { "${TM[@]}" send-keys -t t -l "$1" && "${TM[@]}" send-keys -t t Enter; }
wait_pane() {
        wait_for "${2:-20}" "the pane to show '$1'" pane_has "$1" || { pane | sed 's/^/#   /'; return 1; }
}
T_MARK=0
mark() {
        T_MARK=$((T_MARK + 1))
        "${TM[@]}" send-keys -t t C-l
        "${TM[@]}" clear-history -t t
        send "echo MARK-$T_MARK"
        # the marker line itself: look at the whole screen for it
        wait_for 20 "MARK-$T_MARK" bash -c "${TM[*]} capture-pane -p -J -t t | grep -qx MARK-$T_MARK"
}
resize() {
        "${TM[@]}" resize-window -t t -x "$1" -y "$2"
}

wait_pane 'HOST\$' || fatal "the shell in tmux did not start"
send "stty -a > $T_TMP/stty.before"

# ------------------------------------------------------ a session

mark
send "$NS enter $target"
wait_pane "$PROMPT" && ok "the instance user's shell shows its prompt" ||
        not_ok "the instance user's shell shows its prompt"
send 'echo hello-$((6*7)) $(readlink /proc/self/ns/pid)'
pidns=$(readlink "/proc/$target/ns/pid" | sed 's/[][]/\\&/g')
wait_pane "^hello-42 $pidns\$" && ok "a command runs inside the instance" ||
        not_ok "a command runs inside the instance"
send 'stty size; tty'
wait_pane '^24 80$' && ok "the window size is right from the start (24 80)" ||
        not_ok "the window size is right from the start (24 80)"
pane_has '^/dev/pts/[0-9]*$' && ok "the shell's terminal is a pty" || not_ok "the shell's terminal is a pty"
# The resize reaches ns as a SIGWINCH some time after tmux makes it: ask
# again until the shell inside sees it, for a few seconds at most.
inner_size() {
        local i
        for i in $(seq 20); do
                mark
                send 'stty size'
                wait_for 1 "stty size" pane_has "^$1\$" 2>/dev/null >/dev/null && return 0
        done
        pane | sed 's/^/#   /'
        return 1
}
resize 100 30
inner_size '30 100' && ok "a resize is seen inside (30 100)" || not_ok "a resize is seen inside (30 100)"
resize 80 24
inner_size '24 80' && ok "and back (24 80)" || not_ok "and back (24 80)"

# Ctrl-C is a byte for the pty: it stops the command inside, not ns.
send 'sleep 1000; echo after-sleep'
wait_for 10 "sleep 1000 inside" bash -c "pgrep -f '^sleep 1000$' >/dev/null" || not_ok "sleep 1000 started"
"${TM[@]}" send-keys -t t C-c
send 'echo still-inside-$?'
wait_pane '^still-inside-130$' && ok "Ctrl-C stops the command inside and the shell stays" ||
        not_ok "Ctrl-C stops the command inside and the shell stays"

send 'exit 7'
wait_pane '^HOST\$ ' || not_ok "back at the host's prompt"
send 'echo status-$?'
wait_pane '^status-7$' && ok "the shell's exit status is ns'" || not_ok "the shell's exit status is ns'"
send "stty -a > $T_TMP/stty.after1; echo saved-1"
wait_pane '^saved-1$'
if cmp -s "$T_TMP/stty.before" "$T_TMP/stty.after1"; then
        ok "exit restores the terminal (stty -a is the same)"
else
        not_ok "exit restores the terminal (stty -a is the same)"
        diag "$(diff "$T_TMP/stty.before" "$T_TMP/stty.after1")"
fi

# -------------------------------------------- the shell is killed

mark
send "$NS enter $target"
wait_pane "$PROMPT" || not_ok "the second session starts"
send 'kill -KILL $$'
wait_pane '^HOST\$ ' || not_ok "back at the host's prompt after SIGKILL"
send 'echo status-$?'
wait_pane '^status-137$' && ok "a shell killed by SIGKILL: ns dies of it too (137)" ||
        not_ok "a shell killed by SIGKILL: ns dies of it too (137)"
send "stty -a > $T_TMP/stty.after2; echo saved-2"
wait_pane '^saved-2$'
cmp -s "$T_TMP/stty.before" "$T_TMP/stty.after2" && ok "the terminal is restored after that" ||
        { not_ok "the terminal is restored after that"; diag "$(diff "$T_TMP/stty.before" "$T_TMP/stty.after2")"; }

# --------------------------------------------- ns gets a SIGHUP

mark
send "$NS enter $target"
wait_pane "$PROMPT" || not_ok "the third session starts"
pane_pid=$("${TM[@]}" display -p -t t '#{pane_pid}')
ns_pid=$(pgrep -P "$pane_pid" -x ns)
if [[ -n $ns_pid ]]; then
        # still raw: the shell inside has the terminal
        kill -HUP "$ns_pid"
        wait_pane '^HOST\$ ' || not_ok "back at the host's prompt after SIGHUP"
        send 'echo status-$?'
        wait_pane '^status-129$' && ok "SIGHUP to ns ends the session (129)" ||
                not_ok "SIGHUP to ns ends the session (129)"
        send "stty -a > $T_TMP/stty.after3; echo saved-3"
        wait_pane '^saved-3$'
        cmp -s "$T_TMP/stty.before" "$T_TMP/stty.after3" && ok "the terminal is restored when ns is killed by a signal" ||
                { not_ok "the terminal is restored when ns is killed by a signal"; diag "$(diff "$T_TMP/stty.before" "$T_TMP/stty.after3")"; }
else
        not_ok "ns runs under the pane's shell"
fi

done_testing
