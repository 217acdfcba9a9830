#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The `ns run` benchmark (see tests/bench/README.md): `ns run true` against
# bwrap, unshare and the launch floor in the same run, on the host as it is and then with
# 5,000 extra mounts made in a mount namespace of the benchmark's own.
# Prints the times and the ratios against the targets; exits 1 when it
# cannot measure (not root, a tool missing), not when a target is missed.
set -euo pipefail

usage() {
        cat <<EOF
Usage: tests/bench/run.sh [-n RUNS] [-r ROUNDS] [-m RUNS] [-k MOUNTS] [-o DIR]
  -n RUNS    runs of each command per round on the plain host (default 60)
  -r ROUNDS  interleaved rounds on the plain host, the order rotated (default 5)
  -m RUNS    runs of each command with the extra mounts (default 30)
  -k MOUNTS  how many extra mounts (default 5000)
  -o DIR     where hyperfine's JSON goes (default: a new /tmp/ns-bench-run.*)
Environment: NS (default build/src/ns), HYPERFINE (default hyperfine).
EOF
}

RUNS=60 ROUNDS=5 MRUNS=30 MOUNTS=5000 OUT=
while getopts n:r:m:k:o:h opt; do
        case $opt in
        n) RUNS=$OPTARG ;;
        r) ROUNDS=$OPTARG ;;
        m) MRUNS=$OPTARG ;;
        k) MOUNTS=$OPTARG ;;
        o) OUT=$OPTARG ;;
        h)
                usage
                exit 0
                ;;
        *)
                usage >&2
                exit 1
                ;;
        esac
done

cd "$(dirname "$0")/../.."
NS=${NS:-build/src/ns}
HYPERFINE=${HYPERFINE:-hyperfine}
die() {
        echo "run.sh: $*" >&2
        exit 1
}
[[ $(id -u) == 0 ]] || die "run as root (the extra mounts need a mount namespace of the benchmark's own)"
[[ -x $NS ]] || die "no ns binary at '$NS' (build first, or set NS)"
for t in "$HYPERFINE" bwrap unshare perl jq; do
        command -v "$t" >/dev/null || die "'$t' is not installed (apt-get install -y hyperfine bubblewrap jq)"
done
NS=$(realpath "$NS")
[[ -n $OUT ]] || OUT=$(mktemp -d /tmp/ns-bench-run.XXXXXX)
mkdir -p "$OUT"

NS_CMD="$NS run true"
BWRAP_CMD="bwrap --unshare-all --ro-bind / / --proc /proc --dev /dev true"
UNSHARE_CMD="unshare -Urmpf --mount-proc true"
# The namespaces ns makes, made by unshare, which brings up no loopback and
# has no reaper, /dev, read-only root or seccomp: ns run should be no
# slower.
UNSHARE_ALL_CMD="unshare -Urmpfniuc --mount-proc true"
# The floor (launch-floor.c, static): the same namespaces, the maps, /proc
# and exec, nothing else. ns run should be within 1.15x of it.
FLOOR=${NS_LAUNCH_FLOOR:-$(dirname "$NS")/../tests/bench/bench-launch-floor}
[[ -x $FLOOR ]] || FLOOR=build/tests/bench/bench-launch-floor
[[ -x $FLOOR ]] || die "no bench-launch-floor next to '$NS' nor in build/ (build it, or set NS_LAUNCH_FLOOR)"
FLOOR_CMD="$(realpath "$FLOOR") true"
# The floor in ns run's shape (launch-shape.c): context, not a target.
SHAPE=${FLOOR%/*}/bench-launch-shape
[[ -x $SHAPE ]] || die "no bench-launch-shape next to '$FLOOR' (build it)"
SHAPE_CMD="$(realpath "$SHAPE") true"

# report JSON LABEL: the three commands' times and the ratios
report() {
        local json=$1 label=$2
        jq -r --arg title "$label" '
                def ms: . * 1000 | . * 100 | round / 100;
                .results as $r
                | ($r[0]) as $ns | ($r[1]) as $bw | ($r[2]) as $un
                | "\($title)",
                  "  ns run true      mean \($ns.mean | ms) ms  median \($ns.median | ms) ms  (\($ns.times | length) runs)",
                  "  bwrap            mean \($bw.mean | ms) ms  median \($bw.median | ms) ms  (\($bw.times | length) runs)",
                  "  unshare -Urmpf   mean \($un.mean | ms) ms  median \($un.median | ms) ms  (\($un.times | length) runs)",
                  "  bwrap / ns:      \($bw.mean / $ns.mean * 100 | round / 100)x (mean)  \($bw.median / $ns.median * 100 | round / 100)x (median)",
                  "  unshare / ns:    \($un.mean / $ns.mean * 100 | round / 100)x (mean)  \($un.median / $ns.median * 100 | round / 100)x (median)",
                  ($r[3] // empty | "  unshare -Urmpfniuc mean \(.mean | ms) ms  median \(.median | ms) ms, / ns: \(.median / $ns.median * 100 | round / 100)x (median)"),
                  ($r[4] // empty | "  launch floor     mean \(.mean | ms) ms  median \(.median | ms) ms, ns / floor: \($ns.median / .median * 100 | round / 100)x (median)"),
                  ($r[5] // empty | "  floor, ns shape  mean \(.mean | ms) ms  median \(.median | ms) ms, ns / shape: \($ns.median / .median * 100 | round / 100)x (median)")
        ' "$json"
}

# target JSON MIN_BWRAP: the verdicts
target() {
        jq -r --argjson min "$2" '
                .results as $r | ($r[0].median) as $ns
                | "  target: bwrap/ns >= \($min): \(if $r[1].median / $ns >= $min then "met" else "MISSED" end); unshare/ns >= 1: \(if $r[2].median / $ns >= 1 then "met" else "MISSED" end) (medians)",
                  ($r[3] // empty | "  target: unshare -Urmpfniuc/ns >= 1: \(if .median / $ns >= 1 then "met" else "MISSED" end)"),
                  ($r[4] // empty | "  target: ns/floor <= 1.15: \(if $ns / .median <= 1.15 then "met" else "MISSED" end)")
        ' "$1"
}

echo "ns run benchmark: $(uname -r), $(nproc) CPUs, $(awk 'END { print NR }' /proc/self/mountinfo) mounts; results in $OUT"

# 1. the host as it is: rounds with the order rotated, so that a burst of
# other work on the machine does not land on one command only; the runs of
# every round pooled per command, in the order report() expects.
CMDS=("$NS_CMD" "$BWRAP_CMD" "$UNSHARE_CMD" "$UNSHARE_ALL_CMD" "$FLOOR_CMD" "$SHAPE_CMD")
for ((round = 0; round < ROUNDS; round++)); do
        args=()
        for ((k = 0; k < ${#CMDS[@]}; k++)); do
                args+=("${CMDS[(k + round) % ${#CMDS[@]}]}")
        done
        "$HYPERFINE" -N --style none --warmup 10 --runs "$RUNS" --export-json "$OUT/plain-$round.json" \
                "${args[@]}" >/dev/null
done
jq -s '[.[].results[]] as $all
        | { results: [$ARGS.positional[] as $c
            | { command: $c, times: [$all[] | select(.command == $c) | .times[]] }
            | .mean = (.times | add / length)
            | .median = (.times | sort | if length % 2 == 1 then .[length / 2 | floor]
                                         else (.[length / 2 - 1] + .[length / 2]) / 2 end)] }' \
        "$OUT"/plain-*.json --args "${CMDS[@]}" >"$OUT/plain.json"
report "$OUT/plain.json" "host as it is:"
target "$OUT/plain.json" 2

# 2. with MOUNTS extra mounts, in a mount namespace of our own (private, so
# nothing reaches the host, and all of it goes when the namespace does)
export NS_CMD BWRAP_CMD UNSHARE_CMD HYPERFINE MOUNTS MRUNS OUT
unshare -m --propagation private bash -c '
        set -euo pipefail
        base=$(mktemp -d /tmp/ns-bench-mounts.XXXXXX)
        mount -t tmpfs ns-bench "$base"
        # mount(2) is syscall 165 on x86_64, 40 on aarch64
        nr=165
        [[ $(uname -m) == aarch64 ]] && nr=40
        perl -e '"'"'
                my ($base, $n, $nr) = @ARGV;
                my ($src, $type) = ("none", "tmpfs");
                for my $i (1 .. $n) {
                        my $p = "$base/$i";
                        mkdir $p or die "mkdir $p: $!";
                        syscall($nr, $src, $p, $type, 0, 0) == 0 or die "mount $p: $!";
                }
        '"'"' "$base" "$MOUNTS" "$nr"
        echo "with $(awk "END { print NR }" /proc/self/mountinfo) mounts:"
        "$HYPERFINE" -N --style none --warmup 3 --runs "$MRUNS" --export-json "$OUT/mounts.json" \
                "$NS_CMD" "$BWRAP_CMD" "$UNSHARE_CMD" >/dev/null
'
report "$OUT/mounts.json" "  ($MOUNTS extra mounts)"
target "$OUT/mounts.json" 20
# the mount namespace is gone with its last process: nothing to undo
rmdir /tmp/ns-bench-mounts.* 2>/dev/null || true
