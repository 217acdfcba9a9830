#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The `ns top` benchmark, on the fleet of the `ns ls` benchmark (ls.sh builds
# it and runs this script inside it with -x): ns top and htop side by side in
# tmux at the same size and the same delay over the same seconds, their CPU
# time (utime + stime of the process and of its reaped children) and peak RSS
# (VmHWM) read from /proc; then the time to ns top's first full frame (the
# header and a row on the pane) against `ns ls` in the same harness (its
# heading and a row on the pane), and against `ns ls` run to /dev/null.
# Prints the ratios and a verdict per target. See README.md.
#
# Exit status: 0 once the measurement ran (PASS or MISS alike); 1 when it
# could not measure.
set -uo pipefail

usage() {
        cat <<EOF
Usage:
 sudo $0 [options]

Compare 'ns top' with htop over the fleet of tests/bench/ls.sh.

Options:
 -t <seconds>     how long both run side by side (default 12)
 -d <seconds>     the refresh delay of both (default 2)
 -r <rounds>      rounds of the first-frame timing (default 7)
 -i <count>       instances of the fleet (default 200, as ls.sh)
 -c <children>    sleeping children per instance (default 12, as ls.sh)
 -o <dir>         keep the raw results here (default: a new directory in /tmp)
 -h               display this help

Environment: NS (default build/src/ns), HTOP (default htop from PATH).
EOF
}

SECS=12
DELAY=2
ROUNDS=7
FLEET_ARGS=()
OUT_DIR=
while getopts "t:d:r:i:c:o:h" opt; do
        case $opt in
        t) SECS=$OPTARG ;;
        d) DELAY=$OPTARG ;;
        r) ROUNDS=$OPTARG ;;
        i | c) FLEET_ARGS+=("-$opt" "$OPTARG") ;;
        o) OUT_DIR=$OPTARG ;;
        h) usage; exit 0 ;;
        *) echo "Try '$0 -h'." >&2; exit 1 ;;
        esac
done

die() {
        echo "top.sh: $*" >&2
        exit 1
}

[[ $SECS =~ ^[1-9][0-9]*$ ]] || die "'$SECS' is not a whole number of seconds"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "'$ROUNDS' is not a positive number"
[[ $DELAY =~ ^[0-9]+(\.[0-9])?$ ]] && [[ $DELAY != 0 && $DELAY != 0.0 ]] ||
        die "'$DELAY' is not a delay in tenths of a second (htop counts in tenths)"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SELF=$ROOT/tests/bench/top.sh
NS=${NS:-$ROOT/build/src/ns}
HTOP=${HTOP:-$(command -v htop)}

# ---------------------------------------------------------------------------
# Outside the fleet: let ls.sh build it and run this script again inside.
if [ -z "${TOP_BENCH_INNER:-}" ]; then
        [ "$(id -u)" -eq 0 ] || die "run as root: the fleet needs unshare -m, -n, -C (sudo $0)"
        [ -x "$NS" ] || die "no ns binary at '$NS' (meson setup build && ninja -C build, or set NS)"
        [ -n "$HTOP" ] && [ -x "$HTOP" ] || die "no htop (apt-get install htop, or set HTOP)"
        command -v tmux >/dev/null || die "no tmux (apt-get install tmux)"
        if [ -z "$OUT_DIR" ]; then
                OUT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ns-bench-top.XXXXXX") || die "cannot make a result directory"
        fi
        mkdir -p "$OUT_DIR" || die "cannot make '$OUT_DIR'"
        inner=$(printf '%q ' env TOP_BENCH_INNER=1 HTOP="$HTOP" bash "$SELF" -t "$SECS" -d "$DELAY" \
                -r "$ROUNDS" -o "$OUT_DIR")
        # ls.sh -x prints "exit status N" after the command; ours is in a file.
        NS=$NS "$ROOT/tests/bench/ls.sh" "${FLEET_ARGS[@]}" -o "$OUT_DIR/fleet" -x "$inner" || exit 1
        [ -f "$OUT_DIR/status" ] || die "the measurement did not finish"
        exit "$(cat "$OUT_DIR/status")"
fi

# ---------------------------------------------------------------------------
# Inside the fleet.
echo 1 >"$OUT_DIR/status"
TMUXES=()
cleanup() {
        local s
        for s in "${TMUXES[@]}"; do
                tmux -S "$s" kill-server 2>/dev/null
        done
}
trap cleanup EXIT

now_us() {
        echo "${EPOCHREALTIME/[.,]/}"
}

# start NAME CMD...: CMD in a tmux server of its own, 160x40; the socket in SOCK.
start() {
        local name=$1
        shift
        SOCK=$OUT_DIR/tmux-$name.sock
        TMUXES+=("$SOCK")
        # The command's start is stamped by the shell that runs it, so that
        # the first-frame time does not count tmux's own start; the pane
        # stays after it (ns ls) for its output to be read.
        tmux -S "$SOCK" -f /dev/null new-session -d -x 160 -y 40 -s b \
                "$(printf '%q ' env TERM=tmux-256color HOME="$OUT_DIR/home" bash -c \
                        'echo "${EPOCHREALTIME/[.,]/}" >"$0"; "$@"; exec sleep 1000' "$OUT_DIR/start-$name" "$@")" ||
                die "cannot start tmux for $name"
        tmux -S "$SOCK" set -g status off >/dev/null
}
pane_pid() {
        tmux -S "$1" display -p -t b '#{pane_pid}'
}
capture() {
        tmux -S "$1" capture-pane -p -S - -t b 2>/dev/null
}
stop() {
        tmux -S "$1" kill-server 2>/dev/null
}

# cpu_ticks PID: utime + stime of PID and of its reaped children, in ticks.
cpu_ticks() {
        local s f
        read -r s <"/proc/$1/stat" || return 1
        s=${s##*) }
        # shellcheck disable=SC2206 # fields of /proc/PID/stat
        f=($s)
        echo $((f[11] + f[12] + f[13] + f[14]))
}
hwm_kib() {
        awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status"
}
TICKS=$(getconf CLK_TCK)
mkdir -p "$OUT_DIR/home"

# --- CPU and memory over the same seconds ------------------------------------
HTOP_DELAY=$(awk -v d="$DELAY" 'BEGIN { printf "%d", d * 10 + 0.5 }')
echo "== ns top -d $DELAY and htop -d $HTOP_DELAY side by side for ${SECS}s, 160x40 each"
start nstop "$NS" top -d "$DELAY"
S_NS=$SOCK
start htop "$HTOP" -d "$HTOP_DELAY"
S_HTOP=$SOCK
t0=$(now_us)
P_NS=$(pane_pid "$S_NS")
P_HTOP=$(pane_pid "$S_HTOP")
[ -n "$P_NS" ] && [ -n "$P_HTOP" ] || die "cannot find the processes in tmux"
deadline=$((t0 + SECS * 1000000))
while [ "$(now_us)" -lt $deadline ]; do
        sleep 0.2
done
# The process tree of each pane below its shell: the command (ns exec'd
# ns-top) and whatever it runs.
tree_ticks() {
        local p total=0 t
        for p in $(pgrep -P "$1") $(pgrep -P "$(pgrep -P "$1" | head -n 1)"); do
                t=$(cpu_ticks "$p") && total=$((total + t))
        done
        echo $total
}
C_NS=$(tree_ticks "$P_NS")
C_HTOP=$(tree_ticks "$P_HTOP")
M_NS=$(hwm_kib "$(pgrep -P "$P_NS" | head -n 1)")
M_HTOP=$(hwm_kib "$(pgrep -P "$P_HTOP" | head -n 1)")
[ -n "$C_NS" ] && [ -n "$M_NS" ] || die "ns top exited early: $(capture "$S_NS" | tail -n 3)"
[ -n "$C_HTOP" ] && [ -n "$M_HTOP" ] || die "htop exited early"
capture "$S_NS" >"$OUT_DIR/nstop-screen.txt"
capture "$S_HTOP" >"$OUT_DIR/htop-screen.txt"
stop "$S_NS"
stop "$S_HTOP"

# --- time to the first frame ---------------------------------------------------
# first_frame NAME HEADING CMD...: microseconds from the exec of CMD until the
# pane shows HEADING (a regex) and a row (an instance ID at a line start).
first_frame() {
        local name=$1 heading=$2 t1 t_start screen
        shift 2
        start "$name" "$@"
        while :; do
                screen=$(capture "$SOCK")
                if grep -qE "$heading" <<<"$screen" && grep -qE '^[0-9a-f]{12} ' <<<"$screen"; then
                        t1=$(now_us)
                        break
                fi
                if [ $(($(now_us) - t0)) -gt 30000000 ]; then
                        stop "$SOCK"
                        die "$name drew no frame in 30 s"
                fi
        done
        read -r t_start <"$OUT_DIR/start-$name"
        stop "$SOCK"
        echo $((t1 - t_start))
}

# plain NS ls to /dev/null, for reference: microseconds
plain_ls() {
        local a b
        a=$(now_us)
        "$NS" ls >/dev/null 2>&1
        b=$(now_us)
        echo $((b - a))
}

echo "== time to the first frame, $ROUNDS interleaved rounds"
: >"$OUT_DIR/frames.tsv"
for ((r = 0; r < ROUNDS; r++)); do
        t0=$(now_us)
        if ((r % 2)); then
                f_ls=$(first_frame nsls '^ID +NAME' "$NS" ls) || exit 1
                t0=$(now_us)
                f_top=$(first_frame nstop-f '^ns top - ' "$NS" top -d "$DELAY") || exit 1
        else
                f_top=$(first_frame nstop-f '^ns top - ' "$NS" top -d "$DELAY") || exit 1
                t0=$(now_us)
                f_ls=$(first_frame nsls '^ID +NAME' "$NS" ls) || exit 1
        fi
        f_plain=$(plain_ls)
        printf '%s\t%s\t%s\n' "$f_top" "$f_ls" "$f_plain" >>"$OUT_DIR/frames.tsv"
done

median() { # median of column $1 of frames.tsv
        cut -f "$1" "$OUT_DIR/frames.tsv" | sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
F_TOP=$(median 1)
F_LS=$(median 2)
F_PLAIN=$(median 3)

PROCS=$(ls /proc | grep -c '^[0-9]')
echo
echo "== results: $PROCS processes on the host"
awk -v cn="$C_NS" -v ch="$C_HTOP" -v hz="$TICKS" -v s="$SECS" -v d="$DELAY" \
        -v mn="$M_NS" -v mh="$M_HTOP" -v ft="$F_TOP" -v fl="$F_LS" -v fp="$F_PLAIN" 'BEGIN {
        printf "   %-28s %12s %12s %8s\n", "", "ns top", "htop", "ratio"
        printf "   %-28s %12.2f %12.2f %7.2fx\n", "CPU seconds in " s " s", cn / hz, ch / hz, ch ? cn / ch : 0
        printf "   %-28s %12.1f %12.1f\n", "CPU ms per refresh (" d " s)", cn / hz * 1000 / (s / d + 1), ch / hz * 1000 / (s / d + 1)
        printf "   %-28s %12d %12d %7.2fx\n", "peak RSS KiB (VmHWM)", mn, mh, mh ? mn / mh : 0
        printf "\n   %-28s %12s %12s %8s\n", "", "ns top", "ns ls", "ratio"
        printf "   %-28s %12.1f %12.1f %7.2fx\n", "first frame ms (in tmux)", ft / 1000, fl / 1000, fl ? ft / fl : 0
        printf "   %-28s %12s %12.1f %7.2fx\n", "ns ls to /dev/null ms", "", fp / 1000, fp ? ft / fp : 0
        printf "\n== verdict (medians of the same run)\n"
        printf "   CPU ns top/htop          %5.2fx  target <= 0.5x  %s\n", cn / ch, cn / ch <= 0.5 ? "PASS" : "MISS"
        printf "   peak RSS ns top/htop     %5.2fx  target <= 1x    %s\n", mn / mh, mn / mh <= 1 ? "PASS" : "MISS"
        printf "   first frame / ns ls      %5.2fx  target <= 1.5x  %s\n", ft / fl, ft / fl <= 1.5 ? "PASS" : "MISS"
}' | tee "$OUT_DIR/summary.txt"
echo
echo "   raw results in $OUT_DIR (summary.txt, frames.tsv, the two screens)"
echo 0 >"$OUT_DIR/status"
exit 0
