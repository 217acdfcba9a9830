#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The `ns ls` benchmark: builds a fleet of real instances (unshare with varied
# flag sets, a few nested, each running a shell with sleeping children), then
# times, interleaved in the same run, `ns ls`, `ns ls -J`, `lsns`, `lsns -J`
# and the floor (bench-floor, a minimal readlinkat scanner). This machine is
# noisy: only ratios measured in one run mean anything. See README.md.
#
# Exit status: 0 once the measurement ran (PASS or MISS alike); 1 when the
# fleet could not be built, a measured command failed, or a fleet process
# was left behind.
set -uo pipefail

usage() {
        cat <<EOF
Usage:
 sudo $0 [options]

Time 'ns ls' against lsns and a minimal scanner over a fleet of real instances.

Options:
 -n <rounds>      timed rounds, interleaved (default 20)
 -i <count>       instances to spawn, each with its own unshare (default 200)
 -c <children>    sleeping children per instance (default 12)
 -o <dir>         keep the raw results here (default: a new directory in /tmp)
 -s               also count syscalls per process with strace -f -c
 -x <command>     build the fleet, run <command> with bash -c (NS and NS_FLOOR
                  exported), tear down; no timing: for perf, strace and the like
 -h               display this help

Environment: NS (default build/src/ns), NS_FLOOR (default bench-floor next to
it, or build/tests/bench/bench-floor), LSNS (default lsns), HYPERFINE (default
from PATH; empty: time with bash instead).
EOF
}

ROUNDS=20
SPAWN=200
CHILDREN=12
OUT_DIR=
SYSCALLS=0
EXEC=
CUSTOM=0
MIN_PROCS=2500
MIN_INSTANCES=200

while getopts "n:i:c:o:sx:h" opt; do
        case $opt in
        n) ROUNDS=$OPTARG ;;
        i) SPAWN=$OPTARG; CUSTOM=1 ;;
        c) CHILDREN=$OPTARG; CUSTOM=1 ;;
        o) OUT_DIR=$OPTARG ;;
        s) SYSCALLS=1 ;;
        x) EXEC=$OPTARG ;;
        h) usage; exit 0 ;;
        *) echo "Try '$0 -h'." >&2; exit 1 ;;
        esac
done
for v in "$ROUNDS" "$SPAWN" "$CHILDREN"; do
        if ! [[ $v =~ ^[1-9][0-9]*$ ]]; then
                echo "ls.sh: '$v' is not a positive number" >&2
                exit 1
        fi
done

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NS=${NS:-$ROOT/build/src/ns}
if [ -z "${NS_FLOOR:-}" ]; then
        NS_FLOOR=$ROOT/build/tests/bench/bench-floor
        cand=$(dirname "$NS")/../tests/bench/bench-floor
        [ -x "$cand" ] && NS_FLOOR=$cand
fi
LSNS=${LSNS:-lsns}

die() {
        echo "ls.sh: $*" >&2
        exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root: the fleet needs unshare -m, -n, -C (sudo $0)"
[ -x "$NS" ] || die "no ns binary at '$NS' (meson setup build && ninja -C build, or set NS)"
[ -x "$NS_FLOOR" ] || die "no bench-floor at '$NS_FLOOR' (ninja -C build, or set NS_FLOOR)"
command -v "$LSNS" >/dev/null || die "no '$LSNS' (install util-linux)"
command -v unshare >/dev/null || die "no unshare (install util-linux)"
[ -x /usr/bin/time ] || die "no /usr/bin/time for peak memory (apt-get install time)"

if [ -z "$OUT_DIR" ]; then
        OUT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ns-bench-ls.XXXXXX") || die "cannot make a result directory"
else
        mkdir -p "$OUT_DIR" || die "cannot make '$OUT_DIR'"
fi
LOG=$OUT_DIR/fleet.log
: >"$LOG"

# --- the fleet ---------------------------------------------------------------
#
# When a cgroup v2 hierarchy is writable, the fleet lives in a cgroup of its
# own: an exact, cheap count while it grows, and at the end /proc/PID/cgroup
# still names it for a zombie, which has no environment left. Every fleet
# process also carries NS_BENCH_FLEET=<token> in its environment, which does
# both jobs (zombies aside) when there is no such cgroup.
#
# Each spec is "<extra processes>:<unshare arguments>". The instance's shell
# and its children come on top of the extra ones (an unshare that forks
# stays, as a process of its own, and is an instance of its own too: its
# namespaces differ from its child's).
SPECS=(
        "1:-Urpf --mount-proc"
        "0:-m"
        "0:-n"
        "1:-Uruipnm --fork"
        "0:-ui"
        "1:-Cpf --mount-proc"
        "1:-UrTf"
        "0:-Urm"
        "2:-Urpf --mount-proc unshare -Urnpf --mount-proc"
        "2:-Urf unshare -upf --mount-proc"
)
# Leaves first: each shell waits for its children, so when the children are
# killed the shells, then the unshares, exit and are reaped by their parents,
# not orphaned (a PID 1 that does not reap would keep them as zombies).
PAYLOAD="i=0; while [ \$i -lt $CHILDREN ]; do sleep infinity & i=\$((i+1)); done; wait"
TOKEN=ns-bench-ls.$$.$RANDOM
CG=

cg2_root() {
        local _dev mnt type _rest
        while read -r _dev mnt type _rest; do
                if [ "$type" = cgroup2 ]; then
                        echo "$mnt"
                        return 0
                fi
        done </proc/self/mounts
        return 1
}

if cgroot=$(cg2_root) && mkdir "$cgroot/$TOKEN" 2>/dev/null; then
        CG=$cgroot/$TOKEN
fi

marker_pids() {
        grep -lsxzF "NS_BENCH_FLEET=$TOKEN" /proc/[0-9]*/environ | sed 's#^/proc/\([0-9]*\)/environ$#\1#'
}

# FLEET: the pids of the fleet now.
fleet_list() {
        if [ -n "$CG" ]; then
                mapfile -t FLEET <"$CG/cgroup.procs"
        else
                mapfile -t FLEET < <(marker_pids)
        fi
}

LAUNCHED=0
cleanup() {
        local i pid comm sleeps kids left
        if [ "$LAUNCHED" -eq 0 ]; then
                [ -n "$CG" ] && rmdir "$CG" 2>/dev/null
                return
        fi
        LAUNCHED=0
        trap '' INT TERM HUP
        echo "== tearing the fleet down"
        # Kill the leaves (the sleeps) and let every parent reap and exit;
        # after 5 s kill whatever is left.
        for ((i = 0; i < 200; i++)); do
                fleet_list
                [ ${#FLEET[@]} -eq 0 ] && break
                if [ "$i" -lt 100 ]; then
                        sleeps=()
                        for pid in "${FLEET[@]}"; do
                                read -r comm 2>/dev/null <"/proc/$pid/comm" || continue
                                [ "$comm" = sleep ] && sleeps+=("$pid")
                        done
                        [ ${#sleeps[@]} -gt 0 ] && kill -KILL "${sleeps[@]}" 2>/dev/null
                else
                        kill -KILL "${FLEET[@]}" 2>/dev/null
                fi
                sleep 0.05
        done
        # Our own children (the unshares) exit by themselves once their
        # shells have; one that did not would hang the wait below.
        mapfile -t kids < <(jobs -p)
        [ ${#kids[@]} -gt 0 ] && kill -KILL "${kids[@]}" 2>/dev/null
        wait 2>/dev/null
        if [ -z "$CG" ]; then
                left=$(marker_pids | wc -l)
        else
                left=$(grep -lsF "/$TOKEN" /proc/[0-9]*/cgroup | wc -l)
                [ -w "$CG/cgroup.kill" ] && echo 1 >"$CG/cgroup.kill" 2>/dev/null
                rmdir "$CG" 2>/dev/null || echo "ls.sh: cannot remove cgroup '$CG'" >&2
        fi
        if [ "$left" -ne 0 ]; then
                echo "ls.sh: $left fleet processes remain (marker NS_BENCH_FLEET=$TOKEN)" >&2
                exit 1
        fi
        echo "   no fleet process remains"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

launch() {
        local spec=${SPECS[$1]}
        local -a args
        read -r -a args <<<"${spec#*:}"
        if [ -n "$CG" ]; then
                # The wrapper moves itself into the fleet's cgroup, then
                # becomes unshare: our child still, so we reap it.
                NS_BENCH_FLEET=$TOKEN sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' \
                        sh "$CG" unshare "${args[@]}" sh -c "$PAYLOAD" </dev/null >/dev/null 2>>"$LOG" &
        else
                NS_BENCH_FLEET=$TOKEN unshare "${args[@]}" sh -c "$PAYLOAD" </dev/null >/dev/null 2>>"$LOG" &
        fi
}

now_ms() {
        local t=${EPOCHREALTIME/[.,]/}
        echo $((t / 1000))
}

read -r BASE_TUPLES _ < <("$NS_FLOOR") || die "'$NS_FLOOR' failed"
echo "== building the fleet: $SPAWN instances x ($CHILDREN sleeps + shell), ${#SPECS[@]} unshare flag sets"
[ -n "$CG" ] && echo "   cgroup $CG" || echo "   no writable cgroup v2: counting by environment marker"
t_start=$(now_ms)
expected=0
BATCH=25
deadline=$((t_start + 120000))
LAUNCHED=1
for ((k = 0; k < SPAWN; k += BATCH)); do
        for ((j = k; j < k + BATCH && j < SPAWN; j++)); do
                s=$((j % ${#SPECS[@]}))
                launch $s
                expected=$((expected + ${SPECS[$s]%%:*} + 1 + CHILDREN))
        done
        # Poll until this batch is complete before the next one.
        while :; do
                fleet_list
                [ ${#FLEET[@]} -ge $expected ] && break
                if [ -s "$LOG" ] || [ "$(now_ms)" -gt $deadline ]; then
                        echo "ls.sh: the fleet could not be built: ${#FLEET[@]} of $expected processes" >&2
                        sed 's/^/   unshare: /' "$LOG" | sort | uniq -c | head -5 >&2
                        exit 1
                fi
                sleep 0.02
        done
done
t_built=$(now_ms)

read -r FLOOR_INSTANCES FLOOR_PROCS < <("$NS_FLOOR") || die "bench-floor failed"
NS_INSTANCES=$("$NS" ls -n -o ID 2>/dev/null | wc -l)
echo "   $expected fleet processes in $((t_built - t_start))ms; host total: $FLOOR_PROCS processes, $FLOOR_INSTANCES distinct namespace tuples"
FLEET_INSTANCES=$((FLOOR_INSTANCES - BASE_TUPLES))
echo "   the fleet: $expected processes in $FLEET_INSTANCES instances (distinct tuples)"
if [ "$expected" -lt $MIN_PROCS ] || [ "$FLEET_INSTANCES" -lt $MIN_INSTANCES ]; then
        msg="the fleet is below the benchmark's $MIN_PROCS processes in $MIN_INSTANCES instances"
        [ $CUSTOM -eq 1 ] || die "$msg"
        echo "ls.sh: warning: $msg (-i, -c): figures not comparable" >&2
fi
if [ "$NS_INSTANCES" -ne $((FLOOR_INSTANCES - 1)) ]; then
        echo "ls.sh: warning: ns ls lists $NS_INSTANCES instances, the floor counts $FLOOR_INSTANCES tuples (host included)" >&2
fi

if [ -n "$EXEC" ]; then
        echo "== running: $EXEC"
        NS=$NS NS_FLOOR=$NS_FLOOR bash -c "$EXEC"
        echo "   exit status $?"
        exit 0
fi

# --- timing ------------------------------------------------------------------

NAMES=("ns ls" "ns ls -J" "lsns" "lsns -J" "floor")
CMDS=("$NS ls" "$NS ls -J" "$LSNS" "$LSNS -J" "$NS_FLOOR") # for display
# ARGV: the argv of command $1, paths kept whole.
cmd_argv() {
        case $1 in
        0) ARGV=("$NS" ls) ;;
        1) ARGV=("$NS" ls -J) ;;
        2) ARGV=("$LSNS") ;;
        3) ARGV=("$LSNS" -J) ;;
        4) ARGV=("$NS_FLOOR") ;;
        esac
}
run() {
        cmd_argv "$1"
        "${ARGV[@]}"
}
RAW=$OUT_DIR/times.tsv
: >"$RAW"

# Once each before timing; what they say on stderr is shown here only.
for i in "${!CMDS[@]}"; do
        run "$i" >/dev/null || die "'${CMDS[$i]}' failed"
done

HYPERFINE=${HYPERFINE-$(command -v hyperfine)}
if [ -n "$HYPERFINE" ]; then
        echo "== timing: $ROUNDS interleaved rounds (hyperfine, one run per command per round, 3 warmups)"
else
        echo "== timing: $ROUNDS interleaved rounds (no hyperfine: bash \$EPOCHREALTIME, 3 warmup rounds)"
        for ((r = 0; r < 3; r++)); do
                for i in "${!CMDS[@]}"; do run "$i" >/dev/null 2>&1; done
        done
fi
for ((r = 0; r < ROUNDS; r++)); do
        # Rotate the order each round, so no command always runs right
        # after the same one.
        order=()
        for ((k = 0; k < ${#CMDS[@]}; k++)); do
                order+=("$(((k + r) % ${#CMDS[@]}))")
        done
        if [ -n "$HYPERFINE" ]; then
                hargs=(-N --style none --runs 1 --export-json "$OUT_DIR/hyperfine-round-$r.json")
                [ $r -eq 0 ] && hargs+=(--warmup 3)
                for i in "${order[@]}"; do
                        # -N splits its command like a shell does: quote.
                        cmd_argv "$i"
                        hargs+=(-n "${NAMES[$i]}" "$(printf '%q ' "${ARGV[@]}")")
                done
                # In a session of its own: Ctrl-C must not reach hyperfine,
                # which would exit and orphan the command it was timing; the
                # round finishes, then the trap runs.
                if ! setsid -w "$HYPERFINE" "${hargs[@]}" >/dev/null 2>"$OUT_DIR/hyperfine.err"; then
                        cat "$OUT_DIR/hyperfine.err" >&2
                        die "hyperfine failed in round $r"
                fi
                # One run per command: its median is its time.
                awk '/"command":/ { sub(/.*"command": "/, ""); sub(/",?$/, ""); name = $0 }
                     /"median":/  { sub(/.*"median": /, ""); sub(/,$/, ""); print name "\t" $0 }' \
                        "$OUT_DIR/hyperfine-round-$r.json" >>"$RAW"
        else
                for i in "${order[@]}"; do
                        t0=$EPOCHREALTIME
                        run "$i" >/dev/null 2>&1
                        t1=$EPOCHREALTIME
                        awk -v n="${NAMES[$i]}" -v a="${t0/,/.}" -v b="${t1/,/.}" \
                                'BEGIN { printf "%s\t%.6f\n", n, b - a }' >>"$RAW"
                done
        fi
        [ -t 2 ] && printf '\r   round %d/%d' $((r + 1)) "$ROUNDS" >&2
done
[ -t 2 ] && echo >&2

# Another fleet (a second run of this script) or a build in the middle of
# the timing makes the figures suspect: say so.
read -r _ procs_after < <("$NS_FLOOR")
if [ $((procs_after - FLOOR_PROCS)) -gt $((FLOOR_PROCS / 20)) ] ||
        [ $((FLOOR_PROCS - procs_after)) -gt $((FLOOR_PROCS / 20)) ]; then
        echo "ls.sh: warning: the host went from $FLOOR_PROCS to $procs_after processes during the timing: figures are suspect" >&2
fi

# Peak memory: max RSS, five runs each, interleaved.
RSS=$OUT_DIR/maxrss.tsv
: >"$RSS"
for ((r = 0; r < 5; r++)); do
        for i in "${!CMDS[@]}"; do
                cmd_argv "$i"
                /usr/bin/time -f %M -o "$OUT_DIR/rss.tmp" "${ARGV[@]}" >/dev/null 2>&1 ||
                        die "'${CMDS[$i]}' failed"
                printf '%s\t%s\n' "${NAMES[$i]}" "$(tail -n 1 "$OUT_DIR/rss.tmp")" >>"$RSS"
        done
done
rm -f "$OUT_DIR/rss.tmp"

# median and min of each command, in seconds (or KiB)
stats() {
        sort -t "$(printf '\t')" -k1,1 -k2,2g "$1" | awk -F '\t' '
                { v[$1, ++n[$1]] = $2 }
                END {
                        for (k in n) {
                                c = n[k]
                                med = c % 2 ? v[k, (c + 1) / 2] : (v[k, c / 2] + v[k, c / 2 + 1]) / 2
                                printf "%s\t%.6f\t%.6f\t%.6f\n", k, med, v[k, 1], v[k, c]
                        }
                }'
}
stats "$RAW" >"$OUT_DIR/times-summary.tsv"
stats "$RSS" >"$OUT_DIR/maxrss-summary.tsv"

get() { # get <file> <name> <column>: 2 median, 3 min, 4 max
        awk -F '\t' -v n="$2" -v c="$3" '$1 == n { print $c }' "$1"
}

echo
echo "== results: $FLOOR_PROCS processes, $FLOOR_INSTANCES namespace tuples, $ROUNDS rounds"
printf '   %-10s %10s %10s %10s %10s %12s\n' command "median ms" "min ms" "max ms" "us/proc" "max RSS KiB"
for n in "${NAMES[@]}"; do
        awk -v n="$n" -v p="$FLOOR_PROCS" -v med="$(get "$OUT_DIR/times-summary.tsv" "$n" 2)" \
                -v mn="$(get "$OUT_DIR/times-summary.tsv" "$n" 3)" \
                -v mx="$(get "$OUT_DIR/times-summary.tsv" "$n" 4)" \
                -v rss="$(get "$OUT_DIR/maxrss-summary.tsv" "$n" 2)" \
                'BEGIN { printf "   %-10s %10.2f %10.2f %10.2f %10.1f %12d\n", n, med * 1000, mn * 1000, mx * 1000, med * 1e6 / p, rss }'
done

T_NS=$(get "$OUT_DIR/times-summary.tsv" "ns ls" 2)
T_NSJ=$(get "$OUT_DIR/times-summary.tsv" "ns ls -J" 2)
T_LSNS=$(get "$OUT_DIR/times-summary.tsv" "lsns" 2)
T_LSNSJ=$(get "$OUT_DIR/times-summary.tsv" "lsns -J" 2)
T_FLOOR=$(get "$OUT_DIR/times-summary.tsv" "floor" 2)
N_NS=$(get "$OUT_DIR/times-summary.tsv" "ns ls" 3)
N_LSNS=$(get "$OUT_DIR/times-summary.tsv" "lsns" 3)
N_FLOOR=$(get "$OUT_DIR/times-summary.tsv" "floor" 3)
M_NS=$(get "$OUT_DIR/maxrss-summary.tsv" "ns ls" 2)
M_LSNS=$(get "$OUT_DIR/maxrss-summary.tsv" "lsns" 2)

verdicts=$(awk -v ns="$T_NS" -v nsj="$T_NSJ" -v l="$T_LSNS" -v lj="$T_LSNSJ" -v f="$T_FLOOR" \
        -v nns="$N_NS" -v nl="$N_LSNS" -v nf="$N_FLOOR" -v mns="$M_NS" -v ml="$M_LSNS" 'BEGIN {
        r1 = l / ns; r2 = ns / f
        v1 = (r1 >= 5) ? "PASS" : "MISS"
        v2 = (r2 <= 1.3) ? "PASS" : "MISS"
        v3 = (mns <= ml) ? "PASS" : "MISS"
        printf "   lsns/ns ls       %5.2fx  target >= 5x    %s   (-J %.2fx, of minima %.2fx)\n", r1, v1, lj / nsj, nl / nns
        printf "   ns ls/floor      %5.2fx  target <= 1.3x  %s   (-J %.2fx, of minima %.2fx)\n", r2, v2, nsj / f, nns / nf
        printf "   max RSS ns/lsns  %5.2fx  target <= 1x    %s   (%d / %d KiB)\n", mns / ml, v3, mns, ml
}')
echo
echo "== verdict (medians of the same run)"
echo "$verdicts"

{
        printf '{\n  "fleet": {"processes": %d, "tuples": %d, "spawned_instances": %d, "children": %d},\n' \
                "$FLOOR_PROCS" "$FLOOR_INSTANCES" "$SPAWN" "$CHILDREN"
        printf '  "rounds": %d,\n  "timer": "%s",\n  "results": [\n' "$ROUNDS" "${HYPERFINE:+hyperfine}${HYPERFINE:-bash}"
        first=1
        for i in "${!NAMES[@]}"; do
                n=${NAMES[$i]}
                [ $first -eq 1 ] || printf ',\n'
                first=0
                printf '    {"command": "%s", "argv": "%s", "median": %s, "min": %s, "max_rss_kib": %s, "times": [%s]}' \
                        "$n" "${CMDS[$i]}" "$(get "$OUT_DIR/times-summary.tsv" "$n" 2)" \
                        "$(get "$OUT_DIR/times-summary.tsv" "$n" 3)" \
                        "$(get "$OUT_DIR/maxrss-summary.tsv" "$n" 2)" \
                        "$(awk -F '\t' -v n="$n" '$1 == n { printf "%s%s", s, $2; s = ", " }' "$RAW")"
        done
        printf '\n  ]\n}\n'
} >"$OUT_DIR/summary.json"

if [ $SYSCALLS -eq 1 ]; then
        if command -v strace >/dev/null; then
                echo
                echo "== syscalls (strace -f -c), per process scanned ($FLOOR_PROCS)"
                for i in 0 2 4; do
                        cmd_argv "$i"
                        strace -f -c -o "$OUT_DIR/strace-$i.txt" "${ARGV[@]}" >/dev/null 2>&1
                        awk -v n="${NAMES[$i]}" -v p="$FLOOR_PROCS" '
                                $NF == "total" { total = $4 }
                                $1 ~ /^[0-9.]+$/ && $NF != "total" { top[$NF] = $4 }
                                END {
                                        printf "   %-8s %7d calls, %5.2f per process:", n, total, total / p
                                        for (k = 0; k < 4; k++) {
                                                best = ""; bv = -1
                                                for (s in top) if (top[s] + 0 > bv) { bv = top[s] + 0; best = s }
                                                if (best == "") break
                                                printf " %s %d", best, bv; delete top[best]
                                        }
                                        printf "\n"
                                }' "$OUT_DIR/strace-$i.txt"
                done
        else
                echo "ls.sh: no strace: syscall counts skipped" >&2
        fi
fi

echo
echo "   raw results in $OUT_DIR (summary.json, times.tsv${HYPERFINE:+, hyperfine-round-*.json})"
exit 0
