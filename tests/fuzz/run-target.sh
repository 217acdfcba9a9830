#!/bin/bash
# Run one libFuzzer target for a bounded time: run-target.sh BINARY SEEDS
#
# The seeds (tests/fuzz/corpus/<parser>/, regression inputs included) are
# replayed first, then the target fuzzes for NS_FUZZ_SECONDS (15). What it
# finds new goes to a scratch corpus, never into the source tree. Fails on
# any crash, leak, sanitizer report, timeout or memory blow-up; the input
# that caused it is kept in fuzz-artifacts/<target>/ of the build directory.
set -euo pipefail

bin=$1 seeds=$2
name=$(basename "$bin")
seconds=${NS_FUZZ_SECONDS:-15}

if ! compgen -G "$seeds/*" >/dev/null; then
        echo "$name: no seed in $seeds" >&2
        exit 1
fi

artifacts=$(realpath "$(dirname "$bin")")/fuzz-artifacts/$name
mkdir -p "$artifacts"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

if symbolizer=$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer); then
        export ASAN_SYMBOLIZER_PATH=$symbolizer
fi

# -timeout: one input taking seconds is a hang; -rss_limit_mb and
# -malloc_limit_mb: a parser that allocates without bound is a bug too.
# libFuzzer exits 77 on a crash, which meson would count as a skip.
rc=0
"$bin" "$scratch" "$seeds" \
        -max_total_time="$seconds" \
        -timeout=10 \
        -rss_limit_mb=1024 \
        -malloc_limit_mb=256 \
        -artifact_prefix="$artifacts/" \
        -print_final_stats=1 || rc=$?
if [ "$rc" -ne 0 ]; then
        echo "$name: failed (exit status $rc); the input is in $artifacts/" >&2
        exit 1
fi
