#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The `ns enter` benchmark (see tests/bench/README.md): `ns enter <id> true`
# against `nsenter -t PID -a true` in the same run, on an instance made by
# `unshare -Urpf --mount-proc` and one made by bwrap, with a background fleet
# of instances so that the id forms that need a scan pay for it. Prints the
# times and the ratio of each form against nsenter on the same target;
# exits 1 when it cannot measure (not root, a tool missing), not when a
# target is missed.
set -euo pipefail

usage() {
        cat <<EOF
Usage: tests/bench/enter.sh [-n RUNS] [-r ROUNDS] [-f INSTANCES] [-o DIR]
  -n RUNS       runs of each command per round (default 100)
  -r ROUNDS     interleaved rounds, the order rotated each round (default 5)
  -f INSTANCES  background instances of 10 processes each (default 100)
  -o DIR        where hyperfine's JSON goes (default: a new /tmp/ns-bench-enter.*)
Environment: NS (default build/src/ns), HYPERFINE (default hyperfine).
EOF
}

RUNS=100 ROUNDS=5 FLEET=100 OUT=
while getopts n:r:f:o:h opt; do
        case $opt in
        n) RUNS=$OPTARG ;;
        r) ROUNDS=$OPTARG ;;
        f) FLEET=$OPTARG ;;
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
        echo "enter.sh: $*" >&2
        exit 1
}
[[ $(id -u) == 0 ]] || die "run as root (nsenter -a into another user's namespaces, the fleet)"
[[ -x $NS ]] || die "no ns binary at '$NS' (build first, or set NS)"
for t in "$HYPERFINE" bwrap unshare nsenter jq; do
        command -v "$t" >/dev/null || die "'$t' is not installed (apt-get install -y hyperfine bubblewrap jq)"
done
OUT=${OUT:-$(mktemp -d /tmp/ns-bench-enter.XXXXXX)}
mkdir -p "$OUT"

# Everything the benchmark starts is in one cgroup v2 leaf when there is
# one, killed at once at the end; else by the process list.
PIDS=()
CG=
mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
cur=$(sed -n 's/^0:://p' /proc/self/cgroup)
if [[ -n $mnt ]] && mkdir "$mnt${cur%/}/ns-bench-enter-$$" 2>/dev/null; then
        CG=$mnt${cur%/}/ns-bench-enter-$$
fi
cleanup() {
        local p
        if [[ -n $CG ]]; then
                echo 1 >"$CG/cgroup.kill" 2>/dev/null || true
                for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
        fi
        for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
        wait 2>/dev/null || true
        if [[ -n $CG ]]; then
                for _ in $(seq 100); do rmdir "$CG" 2>/dev/null && break; sleep 0.05; done
        fi
}
trap 'cleanup 2>/dev/null' EXIT
trap 'exit 130' INT TERM

start() {
        (
                [[ -n $CG ]] && echo "$BASHPID" >"$CG/cgroup.procs"
                exec "$@"
        ) </dev/null >/dev/null 2>&1 &
        PIDS+=($!)
}

# A process below PID (or PID) whose comm is COMM, polled.
find_below() {
        local root=$1 comm=$2 i p q
        for i in $(seq 400); do
                for p in $root $(pgrep -P "$root") $(for q in $(pgrep -P "$root"); do pgrep -P "$q"; done); do
                        [[ $(cat "/proc/$p/comm" 2>/dev/null) == "$comm" ]] && { echo "$p"; return 0; }
                done
                sleep 0.02
        done
        return 1
}

# The background fleet: instances of 10 sleeps each.
echo "enter.sh: starting $FLEET background instances of 10 processes" >&2
for i in $(seq "$FLEET"); do
        start unshare -Urpf --mount-proc sh -c 'for i in 1 2 3 4 5 6 7 8 9; do sleep infinity & done; exec sleep infinity'
done

start unshare -Urpf --mount-proc sleep infinity
u_pid=$(find_below "${PIDS[-1]}" sleep) || die "the unshare target did not start"
start bwrap --unshare-all --ro-bind / / --proc /proc --dev /dev --tmpfs /tmp sleep infinity
b_pid=$(find_below "${PIDS[-1]}" sleep) || die "the bwrap target did not start"

nprocs() {
        local p=(/proc/[0-9]*)
        echo "${#p[@]}"
}

# Wait until the fleet is complete.
want=$((FLEET * 11 + 6))
for _ in $(seq 600); do
        n=$(nprocs)
        ((n >= want)) && break
        sleep 0.05
done
echo "enter.sh: $(nprocs) processes on the host" >&2

# The leader and ID of each target, as ns ls reports them.
"$NS" ls -J --output-all >"$OUT/ls.json"
leader_of() {
        local key
        key=$(for t in user mnt pid net uts ipc cgroup time; do readlink "/proc/$1/ns/$t"; done | tr -dc '0-9\n' | paste -sd:)
        jq -r --arg k "$key" '.instances[] | select(([.userns, .mntns, .pidns, .netns, .utsns, .ipcns, .cgroupns, .timens] | map(tostring) | join(":")) == $k) | "\(.pid) \(.id) \(.name // "")"' "$OUT/ls.json"
}
read -r u_leader u_id u_name < <(leader_of "$u_pid")
read -r b_leader b_id b_name < <(leader_of "$b_pid")
[[ -n $u_id && -n $b_id ]] || die "ns ls does not list the targets"

# Every form must work before it is timed.
for cmd in "nsenter -t $u_leader -a true" "$NS enter $u_leader true" "$NS enter $u_id true" \
        "$NS enter ${u_id:0:8} true" "nsenter -t $b_leader -a true" "$NS enter $b_leader true" \
        "$NS enter $b_id true"; do
        $cmd || die "'$cmd' failed"
done

# name: command
declare -A CMDS=(
        ["unshare nsenter -a"]="nsenter -t $u_leader -a true"
        ["unshare ns enter PID"]="$NS enter $u_leader true"
        ["unshare ns enter ID"]="$NS enter $u_id true"
        ["unshare ns enter ID-prefix"]="$NS enter ${u_id:0:8} true"
        ["bwrap nsenter -a"]="nsenter -t $b_leader -a true"
        ["bwrap ns enter PID"]="$NS enter $b_leader true"
        ["bwrap ns enter ID"]="$NS enter $b_id true"
)
NAMES=("unshare nsenter -a" "unshare ns enter PID" "unshare ns enter ID" "unshare ns enter ID-prefix"
        "bwrap nsenter -a" "bwrap ns enter PID" "bwrap ns enter ID")

for ((round = 0; round < ROUNDS; round++)); do
        args=()
        for ((k = 0; k < ${#NAMES[@]}; k++)); do
                name=${NAMES[(k + round) % ${#NAMES[@]}]}
                args+=(-n "$name" "${CMDS[$name]}")
        done
        warm=3
        "$HYPERFINE" -N -w "$warm" -r "$RUNS" --export-json "$OUT/round-$round.json" "${args[@]}" >/dev/null 2>&1 ||
                die "hyperfine failed in round $round"
done

# Median over every run of every round, per command.
jq -s -r '[.[].results[]] | group_by(.command) | .[] |
        "\(.[0].command)\t\([.[].times[]] | sort | .[length / 2 | floor] * 1000)\t\([.[].times[]] | add / length * 1000)"' \
        "$OUT"/round-*.json >"$OUT/medians.tsv"
med() { awk -F'\t' -v n="$1" '$1 == n { print $2 }' "$OUT/medians.tsv"; }
mean() { awk -F'\t' -v n="$1" '$1 == n { print $3 }' "$OUT/medians.tsv"; }

echo "ns enter <id> true against nsenter -t PID -a true; $ROUNDS rounds of $RUNS runs each, interleaved"
echo "host: $(nprocs) processes, $((FLEET + 2)) instances started by the benchmark"
printf '%-28s %10s %10s %8s\n' command "median ms" "mean ms" "ratio"
for name in "${NAMES[@]}"; do
        anchor="${name%% *} nsenter -a"
        printf '%-28s %10.3f %10.3f %8.2f\n' "$name" "$(med "$name")" "$(mean "$name")" \
                "$(awk -v a="$(med "$name")" -v b="$(med "$anchor")" 'BEGIN { print a / b }')"
done
echo "(ratio: median against nsenter's on the same target; below 1 is faster. Results in $OUT)"
