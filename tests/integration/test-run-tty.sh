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
W=$(mktemp -d /var/tmp/ns-run-tty.XXXXXX) || fatal "mktemp"
on_cleanup "rm -rf '$W'"
chmod 755 "$W"
cp "$NS" "$W/ns" && chmod 755 "$W/ns" || fatal "cannot copy ns"
N=$W/ns
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
"${TM[@]}" new-session -d -x 80 -y 24 -s t "env -i PATH=$PATH TERM=screen HOME=/root PS1='PROMPT$ ' bash --norc --noprofile -i" ||
        fatal "cannot start tmux"
on_cleanup "${TM[*]} kill-server"

# (grep on a here-string: grep -q on a pipe would end capture-pane early,
# a failure under pipefail)
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
        wait_for "${2:-20}" "the pane to show '$1'" pane_has "$1" || { pane | sed 's/^/#   /'; return 1; }
}
# Each check starts with a fresh marker line and looks only below it, so
# that what an earlier check left on the screen cannot count.
T_MARK=0
mark() {
        T_MARK=$((T_MARK + 1))
        clear_pane
        send "echo MARK-$T_MARK"
        wait_pane "^MARK-$T_MARK\$" >/dev/null
}
pane() {
        "${TM[@]}" capture-pane -p -J -t t -S - |
                awk -v m="MARK-$T_MARK" 'f || m == "MARK-0" { print } $0 == m { f = 1 }'
}
size_is() {
        [[ $("${TM[@]}" display-message -p -t t '#{window_height} #{window_width}') == "$1" ]]
}
wait_pane 'PROMPT\$' || fatal "the shell in tmux did not start"

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

for who in root nobody; do
        as=""
        [[ $who == nobody ]] && as="setpriv --reuid=$NOBODY_UID --regid=$NOBODY_UID --clear-groups"
        mark
        send "$as $N run perl $W/inject.pl; echo DONE-IN-\$?"
        if wait_pane '^DONE-IN-'; then
                if pane_has 'RESULT refused:1 refused:1 linux-refused:1' && ! pane_has 'PROMPT\$ Z'; then
                        ok "$who: inside ns run, TIOCSTI (also with high bits) and TIOCLINUX fail with EPERM, nothing typed"
                else
                        not_ok "$who: inside ns run, TIOCSTI (also with high bits) and TIOCLINUX fail with EPERM, nothing typed"
                        pane | sed 's/^/#   /'
                fi
        fi
        "${TM[@]}" send-keys -t t C-u

        # ^C reaches the payload (and only it handles it)
        mark
        send "$as $N run sh -c 'trap \"echo GOT-INT; exit 5\" INT; echo READY; while :; do sleep 0.1; done'; echo RC=\$?"
        if wait_pane '^READY'; then
                "${TM[@]}" send-keys -t t C-c
                if wait_pane '^RC='; then
                        if pane_has 'GOT-INT' && pane_has '^RC=5'; then
                                ok "$who: ^C reaches the payload, whose exit status comes back"
                        else
                                not_ok "$who: ^C reaches the payload, whose exit status comes back"
                                pane | sed 's/^/#   /'
                        fi
                fi
        fi

        # the window size, and a resize
        wait_for 10 "the window to be 24x80" size_is "24 80" || "${TM[@]}" resize-window -t t -x 80 -y 24
        mark
        send "$as $N run sh -c 'trap \"stty size; exit 0\" WINCH; stty size; echo READY; while :; do sleep 0.1; done'; echo RC=\$?"
        if wait_pane '^READY'; then
                if pane_has '^24 80$'; then
                        ok "$who: the payload sees the terminal's size (24 80)"
                else
                        not_ok "$who: the payload sees the terminal's size (24 80)"
                        pane | sed 's/^/#   /'
                fi
                "${TM[@]}" resize-window -t t -x 100 -y 30
                if wait_pane '^RC=0'; then
                        pane_has '^30 100$' && ok "$who: after a resize it gets SIGWINCH and sees 30 100" ||
                                { not_ok "$who: after a resize it gets SIGWINCH and sees 30 100"; pane | sed 's/^/#   /'; }
                fi
                "${TM[@]}" resize-window -t t -x 80 -y 24
        fi

        # job control in an interactive shell inside
        mark
        send "$as $N run env PS1='INNER$ ' bash --norc --noprofile -i; echo RC=\$?"
        if wait_pane 'INNER\$'; then
                send "sleep 3591"
                wait_for 20 "sleep 3591 to run" pgrep -f '^sleep 3591$' >/dev/null
                "${TM[@]}" send-keys -t t C-z
                if wait_pane 'Stopped'; then
                        send "jobs; echo JOBS-DONE"
                        wait_pane '^JOBS-DONE' >/dev/null
                        if pane_has 'Stopped.*sleep 3591'; then
                                ok "$who: job control inside: ^Z stops the foreground job, jobs lists it"
                        else
                                not_ok "$who: job control inside: ^Z stops the foreground job, jobs lists it"
                                pane | sed 's/^/#   /'
                        fi
                        send "kill %1; fg; exit 3"
                else
                        not_ok "$who: job control inside: ^Z stops the foreground job"
                        send "exit 3"
                fi
                if wait_pane '^RC=3'; then
                        ok "$who: the inner shell's exit status comes back"
                fi
        else
                not_ok "$who: an interactive bash starts inside"
        fi
done

"${TM[@]}" kill-server 2>/dev/null
done_testing
