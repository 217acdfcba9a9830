#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns run on a terminal, driven in tmux as a person would: the payload
# cannot type into the host's terminal (TIOCSTI, TIOCLINUX, also with the
# high bits of the command set), while outside the same program can; ^C
# reaches the payload; an interactive shell inside has job control (^Z,
# jobs, fg); the window size is the terminal's and follows a resize.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_root
require_tools tmux perl bash setpriv

NOBODY_UID=65534
SOCK=$T_TMP/tmux.sock
TM=(tmux -S "$SOCK" -f /dev/null)
on_cleanup "${TM[*]} kill-server"

# The injector: TIOCSTI (0x5412) on the controlling terminal, through the
# raw syscall so that the high bits can be set too (the kernel reads 32),
# and TIOCLINUX (0x541C). perl-base has syscall(); 16 is ioctl on x86_64.
[[ $(uname -m) == x86_64 ]] || fatal "the injector uses x86_64 syscall numbers"
var_tmp_ns ns-run-tty || fatal "cannot copy ns to /var/tmp"
W=$VAR_TMP
on_cleanup "rm -rf '$W'"
N=$NS
cat >"$W/inject.pl" <<'EOF'
open(my $t, "+<", "/dev/tty") or die "no tty: $!";
my $c = "Z";
my @r;
for my $cmd (0x5412, 0x100005412) {
        push @r, syscall(16, fileno($t), $cmd, $c) == 0 ? "injected" : "refused:" . ($! + 0);
}
my $arg = pack("C", 0);
push @r, syscall(16, fileno($t), 0x541C, $arg) == 0 ? "linux-ok" : "linux-refused:" . ($! + 0);
print "RESULT @r\n";
EOF
chmod 644 "$W/inject.pl"

# A pane running bash, 80x24, with a plain prompt.
new_terminal() {
        "${TM[@]}" new-session -d -x 80 -y 24 -s t \
                "env -i PATH=$PATH TERM=screen HOME=/root PS1='PROMPT$ ' bash --norc --noprofile -i" || return 1
        T_MARK=0
        wait_pane 'PROMPT\$'
}
on_cleanup "${TM[*]} kill-server"

pane_has() {
        grep -q -- "$1" <<<"$(pane)"
}
# send TEXT: type a line
send() {
        "${TM[@]}" send-keys -t t -l "$1" && "${TM[@]}" send-keys -t t Enter
}
clear_pane() {
        "${TM[@]}" send-keys -t t C-l
        "${TM[@]}" clear-history -t t
}
wait_pane() {
        wait_for "${2:-10}" "the pane to show '$1'" pane_has "$1" || { pane | sed 's/^/#   /'; return 1; }
}
# Each check starts with a fresh marker line and looks only below it, so
# that what an earlier check left on the screen cannot count.
T_MARK=0
mark() {
        T_MARK=$((T_MARK + 1))
        clear_pane
        send "echo MARK-$T_MARK"
        # (pane shows what follows the marker: look at the whole screen)
        wait_for 10 "marker $T_MARK" marked >/dev/null
}
marked() {
        "${TM[@]}" capture-pane -p -J -t t -S - | grep -qx "MARK-$T_MARK"
}
pane() {
        "${TM[@]}" capture-pane -p -J -t t -S - |
                awk -v m="MARK-$T_MARK" 'f || m == "MARK-0" { print } $0 == m { f = 1 }'
}
size_is() {
        [[ $("${TM[@]}" display-message -p -t t '#{window_height} #{window_width}') == "$1" ]]
}
new_terminal || fatal "the shell in tmux did not start"

# the baseline: outside, the injector does type into the terminal
clear_pane
send "perl $W/inject.pl; echo DONE-OUT"
if wait_pane '^DONE-OUT'; then
        if pane_has 'RESULT injected injected'; then
                ok "baseline: outside ns run, TIOCSTI types into the terminal (dev.tty.legacy_tiocsti = 1)"
        else
                not_ok "baseline: outside ns run, TIOCSTI types into the terminal (cannot test the denial)"
                pane | sed 's/^/#   /'
        fi
fi
# what was typed ("ZZ") lands on the next prompt line: clear it
"${TM[@]}" send-keys -t t C-u

# want DESC PATTERN: wait for PATTERN, or record DESC as failed (with the
# screen) and return 1 so that the caller gives up on this terminal.
want() {
        wait_pane "$2" && return 0
        not_ok "$1 (the screen never showed '$2')"
        return 1
}

tty_suite() {
        local who=$1 as=""
        [[ $who == nobody ]] && as="setpriv --reuid=$NOBODY_UID --regid=$NOBODY_UID --clear-groups"

        mark
        send "$as $N run perl $W/inject.pl; echo DONE-IN-\$?"
        want "$who: the injector runs inside ns run" '^DONE-IN-' || return 1
        if pane_has 'RESULT refused:1 refused:1 linux-refused:1' && ! pane_has 'PROMPT\$ Z'; then
                ok "$who: inside ns run, TIOCSTI (also with high bits) and TIOCLINUX fail with EPERM, nothing typed"
        else
                not_ok "$who: inside ns run, TIOCSTI (also with high bits) and TIOCLINUX fail with EPERM, nothing typed"
                pane | sed 's/^/#   /'
        fi
        "${TM[@]}" send-keys -t t C-u

        # ^C reaches the payload (and only it handles it)
        mark
        send "$as $N run sh -c 'trap \"echo GOT-INT; exit 5\" INT; echo READY; while :; do sleep 0.1; done'; echo RC=\$?"
        want "$who: the ^C payload starts" '^READY' || return 1
        "${TM[@]}" send-keys -t t C-c
        want "$who: ^C ends ns run" '^RC=' || return 1
        if pane_has 'GOT-INT' && pane_has '^RC=5'; then
                ok "$who: ^C reaches the payload, whose exit status comes back"
        else
                not_ok "$who: ^C reaches the payload, whose exit status comes back"
                pane | sed 's/^/#   /'
        fi

        # the window size, and a resize
        wait_for 10 "the window to be 24x80" size_is "24 80" || "${TM[@]}" resize-window -t t -x 80 -y 24
        mark
        send "$as $N run sh -c 'trap \"stty size; exit 0\" WINCH; stty size; echo READY; while :; do sleep 0.1; done'; echo RC=\$?"
        want "$who: the resize payload starts" '^READY' || return 1
        if pane_has '^24 80$'; then
                ok "$who: the payload sees the terminal's size (24 80)"
        else
                not_ok "$who: the payload sees the terminal's size (24 80)"
                pane | sed 's/^/#   /'
        fi
        "${TM[@]}" resize-window -t t -x 100 -y 30
        want "$who: the payload exits on SIGWINCH" '^RC=0' || return 1
        if pane_has '^30 100$'; then
                ok "$who: after a resize it gets SIGWINCH and sees 30 100"
        else
                not_ok "$who: after a resize it gets SIGWINCH and sees 30 100"
                pane | sed 's/^/#   /'
        fi
        "${TM[@]}" resize-window -t t -x 80 -y 24

        # job control in an interactive shell inside
        mark
        send "$as $N run env PS1='INNER$ ' bash --norc --noprofile -i; echo RC=\$?"
        want "$who: an interactive bash starts inside" 'INNER\$' || return 1
        send "sleep 3591"
        wait_for 10 "sleep 3591 to run" pgrep -f '^sleep 3591$' >/dev/null
        "${TM[@]}" send-keys -t t C-z
        want "$who: job control inside: ^Z stops the foreground job" 'Stopped' || return 1
        send "jobs; echo JOBS-DONE"
        want "$who: jobs runs" '^JOBS-DONE' || return 1
        if pane_has 'Stopped.*sleep 3591'; then
                ok "$who: job control inside: ^Z stops the foreground job, jobs lists it"
        else
                not_ok "$who: job control inside: ^Z stops the foreground job, jobs lists it"
                pane | sed 's/^/#   /'
        fi
        send "kill %1; fg; exit 3"
        want "$who: the inner shell's exit status comes back" '^RC=3' || return 1
        ok "$who: the inner shell's exit status comes back"
}

for who in root nobody; do
        if ! tty_suite "$who"; then
                # a fresh terminal for what follows
                pane | sed 's/^/#   /'
                "${TM[@]}" kill-server 2>/dev/null
                new_terminal || fatal "cannot restart tmux"
        fi
done

"${TM[@]}" kill-server 2>/dev/null
done_testing
