#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The screen of ns top, driven in tmux at 160x40 as a person would, the
# pane polled with deadlines: rows for the instances the test made; "/"
# narrows them live, Esc cancels, Enter keeps; "<" ">" change the sort
# column and "I" inverts it, reordering the rows while the selection stays
# on its instance; Enter shows the instance's processes (their pids, from
# /proc); "e" gives a shell whose namespaces are the instance's, and the
# screen comes back after exit; "p" freezes the instance's own cgroup and
# thaws it; a click selects a row, a click on a heading sorts by it (again:
# inverts), the wheel scrolls (X10 and SGR mouse reports); "i" shows ns inspect's report of an instance, scrolled and
# refreshed in place, and q goes back; a resize re-lays the screen; "k" KILL ends an instance and its
# row greys; "q" leaves the terminal as it was (stty -a); a leader whose
# memory lock a task in D state holds does not stop the screen.
#
# Only the instances this test makes are acted on (e, k, p).

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_root
require_tools tmux jq
[[ -n $T_CG ]] || fatal "no cgroup v2 of the test's own: the freeze check needs one"
[[ -e $T_CG/cgroup.freeze ]] || fatal "cgroup v2 here has no cgroup.freeze (Linux 5.2)"

# Three instances with names no other instance has: a (a shell and two
# sleeps, for the process view and the shell), b (frozen and thawed), k
# (killed). The common part of their names is the filter.
TAG=t$$
A=${TAG}a
B=${TAG}b
K=${TAG}k
spawn "$NS" run --name "$A" -- sh -c 'sleep 2401 & sleep 2402 & wait'
A_SPAWN=$SPAWNED_PID
spawn "$NS" run --name "$B" -- sleep 2403
B_SPAWN=$SPAWNED_PID
spawn "$NS" run --name "$K" -- sleep 2404
K_SPAWN=$SPAWNED_PID
wait_tree "$A_SPAWN" sleep 2 || fatal "instance $A did not start"
wait_tree "$B_SPAWN" sleep 1 || fatal "instance $B did not start"
B_SLEEP=${T_FOUND[0]}
wait_tree "$K_SPAWN" sleep 1 || fatal "instance $K did not start"

# leader NAME: the instance's leader, as ns ls says.
leader() {
        "$NS" ls -J 2>/dev/null | jq -r --arg n "$1" \
                '.instances[] | recurse(.children[]?) | select(.name == $n) | .pid'
}
listed() {
        [[ -n $(leader "$1") ]]
}
for n in "$A" "$B" "$K"; do
        wait_for 20 "ns ls to list $n" listed "$n" || fatal "ns ls does not list $n"
done
A_LEADER=$(leader "$A")
K_LEADER=$(leader "$K")

# members SPAWN: every process below SPAWN in the namespaces of its sleep
# (the instance; the ns run on the host side is not), into MEMBERS.
members() {
        local key p
        tree_has_comm "$1" sleep "$2" || return 1
        key=$(ns_key "${T_FOUND[0]}") || return 1
        descendants "$1"
        MEMBERS=()
        for p in "${T_DESC[@]}"; do
                [[ $(ns_key "$p" 2>/dev/null) == "$key" ]] && MEMBERS+=("$p")
        done
        ((${#MEMBERS[@]} > 0))
}

# b in a cgroup of its own, which p may freeze: the test's cgroup holds
# every other process of the test.
FRZ=$T_CG/frozen-b
mkdir "$FRZ" || fatal "cannot make the cgroup $FRZ"
members "$B_SPAWN" 1 || fatal "cannot list the processes of $B"
for p in "${MEMBERS[@]}"; do
        echo "$p" >"$FRZ/cgroup.procs" || fatal "cannot move pid $p into $FRZ"
done

SOCK=$T_TMP/tmux.sock
TM=(tmux -S "$SOCK" -f /dev/null)
"${TM[@]}" new-session -d -x 160 -y 40 -s t \
        "env -i PATH=$PATH TERM=tmux-256color HOME=/root PS1='HOST$ ' bash --norc --noprofile -i" ||
        fatal "cannot start tmux"
on_cleanup "${TM[*]} kill-server"
"${TM[@]}" set -g status off

# The screen as it is now (no history), as text or with its attributes.
screen() { "${TM[@]}" capture-pane -p -t t; }
screen_sgr() { "${TM[@]}" capture-pane -p -e -t t; }
on_screen() { grep -q -- "$1" <<<"$(screen)"; }
off_screen() { ! grep -q -- "$1" <<<"$(screen)"; }
keys() { "${TM[@]}" send-keys -t t "$@"; }
type_line() { "${TM[@]}" send-keys -t t -l "$1" && "${TM[@]}" send-keys -t t Enter; }
show_screen() { screen | sed 's/^/#   /'; }
# wait_screen PATTERN [SECONDS]: until the screen shows PATTERN.
wait_screen() {
        wait_for "${2:-15}" "the screen to show '$1'" on_screen "$1" || { show_screen; return 1; }
}
wait_gone() {
        wait_for "${2:-15}" "the screen to stop showing '$1'" off_screen "$1" || { show_screen; return 1; }
}
# The screen line (1-based) of the row of instance NAME, or nothing.
row_of() { screen | grep -n -- " $1 " | head -n 1 | cut -d: -f1; }
# The instance the history panel is about: the selected one.
selected_is() { on_screen "CPU of $1:"; }
# The test's instances, in the order of their rows.
row_names() { screen | awk '/^ID +NAME/ { t = 1; next } t && NF == 0 { exit } t { print $2 }' | grep -x -- "$TAG."; }
# select NAME: Home, then Down as many times as NAME is rows below the
# top, once Home has taken; again from the top if the rows moved meanwhile.
select_row() {
        local i j names
        keys Home
        for i in 1 2 3 4 5; do
                mapfile -t names < <(row_names)
                if ((${#names[@]})) &&
                        wait_for 2 "the top row to be selected" selected_is "${names[0]}" >/dev/null 2>&1; then
                        for j in "${!names[@]}"; do
                                [[ ${names[j]} == "$1" ]] || continue
                                ((j == 0)) || keys $(printf 'Down %.0s' $(seq "$j"))
                                wait_for 2 "the selection to reach $1" selected_is "$1" \
                                        >/dev/null 2>&1 && return 0
                                break
                        done
                fi
                keys Home
        done
        selected_is "$1"
}

wait_screen 'HOST\$' || fatal "the shell in tmux did not start"
type_line "stty -a > $T_TMP/stty.before; clear"

# ------------------------------------------------------------ rows
# stderr to a file: nothing may come there (a sanitizer's report would)
type_line "$NS top -d 1 2>$T_TMP/top.err"
wait_screen 'ns top - ' && ok "ns top draws its header" || fatal "ns top did not start"
wait_screen 'instances\?:' || not_ok "the header counts instances"
keys /
wait_screen 'Filter:' || not_ok "/ opens the filter prompt"
keys -l "$TAG"
keys Enter
wait_screen " $A " && wait_screen " $B " && wait_screen " $K " &&
        ok "rows for the test's three instances ($A $B $K)" ||
        not_ok "rows for the test's three instances ($A $B $K)"
wait_screen "filter: $TAG" && ok "Enter keeps the filter (the header says so)" ||
        not_ok "Enter keeps the filter (the header says so)"

# ---------------------------------------------------------- filter
keys /
keys -l a
wait_gone " $B " 5 && on_screen " $A " && off_screen " $K " &&
        ok "the filter narrows as it is typed ($TAG + a: only $A)" ||
        not_ok "the filter narrows as it is typed ($TAG + a: only $A)"
keys Escape
wait_screen " $B " 5 && on_screen " $K " && ok "Esc cancels the edit: the three rows are back" ||
        not_ok "Esc cancels the edit: the three rows are back"

# ------------------------------------------------------------ sort
sorted_by_name() { on_screen 'sort NAME '; }
sort_shown() { screen | head -n 1 | grep -o 'sort [^ ]*'; }
sort_changed() { [[ $(sort_shown) != "$1" ]]; }
for _ in $(seq 20); do
        sorted_by_name && break
        was=$(sort_shown)
        keys '>'
        wait_for 5 "the sort column to change from '$was'" sort_changed "$was" || break
done
wait_for 5 "sort by NAME" sorted_by_name && ok "> walks the sort columns to NAME" ||
        not_ok "> walks the sort columns to NAME"
ascending() { local a b k; a=$(row_of "$A"); b=$(row_of "$B"); k=$(row_of "$K"); [[ -n $a && -n $b && -n $k ]] && ((a < b && b < k)); }
descending() { local a b k; a=$(row_of "$A"); b=$(row_of "$B"); k=$(row_of "$K"); [[ -n $a && -n $b && -n $k ]] && ((a > b && b > k)); }
if on_screen 'sort NAME ▼\|sort NAME v'; then first=descending second=ascending; else first=ascending second=descending; fi
wait_for 5 "rows in name order" $first && ok "sorted by NAME: $A $B $K in order ($first)" ||
        { not_ok "sorted by NAME: $A $B $K in order ($first)"; show_screen; }
select_row "$B" && ok "the selection moves to $B" || not_ok "the selection moves to $B"
b_before=$(row_of "$B")
keys I
wait_for 5 "rows in the other order" $second && ok "I inverts the order ($second)" ||
        { not_ok "I inverts the order ($second)"; show_screen; }
# b is in the middle: a and k swapped around it, and the selection stayed.
selected_is "$B" && ok "the selection stays on $B across the re-sort" ||
        { not_ok "the selection stays on $B across the re-sort"; show_screen; }
keys '<'
wait_gone 'sort NAME ' 5 && ok "< moves the sort to another column" ||
        not_ok "< moves the sort to another column"
selected_is "$B" && ok "and the selection is still $B" || not_ok "and the selection is still $B"
: "$b_before"

# ----------------------------------------------------------- mouse
# ncurses turned mouse reports on; tmux hands what send-keys gives it to
# the program as a terminal would. tmux-256color's kmous is \E[M: the X10
# encoding, button, column and line each as a byte + 32, 1-based.
# mouse_x10 BUTTON X Y (0-based cell): 0 press, 3 release, 64/65 wheel.
mouse_x10() {
        keys -H 1b 5b 4d "$(printf %x $((32 + $1)))" "$(printf %x $((33 + $2)))" \
                "$(printf %x $((33 + $3)))"
}
click() { mouse_x10 0 "$1" "$2" && mouse_x10 3 "$1" "$2"; }
# The screen column of heading NAME on the headings line (line 4).
heading_x() {
        local h pre
        h=$(screen | sed -n 4p)
        [[ $h == *" $1 "* || $h == *" $1" ]] || return 1
        pre=${h%%" $1"*}
        echo $((${#pre} + 1))
}
k_line=$(row_of "$K")
[[ -n $k_line ]] && click 3 $((k_line - 1))
wait_for 5 "a click to select $K" selected_is "$K" && ok "a click on $K's row selects it" ||
        { not_ok "a click on $K's row selects it"; show_screen; }
for col in PIDS UPTIME NAME; do
        x=$(heading_x "$col") || { not_ok "the heading $col is on screen"; continue; }
        click $((x + 1)) 3
        wait_for 5 "sort $col" on_screen "sort $col " && ok "a click on the heading $col sorts by it" ||
                { not_ok "a click on the heading $col sorts by it"; show_screen; }
done
# NAME's natural order is A to Z; a second click inverts it, and the rows follow.
wait_for 5 "rows in name order" ascending && ok "by NAME the rows are $A $B $K" ||
        { not_ok "by NAME the rows are $A $B $K"; show_screen; }
click $(($(heading_x NAME) + 1)) 3
wait_for 5 "rows in the other order" descending && ok "a second click on NAME inverts the order" ||
        { not_ok "a second click on NAME inverts the order"; show_screen; }
selected_is "$K" && ok "the selection stayed on $K through both" || not_ok "the selection stayed on $K through both"
# The wheel, on a screen with room for two rows: K B A, Home shows K and B.
"${TM[@]}" resize-window -t t -x 160 -y 7
keys Home
wait_for 10 "two rows: $K and $B" eval 'on_screen " $K " && on_screen " $B " && off_screen " $A "' ||
        show_screen
mouse_x10 65 3 4
wait_for 5 "the wheel to scroll down to $A" eval 'on_screen " $A " && off_screen " $K "' &&
        ok "the wheel scrolls down: $A comes in, $K goes out" ||
        { not_ok "the wheel scrolls down: $A comes in, $K goes out"; show_screen; }
mouse_x10 64 3 4
wait_for 5 "the wheel to scroll up to $K" eval 'on_screen " $K " && off_screen " $A "' &&
        ok "the wheel scrolls up again" || { not_ok "the wheel scrolls up again"; show_screen; }
"${TM[@]}" resize-window -t t -x 160 -y 40
wait_screen "CPU of $K:" 10 || not_ok "the screen is back at 160x40"
# F6: the menu of sort columns, in screen order (ID, NAME, ...), on NAME now.
keys F6
wait_screen 'Sort by (Enter, Esc)' 5 && ok "F6 opens the sort menu" || not_ok "F6 opens the sort menu"
keys Up Enter
wait_gone 'Sort by (Enter, Esc)' 5 && wait_screen 'sort ID ' 5 && ok "Up, Enter in it sorts by ID, the column before NAME" ||
        { not_ok "Up, Enter in it sorts by ID, the column before NAME"; show_screen; }

# ----------------------------------------------------- processes
members "$A_SPAWN" 2 || not_ok "the processes of $A are known"
select_row "$A" || not_ok "the selection moves to $A"
keys Enter
wait_screen "processes of $A " && ok "Enter opens the processes of $A" ||
        not_ok "Enter opens the processes of $A"
missing=()
for p in "${MEMBERS[@]}"; do
        wait_for 5 "pid $p" on_screen "^ *$p " >/dev/null || missing+=("$p")
done
shown=$(screen | grep -cE '^ *[0-9]+ +([0-9]+|-) ')
if ((${#missing[@]} == 0)) && [[ $shown == "${#MEMBERS[@]}" ]]; then
        ok "the process view shows exactly its ${#MEMBERS[@]} processes (${MEMBERS[*]})"
else
        not_ok "the process view shows exactly its ${#MEMBERS[@]} processes (${MEMBERS[*]})"
        diag "missing: ${missing[*]:-none}; process lines shown: $shown"
        show_screen
fi
on_screen 'sleep 2401' && on_screen 'sleep 2402' && ok "with their command lines" ||
        not_ok "with their command lines"
keys Escape
wait_gone "processes of $A " 5 && wait_screen " $B " && ok "Esc goes back to the instances" ||
        not_ok "Esc goes back to the instances"
selected_is "$A" && ok "with $A still selected" || not_ok "with $A still selected"

# ----------------------------------------------------------- shell
keys e
links='$(readlink /proc/self/ns/user /proc/self/ns/mnt /proc/self/ns/pid /proc/self/ns/net /proc/self/ns/uts /proc/self/ns/ipc /proc/self/ns/cgroup)'
wait_screen "exit the shell to come back" || not_ok "e leaves the screen for a shell"
# The shell reads the line once it runs; typed before, it waits in the pty.
type_line "echo NSL $links END"
expect="NSL $(readlink /proc/"$A_LEADER"/ns/{user,mnt,pid,net,uts,ipc,cgroup} | tr '\n' ' ')END"
wait_screen "^$(sed 's/[][]/\\&/g' <<<"$expect")" 20 &&
        ok "e: the shell's namespaces are those of $A's leader (pid $A_LEADER)" ||
        { not_ok "e: the shell's namespaces are those of $A's leader (pid $A_LEADER)"; diag "expected: $expect"; }
type_line "exit"
wait_screen 'ns top - ' && wait_screen "back from the shell in '$A'" &&
        ok "after exit the screen comes back, saying so" ||
        not_ok "after exit the screen comes back, saying so"
wait_screen " $K " && selected_is "$A" && ok "the rows and the selection are back" ||
        not_ok "the rows and the selection are back"

# ---------------------------------------------------------- freeze
frozen_is() { grep -qx "frozen $1" "$FRZ/cgroup.events"; }
select_row "$B" || not_ok "the selection moves to $B"
keys p
wait_for 10 "$FRZ to be frozen" frozen_is 1 && ok "p freezes $B's cgroup (cgroup.events: frozen 1)" ||
        not_ok "p freezes $B's cgroup (cgroup.events: frozen 1)"
b_row_frozen() { screen | grep -- " $B " | grep -q frozen; }
wait_for 10 "$B's row to say frozen" b_row_frozen && ok "$B's HEALTH says frozen" ||
        { not_ok "$B's HEALTH says frozen"; show_screen; }
wait_screen "'$B' is frozen" 5 && ok "the status line says it is frozen" ||
        not_ok "the status line says it is frozen"
keys p
wait_for 10 "$FRZ to be thawed" frozen_is 0 && ok "p again thaws it (frozen 0)" ||
        not_ok "p again thaws it (frozen 0)"
wait_for 10 "$B's row not to say frozen" eval '! b_row_frozen' && alive "$B_SLEEP" &&
        ok "$B runs again and its row says so" || not_ok "$B runs again and its row says so"

# ---------------------------------------------------------- resize
heading() { screen | grep -m1 '^ID  *NAME'; }
wide_heading=$(heading)
"${TM[@]}" resize-window -t t -x 100 -y 30
relaid() {
        local h lines
        h=$(heading)
        lines=$(screen | wc -l)
        [[ -n $h && $h != "$wide_heading" && ${#h} -le 100 && $lines -eq 30 ]] &&
                screen | tail -n 1 | grep -q -e 'help' -e "'$B' is thawed"
}
wait_for 10 "the screen re-laid at 100x30" relaid && ok "a resize to 100x30 re-lays the screen (fewer columns, status line last)" ||
        { not_ok "a resize to 100x30 re-lays the screen"; show_screen; }
"${TM[@]}" resize-window -t t -x 160 -y 40
wide_again() { [[ $(heading) == "$wide_heading" ]]; }
wait_for 10 "the screen re-laid at 160x40" wide_again && ok "and back to 160x40" ||
        { not_ok "and back to 160x40"; show_screen; }

# --------------------------------------------------------- inspect
A_ID=$("$NS" ls -J 2>/dev/null | jq -r --arg n "$A" \
        '.instances[] | recurse(.children[]?) | select(.name == $n) | .id')
select_row "$A" || not_ok "the selection moves to $A"
keys i
wait_screen "^inspect $A ($A_ID) at " && ok "i opens the report of ns inspect for $A" ||
        not_ok "i opens the report of ns inspect for $A"
# The lines ns inspect writes for this instance: its leader, pid 1, a sleep.
wait_screen "^instance $A_ID  $A (ns)  leader pid $A_LEADER\$" 5 &&
        on_screen "^  pid $A_LEADER (ns-init) is pid 1 of its own pid namespace" &&
        on_screen '^hints$' &&
        ok "the report is $A's: its id, leader pid $A_LEADER, pid 1, hints" ||
        { not_ok "the report is $A's: its id, leader pid $A_LEADER, pid 1, hints"; show_screen; }
"$NS" inspect "$A" >"$T_TMP/inspect.txt" 2>&1 || not_ok "ns inspect $A runs"
report_end=$(grep -c '' "$T_TMP/inspect.txt")
report_shown() { screen | head -n 4 | tail -n 1 | grep -o 'lines [0-9]*-[0-9]* of [0-9]*'; }
keys End
# the report is taken again at each refresh: its length may move a little
at_end() { [[ $(report_shown) =~ ^lines\ [0-9]+-([0-9]+)\ of\ ([0-9]+)$ ]] && ((BASH_REMATCH[1] == BASH_REMATCH[2] && BASH_REMATCH[2] > 30)); }
wait_for 5 "the end of the report" at_end && on_screen 'sleep 2402' &&
        ok "End scrolls to the end of the report (its tasks: sleep 2402; $(report_shown), ns inspect: $report_end lines)" ||
        { not_ok "End scrolls to the end of the report"; show_screen; }
keys Home
wait_for 5 "the top of the report" eval '[[ $(report_shown) == "lines 1-"* ]]' && on_screen '^hints$' &&
        ok "Home goes back to its first lines" || not_ok "Home goes back to its first lines"
stamp() { screen | head -n 4 | tail -n 1 | grep -o ' at [0-9:]*'; }
stamp0=$(stamp)
wait_for 10 "the report to be taken again" eval '[[ -n $(stamp) && $(stamp) != "$stamp0" ]]' &&
        on_screen "^instance $A_ID " && ok "the report refreshes in place ($stamp0 ->$(stamp))" ||
        not_ok "the report refreshes in place"
keys q
wait_gone "^inspect $A " 5 && wait_screen " $B " && selected_is "$A" &&
        ok "q leaves the report, back on the table with $A selected" ||
        { not_ok "q leaves the report, back on the table with $A selected"; show_screen; }

# ------------------------------------------------------------ kill
select_row "$K" || not_ok "the selection moves to $K"
keys k
wait_screen "Send a signal to the leader of '$K'" && ok "k opens the signal menu" ||
        not_ok "k opens the signal menu"
keys 4 Enter
wait_for 10 "$K's leader (pid $K_LEADER) to exit" eval "! alive $K_LEADER" &&
        ok "KILL ends $K" || not_ok "KILL ends $K"
wait_screen "SIGKILL sent to the leader of '$K'" 5 && ok "the status line says what was sent" ||
        not_ok "the status line says what was sent"
# Greyed: bright black (90) or dim (2), and still listed.
greyed() { screen_sgr | grep -- " $K " | grep -qE $'\e\\[([0-9;]*;)?(90|2|38;5;8)(;[0-9;]*)?m'; }
wait_for 10 "$K's row to grey" greyed && ok "$K's row stays, greyed" ||
        { not_ok "$K's row stays, greyed"; screen_sgr | grep -- " $K " | cat -v | sed 's/^/#   /'; }

# ------------------------------------------------------ help, quit
keys '?'
wait_screen 'ns top keys' && ok "? shows the keys" || not_ok "? shows the keys"
keys x
wait_gone 'ns top keys' 5 && ok "any key closes help" || not_ok "any key closes help"
keys q
wait_screen 'HOST\$' && ok "q quits to the shell" || not_ok "q quits to the shell"
if [[ -s $T_TMP/top.err ]]; then
        not_ok "ns top wrote nothing to stderr"
        diag_file "$T_TMP/top.err"
else
        ok "ns top wrote nothing to stderr"
fi
type_line "stty -a > $T_TMP/stty.after; echo saved-after"
wait_screen '^saved-after$' || not_ok "stty -a after"
if cmp -s "$T_TMP/stty.before" "$T_TMP/stty.after"; then
        ok "q restores the terminal (stty -a is the same)"
else
        not_ok "q restores the terminal (stty -a is the same)"
        diag "$(diff "$T_TMP/stty.before" "$T_TMP/stty.after")"
fi

# ------------------------------------------------ a fatal signal
# xterm's kmous is \E[<: ncurses asks for SGR reports (1006) there.
type_line "clear; TERM=xterm-256color $NS top -d 1"
wait_screen 'ns top - ' || not_ok "ns top starts again"
x=$(heading_x PIDS) && keys -l $'\e'"[<0;$((x + 2));4M" $'\e'"[<0;$((x + 2));4m"
wait_screen 'sort PIDS ' 5 && ok "with TERM=xterm-256color, an SGR click on the heading PIDS sorts by it" ||
        { not_ok "with TERM=xterm-256color, an SGR click on the heading PIDS sorts by it"; show_screen; }
# A leader whose mmap_lock a task in D state holds (tests/helpers/stuck-mm):
# its row and its process view come without waiting for its command line.
spawn unshare -m --propagation private --uts --ipc "$STUCK_MM" "$T_TMP/stuck.ready" 20
stuck_ready() { [[ -s $T_TMP/stuck.ready ]]; }
if wait_for 10 "the stuck-mm helper" stuck_ready; then
        read -r sp <"$T_TMP/stuck.ready"
        keys /
        keys -l "stuck-mm"
        keys Enter
        wait_screen ' stuck-mm (blocked)' 10 && ok "the row of a leader stuck behind a D-state task says its command line is blocked" ||
                not_ok "the row of a leader stuck behind a D-state task says its command line is blocked"
        keys Home Enter
        wait_screen "processes of stuck-mm " 10 && wait_screen "^ *$sp .* stuck-mm (blocked)" 5 &&
                ok "its process view shows pid $sp as blocked, and the screen answers" ||
                not_ok "its process view shows pid $sp as blocked, and the screen answers"
        keys Escape
        wait_gone "processes of stuck-mm " 5 || not_ok "Esc leaves the process view"
        read -r kids <"/proc/$sp/task/$sp/children"
        kill -KILL $kids "$sp" 2>/dev/null
else
        not_ok "the stuck-mm helper gets stuck"
        diag_file "$SPAWNED_LOG"
fi
# the pane's shell's child: ns top, which became ns-top
top_pid=$(pgrep -P "$("${TM[@]}" display -p -t t '#{pane_pid}')")
[[ -n $top_pid ]] && kill -TERM "$top_pid"
wait_screen 'HOST\$' && ok "SIGTERM ends ns top" || not_ok "SIGTERM ends ns top"
type_line "stty -a > $T_TMP/stty.term; echo saved-term"
wait_screen '^saved-term$' || not_ok "stty -a after SIGTERM"
cmp -s "$T_TMP/stty.before" "$T_TMP/stty.term" && ok "SIGTERM restores the terminal too" ||
        { not_ok "SIGTERM restores the terminal too"; diag "$(diff "$T_TMP/stty.before" "$T_TMP/stty.term")"; }

done_testing
