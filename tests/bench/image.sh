#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The `ns run --image` benchmark (see tests/bench/README.md): a busybox image
# built by tests/integration/image-lib.sh, as a docker-save archive, run
# with a warm store against `ns run true` in the same run, and against
# `docker run --rm` and `podman run --rm` of the same image where they are
# installed and working. Prints the times and the ratios against the
# targets; exits 1 when it cannot measure (a tool missing, the image cannot
# be imported), not when a target is missed.
set -euo pipefail

usage() {
        cat <<EOF
Usage: tests/bench/image.sh [-r ROUNDS] [-n RUNS] [-d RUNS] [-o DIR]
  -r ROUNDS  interleaved rounds of the ns commands (default 10)
  -n RUNS    runs of each ns command in a round (default 30)
  -d RUNS    runs of docker run and podman run, over the rounds (default 20)
  -o DIR     where the images, the store and hyperfine's JSON go
             (default: a new /tmp/ns-bench-image.*)
Environment: NS (default build/src/ns; ns-image must be next to it),
HYPERFINE (default hyperfine).
EOF
}

ROUNDS=10 RUNS=30 DRUNS=20 OUT=
while getopts r:n:d:o:h opt; do
        case $opt in
        r) ROUNDS=$OPTARG ;;
        n) RUNS=$OPTARG ;;
        d) DRUNS=$OPTARG ;;
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
        echo "image.sh: $*" >&2
        exit 1
}
[[ -x $NS ]] || die "no ns binary at '$NS' (build first, or set NS)"
[[ -x ${NS%/*}/ns-image ]] || die "no ns-image next to '$NS' (build first)"
for t in "$HYPERFINE" jq python3 busybox; do
        command -v "$t" >/dev/null || die "'$t' is not installed (apt-get install -y hyperfine jq python3 busybox-static)"
done
NS=$(realpath "$NS")
[[ -n $OUT ]] || OUT=$(mktemp -d /tmp/ns-bench-image.XXXXXX)
mkdir -p "$OUT"

# The image: two layers of busybox (image-lib.sh), Entrypoint sh -c, so
# "true" runs as `sh -c true` in every engine alike.
# shellcheck source=tests/integration/image-lib.sh
. tests/integration/image-lib.sh
make_test_images "$OUT/images" >"$OUT/make-images.log" 2>&1 || die "cannot build the image (see $OUT/make-images.log)"
ARCHIVE=$OUT/images/busybox.docker.tar
TAG=ns-test/busybox:1

# Warm the store: the first run imports the archive.
export XDG_CACHE_HOME=$OUT/cache
"$NS" run --image "$ARCHIVE" true || die "ns run --image '$ARCHIVE' true failed (cold)"

NS_CMD="$NS run true"
IMAGE_CMD="$NS run --image $ARCHIVE true"
# Not a target: the same image's files as one read-only directory
# (--rootfs), to tell what overlayfs itself costs from the rest.
mkdir -p "$OUT/rootfs"
python3 - "$ARCHIVE" "$OUT/rootfs" <<'PYEOF'
import json, os, shutil, sys, tarfile
arch, dst = sys.argv[1:]
t = tarfile.open(arch)
for layer in json.load(t.extractfile("manifest.json"))[0]["Layers"]:
    lt = tarfile.open(fileobj=t.extractfile(layer))
    for m in lt.getmembers():
        d, b = os.path.split(m.name)
        if b == ".wh..wh..opq":
            continue
        if b.startswith(".wh."):
            p = os.path.join(dst, d, b[4:])
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            elif os.path.lexists(p):
                os.unlink(p)
            continue
        if m.isdev():
            continue
        lt.extract(m, dst, set_attrs=not m.issym())
for d in ("proc", "dev", "tmp"):
    os.makedirs(os.path.join(dst, d), exist_ok=True)
PYEOF
ROOTFS_CMD="$NS run --rootfs $OUT/rootfs /bin/sh -c true"

# Interleaved rounds: the three commands one after the other in each round,
# so that the load of a shared machine, which drifts from one second to the
# next, weighs on all three alike; the ratios are taken per round, and
# their median reported.
echo "ns run --image benchmark: $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT"
for ((r = 1; r <= ROUNDS; r++)); do
        "$HYPERFINE" -N --style none --warmup 3 --runs "$RUNS" --export-json "$OUT/ns-round-$r.json" \
                "$NS_CMD" "$IMAGE_CMD" "$ROOTFS_CMD" >/dev/null 2>&1
done
jq -rs '
        def ms: . * 1000 | . * 100 | round / 100;
        def median: sort | if length % 2 == 1 then .[length / 2 | floor]
                else (.[length / 2 - 1] + .[length / 2]) / 2 end;
        def r2: . * 100 | round / 100;
        [.[] | .results | map(.median)] as $m
        | ($m | map(.[0]) | median) as $ns | ($m | map(.[1]) | median) as $im
        | ($m | map(.[2]) | median) as $rf
        | ($m | map(.[1] / .[0]) | median) as $ratio
        | ($m | map(.[2] / .[0]) | median) as $rratio
        | "  \($m | length) rounds of \(.[0].results[0].times | length) runs each; medians of the rounds'"'"' medians:",
          "  ns run true                  \($ns | ms) ms",
          "  ns run --image (warm) true   \($im | ms) ms",
          "  image / ns run true:         \($ratio | r2)x (median of the rounds'"'"' ratios; from \($m | map(.[1] / .[0]) | min | r2)x to \($m | map(.[1] / .[0]) | max | r2)x)",
          "  target: <= 1.5: \(if $ratio <= 1.5 then "met" else "MISSED" end)",
          "  not a target, the same files as one --rootfs directory: \($rf | ms) ms, \($rratio | r2)x"
' "$OUT"/ns-round-*.json

# docker run --rm and podman run --rm of the same archive, loaded first,
# in rounds as above: each round times the engine and the warm image launch
# side by side, and the ratio is taken within the round.
engine() {
        local eng=$1 why r per=$(((DRUNS + ROUNDS - 1) / ROUNDS))
        if ! command -v "$eng" >/dev/null; then
                echo "  $eng: not installed"
                return 0
        fi
        if ! why=$(timeout 20 "$eng" info 2>&1 >/dev/null); then
                echo "  $eng: installed, but not usable here ($(tail -1 <<<"$why"))"
                return 0
        fi
        if ! "$eng" load -i "$ARCHIVE" >"$OUT/$eng-load.log" 2>&1; then
                echo "  $eng: cannot load the image (see $OUT/$eng-load.log)"
                return 0
        fi
        # no network, as ns run has none
        "$eng" run --rm --network none "$TAG" true >"$OUT/$eng-first.log" 2>&1 || {
                echo "  $eng: cannot run the image (see $OUT/$eng-first.log)"
                return 0
        }
        for ((r = 1; r <= ROUNDS; r++)); do
                "$HYPERFINE" -N --style none --runs "$per" --export-json "$OUT/$eng-round-$r.json" \
                        "$eng run --rm --network none $TAG true" >/dev/null 2>&1
                "$HYPERFINE" -N --style none --warmup 3 --runs "$RUNS" \
                        --export-json "$OUT/$eng-image-round-$r.json" "$IMAGE_CMD" >/dev/null 2>&1
        done
        jq -rs --arg eng "$eng" '
                def ms: . * 1000 | . * 100 | round / 100;
                def median: sort | if length % 2 == 1 then .[length / 2 | floor]
                        else (.[length / 2 - 1] + .[length / 2]) / 2 end;
                (length / 2) as $n
                | [range(0; $n) as $i | [.[$i].results[0].median, .[$i + $n].results[0].median]] as $p
                | ($p | map(.[0]) | median) as $d | ($p | map(.[1]) | median) as $im
                | ($p | map(.[0] / .[1]) | median) as $ratio
                | "  \($eng) run --rm --network none true: \($d | ms) ms (\($n) rounds of \(.[0].results[0].times | length) runs), ns run --image beside it: \($im | ms) ms",
                  "  \($eng) / ns run --image:  \($ratio * 10 | round / 10)x (median of the rounds'"'"' ratios)\(if $eng == "docker" then "; target >= 50: \(if $ratio >= 50 then "met" else "MISSED" end)" else "" end)"
        ' $(for ((r = 1; r <= ROUNDS; r++)); do echo "$OUT/$eng-round-$r.json"; done) \
                $(for ((r = 1; r <= ROUNDS; r++)); do echo "$OUT/$eng-image-round-$r.json"; done)
}
engine docker
engine podman
